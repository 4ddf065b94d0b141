"""The call engine: Twilio's execution model (spec §1) as an event-driven state machine on a clock.

One :class:`CallEngine` is one call. It fetches the first document, runs its verbs top to bottom, follows
transfers (Gather/Record/Dial actions, Redirect), applies the fallback URL and the application-error rule on
fetch failures (§5.2), and ends the call. Everything happens on the clock's thread: callers post events with
:meth:`CallEngine.post` (thread-safe) and watch :attr:`CallEngine.trace`. The one exception is a live call's
asynchronous webhooks (partialResultCallback): one thread per call sends them and posts their results back.

A verb that takes time is an *activity* with ``start()``, ``wants(event)``, ``on_event(event)`` and
``stop()``; it reports back through :meth:`CallEngine.verb_done` with ``None`` (next verb) or an
:class:`Outcome`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from lxml import etree

from ivr_studio.runtime import codes
from ivr_studio.runtime.audio import VoiceIO
from ivr_studio.runtime.clock import Clock, VirtualClock
from ivr_studio.runtime.events import (
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
from ivr_studio.runtime.params import CallIdentity
from ivr_studio.runtime.player import PromptPlayer
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.strict import strict_problem
from ivr_studio.runtime.trace import Trace
from ivr_studio.runtime.transports import Transport
from ivr_studio.runtime.urls import resolve, with_query
from ivr_studio.runtime.verbs.prompts import audio_segments, say_segments
from ivr_studio.twiml.diagnostics import Diagnostic, error
from ivr_studio.twiml.parse import parse_twiml
from ivr_studio.twiml.rules import read_verb


class Activity(Protocol):
    def start(self) -> None: ...

    def wants(self, event: Event) -> bool: ...

    def on_event(self, event: Event) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """A verb ends the document: request ``url`` (transfer) or hang up."""

    kind: str  # "transfer" | "hangup"
    url: str = ""
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    status: str = "completed"
    reason: str = ""


class _Prompts:
    """Audio the caller hears, then ``outcome`` (None: go on with the next verb).

    Top-level Say/Play/Pause (keys are not wanted, §1.8), and announcements made of ready segments: the
    application-error message and text/plain or audio responses (which hang up after) and the trial notice.
    Everything goes through the same player as Say/Play, so it is heard on a live call and stops on hang-up.
    """

    def __init__(
        self,
        call: CallEngine,
        el: etree._Element | None = None,
        *,
        segments: list | None = None,
        outcome: Outcome | None = None,
    ) -> None:
        self.call = call
        self.outcome = outcome
        self.player = PromptPlayer(call, [] if el is None else [el], self._done, segments=segments or ())

    def start(self) -> None:
        self.player.start()

    def _done(self) -> None:
        self.call.verb_done(self, self.outcome)

    def wants(self, event: Event) -> bool:
        return False

    def on_event(self, event: Event) -> None:
        pass

    def stop(self) -> None:
        self.player.stop()


class _CallbackWorker:
    """The one thread of a live call that sends its asynchronous webhooks, in order (partialResultCallback).

    A slow server makes the jobs queue here instead of piling up threads. Jobs touch no engine state and hand
    their results to the clock's thread. After :meth:`close` the jobs not yet started are dropped.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._closed = False
        self.thread = threading.Thread(target=self._run, name="ivr-callbacks", daemon=True)
        self.thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def close(self) -> None:
        self._closed = True
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if not self._closed:
                job()


class CallEngine:
    """One emulated inbound call against a TwiML webhook.

    ``transport`` reaches the app (WSGI in process or HTTP); ``clock`` defaults to a new VirtualClock.
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
        self.fetcher = Fetcher(transport, self.settings, auth_token, self._on_request)
        self.doc_url: str | None = None
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
        self._last_key: tuple | None = None
        self._same_count = 0
        self._last_fetch_t: float | None = None
        self._instant = 0
        self._end_listeners: list[Callable[[CallEngine], None]] = []
        self._documents = 0  # documents run so far (the trial notice plays before the first)
        self._callbacks: _CallbackWorker | None = None  # started by the first callback on a real clock

    # ----- public API -----
    def start(self) -> None:
        """Place the call: the first fetch runs on the clock's thread."""
        self.clock.post(lambda: self.request(self.url, self.method, {}))

    def post(self, event: Event) -> None:
        """Hand the call an event (a key, speech, hang-up, dial outcome). Thread-safe."""
        self.clock.post(lambda: self.deliver(event))

    def hang_up(self) -> None:
        """The caller hangs up (thread-safe)."""
        self.post(CallerHangup())

    def on_end(self, listener: Callable[[CallEngine], None]) -> None:
        self._end_listeners.append(listener)

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

    def fetch_media(self, url: str) -> FetchResult:
        """GET media for ``<Play>``: no call parameters (§4.2)."""
        result = self.fetcher.fetch(url, "GET", {}, purpose="media")
        for w in result.warnings:
            self.warn(w.code, w.message)
        return result

    def send_callback(self, url: str, method: str, extra: dict[str, str]) -> None:
        """An asynchronous webhook whose response is ignored (partialResultCallback, §2.9).

        It gets its own client with a snapshot of the call's cookies (its Set-Cookie is not kept). On the
        virtual clock it is sent at once; on a real clock the call's one callback thread sends it, in order,
        and its ``request`` record and any failure come back to the clock's thread with ``clock.post``.
        """
        params = self.params(extra)
        cookies = {host: dict(jar) for host, jar in self.fetcher.cookies.items()}
        if isinstance(self.clock, VirtualClock):
            self._callback(url, method, params, cookies, self._on_request)
            return
        if self._callbacks is None:
            self._callbacks = _CallbackWorker()
        post = self.clock.post

        def report(record: dict) -> None:
            post(lambda: self._on_request(record))

        self._callbacks.submit(lambda: self._callback(url, method, params, cookies, report))

    def _callback(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        cookies: dict[str, dict[str, str]],
        on_request: Callable[[dict], None],
    ) -> None:
        """Send one callback; touches no engine state (it may run off the clock's thread)."""
        fetcher = Fetcher(self.fetcher.transport, self.settings, self.fetcher.auth_token, on_request)
        fetcher.cookies = cookies
        try:
            result = fetcher.fetch(url, method, params, purpose="callback")
        except Exception as exc:  # a bug here must not kill the callback thread
            result = FetchResult(url, error=error(11200, f"{type(exc).__name__}: {exc}"))
        if not result.ok and result.error is not None:
            err = result.error
            self.clock.post(lambda: self.warn(err.code, f"Callback failed (ignored): {err.message}"))

    def verb_done(self, activity: Any, outcome: Outcome | None) -> None:
        """An activity finished: go on with the next verb, transfer, or hang up."""
        if activity is not self.activity or self.ended:
            return
        self.activity = None
        if outcome is None:
            self.clock.post(self._next_verb)
        elif outcome.kind == "transfer":
            self.request(outcome.url, outcome.method, outcome.params)
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
            _Prompts(self, segments=built.segments, outcome=Outcome("hangup", reason="application error"))
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
        if self._callbacks is not None:
            self._callbacks.close()
        duration = 0.0 if self.answered_at is None else self.clock.now() - self.answered_at
        self.trace.emit("hangup", reason=reason)
        self.trace.emit("call_end", status=status, duration=round(duration, 3), answered=self.answered)
        for listener in list(self._end_listeners):
            listener(self)

    # ----- fetching -----
    def _on_request(self, record: dict) -> None:
        self.trace.emit("request", **record)

    def request(self, url: str, method: str, extra: dict[str, str], *, fallback_try: int = 0) -> None:
        """Fetch a document and run it when it arrives (after its simulated latency).

        ``fallback_try`` is 0 for an ordinary fetch and n for the n-th request of the fallback URL (§5.2).
        """
        if self.ended:
            return
        if self._loop_guard(url, method, extra):
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
            else:
                doc_url = self._document_url(result, url, method, params)
                self._run_response(result, url, doc_url, fallback_try, first)

        # ``latency`` is how much call time the fetch takes (a timeout, a test transport's delay). On the real
        # clock the wait already happened while the request ran, so only the part not yet spent remains.
        remaining = result.latency - (self.clock.now() - asked_at)
        if remaining > 0:
            self.clock.call_later(remaining, arrive)
        else:
            arrive()

    def _loop_guard(self, url: str, method: str, extra: dict[str, str]) -> bool:
        now = self.clock.now()
        self._instant = self._instant + 1 if now == self._last_fetch_t else 0
        self._last_fetch_t = now
        key = (method, url, tuple(sorted(extra.items())))
        self._same_count = self._same_count + 1 if key == self._last_key else 1
        self._last_key = key
        if self._same_count == self.settings.loop_warn_after:
            self.warn(
                codes.LOOP_WARNING,
                f"{method} {url} was requested {self._same_count} times in a row: the call may be looping "
                "(a Gather without action posts back to its own document, §2.10)",
            )
        stop = None
        if self._same_count >= self.settings.loop_stop_after:
            stop = f"{method} {url} was requested {self._same_count} times in a row"
        elif self._instant >= self.settings.max_instant_fetches:
            stop = f"{self._instant} requests without any call time passing"
        if stop:
            self.app_error = error(codes.LOOP_STOPPED, f"The call loops without end: {stop}; it was stopped")
            self.report_error(self.app_error)
            self.end_call("completed", "loop stopped")
            return True
        return False

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
                self._run_activity(_Prompts(self, segments=notice))
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
            _Prompts(self, segments=notice + built.segments, outcome=Outcome("hangup", reason=reason))
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
        if tag in ("Say", "Play", "Pause"):
            self._run_activity(_Prompts(self, el))
        elif tag == "Gather":
            from ivr_studio.runtime.verbs.gather import GatherActivity

            self._run_activity(GatherActivity(self, el))
            self._feed_type_ahead()
        elif tag == "Redirect":
            self._redirect(el)
        elif tag == "Hangup":
            self.end_call("completed", "<Hangup>")
        elif tag == "Reject":
            self._reject(el)
        elif tag == "Dial":
            from ivr_studio.runtime.verbs.dial import DialActivity

            self._run_activity(DialActivity(self, el))
        elif tag == "Record":
            from ivr_studio.runtime.verbs.record import RecordActivity

            self._run_activity(RecordActivity(self, el))
        else:
            self.warn(
                codes.UNSUPPORTED_VERB, f"<{tag}> is not supported by the local runtime; it was skipped"
            )
            self.clock.post(self._next_verb)

    def _redirect(self, el: etree._Element) -> None:
        attrs = read_verb(el)
        for d in attrs.diagnostics:
            self.warn(d.code, d.message)
        url = resolve(self.doc_url, (el.text or "").strip())
        self.trace.emit("redirect", url=url, method=attrs["method"])
        self.request(url, attrs["method"], {})

    def _reject(self, el: etree._Element) -> None:
        attrs = read_verb(el)
        for d in attrs.diagnostics:
            self.warn(d.code, d.message)
        if self.answered:
            if self.settings.reject_after_answer == "ignore":
                self.warn(
                    codes.REJECT_AFTER_ANSWER, "<Reject> after the call was answered was skipped (§4.6)"
                )
                self.clock.post(self._next_verb)
                return
            self.warn(
                codes.REJECT_AFTER_ANSWER, "<Reject> after the call was answered acts as <Hangup> (§4.6)"
            )
            self.end_call("completed", "<Reject> after answer")
            return
        status = "busy" if attrs["reason"] == "busy" else self.settings.rejected_status
        self.end_call(status, f"<Reject reason={attrs['reason']}>")

    def _feed_type_ahead(self) -> None:
        keys, self.type_ahead = self.type_ahead, []
        for key in keys:
            self.deliver(Dtmf(key))

    # ----- caller events -----
    def deliver(self, event: Event) -> None:
        """Handle an event now; only on the clock's thread (other threads use :meth:`post`)."""
        if self.ended:
            return
        if isinstance(event, CallerHangup):
            activity = self.activity
            if activity is not None and hasattr(activity, "on_caller_hangup"):
                activity.on_caller_hangup()  # type: ignore[attr-defined]
            self.end_call("completed" if self.answered else "canceled", "caller hung up")
            return
        if isinstance(event, DialOutcome) and (self.activity is None or not self.activity.wants(event)):
            self.pending_dial = event
            return
        wanted = self.activity is not None and self.activity.wants(event)
        if isinstance(event, Dtmf):
            buffered = not wanted and self.settings.type_ahead
            if buffered:
                self.type_ahead.append(event.key)
            self.trace.emit("dtmf", key=event.key, accepted=wanted or buffered)
        elif isinstance(event, (SpeechStarted, SpeechPartial, SpeechFinal, SpeechEnded)):
            self._trace_speech(event, wanted)
        if wanted and self.activity is not None:
            self.activity.on_event(event)

    def _trace_speech(self, event: Event, wanted: bool) -> None:
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
        self.trace.emit("speech", **fields)
