"""Which branch of a menu the caller chose, from their key presses or their words.

Keys match exactly (``Digits`` never includes the terminator, spec §2.8). Speech is matched leniently,
because recognisers capitalise, add a trailing period ("Billing."), write numbers as digits or words, and
callers wrap the choice in other words. After normalising both sides (case, accents, punctuation,
spacing, number words → digits) we try, in order:

1. the whole utterance equals a branch phrase;
2. the utterance is a key sequence, maybe with filler ("press one", "option 2") → the branch with those keys;
3. a branch phrase appears as a run of words inside the utterance ("I want billing please"); the longest
   such phrase wins, and a tie between different branches is no match (the caller is asked again).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

NUMBER_WORDS = {
    # English
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "star": "*",
    "pound": "#",
    "hash": "#",
    # Spanish (the menus we ship examples for are bilingual)
    "cero": "0",
    "uno": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
    "asterisco": "*",
    "numeral": "#",
}

#: Words a caller may put around a key ("press one", "option two please", "oprima uno").
KEY_FILLERS = frozenset(
    [
        "press",
        "pressed",
        "push",
        "dial",
        "option",
        "number",
        "key",
        "the",
        "please",
        "and",
        "i",
        "want",
        "to",
        "choose",
        "select",
        "oprima",
        "oprimo",
        "marque",
        "marco",
        "pulse",
        "opcion",
        "numero",
        "tecla",
        "el",
        "la",
        "por",
        "favor",
    ]
)
KEY_CHARS = frozenset("0123456789*#")


@dataclass(frozen=True)
class Phrase:
    text: str
    tokens: tuple[str, ...]


class HasChoices(Protocol):
    """A menu branch as matching needs it (see :class:`.data.Branch`)."""

    @property
    def keys(self) -> str: ...

    @property
    def phrases(self) -> Sequence[Phrase]: ...


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> tuple[str, ...]:
    """Normalised words: lower case, no accents or punctuation, number words as digits."""
    out = []
    for raw in _fold(text).replace("'", "").replace("\u2019", "").split():
        word = "".join(c if c.isalnum() or c in "*#" else " " for c in raw)
        for w in word.split():
            out.append(NUMBER_WORDS.get(w, w))
    return tuple(out)


def prepare_phrase(text: str) -> Phrase:
    return Phrase(text, tokens(text))


def normalise_keys(keys: str) -> str:
    return "".join(keys.split())


def _as_keys(words: Sequence[str]) -> str | None:
    """The key sequence an utterance spells out ("press 1" → "1", "one two" → "12"), or None."""
    rest = [w for w in words if w not in KEY_FILLERS]
    if not rest or not all(w and set(w) <= KEY_CHARS for w in rest):
        return None
    return "".join(rest)


def _contains(words: Sequence[str], run: Sequence[str]) -> bool:
    n = len(run)
    return any(tuple(words[i : i + n]) == tuple(run) for i in range(len(words) - n + 1))


def match_digits(digits: str, branches: Iterable[HasChoices]) -> HasChoices | None:
    """The branch whose keys are exactly ``digits``."""
    for b in branches:
        if b.keys and b.keys == digits:
            return b
    return None


def match_speech(utterance: str, branches: Sequence[HasChoices]) -> HasChoices | None:
    """The branch the caller named, by whole phrase, then spoken keys, then phrase inside the sentence."""
    words = tokens(utterance)
    if not words:
        return None
    for b in branches:
        if any(p.tokens == words for p in b.phrases):
            return b
    keys = _as_keys(words)
    if keys is not None:
        found = match_digits(keys, branches)
        if found is not None:
            return found
    best: HasChoices | None = None
    best_len = 0
    tie = False
    for b in branches:
        for p in b.phrases:
            n = len(p.tokens)
            if n < best_len or not _contains(words, p.tokens):
                continue
            if n > best_len:
                best, best_len, tie = b, n, False
            elif b is not best:
                tie = True
    return None if tie else best
