"""Attribute rules: typed values, defaults, and Twilio's warning codes for bad values."""

from __future__ import annotations

import pytest
from lxml import etree

from ivr_studio.twiml import read_verb


def gather(attrs: str = "", body: str = ""):
    return read_verb(etree.fromstring(f"<Gather {attrs}>{body}</Gather>"))


def test_gather_defaults_match_the_reference():
    g = gather()
    assert g["timeout"] == 5
    assert g["finishOnKey"] == "#"
    assert g["numDigits"] is None
    assert g["input"] == frozenset({"dtmf"})
    assert g["method"] == "POST"
    assert g["language"] == "en-US"
    assert g["profanityFilter"] is True
    assert g["actionOnEmptyResult"] is False
    assert g["bargeIn"] is True
    assert g["speechTimeout"] == 5  # defaults to timeout
    assert g.diagnostics == []


def test_empty_finish_on_key_is_present_and_distinct_from_missing():
    assert gather('finishOnKey=""').has("finishOnKey")
    assert gather('finishOnKey=""')["finishOnKey"] == ""
    assert not gather().has("finishOnKey")


def test_speech_timeout_defaults_to_timeout_value():
    assert gather('timeout="3"')["speechTimeout"] == 3
    assert gather('timeout="3" speechTimeout="auto"')["speechTimeout"] == "auto"


@pytest.mark.parametrize(
    ("attrs", "code", "name", "default"),
    [
        ('timeout="abc"', "13313", "timeout", 5),
        ('timeout="-1"', "13313", "timeout", 5),
        ('finishOnKey="##"', "13310", "finishOnKey", "#"),
        ('finishOnKey="a"', "13310", "finishOnKey", "#"),
        ('numDigits="0"', "13314", "numDigits", None),
        ('input="voice"', "13326", "input", frozenset({"dtmf"})),
        ('speechTimeout="soon"', "13327", "speechTimeout", 5),
        ('method="PUT"', "13312", "method", "POST"),
        ('language="xx-YY"', "13331", "language", "en-US"),
        ('profanityFilter="maybe"', "13333", "profanityFilter", True),
        ('bargeIn="yes"', "13332", "bargeIn", True),
        ('partialResultCallbackMethod="PATCH"', "13329", "partialResultCallbackMethod", "POST"),
    ],
)
def test_bad_values_warn_with_their_code_and_fall_back_to_default(attrs, code, name, default):
    g = gather(attrs)
    assert [d.code for d in g.diagnostics] == [code]
    assert g[name] == default


def test_timeout_zero_is_kept_with_a_warning():
    g = gather('timeout="0"')
    assert g["timeout"] == 0
    assert [d.code for d in g.diagnostics] == ["13313"]


def test_auto_with_speech_model_warns_13335():
    g = gather('input="speech" speechModel="phone_call" speechTimeout="auto"')
    assert "13335" in [d.code for d in g.diagnostics]
    assert g["speechTimeout"] == "auto"


def test_experimental_model_only_for_marked_languages():
    assert [
        d.code for d in gather('speechModel="experimental_conversations" language="en-US"').diagnostics
    ] == []
    assert [
        d.code for d in gather('speechModel="experimental_conversations" language="af-ZA"').diagnostics
    ] == ["13334"]


def test_enhanced_is_ignored_unless_phone_call():
    assert [d.code for d in gather('enhanced="true"').diagnostics] == ["13334"]
    assert gather('enhanced="true" speechModel="phone_call" speechTimeout="3"').diagnostics == []


def test_hints_limits():
    many = ",".join(f"w{i}" for i in range(501))
    assert [d.code for d in gather(f'hints="{many}"').diagnostics] == ["13330"]
    assert [d.code for d in gather(f'hints="{"x" * 101}"').diagnostics] == ["13330"]
    assert gather('hints="sales, technical support"')["hints"] == ["sales", "technical support"]


def test_booleans_are_lowercase_strings_but_case_tolerant():
    assert gather('actionOnEmptyResult="True"')["actionOnEmptyResult"] is True


def test_say_rules():
    assert [d.code for d in read_verb(etree.fromstring('<Say voice="robot">x</Say>')).diagnostics] == [
        "13511"
    ]
    assert [d.code for d in read_verb(etree.fromstring("<Say></Say>")).diagnostics] == ["13520"]
    assert [d.code for d in read_verb(etree.fromstring(f"<Say>{'a' * 4097}</Say>")).diagnostics] == ["13521"]
    assert read_verb(etree.fromstring('<Say voice="Polly.Joanna-Neural" loop="0">x</Say>')).diagnostics == []


def test_play_digits_and_pause_length():
    assert read_verb(etree.fromstring('<Play digits="12wW#"/>')).diagnostics == []
    assert [d.code for d in read_verb(etree.fromstring('<Play digits="12x"/>')).diagnostics] == ["13430"]
    assert [d.code for d in read_verb(etree.fromstring('<Pause length="0"/>')).diagnostics] == ["13910"]


def test_record_finish_on_key_allows_several_keys():
    r = read_verb(etree.fromstring('<Record finishOnKey="*#"/>'))
    assert r["finishOnKey"] == "*#" and r.diagnostics == []
    assert read_verb(etree.fromstring("<Record/>"))["finishOnKey"] == "1234567890*#"


@pytest.mark.parametrize("value", ["٣", "３", "1_0", "3\u2003", "+", "", "1" * 40])
def test_attribute_numbers_are_ascii_digits_only(value):
    """``int()`` takes Arabic-Indic and full-width digits and underscores; Twilio's numbers are 0-9 only."""
    g = gather(f'timeout="{value}" numDigits="{value}"')
    assert [d.code for d in g.diagnostics] == ["13313", "13314"]
    assert g["timeout"] == 5 and g["numDigits"] is None
    assert all("is not a whole number" in d.message and len(d.message) < 200 for d in g.diagnostics)


def test_attribute_numbers_may_have_surrounding_blanks_and_a_sign():
    assert gather('timeout=" 7 " numDigits="+2"')["timeout"] == 7
    assert gather('numDigits="+2"')["numDigits"] == 2
