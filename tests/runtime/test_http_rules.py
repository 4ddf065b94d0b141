"""Twilio's fetch rules (spec §1.2, §1.6, §3, §5, §6) through the in-process transport, and hostile webhooks."""

from __future__ import annotations

import itertools
import re

import pytest
from runtime_support import AUTH_TOKEN, FakeApp, Received, Reply, call, doc
from twilio.request_validator import RequestValidator

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.signature import twilio_signature, with_default_port
from ivr_studio.runtime.urls import resolve, split_overrides

BYE = doc("<Hangup/>")


def test_signature_matches_the_spec_vectors():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert twilio_signature("12345", with_default_port(url), params) == "kvajT1Ptam85bY51eRf/AJRuM3w="
    repeated = {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234", "1234"]}
    assert twilio_signature("12345", url, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("../next", "https://h.example.com/a/next"),
        ("next", "https://h.example.com/a/b/next"),
        ("/root", "https://h.example.com/root"),
        ("?x=2", "https://h.example.com/a/b/menu.xml?x=2"),
        ("", "https://h.example.com/a/b/menu.xml?step=1"),
    ],
)
def test_relative_urls_resolve_as_in_the_spec(ref: str, expected: str):
    assert resolve("https://h.example.com/a/b/menu.xml?step=1", ref) == expected


def test_connection_override_fragment_is_stripped_and_clamped():
    url, limits, problems = split_overrides(
        "https://x/y?a=1#ct=2000&rt=3000&tt=99999&rc=2&e=x", RuntimeSettings()
    )
    assert url == "https://x/y?a=1"
    assert (limits.connect, limits.read, limits.total, limits.retries) == (2.0, 3.0, 15.0, 2)
    assert problems and "tt" in problems[0]


def test_overrides_shorten_the_timeout_and_are_not_sent():
    r = call(
        {"/menu": doc("<Redirect>/slow#tt=2000</Redirect>"), "/slow": BYE},
        latency=lambda req: 3.0 if "/slow" in req.url else 0.0,
    )
    assert r.time_of("error", code="11205") == pytest.approx(2.0)
    assert all("#" not in req.url for req in r.app.requests)


def test_standard_parameters_have_twilios_shape():
    r = call({"/menu": doc("<Redirect>/b</Redirect>"), "/b": BYE})
    first, second = r.app.requests
    p = first.form
    assert re.fullmatch(r"CA[0-9a-f]{32}", p["CallSid"]) and re.fullmatch(r"AC[0-9a-f]{32}", p["AccountSid"])
    assert p["CallStatus"] == "ringing" and second.form["CallStatus"] == "in-progress"
    assert p["ApiVersion"] == "2010-04-01" and p["Direction"] == "inbound"
    assert p["Caller"] == p["From"] and p["Called"] == p["To"]
    assert p["FromCity"] == "" and p["CalledCountry"] == ""
    assert second.form["CallSid"] == p["CallSid"]
    assert first.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert first.headers["I-Twilio-Idempotency-Token"] != second.headers["I-Twilio-Idempotency-Token"]


def test_cookies_are_kept_for_the_whole_call():
    def menu(req: Received) -> Reply:
        return Reply(doc("<Redirect>/b</Redirect>"), headers=(("Set-Cookie", "session=abc; Path=/"),))

    r = call({"/menu": menu, "/b": BYE})
    assert r.app.to("/b")[0].headers.get("Cookie") == "session=abc"


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (Reply("", content_type="text/xml"), "11770"),
        (Reply("<Response/>", content_type=None), "12300"),
        (Reply("<Response>" + "<Say>x</Say>" * 7000 + "</Response>"), "11750"),
        (Reply("nope", 404, "text/plain"), "11200"),
        (Reply("", 302, None), "11216"),
    ],
)
def test_first_fetch_failures_give_twilios_codes(reply: Reply, code: str):
    r = call({"/menu": reply})
    assert r.codes("error")[0] == code
    assert r.engine.app_error is not None
    assert r.said() == [RuntimeSettings().application_error_text]


def test_the_fallback_is_tried_once():
    r = call(
        {"/menu": Reply("x", 500, "text/plain"), "/fb": Reply("y", 500, "text/plain")},
        fallback_url="https://a/fb",
    )
    assert len(r.app.to("/fb")) == 1
    assert r.codes("error") == ["11200", "11200"]
    assert r.said() == [RuntimeSettings().application_error_text]


def test_text_plain_is_read_aloud_then_the_call_hangs_up():
    r = call({"/menu": Reply("Hello from text", content_type="text/plain")})
    assert r.said() == ["Hello from text"] and r.status == "completed"


def test_endless_redirects_stop_with_11215():
    counter = itertools.count()

    def hop(req: Received) -> Reply:
        return Reply("", 302, None, (("Location", f"/hop{next(counter)}"),))

    app = FakeApp({})
    app.routes = _Any(hop)
    r = call(app)
    assert r.codes("error") == ["11215"]
    assert len(app.requests) == RuntimeSettings().max_redirects + 1


class _Any(dict):
    def __init__(self, route) -> None:
        super().__init__()
        self.route = route

    def get(self, key, default=None):
        return self.route


def test_xml_bombs_and_doctypes_are_rejected():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<Response><Say>&lol2;</Say></Response>"
    )
    r = call({"/menu": bomb})
    assert r.codes("error") == ["12100"]


def test_an_endless_body_is_read_only_up_to_the_limit():
    produced = 0

    def endless(environ, start_response):
        nonlocal produced
        start_response("200 OK", [("Content-Type", "text/xml")])

        def chunks():
            nonlocal produced
            yield b"<Response>"
            while True:
                produced += 1
                yield b"<Say>hello</Say>" * 64

        return chunks()

    from ivr_studio.runtime.engine import CallEngine
    from ivr_studio.runtime.script import run_virtual
    from ivr_studio.runtime.transports import WsgiTransport

    engine = CallEngine("https://a/menu", WsgiTransport(endless))
    run_virtual(engine)
    assert [e["code"] for e in engine.trace.of("error")] == ["11750"]
    assert produced < 100


def test_a_crashing_app_is_an_http_500():
    def crash(req: Received) -> Reply:
        raise RuntimeError("boom")

    r = call({"/menu": crash})
    assert r.codes("error") == ["11200"]


def test_a_redirect_loop_without_waiting_is_stopped():
    r = call({"/menu": doc("<Redirect/>")})
    assert "IVR901" in r.codes()
    assert r.codes("error") == ["IVR902"]
    assert r.status == "completed" and r.end_time() == 0.0
    assert len(r.app.requests) <= RuntimeSettings().max_instant_fetches + 1


def test_a_ping_pong_redirect_loop_is_stopped_too():
    r = call({"/a": doc("<Redirect>/b</Redirect>"), "/b": doc("<Redirect>/a</Redirect>")}, url="https://a/a")
    assert r.codes("error") == ["IVR902"]


def test_the_base_url_after_a_redirect_is_the_final_url_by_default():
    routes = {
        "/start": Reply("", 301, None, (("Location", "https://a/v2/menu"),)),
        "/v2/menu": doc('<Gather action="next"/>'),
        "/v2/next": BYE,
        "/next": BYE,
    }
    final = call(routes, [{"press": "1#"}], url="https://a/start")
    assert final.app.to("/v2/next") and not final.app.to("/next")
    original = call(
        routes,
        [{"press": "1#"}],
        url="https://a/start",
        settings=RuntimeSettings(redirect_base_is_final_url=False),
    )
    assert original.app.to("/next") and not original.app.to("/v2/next")


def test_signature_with_default_port_toggle():
    r = call({"/menu": BYE}, settings=RuntimeSettings(sign_with_default_port=True))
    req = r.app.requests[0]
    assert twilio_signature(AUTH_TOKEN, "https://a:443/menu", req.form) == req.headers["X-Twilio-Signature"]
    assert RequestValidator(AUTH_TOKEN).validate(req.url, req.form, req.headers["X-Twilio-Signature"])


def test_node_header_is_recorded_in_the_trace():
    r = call({"/menu": Reply(BYE, headers=(("X-IVR-Node", "welcome"),))})
    assert r.events("request")[0]["node"] == "welcome"


@pytest.mark.parametrize("status", [301, 302, 303, 307])
def test_a_get_redirect_requests_the_location_exactly_as_given(status: int):
    gather = doc('<Gather method="GET" action="/gr302" numDigits="1"/>')
    moved = Reply("", status, None, (("Location", "/r2?kept=1"),))
    r = call({"/menu": gather, "/gr302": moved, "/r2": BYE}, [{"wait_for": "listening"}, {"press": "1"}])
    first = r.app.to("/gr302")[0]
    assert first.method == "GET" and first.query["Digits"] == "1"
    target = r.app.to("/r2")
    assert [(t.method, t.url) for t in target] == [("GET", "https://a/r2?kept=1")]
    assert RequestValidator(AUTH_TOKEN).validate(target[0].url, {}, target[0].headers["X-Twilio-Signature"])
    assert r.events("request")[-1]["params"] == {}
