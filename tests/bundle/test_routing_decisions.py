"""Where a caller goes after a menu, a transfer or a recording — asserted through the handler app the way
Twilio would see it: the next node (``X-IVR-Node``), what happened (``X-IVR-Outcome``), the flow exit taken
(``X-IVR-Exit``) and the note in the call's log line. These tests pin down every routing decision of
``bundle/handler/retries.py`` and ``bundle/handler/matching.py`` (``make mutation`` checks that they do).

Equivalent mutants of ``bundle/handler/retries.py`` (the routing is the same either way):

- ``x__confidence__mutmut_6``: ``raw not in (None, "XXXX")``: an empty Confidence then reaches
  ``float("")``, whose ValueError also answers None (no confidence).
"""

from __future__ import annotations

import json

import pytest
from handler_helpers import CALL, app_for, clinic_flow, post, twiml

from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt
from ivr_studio.flow.logic import Variable


def route(client, url: str, **params: str) -> tuple[str, str, str | None]:
    response = post(client, url, **params)
    h = response.headers
    return h["X-IVR-Node"], h["X-IVR-Outcome"], h.get("X-IVR-Exit")


def log_note(caplog, client, url: str, **params: str) -> str | None:
    """The ``note`` of the one log line a request writes (why something odd was tolerated)."""
    caplog.clear()
    caplog.set_level("INFO", logger="ivr_handler")
    post(client, url, **params)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ivr_handler"]
    assert len(lines) == 1, lines
    return lines[0].get("note")


def capturing_flow(input_: str = "dtmf", linked: bool = True) -> Flow:
    """A menu that keeps what the caller entered in ``vars.entered`` (its ``captured`` exit when linked)."""
    f = Flow("Account")
    f.add_node(
        Node(
            "account",
            NodeKind.GATHER,
            attributes={"input": input_},
            prompts=[Prompt("say", "Enter your account number, or 0 for an agent.")],
            branches=[Branch("agent", "0", ["agent"])],
            capture="entered",
            max_attempts=2,
        )
    )
    f.add_node(Node("thanks", NodeKind.SAY, text="Account {{ vars.entered }}."))
    f.add_node(Node("agent", NodeKind.SAY, text="An agent."))
    f.set_variables([Variable("entered", max_length=100)])
    f.set_link("account", "branch:agent", "agent")
    if linked:
        f.set_link("account", "captured", "thanks")
    return f


# ------------------------------------------------------------------------------------------- menus
def test_a_flood_of_keys_is_a_no_match_not_a_crash():
    """More than 64 keys is no menu's choice: the caller is asked again (the 65th key is one too many)."""
    for count in (65, 66, 5000):
        client = app_for(clinic_flow()).test_client()  # a new call each time: its first attempt
        assert route(client, "/node/menu/result", Digits="1" * count) == (
            "sorry",
            "no_match",
            "menu no_match",
        )
    client = app_for(capturing_flow()).test_client()
    assert route(client, "/node/account/result", Digits="7" * 64) == (
        "thanks",
        "captured",
        "account captured",
    )
    flood = app_for(capturing_flow()).test_client()
    assert route(flood, "/node/account/result", Digits="7" * 65) == (
        "account",
        "no_match",
        "account no_match",
    )


def test_a_flood_of_keys_is_named_in_the_log(caplog, clinic):
    assert log_note(caplog, clinic, "/node/menu/result", Digits="1" * 65) == "65 digits is too many"


def test_keys_and_speech_around_whitespace_still_choose(clinic):
    assert route(clinic, "/node/menu/result", Digits=" 2 ") == (
        "nurse_line",
        "branch:nurse",
        "menu branch:nurse",
    )
    said = route(clinic, "/node/menu/result", SpeechResult="  nurse  ", Confidence="0.9")
    assert said == ("nurse_line", "branch:nurse", "menu branch:nurse")
    # only blanks is no input at all, not a no-match
    assert route(clinic, "/node/menu/result", Digits="   ", SpeechResult=" ") == (
        "menu",
        "no_input",
        "menu no_input",
    )


def test_keys_to_a_speech_only_menu_are_no_match(caplog):
    f = clinic_flow()
    f.set_attribute("menu", "input", "speech")
    client = app_for(f).test_client()
    assert route(client, "/node/menu/result", Digits="1") == ("sorry", "no_match", "menu no_match")
    assert log_note(caplog, client, "/node/menu/result", Digits="2") == "keys not accepted by this menu"
    keys_only = app_for(clinic_flow()).test_client()
    note = log_note(caplog, keys_only, "/node/keys_only/result", SpeechResult="One thing.")
    assert note == "speech not accepted by this menu"


def test_keys_written_with_spaces_in_the_flow_match_the_keys_pressed():
    f = Flow("Keys")
    f.add_node(
        Node(
            "menu", NodeKind.GATHER, prompts=[Prompt("say", "Your choice")], branches=[Branch("acct", "1 2")]
        )
    )
    f.add_node(Node("ok", NodeKind.SAY, text="Account."))
    f.set_link("menu", "branch:acct", "ok")
    client = app_for(f).test_client()
    assert route(client, "/node/menu/result", Digits="12") == ("ok", "branch:acct", "menu branch:acct")


def test_a_capturing_menu_takes_unclaimed_input_to_captured():
    client = app_for(capturing_flow()).test_client()
    assert route(client, "/node/account/result", Digits="0") == (
        "agent",
        "branch:agent",
        "account branch:agent",
    )
    response = post(client, "/node/account/result", Digits="4411")
    assert response.headers["X-IVR-Exit"] == "account captured"
    assert twiml(response).find("Say").text == "Account 4411."


def test_a_capturing_menu_without_its_captured_exit_asks_again():
    client = app_for(capturing_flow(linked=False)).test_client()
    assert route(client, "/node/account/result", Digits="4411") == ("account", "no_match", "account no_match")
    assert route(client, "/node/account/result", Digits="4411") == (
        "(goodbye)",
        "no_match:max_attempts",
        "account max_attempts",
    )


def retrying_capture_flow() -> Flow:
    """The capturing menu, whose no-match says what the call has captured so far."""
    f = capturing_flow(input_="dtmf speech")
    f.add_node(Node("retry", NodeKind.SAY, text="Entered so far: {{ vars.entered | default: 'nothing' }}."))
    f.set_link("account", "no_match", "retry")
    f.set_setting("min_confidence", 0.5)
    f.set_node_field("account", "max_attempts", 9)
    return f


def test_a_no_match_captures_nothing():
    """Only input the menu accepts is kept: a flood of keys or words heard below the confidence floor
    is a no-match, and what the caller entered before stays."""
    client = app_for(retrying_capture_flow()).test_client()
    flood = post(client, "/node/account/result", Digits="7" * 65)
    assert flood.headers["X-IVR-Exit"] == "account no_match"
    assert twiml(flood).find("Say").text == "Entered so far: nothing."
    unsure = post(client, "/node/account/result", SpeechResult="four four", Confidence="0.2")
    assert twiml(unsure).find("Say").text == "Entered so far: nothing."
    kept = app_for(retrying_capture_flow()).test_client()
    assert twiml(post(kept, "/node/account/result", Digits="4411")).find("Say").text == "Account 4411."
    again = post(kept, "/node/account/result", Digits="9" * 65)
    assert twiml(again).find("Say").text == "Entered so far: 4411."
    heard = post(kept, "/node/account/result", SpeechResult="five five", Confidence="0.3")
    assert twiml(heard).find("Say").text == "Entered so far: 4411."
    chosen = post(kept, "/node/account/result", Digits="0")  # a branch's choice is what was entered
    assert chosen.headers["X-IVR-Exit"] == "account branch:agent"
    assert twiml(post(kept, "/node/account/result", Digits="7" * 65)).find("Say").text == "Entered so far: 0."


def test_speech_is_read_up_to_its_first_500_characters(clinic):
    """A recogniser's runaway transcript is cut: a branch named after the 500th character is not heard."""
    filler = "um " * 165  # 495 characters
    assert len(filler + "nurse") == 500
    heard = route(clinic, "/node/menu/result", SpeechResult=filler + "nurse", Confidence="0.9")
    assert heard == ("nurse_line", "branch:nurse", "menu branch:nurse")
    assert len(filler + " nurse") == 501  # the branch's word would end on the 501st character
    late = route(clinic, "/node/menu/result", SpeechResult=filler + " nurse", Confidence="0.9")
    assert late == ("sorry", "no_match", "menu no_match")


def test_confidence_below_the_floor_is_a_no_match_and_says_why(caplog):
    flow = clinic_flow()
    flow.set_setting("min_confidence", 0.5)
    client = app_for(flow).test_client()
    note = log_note(caplog, client, "/node/menu/result", SpeechResult="Nurse.", Confidence="0.31")
    assert note == "confidence 0.31 is below 0.50"
    # no confidence, or one that is not a number, is not held against the caller
    for raw in ("", "high", "nan"):
        assert route(client, "/node/menu/result", SpeechResult="Nurse.", Confidence=raw)[0] == "nurse_line"


def test_a_wrong_choice_names_no_note(caplog, clinic):
    assert log_note(caplog, clinic, "/node/menu/result", Digits="9") is None


# ----------------------------------------------------------------------------------------- retries
@pytest.mark.parametrize("attempt", ["", "zzz", "-1", "0", "2", "3", "99", "1e9", "٣"])
def test_junk_or_missing_attempt_in_the_url_costs_no_retry(attempt):
    """The count of failed attempts lives in the call's state, never in the URL: whatever ``attempt`` a
    request carries (or none), a caller with three tries gets exactly three."""
    client = app_for(clinic_flow()).test_client()
    query = f"?attempt={attempt}" if attempt else ""
    seen = [route(client, f"/node/menu/result{query}", Digits="9") for _ in range(3)]
    assert seen == [
        ("sorry", "no_match", "menu no_match"),
        ("sorry", "no_match", "menu no_match"),
        ("(goodbye)", "no_match:max_attempts", "menu max_attempts"),
    ]


def test_the_goodbye_after_the_last_attempt_is_spoken_then_hangs_up(clinic):
    for _ in range(2):
        post(clinic, "/node/menu/result?noInput=true")
    response = post(clinic, "/node/menu/result?noInput=true")
    assert response.headers["X-IVR-Node"] == "(goodbye)"
    assert [el.tag for el in twiml(response)] == ["Say", "Hangup"]


def test_after_giving_up_the_menu_starts_afresh():
    client = app_for(clinic_flow()).test_client()
    post(client, "/node/keys_only/result", Digits="5")
    assert route(client, "/node/keys_only/result", Digits="5") == (
        "bye",
        "no_match:max_attempts",
        "keys_only max_attempts",
    )
    # the call comes back to the menu later: two fresh tries
    assert route(client, "/node/keys_only/result", Digits="5")[1] == "no_match"
    assert route(client, "/node/keys_only/result", Digits="5")[1] == "no_match:max_attempts"


def test_a_menu_of_one_attempt_gives_up_at_once():
    flow = clinic_flow()
    flow.set_node_field("menu", "max_attempts", 1)
    client = app_for(flow).test_client()
    assert route(client, "/node/menu/result?noInput=true") == (
        "(goodbye)",
        "no_input:max_attempts",
        "menu max_attempts",
    )


# ------------------------------------------------------------------------------- transfers, records
@pytest.mark.parametrize(
    ("status", "answer"),
    [
        ("completed", ("bye", "dial:completed", "nurse_line next")),
        ("answered", ("bye", "dial:answered", "nurse_line next")),
        ("busy", ("voicemail", "dial:busy", "nurse_line busy")),
        (" BUSY ", ("voicemail", "dial:busy", "nurse_line busy")),  # Twilio's case and spacing vary
        ("no-answer", ("bye", "dial:no-answer", "nurse_line next")),  # no_answer unlinked: next
        ("failed", ("bye", "dial:failed", "nurse_line next")),
        ("canceled", ("bye", "dial:canceled", "nurse_line next")),
        ("", ("bye", "dial:unknown", "nurse_line next")),
        ("exploded", ("bye", "dial:unknown", "nurse_line next")),
    ],
)
def test_dial_results_name_their_outcome_and_exit(clinic, status, answer):
    assert route(clinic, "/node/nurse_line/result", DialCallStatus=status) == answer


def test_every_dial_outcome_takes_its_own_exit_when_linked():
    f = clinic_flow()
    for exit_name, target in (("no_answer", "sorry"), ("failed", "appts")):
        f.set_link("nurse_line", exit_name, target)
    client = app_for(f).test_client()
    assert route(client, "/node/nurse_line/result", DialCallStatus="no-answer") == (
        "sorry",
        "dial:no-answer",
        "nurse_line no_answer",
    )
    for status in ("failed", "canceled"):
        assert route(client, "/node/nurse_line/result", DialCallStatus=status) == (
            "appts",
            f"dial:{status}",
            "nurse_line failed",
        )


def test_an_unknown_dial_status_is_quoted_in_the_log_only(caplog, clinic):
    note = log_note(caplog, clinic, "/node/nurse_line/result", DialCallStatus="Exploded" + "!" * 40)
    assert note == "unknown DialCallStatus " + repr("exploded" + "!" * 22)
    assert log_note(caplog, clinic, "/node/nurse_line/result") == "unknown DialCallStatus ''"
    for known in ("busy", "completed", "no-answer"):  # its own exit, or next: nothing odd to say
        assert log_note(caplog, clinic, "/node/nurse_line/result", DialCallStatus=known) is None


def test_a_recording_goes_on_to_next(clinic):
    answer = route(
        clinic, "/node/records_vm/result", RecordingUrl="https://e.com/r.wav", RecordingDuration="4"
    )
    assert answer == ("bye", "recorded", "records_vm next")


def test_dial_and_record_without_next_hang_up_naming_their_exit():
    f = Flow("Bare")
    f.add_node(Node("dial", NodeKind.DIAL, text="+14155550100"))
    f.add_node(Node("rec", NodeKind.RECORD))
    client = app_for(f).test_client()
    assert route(client, "/node/dial/result", DialCallStatus="busy") == ("(hangup)", "dial:busy", "dial next")
    assert route(client, "/node/rec/result") == ("(hangup)", "recorded", "rec next")


def test_a_call_sid_is_what_counts_attempts():
    """Two calls through one app count their own failures."""
    client = app_for(clinic_flow()).test_client()
    other = app_for(clinic_flow()).test_client()
    post(client, "/node/menu/result", Digits="9")
    post(client, "/node/menu/result", Digits="9")
    first = other.post("/node/menu/result", data={**CALL, "CallSid": "CA" + "c" * 32, "Digits": "9"})
    assert first.headers["X-IVR-Outcome"] == "no_match"
    assert route(client, "/node/menu/result", Digits="9")[1] == "no_match:max_attempts"


def test_speech_without_a_confidence_is_taken_at_its_word(clinic):
    """Twilio sends Confidence with speech; a request without one (a test, a proxy) is not refused."""
    assert route(clinic, "/node/menu/result", SpeechResult="Nurse.") == (
        "nurse_line",
        "branch:nurse",
        "menu branch:nurse",
    )


def queue_flow(link_full: bool = True) -> Flow:
    f = Flow("Queue")
    f.add_node(Node("queue", NodeKind.ENQUEUE, text="support"))
    for node_id, text in (("after", "Thanks."), ("full", "Busy."), ("oops", "Sorry.")):
        f.add_node(Node(node_id, NodeKind.SAY, text=text))
    f.set_link("queue", "next", "after")
    f.set_link("queue", "failed", "oops")
    if link_full:
        f.set_link("queue", "full", "full")
    return f


@pytest.mark.parametrize(
    ("result", "answer"),
    [
        ("bridged", ("after", "queue:bridged", "queue next")),
        ("queue-full", ("full", "queue:queue-full", "queue full")),
        (" Queue-Full ", ("full", "queue:queue-full", "queue full")),
        ("error", ("oops", "queue:error", "queue failed")),
        ("system-shutdown", ("oops", "queue:system-shutdown", "queue failed")),
        ("system-error", ("after", "queue:system-error", "queue next")),  # not a QueueResult Twilio sends
        ("hangup", ("after", "queue:hangup", "queue next")),
        ("", ("after", "queue:unknown", "queue next")),
        ("x" * 50, ("after", "queue:" + "x" * 40, "queue next")),  # a runaway value is cut
    ],
)
def test_queue_results_name_their_outcome_and_exit(result, answer):
    client = app_for(queue_flow()).test_client()
    assert route(client, "/node/queue/result", QueueResult=result) == answer


def test_a_queue_result_without_its_exit_linked_goes_on_to_next():
    client = app_for(queue_flow(link_full=False)).test_client()
    assert route(client, "/node/queue/result", QueueResult="queue-full") == (
        "after",
        "queue:queue-full",
        "queue next",
    )
    assert route(client, "/node/queue/result") == ("after", "queue:unknown", "queue next")


def test_the_last_failed_attempt_still_says_why(caplog):
    """Giving up (goodbye, or the linked max_attempts exit) keeps the note of the attempt that failed."""
    clinic = app_for(clinic_flow()).test_client()  # max_attempts unlinked: the polite goodbye
    for _ in range(2):
        post(clinic, "/node/menu/result", Digits="1" * 70)
    assert log_note(caplog, clinic, "/node/menu/result", Digits="1" * 70) == "70 digits is too many"
    keys_only = app_for(clinic_flow()).test_client()  # max_attempts linked to "bye"
    post(keys_only, "/node/keys_only/result", SpeechResult="One thing.")
    note = log_note(caplog, keys_only, "/node/keys_only/result", SpeechResult="One thing.")
    assert note == "speech not accepted by this menu"
