"""The call trace: every request, prompt, key, warning and the end of the call, with its call time.

Events are plain dicts with ``t`` (seconds since the call started) and ``event`` (the kind), written as
JSON Lines. Listeners are called on the engine's thread as each event happens (a UI marshals them to its
own thread). The kinds and their fields are listed in :data:`EVENT_FIELDS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

TraceEvent = dict[str, Any]
Listener = Callable[[TraceEvent], None]

#: Event kinds and the fields each carries (besides ``t`` and ``event``). Events on a dialled party's leg
#: (a whisper's say, play, gather, its keys and speech) also carry ``leg``: ``callee`` (or ``queue caller``).
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    # error: Twilio's code when no response arrived (status is then None); purpose: twiml | media | callback;
    # callback (asynchronous requests only): the attribute that asked for it, e.g. statusCallback;
    # timed_out: true when no response came because the time limit ran out (15 s unless the URL's #tt or
    # the settings say otherwise);
    # path: the logic hops an IVR Studio handler evaluated on the way ("hours open", "vip case:gold");
    # logic: the same hops with node, kind, exit and detail (which case matched, which interval applied);
    # vars, results, menu_attempts: the call's variables, kept Look up results and each menu's failed
    # attempts after the request (local calls only); attempts: which connection attempt answered (retries)
    # document: what a document a verb fetched for itself is for (waitUrl, whisper, Queue url), and leg
    "request": (
        "method",
        "url",
        "params",
        "status",
        "elapsed_ms",
        "node",
        "exit",
        "path",
        "logic",
        "vars",
        "results",
        "purpose",
        "error",
        "callback",
        "timed_out",
        "document",
        "leg",
        "attempts",
        "menu_attempts",
    ),
    # a request whose attempt failed and is tried again (the URL's ``#rc``, once by default, spec §1.2):
    # attempt (the one that failed, from 1) of attempts, error (Twilio's code) and message; the ``request``
    # event that follows is the outcome, with ``attempts`` when it took more than one
    "retry": ("method", "url", "purpose", "attempt", "attempts", "error", "message", "callback"),
    # a back-end request an IVR Studio handler's Look up node made while answering the request before it
    "lookup": ("node", "method", "url", "status", "ms", "outcome", "body", "error", "stubbed"),
    "answer": (),
    # interrupted_at (say, play, pause): the call time at which barge-in cut the prompt (absent otherwise)
    "say": ("text", "voice", "language", "duration", "loop", "interrupted_at"),
    "play": ("url", "loop", "duration", "digits", "interrupted_at"),
    "pause": ("length", "interrupted_at"),
    "gather_start": ("attributes",),
    "listening": ("timeout",),
    "dtmf": ("key", "accepted"),  # accepted: a verb took the key (else discarded or type-ahead)
    # phase: start | partial | final | end; ago (end only, when late): seconds since the speech really ended;
    # pending (start, end): the speech model was still loading, its transcript was to come later
    "speech": ("phase", "accepted", "text", "confidence", "ago", "pending"),
    # note: why speech the caller said has no transcript ("speech model still loading; nothing recognised")
    "gather_end": ("digits", "speech", "confidence", "reason", "finished_on_key", "note"),
    "redirect": ("url", "method"),
    "dial": ("number", "status", "duration"),
    "record": ("status", "duration", "url", "digits"),
    # a <Record transcribe="true"> recording's text: status completed | failed
    "transcription": ("status", "text", "sid", "recording_sid"),
    # <Dial><Conference>: status joined | participant_join | started | participant_leave | left | ended |
    # full; label (who joined or left: "caller" is the caller); participants (how many are in); beep (the
    # conference beeped for a join or leave); reason (why it ended)
    "conference": ("name", "status", "label", "participants", "beep", "reason"),
    # <Enqueue>: status enqueued | moved | dequeued | bridged | leave | hangup | error | full | queue-full,
    # and caller_joined for another caller; position (from 1) and size of the queue
    "queue": ("name", "status", "position", "size", "label"),
    "warning": ("code", "message"),
    "error": ("code", "message"),
    "hangup": ("reason",),
    "call_end": ("status", "duration", "answered"),
    # a script step that did not go as written: step (its number, from 1), step_kind (press …), step_name
    # ("step 3 (press)"), why; ran is false when the call ended before it; may_be_ignored: the script allowed it
    # (otherwise the call fails)
    "step_ignored": ("step", "step_kind", "step_name", "why", "ran", "may_be_ignored"),
}


class Trace:
    """An append-only list of trace events with subscribers.

    An event learns one thing after it was recorded: a prompt that barge-in cut gets ``interrupted_at``
    (:meth:`amend`). Readers of the finished trace see it in the event; a live reader that already showed
    the event can subscribe to amendments (:meth:`on_amend`).
    """

    def __init__(self, clock_now: Callable[[], float], t0: float = 0.0) -> None:
        self._now = clock_now
        self.t0 = t0
        self.events: list[TraceEvent] = []
        self._listeners: list[Listener] = []
        self._amend_listeners: list[Callable[[TraceEvent, dict[str, Any]], None]] = []

    def now(self) -> float:
        """Seconds since the call began, as events record it in ``t``."""
        return round(self._now() - self.t0, 3)

    def amend(self, event: TraceEvent, **fields: Any) -> None:
        """Add ``fields`` to an event already recorded, and tell the amendment listeners."""
        event.update(fields)
        for listener in list(self._amend_listeners):
            listener(event, fields)

    def on_amend(self, listener: Callable[[TraceEvent, dict[str, Any]], None]) -> None:
        """Call ``listener(event, fields)`` whenever :meth:`amend` adds fields to an event."""
        self._amend_listeners.append(listener)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every later event; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def emit(self, kind: str, **fields: Any) -> TraceEvent:
        event: TraceEvent = {"t": round(self._now() - self.t0, 3), "event": kind, **fields}
        self.events.append(event)
        for listener in list(self._listeners):
            listener(event)
        return event

    def of(self, kind: str) -> list[TraceEvent]:
        return [e for e in self.events if e["event"] == kind]

    def write_jsonl(self, out: TextIO) -> None:
        for event in self.events:
            out.write(to_json(event) + "\n")


def to_json(event: TraceEvent) -> str:
    return json.dumps(event, ensure_ascii=False, default=str)


def format_event(event: TraceEvent) -> str:
    """One readable timeline line for a trace event."""
    t = f"{event['t']:8.2f}s"
    kind = event["event"]
    if kind == "request":
        node = f" [{event['node']}]" if event.get("node") else ""
        params = event.get("params") or {}
        callback = event.get("callback")
        wanted = _CALLBACK_PARAMS if callback else _INTERESTING_PARAMS
        shown = {k: v for k, v in params.items() if k in wanted}
        if callback and callback != "statusCallback":
            shown.pop("CallStatus", None)  # every request carries it; only a status callback reports it
        extra = " " + " ".join(f"{k}={v!r}" for k, v in shown.items()) if shown else ""
        status = event.get("status")
        if status is None:
            code = event.get("error")
            status = f"failed ({code})" if code else "failed"
        label = f" ({callback})" if callback else f" ({event['document']})" if event.get("document") else ""
        hops = f" via {', '.join(event['path'])}" if event.get("path") else ""
        tries = f" (attempt {event['attempts']})" if event.get("attempts") else ""
        return f"{t}  → {event['method']} {event['url']}{label}{extra} ← {status}{tries}{node}{hops}"
    if kind == "retry":
        label = f" ({event['callback']})" if event.get("callback") else ""
        return (
            f"{t}  ↻ {event['method']} {event['url']}{label} failed ({event['error']}: {event['message']}); "
            f"retrying, attempt {int(event['attempt']) + 1} of {event['attempts']}"
        )
    if kind == "lookup":
        answer = event.get("status") if event.get("status") is not None else event.get("error", "failed")
        stub = " (stub)" if event.get("stubbed") else ""
        return f"{t}  lookup [{event.get('node')}] {event.get('method')} {event.get('url')} ← {answer}{stub} → {event.get('outcome')}"
    if kind == "say":
        return f"{t}  say {event['text']!r}{_cut(event)}"
    if kind == "play":
        what = event.get("digits") or event.get("url") or "(beep)"
        return f"{t}  play {what}{_cut(event)}"
    if kind == "gather_end":
        what = event.get("digits") or event.get("speech") or "(nothing)"
        note = f" — {event['note']}" if event.get("note") else ""
        return f"{t}  gather end: {what} ({event['reason']}){note}"
    if kind == "transcription":
        return f"{t}  transcription {event['status']}: {event.get('text', '')!r}"
    if kind == "conference":
        who = f" {event['label']}" if event.get("label") else ""
        beep = " (beep)" if event.get("beep") else ""
        return (
            f"{t}  conference {event['name']!r}: {event['status']}{who}, {event.get('participants')} in{beep}"
        )
    if kind == "queue":
        where = f", position {event['position']} of {event.get('size')}" if event.get("position") else ""
        return f"{t}  queue {event['name']!r}: {event['status']}{where}"
    if kind in ("warning", "error"):
        return f"{t}  {kind} {event['code']}: {event['message']}"
    if kind == "gather_start":
        attrs = event.get("attributes") or {}
        shown = {k: v for k, v in attrs.items() if k in _GATHER_SHOWN}
        return f"{t}  gather " + " ".join(f"{k}={v!r}" for k, v in shown.items())
    if kind == "call_end":
        return f"{t}  call ended: {event['status']}, {event['duration']} s"
    if kind == "step_ignored":
        what = step_verdict(str(event.get("step_kind")), bool(event.get("ran", True)))
        allowed = " (allowed: may_be_ignored)" if event.get("may_be_ignored") else ""
        return f"{t}  {event.get('step_name') or event['step']} {what}{allowed}: {event['why']}"
    rest = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("t", "event") and v is not None)
    return f"{t}  {kind} {rest}".rstrip()


def _cut(event: TraceEvent) -> str:
    cut = event.get("interrupted_at")
    return "" if cut is None else f" (cut by the caller at {cut:.2f}s)"


def format_amendment(event: TraceEvent, fields: dict[str, Any]) -> str:
    """A timeline line for what an event learnt after it was shown (a prompt cut by barge-in)."""
    cut = fields.get("interrupted_at")
    if cut is not None:
        return f"{cut:8.2f}s  the caller cut the {event['event']} of {event['t']:.2f}s short (barge-in)"
    return f"{event['t']:8.2f}s  {event['event']} " + " ".join(f"{k}={v}" for k, v in fields.items())


def step_verdict(kind: str, ran: bool) -> str:
    """How a step that did not go as written is described: ``never ran``, ``waited in vain``, ``had no
    effect``."""
    if not ran:
        return "never ran"
    return "waited in vain" if kind == "wait_for" else "had no effect"


_GATHER_SHOWN = ("input", "numDigits", "timeout", "finishOnKey", "action", "speechTimeout", "bargeIn")
_INTERESTING_PARAMS = (
    "Digits",
    "SpeechResult",
    "Confidence",
    "FinishedOnKey",
    "UnstableSpeechResult",
    "SequenceNumber",
    "DialCallStatus",
    "RecordingUrl",
    "ErrorCode",
    "ErrorUrl",
    "QueueResult",
    "QueuePosition",
)
#: What a callback's timeline line shows: what it reports, not the call parameters every request carries.
_CALLBACK_PARAMS = (
    "CallStatus",
    "SequenceNumber",
    "UnstableSpeechResult",
    "RecordingStatus",
    "RecordingDuration",
    "TranscriptionStatus",
    "TranscriptionText",
    "StatusCallbackEvent",
    "Digits",
)


def read_jsonl(lines: Iterable[str]) -> list[TraceEvent]:
    return [json.loads(line) for line in lines if line.strip()]
