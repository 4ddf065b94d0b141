"""TwiML import: documents become node chains, URLs naming documents become links, others Redirect nodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_studio.cli import main
from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.validate import validate_flow
from ivr_studio.interop.report import MAPPED, SKIPPED, WARNING
from ivr_studio.interop.twiml_import import Document, TwimlImportError, collect_documents, import_twiml
from ivr_studio.runtime import CallEngine, VirtualClock, WsgiTransport
from ivr_studio.runtime.script import parse_script, run_virtual

WELCOME = b"""<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="Polly.Joanna" loop="2">Welcome to Acme.</Say>
  <Gather action="/twiml/sales.xml" numDigits="1" timeout="7" input="dtmf speech" hints="sales">
    <Say>Press 1 for sales.</Say>
    <Pause length="1"/>
  </Gather>
  <Say>We didn't hear from you.</Say>
  <Redirect method="POST">welcome.xml</Redirect>
</Response>
"""
SALES = b"""<Response><Play digits="ww1">https://example.com/chime.mp3</Play>
<Dial action="https://crm.example.com/after" timeout="20" callerId="+15550000000"><Number>+15551234567</Number></Dial>
<Say>never said</Say></Response>"""
VOICEMAIL = (
    b"""<Response><Record maxLength="30" action="thanks"/><Say>Nothing recorded.</Say><Hangup/></Response>"""
)
THANKS = (
    b"<Response><Say>Thanks, goodbye.</Say><Enqueue waitUrl='/hold'>support</Enqueue><Pay/>"
    b"<Reject reason='busy'/></Response>"
)


def _docs() -> list[Document]:
    return [
        Document("welcome", WELCOME),
        Document("sales", SALES),
        Document("voicemail", VOICEMAIL),
        Document("thanks", THANKS),
    ]


def test_documents_become_chains_with_links_between_them():
    flow, report = import_twiml(_docs(), start="welcome")
    assert flow.start == "welcome"
    welcome = flow.node("welcome")
    assert welcome.kind == NodeKind.SAY and welcome.text == "Welcome to Acme."
    assert welcome.attributes == {"voice": "Polly.Joanna", "loop": 2}
    menu = flow.node(welcome.links["next"])
    assert menu.kind == NodeKind.GATHER
    assert menu.attributes == {"numDigits": 1, "timeout": 7, "input": "dtmf speech", "hints": "sales"}
    assert [(p.kind, p.text) for p in menu.prompts] == [("say", "Press 1 for sales."), ("pause", "")]
    assert menu.prompts[1].attributes == {"length": 1}
    # Every input goes to the action's document; silence runs the verbs after the Gather.
    assert menu.links["no_match"] == "sales"
    after = flow.node(menu.links["no_input"])
    assert after.text == "We didn't hear from you." and after.links == {"next": "welcome"}
    play = flow.node("sales")
    assert play.kind == NodeKind.PLAY and play.attributes == {"digits": "ww1"}
    dial = flow.node(play.links["next"])
    assert dial.kind == NodeKind.DIAL and dial.text == "+15551234567"
    assert dial.attributes == {"timeout": 20, "callerId": "+15550000000"}
    outside = flow.node(dial.links["next"])
    assert outside.kind == NodeKind.REDIRECT and outside.text == "https://crm.example.com/after"
    record = flow.node("voicemail")
    assert record.kind == NodeKind.RECORD and record.links["next"] == "thanks"
    assert flow.node(record.links["empty"]).text == "Nothing recorded."
    thanks = flow.node("thanks")
    queue = flow.node(thanks.links["next"])
    assert (queue.kind, queue.text, queue.attributes) == (NodeKind.ENQUEUE, "support", {"waitUrl": "/hold"})
    assert flow.node(queue.links["next"]).kind == NodeKind.REJECT
    skipped = {e.source: e.note for e in report.of(SKIPPED)}
    assert "never runs" in skipped["sales <Say> #3"]
    assert "no node for <Pay>" in skipped["thanks <Pay> #3"]
    assert any("outside" in e.note for e in report.of(WARNING))
    assert len(report.of(MAPPED)) >= 10
    assert not [d for d in validate_flow(flow) if d.is_error]


def test_start_defaults_to_the_document_no_other_document_leads_to():
    flow, _ = import_twiml(_docs())
    assert flow.start == "welcome"  # welcome redirects to itself, which does not count


def test_a_document_that_only_redirects_is_followed():
    docs = [
        Document("entry", b"<Response><Redirect>/bins/menu</Redirect></Response>"),
        Document("menu", b"<Response><Say>Menu</Say></Response>"),
        Document("away", b"<Response><Redirect>https://else.example.com/x</Redirect></Response>"),
        Document("to_away", b"<Response><Say>Bye</Say><Redirect>away.xml</Redirect></Response>"),
    ]
    flow, _ = import_twiml(docs, start="entry")
    assert flow.start == "menu"
    bye = flow.node("to_away")
    assert flow.node(bye.links["next"]).text == "https://else.example.com/x"


def test_imported_documents_run_in_the_local_runtime(tmp_path: Path):
    """The imported flow is a real flow: exported and called, a key press reaches the action's document."""
    from ivr_studio.bundle.serve import wsgi_app_for_target
    from ivr_studio.flow.ivrflow import save_flow

    flow, _ = import_twiml(_docs(), start="welcome")
    path = tmp_path / "imported.ivrflow"
    save_flow(flow, path)
    app, url = wsgi_app_for_target(path)
    engine = CallEngine(url, WsgiTransport(app), clock=VirtualClock())
    script = parse_script({"steps": [{"wait_for": "listening"}, {"press": "1"}, {"dial_outcome": "busy"}]})
    run_virtual(engine, script, max_duration=120)
    says = [e["text"] for e in engine.trace.of("say")]
    assert says[0] == "Welcome to Acme." and "Press 1 for sales." in says
    dials = engine.trace.of("dial")
    assert dials and dials[0]["number"] == "+15551234567"
    assert any(e["url"] == "https://crm.example.com/after" for e in engine.trace.of("redirect"))


def test_cli_writes_the_flow_and_prints_the_report(tmp_path: Path, capsys):
    folder = tmp_path / "bins"
    (folder / "sub").mkdir(parents=True)
    (folder / "welcome.xml").write_bytes(WELCOME)
    (folder / "sub" / "sales.xml").write_bytes(SALES)
    out = tmp_path / "menu.ivrflow"
    assert main(["import", "twiml", str(folder), "-o", str(out), "--name", "Bins"]) == 0
    text = capsys.readouterr().out
    assert "mapped" in text and "welcome <Gather> #2" in text
    flow = load_flow(out)
    assert flow.name == "Bins" and flow.start == "welcome"
    # The action URL /twiml/sales.xml names sub/sales by its file name.
    assert flow.node(flow.node("welcome").links["next"]).links["no_match"] == "sub_sales"
    assert main(["import", "twiml", str(folder), "-o", str(out)]) == 2  # exists: needs --force
    assert "--force" in capsys.readouterr().err


def test_bad_documents_are_reported_not_imported(tmp_path: Path):
    docs = [Document("good", b"<Response><Say>Hi</Say></Response>"), Document("bad", b"<Response><Say>")]
    flow, report = import_twiml(docs)
    assert set(flow.nodes) == {"good"}
    assert report.of(SKIPPED)[0].source == "bad" and "12100" in report.of(SKIPPED)[0].note
    with pytest.raises(TwimlImportError, match="none of the documents"):
        import_twiml([Document("bad", b"not xml")])


def test_collect_refuses_duplicate_names_and_empty_folders(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "menu.xml").write_bytes(b"<Response/>")
    (tmp_path / "b" / "menu.twiml").write_bytes(b"<Response/>")
    with pytest.raises(TwimlImportError, match="both called 'menu'"):
        collect_documents([tmp_path / "a" / "menu.xml", tmp_path / "b" / "menu.twiml"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(TwimlImportError, match="no .xml or .twiml files"):
        collect_documents([tmp_path / "empty"])
