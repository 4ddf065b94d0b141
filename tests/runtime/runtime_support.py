"""Small WSGI apps and a one-call helper for runtime tests (virtual clock, in-process transport)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from ivr_studio.runtime.audio import VoiceIO
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import Event
from ivr_studio.runtime.script import ScriptRunner, parse_script, run_virtual
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.status_callbacks import StatusCallback
from ivr_studio.runtime.transports import WsgiTransport
from ivr_studio.voice.interfaces import AudioClip, AudioSink, MediaDecoder, RecognizerProvider

AUTH_TOKEN = "test-auth-token"


@dataclass
class Reply:
    body: str | bytes = "<Response/>"
    status: int = 200
    content_type: str | None = "text/xml"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Received:
    method: str
    url: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    raw_form: dict[str, list[str]] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, str]:
        return {**self.query, **self.form}


Route = str | Reply | Callable[["Received"], "Reply | str"]


class FakeApp:
    """Serves ``routes`` (path, or path?query → TwiML text, a Reply, or a function of the request)."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[Received] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode() if length else ""
        path = environ["PATH_INFO"]
        query = environ.get("QUERY_STRING", "")
        url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{path}" + (f"?{query}" if query else "")
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        req = Received(
            environ["REQUEST_METHOD"],
            url,
            path,
            dict(parse_qsl(query, keep_blank_values=True)),
            dict(parse_qsl(body, keep_blank_values=True)),
            headers,
            parse_qs(body, keep_blank_values=True),
        )
        self.requests.append(req)
        route = self.routes.get(f"{path}?{query}") if query else None
        if route is None:
            route = self.routes.get(path)
        if route is None:
            reply = Reply("not found", 404, "text/plain")
        else:
            reply = route(req) if callable(route) else route
        if isinstance(reply, str):
            reply = Reply(reply)
        data = reply.body.encode() if isinstance(reply.body, str) else reply.body
        headers_out = list(reply.headers)
        if reply.content_type:
            headers_out.append(("Content-Type", reply.content_type))
        start_response(f"{reply.status} X", headers_out)
        return [data]

    def to(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


def only(requests: list[Received]) -> Received:
    """The one request of a list (fails the test when there are none or several)."""
    assert len(requests) == 1, requests
    return requests[0]


def doc(inner: str) -> str:
    return f"<Response>{inner}</Response>"


class FixedTTS:
    """A synthesizer whose clips last ``seconds[text]`` (default 1 s), so tests control prompt length."""

    def __init__(self, seconds: dict[str, float] | None = None) -> None:
        self.seconds = seconds or {}

    def synthesize(self, text: str, language: str = "en-US", voice: str = "man") -> AudioClip:
        length = self.seconds.get(text, 1.0)
        return AudioClip(b"\x00\x00" * int(16000 * length))


@dataclass
class CallResult:
    engine: CallEngine
    app: FakeApp
    runner: ScriptRunner | None = None

    @property
    def trace(self) -> list[dict]:
        return self.engine.trace.events

    def events(self, kind: str) -> list[dict]:
        return [e for e in self.trace if e["event"] == kind]

    def said(self) -> list[str]:
        return [e["text"] for e in self.events("say")]

    @property
    def status(self) -> str | None:
        return self.engine.end_status

    def end_time(self) -> float:
        return self.events("call_end")[0]["t"]

    def codes(self, kind: str = "warning") -> list[str]:
        return [e["code"] for e in self.events(kind)]

    def allowed(self) -> list[str]:
        """What the steps marked ``may_be_ignored`` reported: ``step 2 (press) had no effect: …``."""
        assert self.runner is not None
        return [r.message() for r in self.runner.results if r.state in ("ignored", "not_run")]

    def time_of(self, kind: str, **match: Any) -> float:
        for e in self.trace:
            if e["event"] == kind and all(e.get(k) == v for k, v in match.items()):
                return e["t"]
        raise AssertionError(f"no {kind} {match} in trace: {self.trace}")


def call(
    routes: dict[str, Route] | FakeApp,
    steps: list[dict] | None = None,
    url: str = "https://a/menu",
    *,
    settings: RuntimeSettings | None = None,
    fallback_url: str | None = None,
    latency: float | Callable = 0.0,
    tts: FixedTTS | None = None,
    method: str = "POST",
    max_duration: float = 600.0,
    events: list[tuple[float, Event]] | None = None,
    sink: AudioSink | None = None,
    decoder: MediaDecoder | None = None,
    status_callback: StatusCallback | None = None,
    recognizers: RecognizerProvider | None = None,
) -> CallResult:
    """Run one scripted call against ``routes`` on a virtual clock.

    ``events`` are ``(call time, event)`` pairs delivered at those times, for what a script cannot say
    (a late ``SpeechEnded(ago=…)``, a final transcript with no words …).

    Every step must go as written: a step with no effect, or one the call ended before, fails the test
    unless the step says ``"may_be_ignored": True`` (a test about input the call must ignore says so).
    """
    app = routes if isinstance(routes, FakeApp) else FakeApp(routes)
    engine = CallEngine(
        url,
        WsgiTransport(app, latency=latency),
        settings=settings,
        voice=VoiceIO(synthesizer=tts, sink=sink, decoder=decoder, recognizers=recognizers),
        auth_token=AUTH_TOKEN,
        method=method,
        fallback_url=fallback_url,
        status_callback=status_callback,
    )
    for t, event in events or []:
        engine.clock.call_at(t, lambda e=event: engine.deliver(e))
    runner = run_virtual(engine, parse_script({"steps": steps or []}), max_duration=max_duration)
    assert runner.failures == [], f"the script did not go as written: {runner.failures}"
    return CallResult(engine, app, runner)
