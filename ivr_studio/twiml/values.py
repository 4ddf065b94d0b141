"""Value types of TwiML attributes: each turns Twilio's string form into a Python value or raises.

A parser raises :class:`BadValue` with a short reason; the caller turns that into Twilio's warning code for
the attribute and falls back to the default (spec §1.3, §5.3).  ``format_value`` is the inverse used when
writing TwiML, so ``True`` becomes ``"true"`` as the helper libraries write it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ivr_studio.files import cut
from ivr_studio.twiml.languages import gather_language_tags


class BadValue(ValueError):
    """An attribute value Twilio would reject; the message says why."""


Parser = Callable[[str], Any]


#: A whole number as TwiML writes it: ASCII digits only (``int()`` would also take "٣", "３" and "1_0"),
#: with a sign so that "-1" is reported as negative rather than as not a number.
_WHOLE_NUMBER = re.compile(r"\A[+-]?[0-9]{1,18}\Z")


def _whole_number(text: str, minimum: int, too_small: str) -> int:
    stripped = text.strip(" \t\r\n")
    if not _WHOLE_NUMBER.match(stripped):
        raise BadValue(f"{cut(text)} is not a whole number")
    value = int(stripped)
    if value < minimum:
        raise BadValue(f"{cut(text)} {too_small}")
    return value


_DECIMAL = re.compile(r"\A[+-]?([0-9]{1,30}(\.[0-9]{0,30})?|\.[0-9]{1,30})\Z")


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a decimal number written with ASCII digits ("12", "-3.5", ".5"), as a value
    compared with a number must be: not "٣", "３", "1_0", "1e9", "nan" or "inf", all of which ``float()``
    takes."""
    return bool(_DECIMAL.match(text.strip(" \t\r\n")))


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "must be a positive whole number")


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, "must not be negative")


def positive_int_at_most(limit: int) -> Parser:
    """A whole number from 1 to ``limit`` (a conference holds at most 250 participants)."""

    def parse(text: str) -> int:
        value = positive_int(text)
        if value > limit:
            raise BadValue(f"{text!r} is more than {limit}")
        return value

    return parse


def boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadValue(f"{text!r} is not true or false")


def one_of(*allowed: str, case_sensitive: bool = False) -> Parser:
    def parse(text: str) -> str:
        probe = text.strip()
        for value in allowed:
            if probe == value or (not case_sensitive and probe.upper() == value.upper()):
                return value
        raise BadValue(f"{text!r} is not one of {', '.join(allowed)}")

    return parse


http_method = one_of("GET", "POST")


def url(text: str) -> str:
    if any(c in text for c in "\r\n\t"):
        raise BadValue(f"{text!r} contains control characters")
    return text.strip()


def any_text(text: str) -> str:
    return text


GATHER_KEYS = frozenset("0123456789*#")


def finish_on_key(text: str) -> str:
    """Gather's terminator: one key, or ``""`` to turn the terminator off (§2.1)."""
    if text == "":
        return ""
    if len(text) != 1:
        raise BadValue(f"{text!r} must be a single key (0-9, # or *) or empty")
    if text not in GATHER_KEYS:
        raise BadValue(f"{text!r} is not a keypad key (0-9, # or *)")
    return text


def record_finish_on_key(text: str) -> str:
    """Record's finishOnKey may list several keys (§4.8)."""
    bad = [c for c in text if c not in GATHER_KEYS]
    if bad:
        raise BadValue(f"{text!r} contains {''.join(bad)!r}, which are not keypad keys")
    return text


INPUT_MODES = ("dtmf", "speech")


def input_modes(text: str) -> frozenset[str]:
    parts = text.split()
    if not parts:
        raise BadValue("input must name dtmf, speech or both")
    bad = [p for p in parts if p not in INPUT_MODES]
    if bad:
        raise BadValue(f"{' '.join(bad)!r} is not an input type (dtmf, speech)")
    return frozenset(parts)


def speech_timeout(text: str) -> int | str:
    if text.strip() == "auto":
        return "auto"
    try:
        return positive_int(text)
    except BadValue:
        raise BadValue(f"{text!r} must be a positive whole number of seconds or 'auto'") from None


def gather_language(text: str) -> str:
    tags = gather_language_tags()
    if text in tags:
        return text
    for tag in tags:  # Twilio's tags are case-insensitive in practice; keep the canonical spelling
        if tag.lower() == text.lower():
            return tag
    raise BadValue(f"{text!r} is not a language <Gather> can recognise")


_BCP47 = re.compile(r"\A[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")


def language_tag(text: str) -> str:
    if not _BCP47.match(text.strip()):
        raise BadValue(f"{text!r} is not a language tag such as en-US")
    return text.strip()


HINTS_MAX_ENTRIES = 500
HINT_MAX_CHARS = 100


def split_hints(text: str) -> list[str]:
    return [h.strip() for h in text.split(",") if h.strip()]


def hints(text: str) -> list[str]:
    entries = split_hints(text)
    if len(entries) > HINTS_MAX_ENTRIES:
        raise BadValue(f"{len(entries)} hints; Twilio accepts at most {HINTS_MAX_ENTRIES}")
    long = [h for h in entries if len(h) > HINT_MAX_CHARS]
    if long:
        raise BadValue(f"hint {long[0][:30]!r}… is longer than {HINT_MAX_CHARS} characters")
    return entries


KNOWN_SPEECH_MODELS = (
    "default",
    "numbers_and_commands",
    "phone_call",
    "experimental_conversations",
    "experimental_utterances",
    "googlev2_long",
    "googlev2_short",
    "googlev2_telephony",
    "googlev2_telephony_short",
    "deepgram_nova-2",
    "deepgram_nova-3",
)


def speech_model(text: str) -> str:
    # The list changes often (spec §8.9): an unknown model is a warning, and its value is kept.
    return text.strip()


_VOICE = re.compile(
    r"\A(man|woman|alice|Polly\.[A-Za-z]+(-Neural|-Generative)?|Google\.[A-Za-z]{2,3}-[A-Za-z]{2,4}-[A-Za-z0-9]+(-[A-Za-z0-9]+)*)\Z"
)


def say_voice(text: str) -> str:
    if not _VOICE.match(text.strip()):
        raise BadValue(f"{text!r} is not a voice (man, woman, alice, Polly.<Name>, Google.<locale>-…)")
    return text.strip()


_PLAY_DIGITS = re.compile(r"\A[0-9A-D*#wW]+\Z")


def play_digits(text: str) -> str:
    if not _PLAY_DIGITS.match(text):
        raise BadValue(f"{text!r} may contain only 0-9, A-D, *, #, w and W")
    return text


@dataclass(frozen=True)
class AttrSpec:
    """How one attribute of one verb is read: its parser, its default and Twilio's warning code."""

    parse: Parser
    default: Any = None
    code: str = "12200"


def format_value(value: Any) -> str:
    """Twilio's string form of a Python value (``True`` → ``"true"``, a set of modes → ``"dtmf speech"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (set, frozenset)):
        return " ".join(sorted(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def join_hints(entries: Iterable[str]) -> str:
    return ", ".join(entries)
