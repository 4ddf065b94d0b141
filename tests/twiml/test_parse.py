"""The TwiML parser: Twilio's error codes for bad documents, and a cleaned tree for the runtime."""

from __future__ import annotations

import pytest

from ivr_studio.twiml import parse_twiml
from ivr_studio.twiml.verbs import MAX_DOCUMENT_BYTES


def codes(doc) -> list[str]:
    return [d.code for d in doc.diagnostics]


def test_valid_document_parses_without_diagnostics():
    doc = parse_twiml(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" action="/r">'
        '<Say>Press 1</Say><Pause length="2"/></Gather><Say>Bye</Say></Response>'
    )
    assert doc.ok and doc.diagnostics == []
    assert [v.tag for v in doc.verbs()] == ["Gather", "Say"]
    assert [c.tag for c in doc.verbs()[0]] == ["Say", "Pause"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "11770"),
        ("   \n", "11770"),
        ("<Response><Say>unclosed</Response>", "12100"),
        ("\n<?xml version='1.0'?><Response/>", "12100"),  # text before the declaration
        ("<Respose><Say>x</Say></Respose>", "12102"),
        ("<response/>", "12102"),  # names are case-sensitive
        ("just some text", "12100"),
    ],
)
def test_fatal_documents_give_twilio_codes(body, code):
    doc = parse_twiml(body)
    assert not doc.ok
    assert codes(doc) == [code]
    assert doc.fatal is not None and doc.fatal.code == code


def test_oversized_document_is_refused_before_parsing():
    body = "<Response>" + "<Say>x</Say>" * (MAX_DOCUMENT_BYTES // 12 + 10) + "</Response>"
    doc = parse_twiml(body)
    assert codes(doc) == ["11750"]


def test_billion_laughs_is_refused_without_expansion():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        "<Response><Say>&lol3;</Say></Response>"
    )
    doc = parse_twiml(bomb)
    assert codes(doc) == ["12100"]


def test_external_entity_is_never_loaded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = parse_twiml(
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><Response><Say>&x;</Say></Response>'
    )
    assert not doc.ok
    assert "TOP-SECRET" not in str(doc.diagnostics)


def test_unknown_verb_is_warned_and_removed():
    doc = parse_twiml("<Response><Sayy>x</Sayy><Say>ok</Say></Response>")
    assert doc.ok
    assert codes(doc) == ["12200"]
    assert [v.tag for v in doc.verbs()] == ["Say"]


def test_lowercase_verb_is_not_a_verb():
    doc = parse_twiml("<Response><say>x</say></Response>")
    assert codes(doc) == ["12200"] and doc.verbs() == []


def test_bad_gather_child_gives_13320_and_is_skipped():
    doc = parse_twiml("<Response><Gather><Dial>123</Dial><Say>Hi</Say></Gather></Response>")
    assert codes(doc) == ["13320"]
    assert [c.tag for c in doc.verbs()[0]] == ["Say"]


def test_unknown_attribute_is_a_schema_warning():
    doc = parse_twiml('<Response><Gather timout="3"/></Response>')
    assert codes(doc) == ["12200"]
    assert "timout" in doc.diagnostics[0].message


def test_comments_are_ignored():
    doc = parse_twiml("<Response><!-- hello --><Say>x</Say></Response>")
    assert doc.diagnostics == [] and len(doc.verbs()) == 1


def test_unknown_ssml_inside_say_keeps_its_text():
    doc = parse_twiml("<Response><Say>Hello <foo>big</foo> world</Say></Response>")
    assert codes(doc) == ["12200"]
    assert "".join(doc.verbs()[0].itertext()) == "Hello big world"


def test_known_ssml_is_accepted():
    doc = parse_twiml(
        '<Response><Say>Hi <break time="1s"/><say-as interpret-as="digits">123</say-as></Say></Response>'
    )
    assert doc.diagnostics == []


def test_non_ascii_text_round_trips():
    doc = parse_twiml("<Response><Say language='es-US'>Para español, oprima dos</Say></Response>".encode())
    assert doc.verbs()[0].text == "Para español, oprima dos"
