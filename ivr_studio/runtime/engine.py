"""The call engine: Twilio's execution model (spec §1) as an event-driven state machine on a clock.

One :class:`CallEngine` is one call. It fetches the first document, runs its verbs top to bottom, follows
transfers (Gather/Record/Dial actions, Redirect), applies the fallback URL and the application-error rule on
fetch failures (§5.2), and ends the call. Everything happens on the clock's thread: callers post events with
:meth:`CallEngine.post` (thread-safe) and watch :attr:`CallEngine.trace`. The one exception is a live call's
asynchronous webhooks (partialResultCallback): one thread per call sends them and posts their results back.

Every verb runs as an :class:`~ivr_studio.runtime.activity.Activity` built from the table in
:mod:`ivr_studio.runtime.verbs.registry`; the engine is the verbs' :class:`~ivr_studio.runtime.activity.CallContext`,
and an activity reports its end with :meth:`CallEngine.verb_done` (``None``: the next verb, or an
:class:`~ivr_studio.runtime.activity.Outcome`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from ivr_studio.runtime import codes
from ivr_studio.runtime.activity import Activity, Outcome
from ivr_studio.runtime.audio import VoiceIO
from ivr_studio.runtime.callbacks import Background, Callbacks
from ivr_studio.runtime.clock import Clock, VirtualClock
from ivr_studio.runtime.debugger import MAX_SHOWN_TWIML, Arrival, PendingRequest, RequestGate
from ivr_studio.runtime.events import (
    WORLD_EVENTS,
    CalleeInput,
    CallerHangup,
    DialOutcome,
    Dtmf,
    Event,
    SpeechEnded,
    SpeechFinal,
    SpeechPartial,
    SpeechStarted,
)
from ivr_studio.runtime.http_client import Fetcher, FetchResult
from ivr_studio.runtime.loop_guard import LoopGuard, transfer_cause
from ivr_studio.runtime.params import CallIdentity
from ivr_studio.runtime.player import PromptsActivity
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.status_callbacks import LegProgress, StatusCallback, WallClock
from ivr_studio.runtime.strict import strict_problem
from ivr_studio.runtime.trace import Trace
from ivr_studio.runtime.transports import Transport
from ivr_studio.runtime.urls import with_query
from ivr_studio.runtime.verbs.gather import GatherActivity
from ivr_studio.runtime.verbs.prompts import audio_segments, say_segments
from ivr_studio.runtime.verbs.registry import ACTIVITIES
from ivr_studio.runtime.world import World
from ivr_studio.twiml.diagnostics import Diagnostic, error
from ivr_studio.twiml.parse import parse_twiml


class CallEngine:
    """One emulated inbound call against a TwiML webhook.

    ``transport`` reaches the app (WSGI in process or HTTP); ``clock`` defaults to a new VirtualClock.
    ``status_callback`` is the call's own status callback (the phone number's, in Twilio's console), sent
    through ``callback_transport`` when the app's transport cannot reach it.
    """

    def __init__(
        self,
        url: str,
        transport: Transport,
        *,
        clock: Clock | None = None,
        settings: RuntimeSettings | None = None,
        voice: VoiceIO | None = None,
        identity: CallIdentity | None = None,
        auth_token: str = "",
        method: str = "POST",
        fallback_url: str | None = None,
        fallback_method: str = "POST",
        status_callback: StatusCallback | None = None,
        callback_transport: Transport | None = None,
    ) -> None:
        self.url = url
        self.method = method
        self.clock = clock or VirtualClock()
        self.settings = settings or RuntimeSettings()
        self.voice = voice or VoiceIO()
        self.identity = identity or CallIdentity()
        self.fallback_url = fallback_url
        self.fallback_method = fallback_method
        self.trace = Trace(self.clock.now, self.clock.now())
        self.fetcher = Fetcher(
            transport, self.settings, auth_token, self._on_request, lambda r: self.trace.emit("retry", **r)
        )
        self.doc_url: str | None = None
        self.doc_node: str | None = None  # the node the running document is for (X-IVR-Node), if named
        #: Asked before each request for TwiML and before each document runs; may hold the call there
        #: (the editor's call debugger, :mod:`ivr_studio.runtime.debugger`). None: never held.
        self.gate: RequestGate | None = None
        self.verbs: list[etree._Element] = []
        self.index = 0
        self.activity: Activity | None = None
        self.answered = False
        self.answered_at: float | None = None
        self.ended = False
        self.end_status: str | None = None
        self.app_error: Diagnostic | None = None
        self.pending_dial: DialOutcome | None = None
        self.type_ahead: list[str] = []
        self._fetches = 0
        self._loops = LoopGuard(self.clock, self.settings)
        self._end_listeners: list[Callable[[CallEngine], None]] = []
        self._ending_listeners: list[Callable[[], None]] = []
        self._documents = 0  # documents run so far (the trial notice plays before the first)
        self._callbacks = Callbacks(self.fetcher, self.clock, self.trace.emit)
        self.wall = WallClock(self.clock.now)
        self.world = World(self.clock.now, self.trace.emit, self.settings.max_queue_size)
        self.progress: LegProgress | None = None
        if status_callback is not None:
            self.progress = LegProgress(
                status_callback,
                self.identity.standard_params,
                lambda url, method, params: self.send_callback(
                    url,
                    method,
                    params,
                    kind="statusCallback",
                    with_call_params=False,
                    keep=True,
                    transport=callback_transport,
                ),
                self.wall,
            )

    # ----- public API -----
    def start(self) -> None:
        """Place the call: the first fetch runs on the clock's thread."""
        self.clock.post(self._place)

    def _place(self) -> None:
        if self.progress is not None:
            self.progress.fire("initiated")
            self.progress.fire("ringing")
        self.request(self.url, self.method, {})

    def post(self, event: Event) -> None:
        """Hand the call an event (a key, speech, hang-up, dial outcome). Thread-safe."""
        self.clock.post(lambda: self.deliver(event))

    def hang_up(self) -> None:
        """The caller hangs up (thread-safe)."""
        self.post(CallerHangup())

    def on_end(self, listener: Callable[[CallEngine], None]) -> None:
        self._end_listeners.append(listener)

    def on_ending(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` once as the call ends, before ``hangup`` and ``call_end`` are traced, so what
        it traces (a script step the call ended before) still belongs to the call."""
        self._ending_listeners.append(listener)

    @property
    def elapsed(self) -> float:
        return self.clock.now() - self.trace.t0

    # ----- services for verbs -----
    def warn(self, code: str | int, message: str) -> None:
        self.trace.emit("warning", code=str(code), message=message)

    def report_error(self, diagnostic: Diagnostic | None) -> None:
        if diagnostic is not None:
            self.trace.emit("error", code=diagnostic.code, message=diagnostic.message)

    def params(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        status = "ringing" if self._fetches == 0 and not self.answered else "in-progress"
        return {**self.identity.standard_params(status), **(extra or {})}

    def fetch_document(
        self, url: str, method: str, params: dict[str, str], what: str, leg: str
    ) -> FetchResult:
        """A document a verb runs inside itself (a waitUrl, a whisper): fetched with exactly ``params``; its
        request record says ``document`` (what it is for) and, off the caller's leg, ``leg``."""
        fields = {"document": what, **({"leg": leg} if leg != "caller" else {})}
        fetcher = Fetcher(
            self.fetcher.transport,
            self.settings,
            self.fetcher.auth_token,
            lambda r: self._on_request({**r, **fields}),
        )
        fetcher.cookies = self.fetcher.cookies  # the call's cookie jar: the app sees one browser
        why = self._loops.inner_request()
        if why:  # wait music that redirects to itself and takes no time (§2.10)
            self._stop_loop(why)
            return FetchResult(url, error=self.app_error)
        result = fetcher.fetch(url, method, params)
        for w in result.warnings:
            self.warn(w.code, w.message)
        return result

    def fetch_media(self, url: str) -> FetchResult:
        """GET media for ``<Play>``: no call parameters (§4.2)."""
        result = self.fetcher.fetch(url, "GET", {}, purpose="media")
        for w in result.warnings:
            self.warn(w.code, w.message)
        return result

    def send_callback(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        *,
        kind: str = "partialResultCallback",
        with_call_params: bool = True,
        keep: bool = False,
        transport: Transport | None = None,
    ) -> None:
        """An asynchronous webhook whose response is ignored; see :mod:`ivr_studio.runtime.callbacks`.

        ``params`` are added to the call's standard parameters unless ``with_call_params`` is false.
        """
        full = self.params(params) if with_call_params else dict(params)
        self._callbacks.send(url, method, full, kind=kind, keep=keep, transport=transport)

    def in_background(self, job: Callable[[Background], None]) -> None:
        """Run slow work that reports on the call (a transcription) off the clock's thread on a live call,
        at once on virtual time; it still runs when the call ends first."""
        self._callbacks.background(job, keep=True)

    @property
    def callbacks_idle(self) -> bool:
        """Every callback that reports on the call has been answered (a live call waits for them)."""
        return self._callbacks.idle

    def join_background(self, timeout: float | None = None) -> bool:
        """Wait until the call's background thread (callbacks, a transcription) has ended after the call;
        True when it has (or never ran)."""
        return self._callbacks.join(timeout)

    def request_ignored(self, url: str, method: str, extra: dict[str, str]) -> None:
        """A request sent now whose response is ignored (the call is over, or nothing listens)."""
        self.fetcher.fetch(url, method, self.params(extra))

    def take_pending_dial(self) -> DialOutcome | None:
        pending, self.pending_dial = self.pending_dial, None
        return pending

    def verb_done(self, activity: Any, outcome: Outcome | None) -> None:
        """An activity finished: go on with the next verb, transfer, or hang up."""
        if activity is not self.activity or self.ended:
            return
        self.activity = None
        if outcome is None:
            self.clock.post(self._next_verb)
        elif outcome.kind == "transfer":
            verb = str(getattr(getattr(activity, "el", None), "tag", "") or "")
            self.request(
                outcome.url, outcome.method, outcome.params, cause=transfer_cause(activity), verb=verb
            )
        else:
            self.end_call(outcome.status, outcome.reason or "hangup")

    def application_error(self, diagnostic: Diagnostic | None = None) -> None:
        """Twilio's canned message, then hang up (§5.2 step 3)."""
        if self.ended:
            return
        if self.activity is not None:
            self.activity.stop()
            self.activity = None
        self.app_error = diagnostic or self.app_error or error(11200, "Application error")
        self._answer()
        built = say_segments(self, self.settings.application_error_text)
        self._run_activity(
            PromptsActivity(
                self, segments=built.segments, outcome=Outcome("hangup", reason="application error")
            )
        )

    def end_call(self, status: str, reason: str) -> None:
        if self.ended:
            return
        if self.activity is not None:
            activity, self.activity = self.activity, None
            activity.stop()
        if status == "completed" and not self.answered:
            self._answer()
        self.ended = True
        self.end_status = status
        duration = 0.0 if self.answered_at is None else self.clock.now() - self.answered_at
        for ending in list(self._ending_listeners):
            ending()
        self.trace.emit("hangup", reason=reason)
        self.trace.emit("call_end", status=status, duration=round(duration, 3), answered=self.answered)
        if self.progress is not None:
            self.progress.fire("completed", status, duration)
        self._callbacks.close()
        for listener in list(self._end_listeners):
            listener(self)

    # ----- fetching -----
    def _on_request(self, record: dict) -> None:
        lookups = record.pop("lookups", None) or []
        self.trace.emit("request", **record)
        for lookup in lookups:  # the handler's back-end requests during this webhook request
            self.trace.emit("lookup", **{k: v for k, v in lookup.items() if k not in ("t", "event")})

    def request(
        self,
        url: str,
        method: str,
        extra: dict[str, str],
        *,
        fallback_try: int = 0,
        cause: str = "",
        verb: str = "",
    ) -> None:
        """Fetch a document and run it when it arrives (after its simulated latency).

        ``fallback_try`` is 0 for an ordinary fetch and n for the n-th request of the fallback URL (§5.2).
        ``cause`` says which verb asked for it ("an empty <Redirect/>"), for the loop warnings; ``verb`` is
        that verb's name, for the debugger.
        """
        if self.ended:
            return
        gate = self.gate
        if gate is not None:
            pending = PendingRequest(
                url,
                method,
                self.params(extra),
                self.doc_node,
                self.elapsed,
                self._cookies(),
                self.doc_url,
                verb,
            )
            proceed = self._later(lambda: self._send(url, method, extra, fallback_try, cause))
            if gate.hold_request(pending, proceed):
                return
        self._send(url, method, extra, fallback_try, cause)

    def _later(self, fn: Callable[[], None]) -> Callable[[], None]:
        """``fn`` made safe to call from any thread, also once the call may have ended (a gate's proceed)."""

        def run() -> None:
            if not self.ended:
                fn()

        return lambda: self.clock.post_first(run)  # before what the caller did while the call was held

    def _cookies(self) -> dict[str, dict[str, str]]:
        return {host: dict(jar) for host, jar in self.fetcher.cookies.items()}

    def _send(self, url: str, method: str, extra: dict[str, str], fallback_try: int, cause: str) -> None:
        """The request itself (after the gate, if any, let it go)."""
        verdict = self._loops.request(url, method, extra, cause)
        if verdict.warning:
            self.warn(codes.LOOP_WARNING, verdict.warning)
        if verdict.stop:
            self._stop_loop(verdict.stop)
            return
        first = self._fetches == 0
        params = self.params(extra)
        self._fetches += 1
        asked_at = self.clock.now()
        result = self.fetcher.fetch(url, method, params)
        for w in result.warnings:
            self.warn(w.code, w.message)

        def arrive() -> None:
            if self.ended:
                return
            if not result.ok:
                self._fetch_failed(url, result.error, fallback_try, first)
                return
            doc_url = self._document_url(result, url, method, params)

            def run() -> None:
                self.doc_node = result.node
                self._run_response(result, url, doc_url, fallback_try, first)

            gate = self.gate
            if gate is not None:
                arrival = Arrival(
                    result.node,
                    url,
                    method,
                    params,
                    result.status,
                    self.elapsed,
                    self._cookies(),
                    result.report.path,
                    result.report.lookups,
                    result.body[:MAX_SHOWN_TWIML].decode("utf-8", "replace"),
                    result.report.values,
                )
                if gate.hold_document(arrival, self._later(run)):
                    return
            run()

        # ``latency`` is how much call time the fetch takes (a timeout, a test transport's delay). On the real
        # clock the wait already happened while the request ran, so only the part not yet spent remains.
        remaining = result.latency - (self.clock.now() - asked_at)
        if remaining > 0:
            self.clock.call_later(remaining, arrive)
        else:
            arrive()

    def _stop_loop(self, why: str) -> None:
        self.app_error = error(codes.LOOP_STOPPED, f"The call loops without end: {why}; it was stopped")
        self.report_error(self.app_error)
        self.end_call("completed", "loop stopped")

    def _fetch_failed(self, url: str, err: Diagnostic | None, fallback_try: int, first: bool) -> None:
        err = err or error(11200, f"Fetching {url} failed")
        self.report_error(err)
        if fallback_try == 0:
            use_fallback = first or self.settings.fallback_for_all_fetches
        else:  # §5.2 step 4: a failed fallback is not requested again, unless retry_fallback
            use_fallback = self.settings.retry_fallback and fallback_try == 1
        if self.fallback_url and use_fallback:
            extra = {"ErrorCode": err.code, "ErrorUrl": url}
            self.request(self.fallback_url, self.fallback_method, extra, fallback_try=fallback_try + 1)
            return
        self.application_error(err)

    def _document_url(self, result: FetchResult, url: str, method: str, params: dict[str, str]) -> str:
        """The current document URL for relative URLs and re-requests (§1.6).

        After a 3xx it is the final URL or the requested one (``redirect_base_is_final_url``). It is the URL as
        configured, unless ``strip_added_params_on_rerequest`` is off: then a GET document's URL keeps the
        call parameters Twilio appended to its query, and a re-request appends them again.
        """
        if self.settings.strip_added_params_on_rerequest:
            return result.url if self.settings.redirect_base_is_final_url else url
        if self.settings.redirect_base_is_final_url:
            return result.sent_url or result.url
        return with_query(url, params) if method == "GET" else url

    def _run_response(
        self, result: FetchResult, url: str, doc_url: str, fallback_try: int, first: bool
    ) -> None:
        if result.kind == "twiml":
            parsed = parse_twiml(result.body)
            for d in parsed.diagnostics:
                if not d.is_error:
                    self.warn(d.code, d.message)
            fatal = parsed.fatal if not parsed.ok else None
            if fatal is None and self.settings.strict_twiml:
                fatal = strict_problem(parsed.diagnostics, parsed.verbs())
            if not parsed.ok or fatal is not None:
                self._fetch_failed(url, fatal, fallback_try, first)
                return
            self.doc_url = doc_url
            self.verbs = parsed.verbs()
            self.index = 0
            notice = self._trial_notice(first_verb=self.verbs[0].tag if self.verbs else None)
            if notice:
                self._run_activity(PromptsActivity(self, segments=notice))
            else:
                self._next_verb()
            return
        self.doc_url = doc_url
        notice = self._trial_notice(first_verb=None)
        self._answer()
        if result.kind == "audio":
            built = audio_segments(self, result.url, result.body, result.content_type)
            reason = "end of audio response"
        else:
            text = result.body.decode("utf-8", errors="replace")
            built = say_segments(self, " ".join(text.split()))
            reason = "end of text response"
        self._run_activity(
            PromptsActivity(self, segments=notice + built.segments, outcome=Outcome("hangup", reason=reason))
        )

    def _trial_notice(self, first_verb: str | None) -> list:
        """§3: a trial account's notice, spoken once before the call's first document runs (answers the call).

        A first-verb ``<Reject>`` leaves the call unanswered, so it gets no notice.
        """
        self._documents += 1
        if self._documents > 1 or not self.settings.trial_notice or first_verb == "Reject":
            return []
        self._answer()
        return say_segments(self, self.settings.trial_notice_text).segments

    # ----- executing verbs -----
    def _answer(self) -> None:
        if not self.answered:
            self.answered = True
            self.answered_at = self.clock.now()
            self.trace.emit("answer")
            if self.progress is not None:
                self.progress.fire("answered")

    def _run_activity(self, activity: Activity) -> None:
        self.activity = activity
        activity.start()

    def _next_verb(self) -> None:
        if self.ended or self.activity is not None:
            return
        if self.index >= len(self.verbs):
            self.end_call("completed", "end of document")
            return
        el = self.verbs[self.index]
        self.index += 1
        tag = el.tag
        first_pause = tag == "Pause" and not self.answered and self.index == 1
        if tag != "Reject" and not first_pause:
            self._answer()
        factory = ACTIVITIES.get(tag)
        if factory is None:
            self.warn(
                codes.UNSUPPORTED_VERB, f"<{tag}> is not supported by the local runtime; it was skipped"
            )
            self.clock.post(self._next_verb)
            return
        activity = factory(self, el)
        self._run_activity(activity)
        if isinstance(activity, GatherActivity):
            self._feed_type_ahead()  # §1.8: keys kept from before (setting type_ahead) go to the next Gather

    def _feed_type_ahead(self) -> None:
        keys, self.type_ahead = self.type_ahead, []
        for key in keys:
            self.deliver(Dtmf(key))

    # ----- caller events -----
    def deliver(self, event: Event) -> bool:
        """Handle an event now; only on the clock's thread (other threads use :meth:`post`). Returns whether
        it had an effect: a verb took it, or it changed the world around the call (a queue, a conference)."""
        if self.ended:
            return False
        if isinstance(event, CallerHangup):
            if self.activity is not None:
                self.activity.on_caller_hangup()
            self.end_call("completed" if self.answered else "canceled", "caller hung up")
            return True
        if isinstance(event, DialOutcome) and (self.activity is None or not self.activity.wants(event)):
            self.pending_dial = event
            return False
        wanted = self.activity is not None and self.activity.wants(event)
        heard = event.event if isinstance(event, CalleeInput) else event
        leg = {"leg": "callee"} if isinstance(event, CalleeInput) else {}
        if isinstance(heard, Dtmf):
            buffered = not wanted and not leg and self.settings.type_ahead
            if buffered:
                self.type_ahead.append(heard.key)
            self.trace.emit("dtmf", key=heard.key, accepted=wanted or buffered, **leg)
            wanted = wanted or buffered
        elif isinstance(heard, (SpeechStarted, SpeechPartial, SpeechFinal, SpeechEnded)):
            self._trace_speech(heard, wanted, leg)
        if self.activity is not None and self.activity.wants(event):
            self.activity.on_event(event)
            return True
        if isinstance(event, WORLD_EVENTS):
            why = self.world.apply(event)
            return not why
        return wanted

    def _trace_speech(self, event: Event, wanted: bool, leg: dict[str, str]) -> None:
        phase = {SpeechStarted: "start", SpeechPartial: "partial", SpeechFinal: "final", SpeechEnded: "end"}[
            type(event)
        ]
        fields: dict[str, Any] = {"phase": phase, "accepted": wanted}
        if isinstance(event, (SpeechPartial, SpeechFinal)):
            fields["text"] = event.text
        if isinstance(event, SpeechFinal):
            fields["confidence"] = event.confidence
        if isinstance(event, SpeechEnded) and event.ago:
            fields["ago"] = round(event.ago, 3)
        if isinstance(event, (SpeechStarted, SpeechEnded)) and event.pending:
            fields["pending"] = True
        self.trace.emit("speech", **fields, **leg)

