"""Speech and key matching: what a caller may say or press to choose a branch, and what must not match.

Equivalent mutants of ``bundle/handler/matching.py`` (``make mutation``; the matching is the same either way):

- ``x_tokens__mutmut_22``: ``c in "*#"`` → ``c in "XX*#XX"``: "X" is alphanumeric, kept by ``isalnum`` anyway.
- ``x_prepare_phrase__mutmut_1``: ``Phrase(None, …)``: a phrase's text is carried for people reading a
  ``Phrase``; matching reads only its tokens.
- ``x__as_keys__mutmut_3`` (``not rest and not all(…)``) and ``x__as_keys__mutmut_7`` (``w or set(w) <= …``):
  the guard then lets through a "key sequence" that holds a non-key word, and no branch's keys (digits,
  ``*`` and ``#`` only) can equal it, so ``match_digits`` finds nothing, exactly as with the guard.
- ``x__contains__mutmut_9`` (``len(words) + n + 1``) and ``x__contains__mutmut_10`` (``- n + 2``): the extra
  start positions give slices shorter than the phrase, which never equal it.
- ``x_match_speech__mutmut_18`` (``tie = None``) and ``x_match_speech__mutmut_19`` (``tie = True``): ``tie`` is
  read only after a phrase was found, and finding the first one sets it to False.
"""

from __future__ import annotations

import pytest

from ivr_studio.bundle.handler.data import Branch
from ivr_studio.bundle.handler.matching import match_digits, match_speech, prepare_phrase, tokens


def branch(id_: str, keys: str, *phrases: str) -> Branch:
    return Branch(id_, keys, tuple(prepare_phrase(p) for p in phrases), target=None)


MENU = [
    branch("sales", "1", "sales", "buy"),
    branch("support", "2", "support", "technical support"),
    branch("billing", "3", "billing", "invoice"),
    branch("agent", "0", "operator", "talk to a person"),
    branch("account", "12", "account number"),
    branch("english", "", "english"),
    branch("spanish", "", "español"),
    branch("option_one", "", "option one"),
    branch("orders", "", "where\u2019s my order"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Billing.", ("billing",)),
        ("  TECHNICAL   support!! ", ("technical", "support")),
        ("I didn't", ("i", "didnt")),
        ("I didn\u2019t", ("i", "didnt")),  # the curly apostrophe of word processors and some recognisers
        ("Press one", ("press", "1")),
        ("Español", ("espanol",)),
        ("nine-one-one", ("9", "1", "1")),
        ("", ()),
    ],
)
def test_normalisation(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("1", "sales"), ("0", "agent"), ("12", "account"), ("5", None), ("11", None), ("1#", None), ("", None)],
)
def test_keys_match_exactly(digits, expected):
    found = match_digits(digits, MENU)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # whole phrase, whatever the recogniser's case and punctuation
        ("Sales.", "sales"),
        ("BILLING", "billing"),
        ("Technical support.", "support"),
        ("Talk to a person?", "agent"),
        # accents: the recogniser may drop them, the author may not
        ("Espanol.", "spanish"),
        ("Español.", "spanish"),
        # keys said aloud, as digits or number words, with filler
        ("One.", "sales"),
        ("1", "sales"),
        ("Press two.", "support"),
        ("Option 3, please.", "billing"),
        ("zero", "agent"),
        ("one two", "account"),
        ("Oprima dos.", "support"),
        # a phrase whose words are number words matches as a phrase first
        ("Option one.", "option_one"),
        # a phrase inside a sentence
        ("I want billing please.", "billing"),
        ("Um, I'd like to buy something", "sales"),
        ("I need technical support with my router", "support"),
        ("What's my account number?", "account"),
        # the longest phrase wins over a shorter one it contains
        ("I want to talk to a person about sales... no, talk to a person", "agent"),
        # apostrophes, straight or curly, on either side
        ("Where's my order?", "orders"),
        ("Where\u2019s my order?", "orders"),
        ("I'd like to know where\u2019s my order", "orders"),
        # nothing recognisable
        ("Banana.", None),
        ("", None),
        ("...", None),
        # two different branches named equally: ask again rather than guess
        ("sales or billing", None),
        # a key number inside a sentence is not a key press
        ("I have one question about nothing", None),
    ],
)
def test_speech_matching(said, expected):
    found = match_speech(said, MENU)
    assert (found.id if found else None) == expected


def test_a_key_sequence_said_aloud_may_use_every_key():
    """All twelve keys, said as one word ("0123456789*#"), is still a key sequence."""
    menu = [branch("everything", "0123456789*#"), branch("star", "*", "star please")]
    assert match_speech("0123456789*#", menu).id == "everything"
    assert match_speech("Press 0123456789*#.", menu).id == "everything"
