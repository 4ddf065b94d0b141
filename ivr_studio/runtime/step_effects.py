"""Why a caller's input had no effect: the words a ``step_ignored`` trace event gives as its reason.

A key or speech reaches the call but the verb running at that moment does not take it — a key outside any
``<Gather>``, speech to a keys-only menu, a word said during the ``<Record>`` beep. The call is right to
ignore it (that is what Twilio does), but a script that expected an effect no longer means what it says,
so the script runner reports it with the reason read from the call's state here.
"""

from __future__ import annotations

from typing import Any

from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import CalleeInput, Dtmf, Event
from ivr_studio.runtime.verbs.conference import ConferenceActivity
from ivr_studio.runtime.verbs.dial import DialActivity
from ivr_studio.runtime.verbs.gather import GatherActivity
from ivr_studio.runtime.verbs.queue import EnqueueActivity
from ivr_studio.runtime.verbs.record import RecordActivity


def running_verb(call: CallEngine) -> str:
    """The tag of the verb running now (``<Say>``), or a description when no verb of a document runs."""
    if call.activity is None:
        return "no verb"
    el = getattr(call.activity, "el", None)
    if el is not None:
        return f"<{el.tag}>"
    if 0 < call.index <= len(call.verbs) and call.verbs[call.index - 1].tag in ("Say", "Play", "Pause"):
        return f"<{call.verbs[call.index - 1].tag}>"
    return "an announcement"  # the application-error message, a text or audio response, the trial notice


def why_ignored(call: CallEngine, event: Event) -> str:
    """Why the running verb did not take ``event`` (a key or speech), in a few words for the trace."""
    activity: Any = call.activity
    if isinstance(event, CalleeInput):
        if isinstance(activity, DialActivity) and activity.bridged_at is not None:
            return "no whisper document was listening on the callee's leg"
        return "no dialled party was on the line (no <Dial> had been answered)"
    key = isinstance(event, Dtmf)
    if isinstance(activity, ConferenceActivity):
        return 'in a conference, only * with hangupOnStar="true" is heard' if key else "the caller talks to the conference"
    if isinstance(activity, EnqueueActivity):
        return "the queue's wait music was not gathering input"
    if isinstance(activity, GatherActivity):
        return _gather(activity, key)
    if isinstance(activity, RecordActivity):
        if not activity.recording:
            return "during the <Record> beep, before the recording began"
        if key:
            return f"{event.key!r} is not one of the <Record>'s finishOnKey keys"  # type: ignore[union-attr]
        return "the recording had already ended"
    if isinstance(activity, DialActivity):
        if key:
            return 'during a <Dial>, only * with hangupOnStar="true" is heard, once the callee answered'
        return "during a <Dial> the caller talks to the callee, not to the call flow"
    verb = running_verb(call)
    if verb == "no verb":
        return "no verb was running (the call was between documents)"
    listener = "<Gather>" if key else "<Gather> or <Record>"
    return f"while {verb} played, outside any {listener}"


def _gather(gather: GatherActivity, key: bool) -> str:
    settings = gather.call.settings
    if gather.done:
        return "the <Gather> had already ended"
    wanted, other = ("dtmf", "speech") if key else ("speech", "dtmf")
    if wanted not in gather.modes:
        what = "speech only" if key else "keys only"
        return f'the <Gather> takes {what} (input="{" ".join(sorted(gather.modes))}")'
    if settings.lock_input_mode and gather.lock == other:
        return f"the <Gather> had already taken {'speech' if key else 'keys'}, so it ignores other input"
    if key and not settings.symbols_count_as_digits:
        return "setting symbols_count_as_digits is false, so * and # are not digits"
    if key and not gather.barge_in and not gather.listening:
        return 'during a bargeIn="false" prompt, and setting keep_keys_without_barge_in is false'
    return "the <Gather> did not take it"
