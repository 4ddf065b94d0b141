"""``<Dial>`` (spec §4.7) with an emulated callee: answered (for a while), busy, no-answer or failed.

The callee's behaviour comes from a :class:`~ivr_studio.runtime.events.DialOutcome` posted by a script or the
UI, before or during the Dial; without one the setting ``default_dial_outcome`` applies. A callee that does
not answer within ``timeout`` gives ``no-answer``. An answered call lasts its ``duration`` (capped by
``timeLimit``); ``*`` ends it when ``hangupOnStar="true"``.
"""

from __future__ import annotations

from lxml import etree

from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import DialOutcome, Dtmf, Event
from ivr_studio.runtime.params import new_sid
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.rules import read_verb


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


class DialActivity:
    """One running ``<Dial>``: ringing, then the callee's outcome, then the action request or the next verb."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)
        self.number = dialled_number(el)
        self.sid = new_sid("CA")
        self.timer: TimerHandle | None = None
        self.bridged_at: float | None = None
        self.done = False

    def start(self) -> None:
        for d in self.attrs.diagnostics:
            self.call.warn(d.code, d.message)
        self.call.trace.emit("dial", number=self.number, status="ringing", duration=None)
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
        return isinstance(event, Dtmf) and self.bridged_at is not None and self.attrs["hangupOnStar"]

    def on_event(self, event: Event) -> None:
        if isinstance(event, DialOutcome):
            self._outcome(event)
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
        self.bridged_at = self.call.clock.now()
        self.call.trace.emit("dial", number=self.number, status="answered", duration=None)
        length = min(duration, float(self.attrs["timeLimit"]))
        self.timer = self.call.clock.call_later(length, lambda: self._end("completed"))

    def on_caller_hangup(self) -> None:
        pass

    def stop(self) -> None:
        self.done = True
        if self.timer:
            self.timer.cancel()

    def _end(self, status: str) -> None:
        if self.done:
            return
        self.stop()
        bridged = self.bridged_at is not None
        duration = round(self.call.clock.now() - self.bridged_at) if bridged else 0
        self.call.trace.emit("dial", number=self.number, status=status, duration=duration)
        action = self.attrs["action"]
        if not action:
            self.call.verb_done(self, None)  # §4.7: without action, continue after <Dial>
            return
        params = {
            "DialCallStatus": status,
            "DialCallSid": self.sid,
            "DialBridged": "true" if bridged else "false",
        }
        if bridged:
            params["DialCallDuration"] = str(duration)

        url = resolve(self.call.doc_url, action)
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))
