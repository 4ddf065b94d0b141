"""Which editor each Twilio attribute gets, from the attribute tables in :mod:`ivr_studio.twiml.verbs`.

Numbers get spin boxes with Twilio's ranges, fixed vocabularies get combo boxes, true/false gets a
three-way choice (default / yes / no), and free text is checked inline with the same parser the validator
uses, so the message a user sees here is the one the Problems panel would show.
"""

from __future__ import annotations

from typing import Any

from ivr_studio.twiml import values as v
from ivr_studio.twiml.languages import gather_languages
from ivr_studio.twiml.verbs import VERB_ATTRS
from ivr_studio.ui.inspector.fields import (
    ChoiceField,
    EditableChoiceField,
    Field,
    IntField,
    LineField,
    bool_choices,
)

#: Friendly names shown in the form (the Twilio name is in the tooltip).
LABELS: dict[str, str] = {
    "input": "Input",
    "timeout": "Timeout",
    "finishOnKey": "Finish on key",
    "numDigits": "Number of digits",
    "speechTimeout": "Speech timeout",
    "maxSpeechTime": "Max speech time",
    "language": "Language",
    "speechModel": "Speech model",
    "enhanced": "Enhanced model",
    "hints": "Hints",
    "profanityFilter": "Profanity filter",
    "actionOnEmptyResult": "Action on empty result",
    "partialResultCallback": "Partial result callback",
    "partialResultCallbackMethod": "Partial result method",
    "bargeIn": "Barge in",
    "callerId": "Caller ID",
    "timeLimit": "Time limit",
    "hangupOnStar": "Hang up on *",
    "answerOnBridge": "Answer on bridge",
    "ringTone": "Ring tone",
    "maxLength": "Max length",
    "playBeep": "Play beep",
}

FIXED_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Dial", "record"): (
        "do-not-record",
        "record-from-answer",
        "record-from-ringing",
        "record-from-answer-dual",
        "record-from-ringing-dual",
    ),
    ("Dial", "trim"): ("trim-silence", "do-not-trim"),
    ("Record", "trim"): ("trim-silence", "do-not-trim"),
    ("Reject", "reason"): ("rejected", "busy"),
}

SECONDS = {"timeout", "speechTimeout", "maxSpeechTime", "timeLimit", "maxLength", "length"}
VOICES = ("man", "woman", "alice", "Polly.Joanna", "Polly.Matthew", "Polly.Amy", "Polly.Lupe", "Polly.Miguel")
MAXIMA = {"numDigits": 50, "maxSpeechTime": 60, "loop": 1000, "length": 600, "timeLimit": 14400}


def label_for(name: str) -> str:
    return LABELS.get(
        name, name[:1].upper() + "".join(f" {c.lower()}" if c.isupper() else c for c in name[1:])
    )


def _speech_timeout(text: str) -> Any:
    if text.isdigit():
        return int(text)
    return text  # "auto", or a partial word the inline check flags


def attribute_field(verb: str, name: str) -> Field:
    """An editor for attribute ``name`` of ``verb``."""
    spec = VERB_ATTRS.get(verb, {}).get(name)
    default = spec.default if spec else None
    if verb == "Gather":
        special = _gather_field(name, default)
        if special is not None:
            return special
    if verb == "Say" and name == "voice":
        return EditableChoiceField(VOICES, parse=v.say_voice, placeholder="Default (man)")
    if (verb, name) in FIXED_CHOICES:
        return ChoiceField([(f"Default ({default})", None), *[(c, c) for c in FIXED_CHOICES[(verb, name)]]])
    parse = spec.parse if spec else None
    suffix = " s" if name in SECONDS else ""
    if parse is v.boolean:
        return ChoiceField(bool_choices(default))
    if parse is v.http_method:
        return ChoiceField([(f"Default ({default or 'POST'})", None), ("GET", "GET"), ("POST", "POST")])
    if parse is v.positive_int:
        return IntField(1, MAXIMA.get(name, 99999), default, suffix)
    if parse is v.non_negative_int:
        return IntField(0, MAXIMA.get(name, 99999), default, suffix)
    placeholder = f"Default ({default})" if default not in (None, "") else ""
    return LineField(parse=parse, placeholder=placeholder)


def _gather_field(name: str, default: Any) -> Field | None:
    if name == "input":
        return ChoiceField(
            [
                ("Default (keypad)", None),
                ("Keypad (dtmf)", "dtmf"),
                ("Speech", "speech"),
                ("Keypad or speech", "dtmf speech"),
            ]
        )
    if name == "finishOnKey":
        keys = [(k, k) for k in "#*0123456789"]
        return ChoiceField([("Default (#)", None), ("Off (no key ends input)", ""), *keys])
    if name == "numDigits":
        return IntField(1, MAXIMA["numDigits"], "any")
    if name == "timeout":
        return IntField(0, 600, default, " s")
    if name == "speechTimeout":
        return EditableChoiceField(
            ["auto", "1", "2", "3", "5"],
            parse=v.speech_timeout,
            pattern=r"auto|a|au|aut|[1-9][0-9]{0,2}",
            convert=_speech_timeout,
            placeholder="Default (same as timeout)",
        )
    if name == "language":
        languages = sorted(gather_languages().values(), key=lambda lang: lang.name)
        return ChoiceField(
            [("Default (English, US)", None), *[(f"{g.name} — {g.tag}", g.tag) for g in languages]]
        )
    if name == "speechModel":
        return EditableChoiceField(v.KNOWN_SPEECH_MODELS, placeholder="Default")
    if name == "hints":
        return LineField(parse=v.hints, placeholder="words or phrases, comma-separated")
    return None
