"""A stand-in for the call engine that verbs run against: a virtual clock, a trace and recorded service calls.

A verb under test only sees :class:`~ivr_studio.runtime.activity.CallContext`, so these tests need no
webhook, no document and no engine: build the verb from a TwiML snippet, start it, deliver events at
chosen times and look at what it reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from ivr_studio.runtime.activity import Activity, Outcome
from ivr_studio.runtime.audio import VoiceIO
from ivr_studio.runtime.clock import VirtualClock
from ivr_studio.runtime.events import DialOutcome, Event
from ivr_studio.runtime.http_client import FetchResult
from ivr_studio.runtime.params import CallIdentity
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.status_callbacks import WallClock
from ivr_studio.runtime.trace import Trace
from ivr_studio.runtime.world import World
from ivr_studio.twiml.diagnostics import Diagnostic, error


@dataclass
class Sent:
    url: str
    method: str
    params: dict[str, str]
    t: float
    kind: str = ""


@dataclass
class FakeContext:
    """Implements ``CallContext``; everything a verb asks for is recorded with its call time."""

    settings: RuntimeSettings = field(default_factory=RuntimeSettings)
    doc_url: str | None = "https://app.example/doc"
    answered: bool = True
    pending_dial: DialOutcome | None = None
    clock: VirtualClock = field(default_factory=VirtualClock)
    voice: VoiceIO = field(default_factory=VoiceIO)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    callbacks: list[Sent] = field(default_factory=list)
    ignored: list[Sent] = field(default_factory=list)
    ends: list[tuple[float, Outcome | None]] = field(default_factory=list)
    app_errors: list[Diagnostic | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.trace = Trace(self.clock.now)
        self.identity = CallIdentity()
        self.wall = WallClock(self.clock.now, datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
        self.world = World(self.clock.now, self.trace.emit)
        self.documents: dict[str, str] = {}  # URL -> TwiML the fake serves to fetch_document
        self.fetched: list[Sent] = []

    def warn(self, code: str | int, message: str) -> None:
        self.warnings.append((str(code), message))

    def report_error(self, diagnostic: Diagnostic | None) -> None:
        if diagnostic is not None:
            self.errors.append(diagnostic)

    def fetch_media(self, url: str) -> FetchResult:
        return FetchResult(url, error=error(11200, "no media in a fake context"))

    def fetch_document(
        self, url: str, method: str, params: dict[str, str], what: str, leg: str
    ) -> FetchResult:
        self.fetched.append(Sent(url, method, dict(params), self.clock.now(), what))
        if url not in self.documents:
            return FetchResult(url, error=error(11200, f"HTTP 404 from {url}"))
        return FetchResult(url, kind="twiml", body=self.documents[url].encode())

    def send_callback(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        *,
        kind: str = "partialResultCallback",
        with_call_params: bool = True,
        keep: bool = False,
    ) -> None:
        self.callbacks.append(Sent(url, method, dict(params), self.clock.now(), kind))

    def in_background(self, job) -> None:  # noqa: ANN001 - Callable[[Background], None]
        job(_Background(self))

    def params(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**self.identity.standard_params("in-progress"), **(extra or {})}

    def request_ignored(self, url: str, method: str, extra: dict[str, str]) -> None:
        self.ignored.append(Sent(url, method, dict(extra), self.clock.now()))

    def take_pending_dial(self) -> DialOutcome | None:
        pending, self.pending_dial = self.pending_dial, None
        return pending

    def verb_done(self, activity: Activity, outcome: Outcome | None) -> None:
        self.ends.append((self.clock.now(), outcome))

    def application_error(self, diagnostic: Diagnostic | None = None) -> None:
        self.app_errors.append(diagnostic)

    # ----- driving a verb -----
    def run(self, activity: Activity, events: list[tuple[float, Event]] = (), until: float = 3600) -> None:
        """Start ``activity``, deliver each event at its time (when the verb wants it), run the clock."""
        for t, event in events:
            self.clock.call_at(t, lambda e=event: activity.wants(e) and activity.on_event(e))
        activity.start()
        self.clock.run(until=until, stop=lambda: bool(self.ends))

    def events(self, kind: str) -> list[dict[str, Any]]:
        return self.trace.of(kind)


class _Background:
    """The fake context's stand-in for a background job's tools: everything lands in the context at once."""

    def __init__(self, ctx: FakeContext) -> None:
        self.ctx = ctx

    def emit(self, kind: str, **fields: Any) -> None:
        self.ctx.trace.emit(kind, **fields)

    def warn(self, code: str | int, message: str) -> None:
        self.ctx.warn(code, message)

    def send(
        self, url: str, method: str, params: dict[str, str], *, kind: str, transport: Any = None
    ) -> None:
        self.ctx.callbacks.append(Sent(url, method, dict(params), self.ctx.clock.now(), kind))


def element(xml: str) -> etree._Element:
    return etree.fromstring(xml)
