"""Odd and hostile requests: the caller always hears sensible TwiML, never a 500 or a traceback."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET

import pytest
from handler_helpers import CALL, app_for, clinic_flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr_studio.bundle.handler.steplog import LOGGER_NAME

APP = app_for(clinic_flow())


class _InternalErrors(logging.Handler):
    """Collects the handler's ``internal_error`` log lines: its answer to an exception it did not expect
    is an apology that looks like any other, so the log line is the only way to tell a crash from a
    refusal."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if json.loads(record.getMessage()).get("event") == "internal_error":
            self.lines.append(record.getMessage())


CRASHES = _InternalErrors()
logging.getLogger(LOGGER_NAME).addHandler(CRASHES)


@pytest.fixture(autouse=True)
def _no_crash_carried_over():
    CRASHES.lines.clear()


def assert_sensible(response, *, apology: bool = False) -> None:
    """A caller-safe answer: TwiML, no traceback, no 500 — and never the apology for an internal error.
    The apology itself (``X-IVR-Node: (error)``) is sensible only where the test says so (``apology``:
    an unknown node or path, a broken request)."""
    crashes, CRASHES.lines[:] = list(CRASHES.lines), []
    assert not crashes, f"the handler crashed: {crashes[0]}"
    assert response.status_code < 500, response.get_data()
    body = response.get_data()
    assert b"Traceback" not in body
    assert (response.headers.get("X-IVR-Node") == "(error)") is apology, response.headers
    if response.status_code == 200:
        assert ET.fromstring(body).tag == "Response"
        assert response.headers["X-IVR-Node"]


NO_MATCH = ("sorry", "no_match", "menu no_match")
AS_IS = (None, "node", None)  # a plain node request: the node itself, no exit taken


@pytest.mark.parametrize(
    ("url", "params", "answer"),
    [
        ("/node/menu/result?attempt=99", {"Digits": "9"}, NO_MATCH),  # old bundles' retry state is ignored
        ("/node/menu/result?noInput=%00", {}, ("menu", "no_input", "menu no_input")),
        ("/node/menu/result?noInput=٣", {"Digits": "9"}, NO_MATCH),  # a non-ASCII digit
        ("/node/menu/result", {"Digits": "1" * 65}, NO_MATCH),  # more keys than any menu takes
        ("/node/menu/result", {"Digits": "1" * 5000}, NO_MATCH),
        ("/node/menu/result", {"Digits": "<Hangup/>", "SpeechResult": "]]><Dial>+1900</Dial>"}, NO_MATCH),
        ("/node/menu/result", {"SpeechResult": "x" * 20000, "Confidence": "nan"}, NO_MATCH),
        ("/node/menu/result", {"SpeechResult": "nurse", "Confidence": "-inf"}, NO_MATCH),
        ("/node/menu?retry_of=nope&attempt=2", {}, AS_IS),
        ("/node/menu?retry_of=sorry&attempt=2", {}, AS_IS),
        ("/node/sorry?retry_of=menu&attempt=zzz", {}, AS_IS),
        ("/node/sorry?retry_of=menu&attempt=77", {}, AS_IS),
        ("/node/nurse_line/result", {"DialCallStatus": "\u202ebusy"}, ("bye", "dial:unknown", "nurse_line next")),
        ("/node/sorry/result", {}, ("sorry", "node", None)),
        ("/node/%F0%9F%92%A5", {}, ("(error)", "error", None)),  # unknown nodes: the apology
        ("/node/" + "a" * 3000 + "/result", {}, ("(error)", "error", None)),
    ],
)
def test_odd_requests_get_twiml(url, params, answer):
    response = APP.test_client().post(url, data={**CALL, **params})
    assert_sensible(response, apology=answer[0] == "(error)")
    assert response.status_code == 200
    node = answer[0] or url.split("/")[2].split("?")[0]
    headers = response.headers
    assert (headers["X-IVR-Node"], headers["X-IVR-Outcome"], headers.get("X-IVR-Exit")) == (node, *answer[1:])


def test_an_unexpected_exception_is_not_sensible(monkeypatch):
    """The check above would catch a crash: an exception inside routing is answered with the apology
    and an ``internal_error`` log line, and ``assert_sensible`` refuses it."""
    from ivr_studio.bundle.handler import retries

    def broken(*args, **kwargs):
        raise RuntimeError("routing broke")

    monkeypatch.setattr(retries, "match_digits", broken)
    response = APP.test_client().post("/node/menu/result", data={**CALL, "Digits": "1"})
    assert response.status_code == 200 and response.headers["X-IVR-Node"] == "(error)"
    with pytest.raises(AssertionError, match="the handler crashed: .*routing broke"):
        assert_sensible(response, apology=True)


def test_unknown_node_apologises_and_returns_to_the_start():
    response = APP.test_client().post("/node/ghost", data=CALL)
    root = ET.fromstring(response.get_data())
    assert response.headers["X-IVR-Node"] == "(error)"
    assert [el.tag for el in root] == ["Say", "Redirect"]
    assert root.find("Redirect").text == "/voice"


def test_retry_state_in_the_url_is_not_trusted():
    """Old bundles carried attempts in URLs; a forged ``attempt`` cannot make a menu give up early."""
    response = APP.test_client().post("/node/menu/result?attempt=3&noInput=true", data=CALL)
    assert response.headers["X-IVR-Exit"] == "menu no_input"


def test_caller_text_never_reaches_the_twiml():
    evil = '</Say><Dial>+19005550100</Dial><Say a="'
    response = APP.test_client().post("/node/menu/result", data={**CALL, "SpeechResult": evil})
    assert b"Dial" not in response.get_data()


def test_non_utf8_form_and_query_bytes():
    client = APP.test_client()
    form = "application/x-www-form-urlencoded"
    # Raw invalid UTF-8: the form cannot be read, so the caller is treated as having said nothing.
    raw = client.post(
        "/node/menu/result?noInput=%FF", data=b"CallSid=CA\xff\xfe&Digits=\xc3\x28", content_type=form
    )
    assert_sensible(raw)
    assert raw.headers["X-IVR-Outcome"] == "no_input"
    # Percent-encoded invalid UTF-8 arrives as text that matches nothing.
    encoded = APP.test_client().post(
        "/node/menu/result", data=b"Digits=%FF%FE&CallSid=CA1", content_type=form
    )
    assert_sensible(encoded)
    assert encoded.headers["X-IVR-Outcome"] == "no_match"


def test_unknown_paths_and_methods_are_not_500():
    client = APP.test_client()
    assert_sensible(client.get("/favicon.ico"), apology=True)
    assert_sensible(client.post("/node/..%2F..%2Fetc%2Fpasswd"), apology=True)
    assert_sensible(client.delete("/voice"), apology=True)
    # a JSON body is not a form: the caller is at the start, and that is answered normally
    assert_sensible(client.post("/voice", data="{not json", content_type="application/json"))


def test_log_lines_stay_json_whatever_the_caller_sends(caplog):
    caplog.set_level("INFO", logger="ivr_handler")
    APP.test_client().post("/node/menu/result", data={"CallSid": 'CA"\n{', "Digits": "\x00" * 300})
    for record in caplog.records:
        line = record.getMessage()
        assert "\n" not in line
        json.loads(line)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    node=st.sampled_from(["menu", "sorry", "breath", "nurse_line", "records_vm", "keys_only", "ghost", ""]),
    route=st.sampled_from(["", "/result"]),
    query=st.dictionaries(
        st.sampled_from(["attempt", "noInput", "retry_of", "x"]), st.text(max_size=30), max_size=4
    ),
    form=st.dictionaries(
        st.sampled_from(
            ["Digits", "SpeechResult", "Confidence", "DialCallStatus", "CallSid", "RecordingUrl"]
        ),
        st.text(max_size=60),
        max_size=6,
    ),
    method=st.sampled_from(["GET", "POST"]),
)
def test_any_parameters_give_a_sensible_answer(node, route, query, form, method):
    client = APP.test_client()
    url = f"/node/{node}{route}" if node else "/voice"
    if method == "GET":
        response = client.get(url, query_string={**query, **form})
    else:
        response = client.post(url, query_string=query, data=form)
    assert_sensible(response, apology=node == "ghost")  # only an unknown node is apologised for


def test_header_values_are_printable_ascii_and_short():
    from ivr_studio.bundle.handler.routes import MAX_HEADER_CHARS, header_value

    assert header_value("dial:busy") == "dial:busy"
    cut = header_value("a\r\nSet-Cookie: x=1" * 50)
    assert "\r" not in cut and "\n" not in cut and len(cut) == MAX_HEADER_CHARS
    assert header_value("caf\u00e9") == "caf?"
