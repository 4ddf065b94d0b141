"""The same rules over real HTTP: a threaded server on 127.0.0.1, and live calls on the real clock."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from runtime_support import AUTH_TOKEN, FakeApp, Received, Reply, doc
from twilio.request_validator import RequestValidator

from ivr_studio.runtime import (
    CallEngine,
    HttpTransport,
    RealClock,
    RuntimeSettings,
    VirtualClock,
    WsgiTransport,
)
from ivr_studio.runtime.events import SpeechPartial, SpeechStarted
from ivr_studio.runtime.live import LiveCall
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.trace import format_event

BYE = doc("<Hangup/>")
RELEASE = threading.Event()


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _slow(req: Received) -> str:
    RELEASE.wait(5)
    return BYE


def _signed_menu(req: Received) -> Reply | str:
    sig = req.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(AUTH_TOKEN).validate(req.url, req.form, sig):
        return Reply("bad signature", 403, "text/plain")
    if "Digits" in req.form:
        return Reply(doc(f"<Say>You chose {req.form['Digits']}</Say>"), headers=(("X-IVR-Node", "result"),))
    return Reply(
        doc('<Gather numDigits="1" timeout="1"><Say>Press a key</Say></Gather>'),
        headers=(("Set-Cookie", "visit=1"), ("X-IVR-Node", "menu")),
    )


@pytest.fixture
def server() -> Iterator[tuple[str, FakeApp]]:
    app = FakeApp(
        {
            "/menu": _signed_menu,
            "/moved": Reply("", 302, None, (("Location", "/menu"),)),
            "/slow": _slow,
            "/huge": Reply(b"<Response>" + b"<Pause/>" * 20000 + b"</Response>"),
        }
    )
    httpd = make_server("127.0.0.1", 0, app, server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    RELEASE.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", app
    RELEASE.set()
    httpd.shutdown()
    httpd.server_close()


def _virtual_call(url: str, steps: list[dict], **kw) -> CallEngine:
    engine = CallEngine(url, HttpTransport(), clock=VirtualClock(), auth_token=AUTH_TOKEN, **kw)
    runner = run_virtual(engine, parse_script({"steps": steps}))
    assert runner.failures == [], runner.failures
    return engine


def test_a_menu_over_http_with_signature_cookies_and_node_header(server):
    base, app = server
    engine = _virtual_call(f"{base}/menu", [{"wait_for": "listening"}, {"press": "4"}])
    statuses = [e["status"] for e in engine.trace.of("request")]
    assert statuses == [200, 200]
    assert [e["node"] for e in engine.trace.of("request")] == ["menu", "result"]
    assert [e["text"] for e in engine.trace.of("say")] == ["Press a key", "You chose 4"]
    assert app.requests[1].headers.get("Cookie") == "visit=1"
    assert all(e["elapsed_ms"] > 0 for e in engine.trace.of("request"))


def test_a_302_over_http_drops_the_body(server):
    base, app = server
    engine = _virtual_call(f"{base}/moved", [])
    assert app.requests[1].method == "GET" and app.requests[1].path == "/menu"
    assert engine.trace.of("say")[0]["text"] == "Press a key"


def test_a_slow_server_times_out_with_the_fragment_limit(server):
    base, _ = server
    engine = _virtual_call(f"{base}/slow#tt=300", [])
    assert [e["code"] for e in engine.trace.of("error")] == ["11205"]
    assert engine.app_error is not None
    assert engine.trace.of("request")[0]["timed_out"] is True  # what a load run counts as past the limit


def test_a_huge_document_is_refused_after_64_kb(server):
    base, _ = server
    engine = _virtual_call(f"{base}/huge", [])
    assert [e["code"] for e in engine.trace.of("error")] == ["11750"]


def test_a_refused_connection_is_an_application_error():
    engine = _virtual_call("http://127.0.0.1:9/menu#ct=200&rc=0", [])
    assert engine.trace.of("error")[0]["code"] == "11205"
    assert engine.end_status == "completed"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def test_a_refused_connection_fails_at_once_and_reads_as_failed():
    engine = _virtual_call(f"http://127.0.0.1:{_closed_port()}/menu#rc=0", [])
    error = engine.trace.of("error")[0]
    assert error["code"] == "11205" and "refused" in error["message"]
    assert error["t"] == 0.0  # no 15 s of call time is charged for a refusal
    request = engine.trace.of("request")[0]
    assert request["status"] is None and request["error"] == "11205"
    assert request["elapsed_ms"] < 5000
    assert "timed_out" not in request  # refused at once: not a response past the time limit
    assert format_event(request).endswith("← failed (11205)")


def test_a_timeout_still_costs_the_whole_time_limit(server):
    base, _ = server
    engine = _virtual_call(f"{base}/slow#tt=300", [])
    assert engine.trace.of("error")[0]["t"] == pytest.approx(0.3)
    assert engine.trace.of("request")[0]["elapsed_ms"] >= 300


def test_a_live_call_on_the_real_clock_takes_keys_from_another_thread(server):
    base, app = server
    settings = RuntimeSettings(say_words_per_second=100.0, say_overhead=0.0)
    engine = CallEngine(
        f"{base}/menu", HttpTransport(), clock=RealClock(), settings=settings, auth_token=AUTH_TOKEN
    )
    live = LiveCall(engine, max_duration=10)
    listening = threading.Event()
    live.subscribe(lambda e: listening.set() if e["event"] == "listening" else None)
    live.start()
    assert listening.wait(5)
    live.press("7")
    assert live.wait(5)
    assert app.requests[1].form["Digits"] == "7"
    assert engine.end_status == "completed"


def test_hanging_up_a_live_call(server):
    base, app = server
    engine = CallEngine(f"{base}/menu", HttpTransport(), clock=RealClock(), auth_token=AUTH_TOKEN)
    live = LiveCall(engine, max_duration=10)
    started = threading.Event()
    live.subscribe(lambda e: started.set() if e["event"] == "gather_start" else None)
    live.start()
    assert started.wait(5)
    live.hang_up()
    assert live.wait(5)
    assert engine.trace.of("hangup")[0]["reason"] == "caller hung up"
    assert len(app.requests) == 1


def test_partial_result_callbacks_share_one_thread_and_report_on_the_clock_thread():
    seen: list[tuple[threading.Thread, str]] = []
    arrived = threading.Semaphore(0)

    def partial(req: Received) -> Reply:
        seen.append((threading.current_thread(), req.headers.get("Cookie", "")))
        arrived.release()
        return Reply(BYE, headers=(("Set-Cookie", "from_callback=1"),))

    app = FakeApp(
        {
            "/menu": Reply(
                doc('<Gather input="speech" partialResultCallback="/p" action="/s"/>'),
                headers=(("Set-Cookie", "visit=1"),),
            ),
            "/p": partial,
            "/s": BYE,
        }
    )
    settings = RuntimeSettings(partial_interval=0.01)
    engine = CallEngine("http://a/menu", WsgiTransport(app), clock=RealClock(), settings=settings)
    live = LiveCall(engine, max_duration=10)
    listening, reported = threading.Event(), threading.Event()
    reporters: list[threading.Thread] = []

    def on_event(event: dict) -> None:
        if event["event"] == "listening":
            listening.set()
        if event["event"] == "request" and event["purpose"] == "callback":
            reporters.append(threading.current_thread())
            if len(reporters) == 3:
                reported.set()

    live.subscribe(on_event)
    live.start()
    assert listening.wait(5)
    live.post(SpeechStarted())
    for text in ("one", "one two", "one two three"):
        live.post(SpeechPartial(text))
        assert arrived.acquire(timeout=5)
    assert reported.wait(5)
    live.hang_up()
    assert live.wait(5)
    workers = {thread for thread, _ in seen}
    assert len(workers) == 1 and live._thread not in workers  # one callback thread, not the call's
    assert set(reporters) == {live._thread}  # trace records are emitted on the clock's thread
    assert [cookie for _, cookie in seen] == ["visit=1"] * 3  # the call's cookies, not the callback's
    assert engine.fetcher.cookies == {"a": {"visit": "1"}}
    worker = workers.pop()
    worker.join(5)
    assert not worker.is_alive()  # the thread ends with the call


def test_a_timeout_on_a_live_call_is_waited_for_once(server):
    base, _ = server
    # a timeout long enough that a busy machine's scheduling (up to a second here) cannot pass for a second one
    engine = CallEngine(f"{base}/slow#tt=1500", HttpTransport(), clock=RealClock(), auth_token=AUTH_TOKEN)
    call = LiveCall(engine, max_duration=10)
    call.start()
    call.wait(10)
    error = engine.trace.of("error")[0]
    assert error["code"] == "11205"
    # the real clock already spent the 1.5 s inside the request; no second 1.5 s is added on top
    assert 1.45 <= error["t"] < 2.6
