"""``<Dial>`` of phones (spec §4.7): a number, ``<Number>``, ``<Client>`` or ``<Sip>``, with an emulated callee.

The callee's behaviour comes from a :class:`~ivr_studio.runtime.events.DialOutcome` posted by a script or the
UI, before or during the Dial; without one the setting ``default_dial_outcome`` applies. A callee that does
not answer within ``timeout`` gives ``no-answer``. An answered call lasts its ``duration`` (capped by
``timeLimit``); ``*`` ends it when ``hangupOnStar="true"``.

When the callee answers, a ``<Number sendDigits>`` is played to it, then the noun's ``url`` document (the
whisper: Say, Play, Pause, Gather, Hangup, Redirect) runs on the callee's leg with the leg's parameters —
script steps ``{"callee": {"press": "1"}}`` answer its Gather — and the two are connected when it runs out;
a whisper that hangs up (or a callee who hangs up during it) ends the Dial as ``whisper_hangup_status``
(setting, ``no-answer``) with ``DialBridged=false``. The callee's ``duration`` counts from the connection.

The first noun is the callee; other nouns ring at the same time and are canceled when it answers (or end
as it does). Each noun with a ``statusCallback`` reports its leg's progress (see
:mod:`ivr_studio.runtime.status_callbacks`): its own CallSid, ``ParentCallSid``, ``Direction=outbound-dial``,
``From`` the Dial's ``callerId`` (else the caller) and ``To`` the noun. ``record`` writes the bridged call
(from the answer, or from the ringing) as a recording of silence, one or two channels, reported with the
action request and to ``recordingStatusCallback`` (``RecordingSource=DialVerb``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.audio import digits_seconds, silence
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import CalleeInput, CallerHangup, DialOutcome, Dtmf, Event
from ivr_studio.runtime.params import CallIdentity, new_sid
from ivr_studio.runtime.recordings import Recording, RecordingCallbacks, save_recording
from ivr_studio.runtime.status_callbacks import CALL_EVENTS, LegProgress, StatusCallback, parse_events
from ivr_studio.runtime.urls import resolve
from ivr_studio.runtime.verbs.inner import WHISPER_VERBS, InnerDocuments
from ivr_studio.twiml.diagnostics import Diagnostic
from ivr_studio.twiml.rules import VerbAttributes, read_verb

PHONE_NOUNS = ("Number", "Client", "Sip")


def noun_address(noun: etree._Element) -> str:
    """What a noun dials, as Twilio writes it in ``To``: a number, ``client:name`` or the SIP URI."""
    value = (noun.text or "").strip()
    if noun.tag == "Client" and value and not value.startswith("client:"):
        return f"client:{value}"
    return value


def dialled_number(el: etree._Element) -> str:
    """The number (or client/SIP address) a Dial calls: its text or its first noun."""
    text = (el.text or "").strip()
    if text:
        return text
    for noun in el:
        value = (noun.text or "").strip()
        if value:
            return f"{noun.tag.lower()}:{value}" if noun.tag != "Number" else value
    return ""


@dataclass
class Leg:
    """One dialled party: its call SID, address, standard parameters, noun attributes and status callbacks
    (if the noun asked for them)."""

    sid: str
    address: str
    params: Callable[[str], dict[str, str]]
    attrs: VerbAttributes | None = None
    progress: LegProgress | None = None


class DialActivity:
    """One running ``<Dial>``: ringing, then the callee's outcome, then the action request or the next verb."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)
        self.number = dialled_number(el)
        self.sid = new_sid("CA")
        self.legs = self._legs()
        self.timer: TimerHandle | None = None
        self.ringing_at = 0.0
        self.bridged_at: float | None = None  # the callee answered
        self.connected_at: float | None = None  # ... and, after any whisper, the two are talking
        self.whisper: InnerDocuments | None = None
        self.talk = 0.0
        self.done = False
        mode = self.attrs["record"]
        self.record_mode = (
            "record-from-answer" if mode == "true" else "do-not-record" if mode == "false" else mode
        )
        self.recording_sid = new_sid("RE")
        self.recording_callbacks = RecordingCallbacks(call, self.attrs.values, "DialVerb")

    # ----- legs -----
    def _legs(self) -> list[Leg]:
        nouns = [n for n in self.el if n.tag in PHONE_NOUNS]
        if (self.el.text or "").strip() or not nouns:
            address = (self.el.text or "").strip()
            return [Leg(self.sid, address, self._leg_params(self.sid, address))]
        legs = []
        for i, noun in enumerate(nouns):
            sid = self.sid if i == 0 else new_sid("CA")
            attrs = read_verb(noun)
            for d in attrs.diagnostics:
                self.call.warn(d.code, d.message)
            params = self._leg_params(sid, noun_address(noun))
            legs.append(Leg(sid, noun_address(noun), params, attrs, self._progress(noun, attrs, params)))
        return legs

    def _leg_params(self, sid: str, address: str) -> Callable[[str], dict[str, str]]:
        """A dialled leg's standard parameters: a child call from the Dial's callerId (else the caller)."""
        parent = self.call.identity
        identity = CallIdentity(
            from_number=self.attrs["callerId"] or parent.from_number,
            to_number=address,
            account_sid=parent.account_sid,
            call_sid=sid,
            direction="outbound-dial",
        )

        def leg_params(status: str) -> dict[str, str]:
            return {**identity.standard_params(status), "ParentCallSid": parent.call_sid}

        return leg_params

    def _progress(
        self, noun: etree._Element, attrs: VerbAttributes, leg_params: Callable[[str], dict[str, str]]
    ) -> LegProgress | None:
        if not attrs["statusCallback"]:
            return None
        try:
            events = parse_events(attrs["statusCallbackEvent"], CALL_EVENTS, "statusCallbackEvent")
        except ValueError as exc:
            self.call.warn("12200", f"<{noun.tag}> {exc}; only 'completed' is reported")
            events = frozenset({"completed"})
        callback = StatusCallback(
            resolve(self.call.doc_url, attrs["statusCallback"]), events, attrs["statusCallbackMethod"]
        )

        def send(url: str, method: str, params: dict[str, str]) -> None:
            self.call.send_callback(
                url, method, params, kind="statusCallback", with_call_params=False, keep=True
            )

        return LegProgress(callback, leg_params, send, self.call.wall)

    def _fire(
        self, event: str, status: str | None = None, duration: float = 0.0, extra: dict | None = None
    ) -> None:
        for i, leg in enumerate(self.legs):
            if leg.progress is None:
                continue
            leg_status = status
            if event == "completed" and i > 0:
                leg_status = "canceled" if self.bridged_at is not None else status
            if event == "answered" and i > 0:
                continue  # the first noun is the one that answers
            leg.progress.fire(event, leg_status, duration if i == 0 else 0.0, extra if i == 0 else None)

    # ----- lifecycle -----
    def start(self) -> None:
        for d in self.attrs.diagnostics:
            self.call.warn(d.code, d.message)
        self.ringing_at = self.call.clock.now()
        self.call.trace.emit("dial", number=self.number, status="ringing", duration=None)
        self._fire("initiated")
        self._fire("ringing")
        if self.record_mode.startswith("record-from-ringing"):
            self.recording_callbacks.in_progress(self.recording_sid)
        self.timer = self.call.clock.call_later(self.attrs["timeout"], lambda: self._end("no-answer"))
        pending = self.call.take_pending_dial()
        if pending is not None:
            self._outcome(pending)
        elif self.call.settings.default_dial_outcome != "no-answer":
            self._outcome(DialOutcome(self.call.settings.default_dial_outcome, duration=0.0))

    def wants(self, event: Event) -> bool:
        if self.done:
            return False
        if isinstance(event, DialOutcome):
            return self.bridged_at is None
        if isinstance(event, CalleeInput):
            if isinstance(event.event, CallerHangup):
                return self.bridged_at is not None  # the callee hangs up
            return self.whisper is not None and self.whisper.wants(event.event)
        return isinstance(event, Dtmf) and self.connected_at is not None and self.attrs["hangupOnStar"]

    def on_event(self, event: Event) -> None:
        if isinstance(event, DialOutcome):
            self._outcome(event)
        elif isinstance(event, CalleeInput):
            if isinstance(event.event, CallerHangup):
                if self.whisper is not None:  # hanging up during the whisper declines the call
                    self._whisper_over("hangup", None)
                else:
                    self._end("completed")
            elif self.whisper is not None:
                self.whisper.on_event(event.event)
        elif isinstance(event, Dtmf) and event.key == "*":
            self._end("completed")

    def _outcome(self, outcome: DialOutcome) -> None:
        ring = max(0.0, outcome.ring)
        if ring >= self.attrs["timeout"]:
            return  # rings longer than the Dial waits: the timeout gives no-answer
        if self.timer:
            self.timer.cancel()
        if outcome.status == "no-answer":
            self.timer = self.call.clock.call_later(self.attrs["timeout"], lambda: self._end("no-answer"))
        elif outcome.status == "answered":
            self.timer = self.call.clock.call_later(ring, lambda: self._bridge(outcome.duration))
        else:
            self.timer = self.call.clock.call_later(ring, lambda: self._end(outcome.status))

    def _bridge(self, duration: float) -> None:
        """The callee answered: its ``sendDigits``, then its whisper (``url``), then the two talk."""
        self.bridged_at = self.call.clock.now()
        self.call.trace.emit("dial", number=self.number, status="answered", duration=None)
        self._fire("answered")
        if self.record_mode.startswith("record-from-answer"):
            self.recording_callbacks.in_progress(self.recording_sid)
        self.talk = duration
        leg = self.legs[0]
        digits = leg.attrs.get("sendDigits") if leg.attrs is not None else None
        if digits:  # DTMF played to the callee once the call is answered (Number docs)
            seconds = digits_seconds(digits, self.call.settings)
            self.call.trace.emit("play", url=None, loop=1, duration=seconds, digits=digits, leg="callee")
            self.timer = self.call.clock.call_later(seconds, self._whisper)
        else:
            self._whisper()

    def _whisper(self) -> None:
        leg = self.legs[0]
        url = leg.attrs.get("url") if leg.attrs is not None else None
        if not url:
            self._connect()
            return
        self.whisper = InnerDocuments(
            self.call,
            url=resolve(self.call.doc_url, url),
            method=leg.attrs.get("method") or "POST",
            allowed=WHISPER_VERBS,
            what="whisper",
            on_end=self._whisper_over,
            leg="callee",
            leg_params=leg.params,
        )
        self.whisper.start()

    def _whisper_over(self, reason: str, diagnostic: Diagnostic | None) -> None:
        self.whisper = None
        if reason == "done":
            self._connect()
        elif reason == "hangup":  # the callee declined (or the whisper hung up on them)
            self.connected_at = None
            self._end(self.call.settings.whisper_hangup_status)
        else:
            self._end("failed")

    def _connect(self) -> None:
        self.connected_at = self.call.clock.now()
        length = max(
            0.0, min(self.talk, float(self.attrs["timeLimit"]) - (self.connected_at - (self.bridged_at or 0)))
        )
        self.timer = self.call.clock.call_later(length, lambda: self._end("completed"))

    def on_caller_hangup(self) -> None:
        """The caller hung up during the Dial: the dialled legs end too, and are reported."""
        if not self.done:
            self._finish_legs("completed" if self.bridged_at is not None else "canceled")
            self.stop()

    def stop(self) -> None:
        self.done = True
        if self.timer:
            self.timer.cancel()
        if self.whisper is not None:
            self.whisper.stop()
            self.whisper = None

    # ----- the end -----
    def _record(self) -> Recording | None:
        """The Dial's recording, if ``record`` asked for one and there was something to record."""
        if self.record_mode == "do-not-record":
            return None
        start = self.ringing_at if self.record_mode.startswith("record-from-ringing") else self.bridged_at
        if start is None:
            self.recording_callbacks.absent(self.recording_sid, "16101")
            return None
        seconds = self.call.clock.now() - start
        channels = 2 if self.record_mode.endswith("-dual") else 1
        recording = save_recording(
            self.call.settings.recordings_dir, silence(seconds), channels=channels, sid=self.recording_sid
        )
        self.recording_callbacks.completed(recording)
        return recording

    def _finish_legs(self, status: str) -> tuple[int, Recording | None]:
        duration = round(self.call.clock.now() - self.bridged_at) if self.bridged_at is not None else 0
        self.call.trace.emit("dial", number=self.number, status=status, duration=duration)
        recording = self._record()
        extra = (
            {
                "RecordingUrl": recording.url,
                "RecordingSid": recording.sid,
                "RecordingDuration": str(recording.duration),
            }
            if recording
            else None
        )
        self._fire("completed", status, float(duration), extra)
        return duration, recording

    def _end(self, status: str) -> None:
        if self.done:
            return
        self.stop()
        duration, recording = self._finish_legs(status)
        action = self.attrs["action"]
        if not action:
            self.call.verb_done(self, None)  # §4.7: without action, continue after <Dial>
            return
        bridged = self.connected_at is not None
        params = {
            "DialCallStatus": status,
            "DialCallSid": self.sid,
            "DialBridged": "true" if bridged else "false",
        }
        if self.bridged_at is not None:
            params["DialCallDuration"] = str(duration)
        if recording is not None:
            params["RecordingUrl"] = recording.url
        url = resolve(self.call.doc_url, action)
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))
