"""One exploring call: follow a path of caller inputs through a TwiML app and record what it answers.

The call runs in the real call runtime on a virtual clock, so the app sees exactly what Twilio would send.
A *decision point* is where the call waits for the outside world: a Gather listening for the caller, or a
Dial waiting for the callee. At the n-th decision point the driver gives the n-th input of the path (keys,
speech, silence, or a dial outcome); at the first decision point past the path it hangs up, so every call
ends right after the step it explores. Each TwiML document fetched is recorded in order with the decision
points between them, which is all the mapper needs.

Requests pass through :class:`RecordingTransport`, which keeps a request-rate limit (the app may be a
production server) and can stop the call before any ``<Dial>`` or ``<Record>`` runs: the document is
recorded as the app sent it, but the runtime gets it cut before that verb, so no call is placed and no
recording callback reaches the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ivr_studio.runtime import CallEngine, CallerHangup, DialOutcome, Dtmf, RuntimeSettings, VirtualClock
from ivr_studio.runtime.script import speech_events
from ivr_studio.runtime.transports import HttpRequest, HttpResponse, Transport
from ivr_studio.runtime.urls import Overrides
from ivr_studio.twiml.parse import parse_twiml

#: Seconds between two keys of a digit string (Twilio's keypad rate is far faster; any gap works).
KEY_GAP = 0.2
#: Verbs that reach the outside world when they run.
OUTSIDE_VERBS = ("Dial", "Record")


@dataclass(frozen=True)
class Input:
    """What the caller (or callee) does at a decision point."""

    kind: str  # "press" | "say" | "silence" | "dial"
    value: str = ""

    @property
    def label(self) -> str:
        if self.kind == "press":
            return f"key {self.value}"
        if self.kind == "say":
            return f'"{self.value}"'
        if self.kind == "dial":
            return f"dial {self.value}"
        return "silence"

    def script_steps(self) -> list[dict[str, Any]]:
        """This input as steps of a call script, starting when the decision point is reached."""
        if self.kind == "press":
            return [{"wait_for": "listening"}, {"press": self.value}]
        if self.kind == "say":
            return [{"wait_for": "listening"}, {"say": self.value}]
        if self.kind == "dial":
            return [{"dial_outcome": self.value}]
        return [{"wait_for": "listening"}]


@dataclass
class Fetch:
    """One document the app answered: the request's URL and method, the status, the body as sent."""

    url: str
    method: str
    status: int
    body: bytes
    content_type: str = ""

    @property
    def is_twiml(self) -> bool:
        head = self.body.lstrip()[:200]
        return head.startswith(b"<?xml") or head.startswith(b"<Response")


class RateLimiter:
    """At most ``per_second`` requests a second (0: no limit), on an injectable clock."""

    def __init__(
        self,
        per_second: float = 0.0,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.now = now
        self.sleep = sleep
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        t = self.now()
        if t < self._next:
            self.sleep(self._next - t)
            t = self._next
        self._next = t + self.interval


def cut_before_outside_verbs(body: bytes) -> bytes | None:
    """The document with its first top-level ``<Dial>``/``<Record>`` and what follows replaced by a
    ``<Hangup/>``; None when it has neither (or is not TwiML)."""
    parsed = parse_twiml(body)
    if not parsed.ok:
        return None
    verbs = parsed.verbs()
    index = next((i for i, v in enumerate(verbs) if v.tag in OUTSIDE_VERBS), None)
    if index is None:
        return None
    for v in verbs[index:]:
        parsed.root.remove(v)
    etree.SubElement(parsed.root, "Hangup")
    return etree.tostring(parsed.root, xml_declaration=True, encoding="UTF-8")


class RecordingTransport:
    """Wraps a transport: rate-limits requests, records every answer, optionally stops before Dial/Record."""

    def __init__(
        self,
        inner: Transport,
        limiter: RateLimiter,
        stop_before_outside: bool = False,
        budget: int | None = None,
    ) -> None:
        self.inner = inner
        self.limiter = limiter
        self.stop_before_outside = stop_before_outside
        self.budget = budget  # requests this call may still make; then the call is hung up
        self.out_of_budget = False
        self.requests = 0
        self.recording = True  # off once the explored step is over: later requests are not transitions
        self.log: list[tuple[str, Any]] = []
        self.stopped_before: list[int] = []  # indexes in ``log`` of documents cut before Dial/Record

    def send(self, request: HttpRequest, limits: Overrides, max_body: int) -> HttpResponse:
        if self.budget is not None and self.requests >= self.budget:
            # The app is not asked again: the call ends as if it had hung up (nothing is recorded).
            self.out_of_budget = True
            self.recording = False
            return HttpResponse(200, [("content-type", "text/xml")], b"<Response><Hangup/></Response>")
        self.limiter.wait()
        self.requests += 1
        response = self.inner.send(request, limits, max_body)
        fetch = Fetch(
            request.url, request.method, response.status, response.body, response.header("content-type") or ""
        )
        if not self.recording:
            return response
        self.log.append(("fetch", fetch))
        if self.stop_before_outside and fetch.is_twiml:
            cut = cut_before_outside_verbs(response.body)
            if cut is not None:
                self.stopped_before.append(len(self.log) - 1)
                return HttpResponse(response.status, response.headers, cut, response.latency)
        return response


@dataclass
class CallLog:
    """What one exploring call saw, in order: ``("fetch", Fetch)``, ``("decision", "gather" | "dial")``,
    ``("error", message)``; whether the path could be followed; how the call ended; its trace."""

    entries: list[tuple[str, Any]] = field(default_factory=list)
    diverged: str = ""
    status: str = ""
    trace: list[dict] = field(default_factory=list)
    stopped_before: set[int] = field(default_factory=set)  # id() of the fetches cut before Dial/Record
    out_of_budget: bool = False


def run_path(
    transport: Transport,
    url: str,
    path: tuple[Input, ...],
    *,
    limiter: RateLimiter,
    stop_before_outside: bool = False,
    settings: RuntimeSettings | None = None,
    auth_token: str = "",
    max_duration: float = 600.0,
    budget: int | None = None,
) -> tuple[CallLog, int]:
    """Place one call along ``path``; returns its log and the number of requests it made (at most
    ``budget``: past it the call is hung up and ``log.out_of_budget`` is set)."""
    recorder = RecordingTransport(transport, limiter, stop_before_outside, budget)
    clock = VirtualClock()
    engine = CallEngine(
        url, recorder, clock=clock, settings=settings or RuntimeSettings(), auth_token=auth_token
    )
    log = CallLog(entries=recorder.log)
    state = {"decisions": 0}

    def give(item: Input) -> None:
        if item.kind == "press":
            for i, key in enumerate(item.value):
                clock.call_later(i * KEY_GAP, lambda k=key: engine.deliver(Dtmf(k)))
        elif item.kind == "say":
            duration = max(0.6, 0.4 * len(item.value.split()))
            for offset, event in speech_events(item.value, duration, None, engine.settings.partial_interval):
                clock.call_later(offset, lambda e=event: engine.deliver(e))
        elif item.kind == "dial":
            engine.deliver(DialOutcome(item.value, duration=5.0 if item.value == "answered" else 0.0))

    def on_event(event: dict) -> None:
        kind = event["event"]
        decision = (
            "gather"
            if kind == "listening"
            else "dial"
            if kind == "dial" and event.get("status") == "ringing"
            else None
        )
        if decision is None:
            if kind == "request" and event.get("purpose", "twiml") != "twiml":
                recorder.log.append(("ignore", event.get("url", "")))  # media and callbacks are no documents
            return
        if not recorder.recording:
            return
        recorder.log.append(("decision", decision))
        n = state["decisions"]
        state["decisions"] += 1
        if n >= len(path):
            recorder.recording = False
            clock.post(lambda: engine.deliver(CallerHangup()))
            return
        item = path[n]
        if (item.kind == "dial") != (decision == "dial"):
            log.diverged = f"expected a {'Dial' if item.kind == 'dial' else 'Gather'} at step {n + 1}, found a {decision}"
            clock.post(lambda: engine.deliver(CallerHangup()))
            return
        clock.post(lambda: give(item))

    engine.trace.subscribe(on_event)
    limit = clock.now() + max_duration

    def time_up() -> None:
        if not engine.ended:
            engine.end_call("completed", "maximum duration")

    clock.call_at(limit, time_up)
    engine.start()
    clock.run(stop=lambda: engine.ended)
    if state["decisions"] < len(path) and not log.diverged:
        log.diverged = f"the call ended after {state['decisions']} of {len(path)} steps"
    log.entries = _without_ignored(recorder.log)
    log.status = next(
        (e.get("status", "") for e in reversed(engine.trace.events) if e["event"] == "call_end"), ""
    )
    log.trace = list(engine.trace.events)
    log.stopped_before = {id(recorder.log[i][1]) for i in recorder.stopped_before}
    log.out_of_budget = recorder.out_of_budget
    return log, recorder.requests


def _without_ignored(entries: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The log without the fetches a later ``("ignore", url)`` marks as media or callbacks."""
    out: list[tuple[str, Any]] = []
    for kind, value in entries:
        if kind == "ignore":
            for i in range(len(out) - 1, -1, -1):
                if out[i][0] == "fetch" and out[i][1].url.split("?")[0] == value.split("?")[0]:
                    del out[i]
                    break
            continue
        out.append((kind, value))
    return out
