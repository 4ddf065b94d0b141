"""Dynamic flows in the handler: logic nodes evaluated server side, templates rendered per request, the
call's variables and look-up results carried in its state cookie; a fake clock and a stub back-end."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from handler_helpers import CALL, app_for, post, twiml

from ivr_studio.bundle.handler.backend import BackendAnswer, StubBackend, parse_stubs
from ivr_studio.bundle.handler.logic import Call, Decide, Hours, compare
from ivr_studio.bundle.handler.walk import MAX_NODE_REPEATS
from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt, load_flow
from ivr_studio.flow.logic import Assignment, Case, DecideConfig, LookupConfig, SetConfig, Variable

BERLIN_MONDAY_10 = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
ZONE = __import__("zoneinfo").ZoneInfo("Europe/Berlin")


def at(when: datetime):
    return lambda: when


def example(examples_dir, when=BERLIN_MONDAY_10, stubs=None, environ=None):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    backend = StubBackend(parse_stubs(stubs or []))
    return app_for(
        flow,
        clock=at(when),
        backend=backend,
        environ=environ or {"ACME_API_TOKEN": "t0ken"},
        trace_lookups=True,
    )


def fake_call(now=BERLIN_MONDAY_10, **values) -> Call:
    return Call(lambda: values, {}, {}, now, StubBackend([]), 14.0)


# ---------------------------------------------------------------------------------------------- Hours
HOURS = {
    "zone": "Europe/Berlin",
    "week": {"mon": [["08:00", "12:00"], ["13:00", "18:00"]], "sat": [["09:00", "13:00"]]},
    "closed": [{"start": "2026-12-30", "end": "2026-12-31", "label": "year end"}],
    "holidays": {"country": "DE", "subdivision": "BE"},
}


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-12-21T08:00", "open"),  # Monday, first interval starts
        ("2026-12-21T12:30", "closed"),  # lunch break
        ("2026-12-21T17:59", "open"),
        ("2026-12-21T18:00", "closed"),  # intervals end exclusive
        ("2026-12-22T10:00", "closed"),  # Tuesday: no intervals
        ("2026-12-25T10:00", "holiday"),  # Christmas Day in Berlin
        ("2026-12-30T10:00", "closed"),  # a closed range
        ("2027-03-08T10:00", "holiday"),  # International Women's Day: a Berlin holiday only
        ("2026-03-28T12:59", "open"),  # Saturday, the day before the clocks change
    ],
)
def test_hours(local, expected):
    now = datetime.fromisoformat(local).replace(tzinfo=ZONE)
    call = fake_call(now)
    assert Hours("h", HOURS).evaluate(call).exit == expected
    assert call.steps["h"] == {"state": expected}


def test_hours_from_an_icalendar_file():
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:New year\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:2\r\nDTSTART:20261221T140000\r\nDTEND:20261221T150000\r\nSUMMARY:Team meeting\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    hours = Hours(
        "h",
        {"zone": "Europe/Berlin", "week": {"mon": [["08:00", "18:00"]], "fri": [["08:00", "18:00"]]}},
        ics,
    )
    assert hours.evaluate(fake_call(datetime(2027, 1, 1, 10, tzinfo=ZONE))).exit == "holiday"  # recurring
    assert hours.evaluate(fake_call(datetime(2026, 12, 21, 14, 30, tzinfo=ZONE))).exit == "holiday"
    assert hours.evaluate(fake_call(datetime(2026, 12, 21, 15, 30, tzinfo=ZONE))).exit == "open"


# ---------------------------------------------------------------------------------------------- Decide
@pytest.mark.parametrize(
    ("op", "value", "operand", "holds"),
    [
        ("equals", "+4930", " +4930 ", True),
        ("not_equals", "a", "b", True),
        ("one_of", "+4930111", "+1, +4930111 ,+2", True),
        ("none_of", "+4930111", "+1, +2", True),
        ("is_empty", "  ", "", True),
        ("is_not_empty", "x", "", True),
        ("regex", "+4930123", r"^\+4930", True),
        ("contains", "premium gold", "gold", True),
        ("not_contains", "premium gold", "silver", True),
        ("starts_with", "+4930123", "+49", True),
        ("less_than", "9.5", "10", True),
        ("less_than", "abc", "10", False),
        ("greater_than", "11", "10", True),
        ("before_time", "08:59", "09:00", True),
        ("after_time", "2026-12-21T18:30:00+01:00", "18:00", True),
        ("after_time", "", "10:00", True),  # empty: now in the zone (10:00 in Berlin)
        ("before_time", "", "10:00", False),
    ],
)
def test_decide_operators(op, value, operand, holds):
    assert compare(op, value, operand, fake_call(), ZONE) is holds


def test_decide_picks_the_first_case_that_holds():
    config = {
        "cases": [
            {"id": "a", "value": "{{ x }}", "op": "equals", "operand": "1"},
            {"id": "b", "value": "{{ x }}", "op": "is_not_empty"},
        ]
    }
    decide = Decide("d", config)
    assert decide.evaluate(fake_call(x="1")).exit == "case:a"
    assert decide.evaluate(fake_call(x="2")).exit == "case:b"
    assert decide.evaluate(fake_call(x="")).exit == "otherwise"


# ---------------------------------------------------------------------------------------------- the example
STUBS = [
    {
        "method": "GET",
        "url": "https://api.acme-bank.example/v1/accounts/123456/balance",
        "json": {"amount": "42.50", "currency": "EUR", "owner": "x" * 1000},
    },
    {"url": "https://api.acme-bank.example/v1/accounts/999999/*", "status": 503},
    {"url": "https://api.acme-bank.example/v1/accounts/555555/*", "fail": "timeout"},
    {"url": "https://api.acme-bank.example/v1/accounts/444444/*", "text": "<html>oops</html>"},
]


def enter(client, digits, **extra):
    return post(client, "/node/account_menu/result", Digits=digits, **{**CALL, **extra})


def test_open_ordinary_caller_to_the_menu(examples_dir):
    client = example(examples_dir).test_client()
    response = post(client, "/node/hours")
    assert response.headers["X-IVR-Node"] == "account_menu"
    assert response.headers["X-IVR-Path"] == "hours open, vip_check otherwise"


def test_a_vip_caller_is_remembered_and_gets_an_agent(examples_dir):
    client = example(examples_dir, stubs=STUBS).test_client()
    vip = {"From": "+4930111111"}
    assert (
        post(client, "/node/hours", **vip).headers["X-IVR-Path"]
        == "hours open, vip_check case:vip, mark_vip next"
    )
    balance = enter(client, "123456", **vip)
    assert balance.headers["X-IVR-Node"] == "say_balance"
    assert balance.headers["X-IVR-Exit"] == "account_menu captured"
    say = twiml(balance).find("Say").text
    assert say == "Account 1 2 3 4 5 6: your balance is 42 euros and 50 cents."
    lookups = json.loads(balance.headers["X-IVR-Lookups"])
    assert lookups[0]["status"] == 200 and lookups[0]["outcome"] == "ok" and lookups[0]["stubbed"]
    after = post(client, "/node/tier_check", **vip)  # a later request: the variables came back in the cookie
    assert (after.headers["X-IVR-Node"], after.headers["X-IVR-Path"]) == ("agent", "tier_check case:vip")


def test_a_deployed_handler_does_not_report_lookups_unless_asked(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    backend = StubBackend(parse_stubs(STUBS))
    quiet = app_for(flow, clock=at(BERLIN_MONDAY_10), backend=backend).test_client()
    response = enter(quiet, "123456")
    assert response.headers["X-IVR-Path"] == "balance ok" and "X-IVR-Lookups" not in response.headers
    asked = app_for(flow, clock=at(BERLIN_MONDAY_10), backend=backend, environ={"IVR_TRACE_LOOKUPS": "1"})
    assert "X-IVR-Lookups" in enter(asked.test_client(), "123456").headers


def test_only_kept_values_travel_in_the_cookie(examples_dir):
    client = example(examples_dir, stubs=STUBS).test_client()
    enter(client, "123456")
    cookie = client.get_cookie("ivr_state").value
    assert len(cookie) < 600, "the 1,000-character owner is not kept"


@pytest.mark.parametrize("account", ["999999", "555555", "444444"])
def test_a_failing_backend_takes_the_failed_exit(examples_dir, account):
    client = example(examples_dir, stubs=STUBS).test_client()
    response = enter(client, account)
    assert response.headers["X-IVR-Node"] == "lookup_failed"
    assert response.headers["X-IVR-Path"] == "balance failed"


def test_without_a_stub_the_real_request_is_made(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    seen = []

    class Recorder:
        def fetch(self, request):
            seen.append(request)
            return BackendAnswer(200, b'{"amount": 1, "currency": "USD"}', "application/json", 0.01)

    client = app_for(
        flow,
        clock=at(BERLIN_MONDAY_10),
        backend=StubBackend([], fallback=Recorder()),
        environ={"ACME_API_TOKEN": "s3cret"},
    ).test_client()
    response = enter(client, "123456")
    assert twiml(response).find("Say").text.endswith("your balance is 1 dollar.")
    assert seen[0].headers == {"Authorization": "Bearer s3cret"}  # the secret comes from the environment


@pytest.mark.parametrize(
    ("when", "node"),
    [(datetime(2026, 12, 25, 9, tzinfo=UTC), "holiday"), (datetime(2026, 12, 21, 19, tzinfo=UTC), "closed")],
)
def test_holidays_and_closing_time(examples_dir, when, node):
    client = example(examples_dir, when=when).test_client()
    response = post(client, "/voice")
    response = post(client, twiml(response).find("Redirect").text)
    assert response.headers["X-IVR-Node"] == node
    if node == "holiday":
        assert (
            twiml(response)
            .find("Say")
            .text.startswith("Today, Friday, 25 December 2026, is a public holiday")
        )


def test_the_handler_time_moves_with_the_clock(examples_dir):
    now = [datetime(2026, 12, 21, 16, 59, tzinfo=UTC)]  # 17:59 in Berlin
    app = app_for(
        load_flow(examples_dir / "account-line.ivrflow"), clock=lambda: now[0], backend=StubBackend([])
    )
    assert post(app.test_client(), "/node/hours").headers["X-IVR-Path"].startswith("hours open")
    now[0] += timedelta(minutes=2)
    assert post(app.test_client(), "/node/hours").headers["X-IVR-Path"].startswith("hours closed")


# ---------------------------------------------------------------------------------------------- safety
def flow_saying(text: str, **node_kw) -> Flow:
    f = Flow("Echo")
    f.add_node(
        Node(
            "menu",
            NodeKind.GATHER,
            prompts=[Prompt("say", "Say something")],
            branches=[Branch("b", "1")],
            capture="said",
            **node_kw,
        )
    )
    f.add_node(Node("echo", NodeKind.SAY, text=text))
    f.set_variables([Variable("said", max_length=200)])
    f.set_link("menu", "captured", "echo")
    f.set_link("menu", "branch:b", "echo")
    return f


def test_what_a_caller_says_is_escaped_never_parsed(examples_dir):
    f = flow_saying("You said {{ vars.said }}", attributes={"input": "speech"})
    client = app_for(f).test_client()
    evil = '</Say><Dial>+19005550100</Dial><Say a="'
    response = post(client, "/node/menu/result", SpeechResult=evil)
    root = twiml(response)
    assert root.find("Dial") is None
    assert root.find("Say").text == f"You said {evil}"
    assert b"&lt;/Say&gt;&lt;Dial&gt;" in response.get_data()


def test_a_template_that_fails_to_render_apologises(examples_dir):
    f = flow_saying("{{ vars.said | money: 'USD' }}")
    client = app_for(f).test_client()
    response = post(client, "/node/menu/result", Digits="12x")
    assert response.headers["X-IVR-Exit"] == "menu captured"
    assert response.headers["X-IVR-Node"] == "(error)"  # "12x" is not an amount of money
    assert twiml(response).find("Say").text.startswith("Sorry, something went wrong")


def test_a_logic_loop_is_stopped_in_the_handler():
    f = Flow("Loop")
    f.add_node(Node("a", NodeKind.SET, config=SetConfig((Assignment("n", "{{ vars.n | append: 'x' }}"),))))
    f.add_node(
        Node("b", NodeKind.DECIDE, config=DecideConfig((Case("again", "{{ vars.n }}", "is_not_empty"),)))
    )
    f.set_variables([Variable("n", default="x", max_length=200)])
    f.set_link("a", "next", "b")
    f.set_link("b", "case:again", "a")
    client = app_for(f).test_client()
    response = post(client, "/voice")
    assert response.headers["X-IVR-Node"] == "(error)"
    assert response.headers["X-IVR-Path"].count("a next") == MAX_NODE_REPEATS


def test_variables_are_cut_to_their_maximum_length():
    f = Flow("Cut")
    f.add_node(
        Node("s", NodeKind.SET, config=SetConfig((Assignment("v", "{{ call.from }}{{ call.from }}"),)))
    )
    f.add_node(Node("say", NodeKind.SAY, text="{{ vars.v }}"))
    f.set_variables([Variable("v", max_length=5)])
    f.set_link("s", "next", "say")
    client = app_for(f).test_client()
    assert twiml(post(client, "/voice")).find("Say").text == CALL["From"][:5]


def test_lookups_share_the_webhook_budget():
    nodes = [
        Node(f"l{i}", NodeKind.LOOKUP, config=LookupConfig(url=f"https://x.example/{i}", timeout=9.0))
        for i in range(2)
    ]
    f = Flow("Slow")
    for n in nodes:
        f.add_node(n)
    f.add_node(Node("done", NodeKind.SAY, text="{{ steps.l1.status }}"))
    f.set_link("l0", "ok", "l1")
    f.set_link("l1", "ok", "done")
    f.set_link("l1", "failed", "done")
    backend = StubBackend(parse_stubs([{"url": "https://x.example/*", "delay": 8.5}]))
    client = app_for(f, backend=backend).test_client()
    response = post(client, "/voice")
    assert response.headers["X-IVR-Path"] == "l0 ok, l1 failed"  # 8.5 s left only 5.5 s of the 14 s
    assert twiml(response).find("Say").text == "0"


def test_the_request_of_a_lookup_is_checked():
    f = Flow("Header")
    f.add_node(
        Node(
            "l",
            NodeKind.LOOKUP,
            config=LookupConfig(url="https://x.example/", headers=(("X-Who", "{{ call.from }}"),)),
        )
    )
    f.add_node(Node("ok", NodeKind.SAY, text="ok"))
    f.add_node(Node("no", NodeKind.SAY, text="no"))
    f.set_link("l", "ok", "ok")
    f.set_link("l", "failed", "no")
    backend = StubBackend(parse_stubs([{"url": "https://x.example/"}]))
    client = app_for(f, backend=backend).test_client()
    assert post(client, "/voice").headers["X-IVR-Node"] == "ok"
    injected = (
        app_for(f, backend=backend).test_client().post("/voice", data={**CALL, "From": "+1\r\nX-Evil: 1"})
    )
    assert injected.headers["X-IVR-Node"] == "no"


def test_every_document_stays_well_formed(examples_dir):
    client = example(examples_dir, stubs=STUBS).test_client()
    for path in ("/voice", "/node/hours", "/node/closed", "/node/holiday", "/node/goodbye"):
        ET.fromstring(post(client, path).get_data())


def _set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_a_state_that_did_not_change_is_not_sent_again(examples_dir):
    # A VIP caller: the walk sets the tier; a later request that sets the same tier changes nothing, so
    # the cookie Twilio already holds stays as it is (no re-encoding, no re-signing).
    client = example(examples_dir).test_client()
    vip = {"From": "+4930111111"}
    first = post(client, "/node/hours", **vip)
    (written,) = _set_cookies(first)
    assert written.startswith("ivr_state=1.")
    assert {"HttpOnly", "Path=/", "Max-Age=14400"} <= {p.strip() for p in written.split(";")[1:]}
    kept = client.get_cookie("ivr_state").value
    again = post(client, "/node/hours", **vip)
    assert again.headers["X-IVR-Path"] == "hours open, vip_check case:vip, mark_vip next"
    assert _set_cookies(again) == [], "the same state is not written again"
    assert client.get_cookie("ivr_state").value == kept
    changed = enter(client, "123456", **vip)  # captures the account: the state changed
    assert len(_set_cookies(changed)) == 1 and client.get_cookie("ivr_state").value != kept


def test_a_static_menu_request_needs_no_clock(examples_dir):
    # A verb node with exported TwiML is answered with its bytes; the call's values are only assembled
    # (clock read, variables merged) when a logic node or a template needs them.
    def broken_clock():
        raise AssertionError("the clock was read for a static answer")

    flow = load_flow(examples_dir / "account-line.ivrflow")
    client = app_for(flow, clock=broken_clock).test_client()
    response = post(client, "/node/account_menu")
    assert response.status_code == 200 and response.headers["X-IVR-Node"] == "account_menu"
    assert twiml(response).find("Gather") is not None


def test_a_state_that_outgrows_its_cookie_is_an_apology_and_a_fresh_start():
    # Two 700-character variables take what a caller says: 2,100 bytes each in Japanese, past the
    # cookie's 4,000 — the caller hears the apology, and the call starts again with nothing kept.
    f = Flow("Long notes")
    f.set_variables([Variable("note", max_length=700), Variable("more", max_length=700)])
    keep = (Assignment("note", "{{ call.speech }}"), Assignment("more", "{{ call.speech }}"))
    f.add_node(Node("keep", NodeKind.SET, config=SetConfig(keep)))
    f.add_node(Node("thanks", NodeKind.SAY, text="Thanks."))
    f.set_link("keep", "next", "thanks")
    client = app_for(f).test_client()
    assert post(client, "/node/keep", SpeechResult="short").headers["X-IVR-Node"] == "thanks"
    assert client.get_cookie("ivr_state") is not None
    response = post(client, "/node/keep", SpeechResult="日本語" * 300)
    assert response.status_code == 200
    assert (response.headers["X-IVR-Node"], response.headers["X-IVR-Outcome"]) == ("(error)", "error")
    assert twiml(response).find("Redirect").text == "/voice"
    assert client.get_cookie("ivr_state") is None, "the state that could not be kept is cleared"
    assert post(client, "/node/keep", SpeechResult="short").headers["X-IVR-Node"] == "thanks"
