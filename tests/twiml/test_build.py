"""Built TwiML is deterministic and matches what twilio-python's VoiceResponse writes."""

from __future__ import annotations

from lxml import etree
from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr_studio.twiml import build, parse_twiml


def canonical(xml: bytes | str) -> bytes:
    data = xml.encode() if isinstance(xml, str) else xml
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(data, parser), method="c14n")


def test_attributes_sorted_booleans_lowercase_none_omitted():
    el = build.verb("Gather", {"timeout": 3, "bargeIn": False, "action": "/r", "hints": None})
    assert etree.tostring(el) == b'<Gather action="/r" bargeIn="false" timeout="3"/>'


def test_document_starts_with_declaration_and_is_utf8():
    body = build.document([build.verb("Say", {"language": "es-US"}, "¿Español?")])
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Response>')
    assert "¿Español?".encode() in body
    assert parse_twiml(body).diagnostics == []


def test_same_input_same_bytes():
    make = lambda: build.document(  # noqa: E731
        [
            build.verb(
                "Gather",
                {"numDigits": 1, "input": frozenset({"speech", "dtmf"})},
                children=[build.verb("Say", None, "x")],
            )
        ]
    )
    assert make() == make()


def test_matches_twilio_python_voice_response():
    ours = build.document(
        [
            build.verb(
                "Gather",
                {
                    "action": "/node/m/result",
                    "input": frozenset({"dtmf", "speech"}),
                    "numDigits": 1,
                    "timeout": 3,
                    "bargeIn": True,
                },
                children=[
                    build.verb("Say", {"voice": "alice", "language": "en-GB"}, "Press 1 & say sales"),
                    build.verb("Pause", {"length": 2}),
                ],
            ),
            build.verb("Redirect", {"method": "POST"}, "/node/m/result?attempt=1&noInput=true"),
        ]
    )
    vr = VoiceResponse()
    g = Gather(action="/node/m/result", input="dtmf speech", num_digits=1, timeout=3, barge_in=True)
    g.say("Press 1 & say sales", voice="alice", language="en-GB")
    g.pause(length=2)
    vr.append(g)
    vr.redirect("/node/m/result?attempt=1&noInput=true", method="POST")
    assert canonical(ours) == canonical(vr.to_xml())
