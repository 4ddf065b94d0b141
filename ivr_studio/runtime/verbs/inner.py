"""TwiML documents a verb runs inside itself: the wait music of a queue or a conference (``waitUrl``), the
whisper a dialled party hears before being connected (``<Number url>``), and what a dequeued caller hears
before meeting the agent (``<Queue url>``).

Each is fetched like any document — the call's cookies and signature, Twilio's HTTP rules — with the
parameters of its purpose, and may use only a few verbs (others are warned about, 12200, and skipped).
Say, Play, Pause and Gather run as they do in the call; a ``<Redirect>`` or a Gather's action fetches the
next document of the same kind; ``<Hangup>`` and ``<Leave>`` end it with that reason. A response that is
audio is played. ``repeat`` fetches the first URL again when a document runs out (an ``<Enqueue>``'s wait
music loops; a conference's falls silent). A document on the callee's leg is traced with ``leg: "callee"``.

Without a ``waitUrl`` Twilio plays its own classical hold music, which the runtime does not fetch: it plays
``hold_music_seconds`` of it at a time (setting), traced as a ``play`` of Twilio's default playlist URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from ivr_studio.runtime import codes
from ivr_studio.runtime.activity import Activity, CallContext, Outcome
from ivr_studio.runtime.events import Event
from ivr_studio.runtime.http_client import FetchResult
from ivr_studio.runtime.player import PromptsActivity
from ivr_studio.runtime.verbs.control import RedirectActivity
from ivr_studio.runtime.verbs.gather import GatherActivity
from ivr_studio.runtime.verbs.prompts import Segment, audio_segments, say_segments
from ivr_studio.twiml.diagnostics import Diagnostic
from ivr_studio.twiml.parse import parse_twiml

#: Twilio's default wait music (Enqueue and Conference docs); the runtime plays a stand-in for it.
DEFAULT_HOLD_MUSIC = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"
#: The verbs each kind of inner document may use (Enqueue, Conference, Number and Queue docs).
ENQUEUE_WAIT_VERBS = frozenset({"Play", "Say", "Pause", "Hangup", "Redirect", "Leave", "Gather"})
CONFERENCE_WAIT_VERBS = frozenset({"Play", "Say", "Pause", "Redirect"})
WHISPER_VERBS = frozenset({"Play", "Say", "Pause", "Gather", "Hangup", "Redirect"})
QUEUE_URL_VERBS = frozenset({"Play", "Say", "Pause", "Redirect"})

_FACTORIES: dict[str, Callable[[CallContext, etree._Element], Activity]] = {
    "Say": PromptsActivity,
    "Play": PromptsActivity,
    "Pause": PromptsActivity,
    "Gather": GatherActivity,
    "Redirect": RedirectActivity,
}


class LegTrace:
    """The call's trace, with ``leg`` added to every event emitted through it (the callee's leg)."""

    def __init__(self, trace: Any, leg: str) -> None:
        self._trace = trace
        self.leg = leg

    def emit(self, kind: str, **fields: Any) -> Any:
        return self._trace.emit(kind, **fields, leg=self.leg)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._trace, name)


class InnerContext:
    """What a verb of an inner document sees: the call's context with the inner document's URL, its own
    end (reported to the :class:`InnerDocuments`), the leg's trace and the leg's call parameters."""

    def __init__(self, call: CallContext, owner: InnerDocuments) -> None:
        self._call = call
        self._owner = owner
        self.trace = LegTrace(call.trace, owner.leg) if owner.leg != "caller" else call.trace
        self.answered = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)

    @property
    def doc_url(self) -> str | None:
        return self._owner.doc_url

    def params(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return self._owner.request_params(extra or {})

    def take_pending_dial(self) -> None:
        return None

    def verb_done(self, activity: Activity, outcome: Outcome | None) -> None:
        self._owner.verb_done(activity, outcome)


class InnerDocuments:
    """Fetches and runs inner documents until one ends the run; ``on_end(reason, diagnostic)`` hears why:
    ``done`` (ran out, without ``repeat``), ``hangup``, ``leave`` or ``error`` (a fetch failed).

    ``extra()`` gives the parameters of each fetch (QueuePosition …); ``leg_params(status)`` the standard
    parameters of the leg the documents run on (None: the caller's). ``url`` None plays the default hold
    music; ``""`` is silence.
    """

    def __init__(
        self,
        call: CallContext,
        *,
        url: str | None,
        method: str,
        allowed: frozenset[str],
        what: str,
        on_end: Callable[[str, Diagnostic | None], None],
        extra: Callable[[], dict[str, str]] = dict,
        repeat: bool = False,
        leg: str = "caller",
        leg_params: Callable[[str], dict[str, str]] | None = None,
    ) -> None:
        self.call = call
        self.url = url
        self.method = method
        self.allowed = allowed
        self.what = what
        self.on_end = on_end
        self.extra = extra
        self.repeat = repeat
        self.leg = leg
        self.leg_params = leg_params
        self.context = InnerContext(call, self)
        self.doc_url: str | None = None
        self.verbs: list[etree._Element] = []
        self.index = 0
        self.activity: Activity | None = None
        self.stopped = False
        self._timer: Any = None
        self._pass_began = 0.0

    # ----- lifecycle -----
    def start(self) -> None:
        self._pass_began = self.call.clock.now()
        if self.url is None:
            self._hold_music()
        elif self.url:
            self._fetch(self.url, self.method, self.extra())

    def stop(self) -> None:
        self.stopped = True
        if self._timer is not None:
            self._timer.cancel()
        if self.activity is not None:
            activity, self.activity = self.activity, None
            activity.stop()

    def wants(self, event: Event) -> bool:
        return not self.stopped and self.activity is not None and self.activity.wants(event)

    def on_event(self, event: Event) -> None:
        if self.activity is not None:
            self.activity.on_event(event)

    def request_params(self, extra: dict[str, str]) -> dict[str, str]:
        """The parameters of a request made from the leg (a Gather's action in a whisper …)."""
        if self.leg_params is not None:
            return {**self.leg_params("in-progress"), **extra}
        return self.call.params(extra)

    # ----- documents -----
    def _hold_music(self) -> None:
        seconds = self.call.settings.hold_music_seconds
        info = {"url": DEFAULT_HOLD_MUSIC, "loop": 1, "duration": seconds, "digits": None}
        segments = [Segment(seconds, None, ("play", info))]
        self._run(PromptsActivity(self.context, segments=segments))

    def _fetch(self, url: str, method: str, extra: dict[str, str]) -> None:
        if self.stopped:
            return
        asked = self.call.clock.now()
        result = self.call.fetch_document(url, method, self.request_params(extra), self.what, self.leg)
        remaining = result.latency - (self.call.clock.now() - asked)
        if remaining > 0:
            self._timer = self.call.clock.call_later(remaining, lambda: self._arrived(result, url))
        else:
            self._arrived(result, url)

    def _arrived(self, result: FetchResult, url: str) -> None:
        if self.stopped:
            return
        if not result.ok:
            self.call.report_error(result.error)
            self._end("error", result.error)
            return
        self.doc_url = result.url
        self._pass_began = self.call.clock.now()
        if result.kind == "twiml":
            parsed = parse_twiml(result.body)
            for d in parsed.diagnostics:
                if not d.is_error:
                    self.call.warn(d.code, d.message)
            if not parsed.ok:
                self.call.report_error(parsed.fatal)
                self._end("error", parsed.fatal)
                return
            self.verbs, self.index = parsed.verbs(), 0
            self._next()
            return
        if result.kind == "audio":
            built = audio_segments(self.context, result.url, result.body, result.content_type)
        else:
            built = say_segments(
                self.context, " ".join(result.body.decode("utf-8", errors="replace").split())
            )
        self.verbs, self.index = [], 0
        self._run(PromptsActivity(self.context, segments=built.segments))

    def _run(self, activity: Activity) -> None:
        self.activity = activity
        activity.start()

    def _next(self) -> None:
        if self.stopped or self.activity is not None:
            return
        if self.index >= len(self.verbs):
            self._ran_out()
            return
        el = self.verbs[self.index]
        self.index += 1
        tag = el.tag
        if tag not in self.allowed:
            self.call.warn("12200", f"<{tag}> is not allowed in a {self.what} document; it was skipped")
            self.call.clock.post(self._next)
        elif tag in ("Hangup", "Leave"):
            self._end(tag.lower(), None)
        else:
            self._run(_FACTORIES[tag](self.context, el))

    def _ran_out(self) -> None:
        if self.url is None:  # the default hold music plays on and on
            self._pass_began = self.call.clock.now()
            self._hold_music()
            return
        if not self.repeat:
            self._end("done", None)
            return
        if self.call.clock.now() == self._pass_began:
            self.call.warn(
                codes.WAIT_MUSIC_TOOK_NO_TIME,  # not asked for again and again in one instant
                f"The {self.what} document ran out at once; it is not requested again until something happens",
            )
            return
        self._fetch(self.url or "", self.method, self.extra())

    def verb_done(self, activity: Activity, outcome: Outcome | None) -> None:
        """A verb of the current document ended: next verb, or the next document of this kind."""
        if activity is not self.activity or self.stopped:
            return
        self.activity = None
        if outcome is None:
            self.call.clock.post(self._next)
        elif outcome.kind == "transfer":  # a Redirect, or a Gather's action: still this kind of document
            self._fetch(outcome.url, outcome.method, {**self.extra(), **outcome.params})
        else:
            self._end("hangup", None)

    def _end(self, reason: str, diagnostic: Diagnostic | None) -> None:
        if self.stopped:
            return
        self.stop()
        self.on_end(reason, diagnostic)
