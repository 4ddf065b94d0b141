"""The handler's routes: branches, retries counted in the call's state cookie, dial and record outcomes."""

from __future__ import annotations

import pytest
from handler_helpers import CALL, app_for, clinic_flow, post, twiml

from ivr_studio.bundle.documents import all_documents
from ivr_studio.flow import Flow, Node, NodeKind


def test_entry_serves_the_start_node_for_get_and_post(clinic):
    flow_docs = all_documents(clinic_flow())
    for response in (clinic.get("/voice"), clinic.post("/voice")):
        assert response.status_code == 200
        assert response.mimetype == "text/xml"
        assert response.headers["X-IVR-Node"] == "menu"
        assert response.get_data() == flow_docs["menu"]


@pytest.mark.parametrize(
    ("params", "node", "outcome"),
    [
        ({"Digits": "1"}, "appts", "branch:appointments"),
        ({"Digits": "2"}, "nurse_line", "branch:nurse"),
        ({"SpeechResult": "Book an appointment.", "Confidence": "0.9"}, "appts", "branch:appointments"),
        (
            {"SpeechResult": "I'd like to talk to a nurse, please.", "Confidence": "0.8"},
            "nurse_line",
            "branch:nurse",
        ),
        ({"SpeechResult": "Press one.", "Confidence": "0.9"}, "appts", "branch:appointments"),
        ({"SpeechResult": "Medical records.", "Confidence": "0.9"}, "records_vm", "branch:records"),
        # Digits win over speech when both arrive
        ({"Digits": "2", "SpeechResult": "appointments"}, "nurse_line", "branch:nurse"),
        # a branch with no link hangs up
        ({"Digits": "4"}, "(hangup)", "branch:nowhere"),
    ],
)
def test_choice_returns_the_target_twiml_directly(clinic, params, node, outcome):
    response = post(clinic, "/node/menu/result", **params)
    assert response.headers["X-IVR-Node"] == node
    assert response.headers["X-IVR-Outcome"] == outcome
    if node == "(hangup)":
        assert [el.tag for el in twiml(response)] == ["Hangup"]
    else:
        assert response.get_data() == all_documents(clinic_flow())[node]


def test_a_gather_result_is_never_an_http_redirect(clinic):
    # A 3xx would turn Twilio's POST into a GET and drop Digits (spec §2.11).
    for params in ({"Digits": "1"}, {"Digits": "9"}, {}):
        response = clinic.post("/node/menu/result", data=params)
        assert not 300 <= response.status_code < 400


def test_a_no_match_is_remembered_through_a_say_and_pause_chain(clinic):
    response = post(clinic, "/node/menu/result", Digits="9")
    assert response.headers["X-IVR-Node"] == "sorry"
    assert response.headers["X-IVR-Outcome"] == "no_match"
    hop = twiml(response).find("Redirect").text
    assert hop == "/node/breath", "the URLs carry no retry state"
    response = post(clinic, hop)
    response = post(clinic, twiml(response).find("Redirect").text)
    assert response.headers["X-IVR-Node"] == "menu"
    response = post(clinic, twiml(response).find("Gather").get("action"), Digits="9")
    assert response.headers["X-IVR-Exit"] == "menu no_match"
    response = post(clinic, "/node/menu/result", Digits="9")
    assert response.headers["X-IVR-Exit"] == "menu max_attempts"
    assert response.headers["X-IVR-Node"] == "(goodbye)"


def test_any_node_between_a_failure_and_its_menu_keeps_the_count():
    """A failed transfer on the no-match path (not a prompt) used to start the menu's count afresh."""
    flow = Flow("Busy desk")
    flow.add_node(Node("menu", NodeKind.GATHER, prompts=[], branches=[], max_attempts=2))
    flow.add_node(Node("desk", NodeKind.DIAL, text="+14155550100"))
    flow.add_node(Node("bye", NodeKind.HANGUP))
    flow.set_link("menu", "no_match", "desk")
    flow.set_link("desk", "failed", "menu")
    flow.set_link("menu", "max_attempts", "bye")
    client = app_for(flow).test_client()
    assert post(client, "/node/menu/result", Digits="5").headers["X-IVR-Node"] == "desk"
    assert post(client, "/node/desk/result", DialCallStatus="failed").headers["X-IVR-Node"] == "menu"
    last = post(client, "/node/menu/result", Digits="5")
    assert (last.headers["X-IVR-Exit"], last.headers["X-IVR-Node"]) == ("menu max_attempts", "bye")


def test_each_call_counts_its_own_attempts(clinic):
    other = {"CallSid": "CA" + "f" * 32}
    post(clinic, "/node/menu/result?noInput=true")
    post(clinic, "/node/menu/result?noInput=true")
    fresh = app_for(clinic_flow()).test_client()  # another call: no cookie of the first
    assert post(fresh, "/node/menu/result?noInput=true", **other).headers["X-IVR-Exit"] == "menu no_input"
    assert post(clinic, "/node/menu/result?noInput=true").headers["X-IVR-Exit"] == "menu max_attempts"


def test_a_cookie_of_another_call_is_refused(clinic):
    post(clinic, "/node/menu/result?noInput=true")
    response = clinic.post("/node/menu/result?noInput=true", data={**CALL, "CallSid": "CA" + "f" * 32})
    assert response.status_code == 403
    assert response.headers["X-IVR-Node"] == "(forbidden)"


def test_unlinked_no_input_replays_the_menu(clinic):
    response = post(clinic, "/node/menu/result?noInput=true")
    assert response.headers["X-IVR-Node"] == "menu"
    assert response.headers["X-IVR-Outcome"] == "no_input"
    assert twiml(response).find("Gather").get("action") == "/node/menu/result"


def test_silence_until_max_attempts_then_a_polite_goodbye(clinic):
    """Follow the fall-through URLs exactly as Twilio would, never building them by hand."""
    response = post(clinic, "/voice")
    menus = 0
    for _ in range(10):
        if response.headers["X-IVR-Node"] != "menu":
            break
        menus += 1
        response = post(clinic, twiml(response).find("Redirect").text)
    assert menus == 3
    assert response.headers["X-IVR-Node"] == "(goodbye)"
    assert response.headers["X-IVR-Outcome"] == "no_input:max_attempts"
    assert [el.tag for el in twiml(response)] == ["Say", "Hangup"]


def test_mixed_failures_count_towards_the_same_limit(clinic):
    response = post(clinic, "/node/menu/result?noInput=true")
    response = post(
        clinic, twiml(response).find("Gather").get("action"), SpeechResult="Banana.", Confidence="0.9"
    )
    assert response.headers["X-IVR-Node"] == "sorry"
    response = post(clinic, twiml(response).find("Redirect").text)
    response = post(clinic, twiml(response).find("Redirect").text)
    response = post(clinic, twiml(response).find("Gather").get("action"), Digits="7")
    assert response.headers["X-IVR-Node"] == "(goodbye)"


def test_max_attempts_exit_when_linked():
    client = app_for(clinic_flow()).test_client()
    post(client, "/node/keys_only/result", Digits="5")
    response = post(client, "/node/keys_only/result", Digits="5")
    assert response.headers["X-IVR-Node"] == "bye"
    assert response.headers["X-IVR-Outcome"] == "no_match:max_attempts"


def test_a_successful_choice_resets_the_attempts(clinic):
    post(clinic, "/node/menu/result", Digits="9")
    post(clinic, "/node/menu/result", Digits="9")
    assert clinic.get_cookie("ivr_state") is not None
    response = post(clinic, "/node/menu/result", Digits="1")
    assert response.headers["X-IVR-Node"] == "appts"
    assert clinic.get_cookie("ivr_state") is None, "nothing left to remember: the cookie is cleared"
    assert post(clinic, "/node/menu/result", Digits="9").headers["X-IVR-Exit"] == "menu no_match"


def test_speech_to_a_keys_only_menu_is_no_match(clinic):
    response = post(clinic, "/node/keys_only/result", SpeechResult="One thing.", Confidence="0.99")
    assert response.headers["X-IVR-Outcome"] == "no_match"


def test_confidence_floor():
    flow = clinic_flow()
    flow.set_setting("min_confidence", 0.5)
    client = app_for(flow).test_client()
    low = post(client, "/node/menu/result", SpeechResult="Nurse.", Confidence="0.31")
    assert (low.headers["X-IVR-Node"], low.headers["X-IVR-Outcome"]) == ("sorry", "no_match")
    ok = post(client, "/node/menu/result", SpeechResult="Nurse.", Confidence="0.5")
    assert ok.headers["X-IVR-Node"] == "nurse_line"


@pytest.mark.parametrize(
    ("status", "node"),
    [
        ("completed", "bye"),
        ("answered", "bye"),
        ("busy", "voicemail"),
        ("no-answer", "bye"),  # no_answer exit unlinked → next
        ("failed", "bye"),
        ("canceled", "bye"),
        ("", "bye"),
        ("exploded", "bye"),
    ],
)
def test_dial_outcomes(clinic, status, node):
    response = post(clinic, "/node/nurse_line/result", DialCallStatus=status)
    assert response.headers["X-IVR-Node"] == node


def test_dial_and_record_without_next_hang_up():
    f = Flow("Bare")
    f.add_node(Node("dial", NodeKind.DIAL, text="+14155550100"))
    f.add_node(Node("rec", NodeKind.RECORD))
    client = app_for(f).test_client()
    for url, params in (("/node/dial/result", {"DialCallStatus": "busy"}), ("/node/rec/result", {})):
        response = post(client, url, **params)
        assert response.headers["X-IVR-Node"] == "(hangup)"
        assert [el.tag for el in twiml(response)] == ["Hangup"]


def test_record_result_goes_to_next(clinic):
    response = post(
        clinic, "/node/records_vm/result", RecordingUrl="https://example.com/r.wav", RecordingDuration="4"
    )
    assert response.headers["X-IVR-Node"] == "bye"


def test_every_node_is_served_with_its_id(clinic):
    docs = all_documents(clinic_flow())
    for node_id, body in docs.items():
        response = post(clinic, f"/node/{node_id}")
        assert response.headers["X-IVR-Node"] == node_id
        assert response.get_data() == body


def test_a_flow_without_a_start_says_so_and_hangs_up():
    f = Flow("Empty")
    client = app_for(f).test_client()
    response = post(client, "/voice")
    assert response.headers["X-IVR-Node"] == "(error)"
    assert [el.tag for el in twiml(response)] == ["Say", "Hangup"]


def test_one_json_log_line_per_step(clinic, caplog):
    import json

    caplog.set_level("INFO", logger="ivr_handler")
    post(clinic, "/node/menu/result", Digits="2")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ivr_handler"]
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "step"
    assert line["call_sid"] == "CA" + "a" * 32
    assert (line["node"], line["outcome"], line["next"]) == ("menu", "branch:nurse", "nurse_line")
