"""Twilio tries a failed connection again (the URL's ``#rc``, once by default, spec §1.2): the retry is part
of what the call did, so the trace, the command line's timeline and the call panel show it — what failed,
that it was tried again, and how the next attempt went. Against a real server on 127.0.0.1 that drops the
first connections it accepts without answering."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from runtime_support import FakeApp, doc

from ivr_studio.cli import main
from ivr_studio.runtime import CallEngine, HttpTransport, VirtualClock
from ivr_studio.runtime.trace import format_event


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _DroppingServer(WSGIServer):
    """Closes the first ``drops`` connections as soon as it accepts them (no status line, nothing)."""

    drops = 1

    def verify_request(self, request, client_address) -> bool:  # noqa: ANN001 - socketserver's signature
        if self.drops > 0:
            self.drops -= 1
            return False  # socketserver then closes the connection unanswered
        return True


@pytest.fixture
def dropping_server() -> Iterator[Callable[[Callable, int], str]]:
    servers: list[WSGIServer] = []

    def serve(app: Callable, drops: int) -> str:
        httpd = make_server("127.0.0.1", 0, app, server_class=_DroppingServer, handler_class=_Quiet)
        httpd.drops = drops
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def _call(url: str) -> list[dict]:
    engine = CallEngine(url, HttpTransport(), clock=VirtualClock())
    engine.start()
    engine.clock.run(stop=lambda: engine.ended)
    return engine.trace.events


def test_a_dropped_first_connection_is_retried_once_and_the_trace_says_so(dropping_server):
    app = FakeApp({"/menu": doc("<Say>Hello</Say>")})
    base = dropping_server(app, 1)
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


def test_when_the_retry_fails_too_the_trace_shows_both_attempts(dropping_server):
    base = dropping_server(FakeApp({"/menu": doc("<Say>Hello</Say>")}), 2)
    events = _call(f"{base}/menu")
    assert [e["event"] for e in events if e["event"] in ("retry", "request")][:2] == ["retry", "request"]
    first = next(e for e in events if e["event"] == "request")
    assert first["status"] is None and first["attempts"] == 2 and first["error"] in ("11205", "11206")


def test_no_retry_when_the_url_says_rc_0(dropping_server):
    base = dropping_server(FakeApp({"/menu": doc("<Say>Hello</Say>")}), 1)
    events = _call(f"{base}/menu#rc=0")
    assert [e for e in events if e["event"] == "retry"] == []
    first = next(e for e in events if e["event"] == "request")
    assert first["status"] is None and "attempts" not in first


def test_the_command_lines_timeline_and_trace_file_show_the_retry(dropping_server, tmp_path, capsys):
    base = dropping_server(FakeApp({"/menu": doc("<Say>Hello</Say>")}), 1)
    trace = tmp_path / "call.jsonl"
    assert main(["call", f"{base}/menu", "--trace", str(trace)]) == 0
    out = capsys.readouterr().out
    retry_line = next(line for line in out.splitlines() if "↻" in line)
    assert f"POST {base}/menu failed (" in retry_line and "retrying, attempt 2 of 2" in retry_line
    assert any(line.endswith("← 200 (attempt 2)") for line in out.splitlines())
    written = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [e["attempt"] for e in written if e["event"] == "retry"] == [1]


def test_a_retried_callback_is_traced_with_its_attribute(dropping_server, serve_wsgi):
    """Status callbacks are fetched by the same client: their retry names the callback too."""
    from ivr_studio.runtime.status_callbacks import StatusCallback

    app = FakeApp({"/menu": doc("<Hangup/>")})
    base = serve_wsgi(app)
    receiver = dropping_server(FakeApp({"/status": "ok"}), 1)
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
