"""Flow → TwiML documents: what each node exports, byte-identical runs, and parity with twilio-python."""

from __future__ import annotations

from lxml import etree
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ivr_studio.bundle.documents import all_documents, node_document
from ivr_studio.bundle.export import ExportError, export_bundle
from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt, load_flow
from ivr_studio.twiml import parse_twiml


def canonical(xml: bytes | str) -> bytes:
    data = xml.encode() if isinstance(xml, str) else xml
    return etree.tostring(etree.fromstring(data, etree.XMLParser(remove_blank_text=True)), method="c14n")


def menu() -> Flow:
    f = Flow("Menu")
    f.add_node(
        Node(
            "main",
            NodeKind.GATHER,
            attributes={"input": "dtmf speech", "numDigits": 1, "timeout": 4, "hints": "agent"},
            prompts=[
                Prompt("say", "Press 1 or say sales", {"voice": "Polly.Joanna"}),
                Prompt("pause", attributes={"length": 1}),
            ],
            branches=[Branch("sales", "1", ["sales", "buy"]), Branch("agent", "0", ["agent"])],
        )
    )
    f.add_node(Node("desk", NodeKind.DIAL, text="+14155550100", attributes={"timeout": 20}))
    f.add_node(Node("hi", NodeKind.SAY, text="Hello", attributes={"voice": "alice"}))
    f.set_link("main", "branch:sales", "desk")
    f.set_link("hi", "next", "main")
    return f


def test_gather_document_matches_twilio_python():
    vr = VoiceResponse()
    g = Gather(
        action="/node/main/result",
        method="POST",
        input="dtmf speech",
        num_digits=1,
        timeout=4,
        hints="agent, sales, buy",
    )
    g.say("Press 1 or say sales", voice="Polly.Joanna")
    g.pause(length=1)
    vr.append(g)
    vr.redirect("/node/main/result?noInput=true", method="POST")
    assert canonical(node_document(menu(), "main")) == canonical(vr.to_xml())


def test_say_and_dial_documents_match_twilio_python():
    vr = VoiceResponse()
    vr.say("Hello", voice="alice")
    vr.redirect("/node/main", method="POST")
    assert canonical(node_document(menu(), "hi")) == canonical(vr.to_xml())

    vr = VoiceResponse()
    d = Dial(action="/node/desk/result", method="POST", timeout=20)
    d.number("+14155550100")
    vr.append(d)
    assert canonical(node_document(menu(), "desk")) == canonical(vr.to_xml())


def test_unlinked_next_hangs_up():
    f = menu()
    f.set_link("hi", "next", None)
    root = etree.fromstring(node_document(f, "hi"))
    assert [c.tag for c in root] == ["Say", "Hangup"]


def test_hints_are_derived_from_phrases_only_for_speech_menus():
    f = menu()
    f.set_attribute("main", "input", "dtmf")
    gather = etree.fromstring(node_document(f, "main"))[0]
    assert gather.get("hints") == "agent"  # the author's own hints, as written; no phrases added
    f.set_attribute("main", "hints", None)
    assert etree.fromstring(node_document(f, "main"))[0].get("hints") is None


def test_sip_addresses_use_the_sip_noun():
    f = menu()
    f.set_node_field("desk", "text", "sip:desk@example.com")
    dial = etree.fromstring(node_document(f, "desk"))[0]
    assert dial[0].tag == "Sip" and dial[0].text == "sip:desk@example.com"


def test_export_is_byte_identical_and_parses_cleanly(examples_dir):
    for path in examples_dir.glob("*.ivrflow"):
        first, second = all_documents(load_flow(path)), all_documents(load_flow(path))
        assert first == second
        for body in first.values():
            assert parse_twiml(body).diagnostics == []


def test_export_bundle_writes_documents_and_replaces_old_bundle(tmp_path):
    out = export_bundle(menu(), tmp_path / "bundle")
    assert sorted(p.name for p in (out / "twiml").iterdir()) == ["desk.xml", "hi.xml", "main.xml"]
    assert (out / "routing.json").exists()
    f = menu()
    f.remove_node("hi")
    export_bundle(f, out)
    assert sorted(p.name for p in (out / "twiml").iterdir()) == ["desk.xml", "main.xml"]


def test_export_refuses_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "important.txt").write_text("keep me")
    try:
        export_bundle(menu(), tmp_path)
    except ExportError as exc:
        assert "not an IVR Studio bundle" in str(exc)
    else:
        raise AssertionError("export overwrote a folder that is not a bundle")
    assert (tmp_path / "important.txt").read_text() == "keep me"


def test_exported_bundle_folder_is_readable_by_others(tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        out = export_bundle(menu(), tmp_path / "bundle")
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o755


def test_re_export_keeps_the_users_own_files(tmp_path):
    out = export_bundle(menu(), tmp_path / "bundle")
    (out / "tests" / "test_mine.py").write_text("def test_mine():\n    pass\n")
    (out / ".env").write_text("TWILIO_AUTH_TOKEN=secret\n")
    (out / ".venv").mkdir()
    (out / ".venv" / "marker").write_text("x")
    (out / ".git").mkdir()
    f = menu()
    f.remove_node("hi")
    export_bundle(f, out)
    assert (out / "tests" / "test_mine.py").exists()
    assert (out / ".env").read_text() == "TWILIO_AUTH_TOKEN=secret\n"
    assert (out / ".venv" / "marker").exists() and (out / ".git").is_dir()
    assert sorted(p.name for p in (out / "twiml").iterdir()) == ["desk.xml", "main.xml"]  # stale node gone
    assert "hi" not in (out / "routing.json").read_text()
    assert (out / "tests" / "test_flow.py").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
