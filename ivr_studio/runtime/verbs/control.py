"""Verbs that end at once: ``<Redirect>`` (§4.4), ``<Hangup>`` (§4.5) and ``<Reject>`` (§4.6).

Each is an activity whose ``start`` reports its outcome straight away, so the engine runs every verb the
same way.
"""

from __future__ import annotations

from lxml import etree

from ivr_studio.runtime import codes
from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.events import Event
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.rules import read_verb


class InstantActivity:
    """An activity that takes no time: no caller input, nothing to stop."""

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = read_verb(el)

    def _warn_attributes(self) -> None:
        for d in self.attrs.diagnostics:
            self.call.warn(d.code, d.message)

    def wants(self, event: Event) -> bool:
        return False

    def on_event(self, event: Event) -> None:
        pass

    def stop(self) -> None:
        pass

    def on_caller_hangup(self) -> None:
        pass


class RedirectActivity(InstantActivity):
    """Request the URL (the current document when empty, §1.6) with only the standard parameters."""

    def start(self) -> None:
        self._warn_attributes()
        url = resolve(self.call.doc_url, (self.el.text or "").strip())
        self.call.trace.emit("redirect", url=url, method=self.attrs["method"])
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"]))


class HangupActivity(InstantActivity):
    """End the call as ``completed``; later verbs never run."""

    def start(self) -> None:
        self.call.verb_done(self, Outcome("hangup", reason="<Hangup>"))


class RejectActivity(InstantActivity):
    """As the first verb, leave the call unanswered (busy or no-answer); after the answer, a setting decides."""

    def start(self) -> None:
        self._warn_attributes()
        call = self.call
        if call.answered:
            if call.settings.reject_after_answer == "ignore":
                call.warn(codes.REJECT_AFTER_ANSWER, "<Reject> after the call was answered was skipped")
                call.verb_done(self, None)
                return
            call.warn(codes.REJECT_AFTER_ANSWER, "<Reject> after the call was answered acts as <Hangup>")
            call.verb_done(self, Outcome("hangup", reason="<Reject> after answer"))
            return
        reason = self.attrs["reason"]
        status = "busy" if reason == "busy" else call.settings.rejected_status
        call.verb_done(self, Outcome("hangup", status=status, reason=f"<Reject reason={reason}>"))
