"""Twilio tries a failed connection again (the URL's ``#rc``, once by default, spec §1.2): the retry is part
of what the call did, so the trace, the command line's timeline and the call panel show it — what failed,
that it was tried again, and how the next attempt went. Against a real server on 127.0.0.1 that drops the
first connections it accepts without answering (``serve_wsgi(app, drops=n)``)."""

from __future__ import annotations

import json

from runtime_support import FakeApp, doc

from ivr_studio.cli import main
from ivr_studio.runtime import CallEngine, HttpTransport, VirtualClock
from ivr_studio.runtime.trace import format_event


def _call(url: str) -> list[dict]:
    engine = CallEngine(url, HttpTransport(), clock=VirtualClock())
    engine.start()
    engine.clock.run(stop=lambda: engine.ended)
    return engine.trace.events


def test_a_dropped_first_connection_is_retried_once_and_the_trace_says_so(serve_wsgi):
    app = FakeApp({"/menu": doc("<Say>Hello</Say>")})
    base = serve_wsgi(app, drops=1)
    events = _call(f"{base}/menu")
    kinds = [e["event"] for e in events]
    assert kinds.index("retry") < kinds.index("request")
    [retry] = [e for e in events if e["event"] == "retry"]
    assert retry["url"] == f"{base}/menu" and retry["method"] == "POST" and retry["purpose"] == "twiml"
    assert (retry["attempt"], retry["attempts"]) == (1, 2)
    assert retry["error"] in ("11205", "11206") and retry["message"]
    [request] = [e for e in events if e["event"] == "request"]
    assert request["status"] == 200 and request["attempts"] == 2
    assert [e["text"] for e in events if e["event"] == "say"] == ["Hello"]
    assert len(app.requests) == 1  # the dropped attempt never reached the app
    line = format_event(retry)
    assert f"POST {base}/menu failed ({retry['error']}: " in line and "retrying, attempt 2 of 2" in line
    assert format_event(request).endswith("← 200 (attempt 2)")


def test_when_the_retry_fails_too_the_trace_shows_both_attempts(serve_wsgi):
    base = serve_wsgi(FakeApp({"/menu": doc("<Say>Hello</Say>")}), drops=2)
    events = _call(f"{base}/menu")
    assert [e["event"] for e in events if e["event"] in ("retry", "request")][:2] == ["retry", "request"]
    first = next(e for e in events if e["event"] == "request")
    assert first["status"] is None and first["attempts"] == 2 and first["error"] in ("11205", "11206")


def test_no_retry_when_the_url_says_rc_0(serve_wsgi):
    base = serve_wsgi(FakeApp({"/menu": doc("<Say>Hello</Say>")}), drops=1)
    events = _call(f"{base}/menu#rc=0")
    assert [e for e in events if e["event"] == "retry"] == []
    first = next(e for e in events if e["event"] == "request")
    assert first["status"] is None and "attempts" not in first


def test_the_command_lines_timeline_and_trace_file_show_the_retry(serve_wsgi, tmp_path, capsys):
    base = serve_wsgi(FakeApp({"/menu": doc("<Say>Hello</Say>")}), drops=1)
    trace = tmp_path / "call.jsonl"
    assert main(["call", f"{base}/menu", "--trace", str(trace)]) == 0
    out = capsys.readouterr().out
    retry_line = next(line for line in out.splitlines() if "↻" in line)
    assert f"POST {base}/menu failed (" in retry_line and "retrying, attempt 2 of 2" in retry_line
    assert any(line.endswith("← 200 (attempt 2)") for line in out.splitlines())
    written = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [e["attempt"] for e in written if e["event"] == "retry"] == [1]


def test_a_retried_callback_is_traced_with_its_attribute(serve_wsgi):
    """Status callbacks are fetched by the same client: their retry names the callback too."""
    from ivr_studio.runtime.status_callbacks import StatusCallback

    app = FakeApp({"/menu": doc("<Hangup/>")})
    base = serve_wsgi(app)
    receiver = serve_wsgi(FakeApp({"/status": "ok"}), drops=1)
    engine = CallEngine(
        f"{base}/menu",
        HttpTransport(),
        clock=VirtualClock(),
        status_callback=StatusCallback.build(f"{receiver}/status"),
    )
    engine.start()
    engine.clock.run(stop=lambda: engine.ended)
    [retry] = engine.trace.of("retry")
    assert retry["callback"] == "statusCallback" and retry["url"] == f"{receiver}/status"
    [sent] = [e for e in engine.trace.of("request") if e.get("callback") == "statusCallback"]
    assert sent["status"] == 200 and sent["attempts"] == 2
