"""``ivr-studio map`` against a hostile app: huge, broken, endless or slow answers are flagged as errors or cut
off by the limits; the exploration always ends, and memory stays bounded (bodies are read up to a cap)."""

from __future__ import annotations

import itertools

from ivr_studio.explore.flowmap import map_to_flow
from ivr_studio.explore.mapper import MapOptions, Mapper
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.runtime import WsgiTransport

MENU = (
    b'<Response><Gather numDigits="1" action="/choice" input="dtmf speech" hints="HINTS">'
    b"<Say>Pick 1 to 5.</Say></Gather></Response>"
)


def hostile_app(environ, start_response):
    path = environ["PATH_INFO"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = environ["wsgi.input"].read(length).decode()
    digits = next((p.split("=", 1)[1] for p in form.split("&") if p.startswith("Digits=")), "")
    status, body = "200 OK", b""
    if path == "/voice":
        body = MENU.replace(b"HINTS", b", ".join(b"word%d" % i for i in range(400)))
    elif path == "/choice":
        body = {
            "1": b"<Response><Say>" + b"x" * 2_000_000 + b"</Say></Response>",  # far over 64 kB
            "2": b"<Response><Say>unclosed",  # malformed
            "3": b"<Response><Redirect>/loop</Redirect></Response>",  # redirects to itself forever
            "4": b"\x00\xff binary, not TwiML",
            "9": b"<Response><Redirect>/fresh</Redirect></Response>",
        }.get(digits, b"<Response><Say>Not an option.</Say><Redirect>/voice</Redirect></Response>")
    elif path == "/loop":
        body = b"<Response><Redirect>/loop</Redirect></Response>"
    elif path == "/fresh":  # a new document every time: only --max-states stops it
        body = b"<Response><Say>Document %d</Say><Redirect>/fresh</Redirect></Response>" % next(COUNTER)
    else:
        status, body = "500 INTERNAL SERVER ERROR", b"oops"
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    return [body]


COUNTER = itertools.count()


def test_a_hostile_app_is_mapped_within_the_limits():
    options = MapOptions(max_states=25, max_depth=3, max_requests=3000, phrases_from_hints=False)
    result = Mapper(WsgiTransport(hostile_app), "http://hostile.local/voice", options).run()
    assert len(result.states) <= 25 and "--max-states 25" in result.limits_hit
    assert result.requests <= 3000
    errors = {s.error for s in result.states.values() if s.error}
    assert any("invalid TwiML" in e for e in errors)  # the oversized and the malformed documents
    assert any("not TwiML" in e or "invalid TwiML" in e for e in errors)
    flow, _ = map_to_flow(result)
    assert any(n.kind == NodeKind.HANGUP and n.title.startswith("Error:") for n in flow)
    assert all(len(n.text) < 70_000 for n in flow)  # nothing huge was kept
    flagged = [n for n in flow if any(f.kind == "error" for f in n.flags)]
    assert flagged and all(n.title.startswith("Error:") for n in flagged)  # each error is a flag too
    assert all(len(f.url) <= 2000 and len(f.detail) <= 300 for n in flow for f in n.flags)


def test_hundreds_of_hints_are_bounded_by_the_request_limit():
    options = MapOptions(max_states=10, max_depth=2, max_requests=120, phrases_from_hints=True, keys="1")
    result = Mapper(WsgiTransport(hostile_app), "http://hostile.local/voice", options).run()
    assert "--max-requests 120" in result.limits_hit
    assert result.requests == 120  # counted request by request, even inside one long call
