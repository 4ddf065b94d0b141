"""The one table of the verbs the local runtime executes: each TwiML tag and the activity that runs it.

A known verb missing here (Connect, Pay, Start …) is warned about and skipped, or fails the document under
``strict_twiml`` (spec §1.5).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ivr_studio.runtime.activity import Activity, CallContext
from ivr_studio.runtime.player import PromptsActivity
from ivr_studio.runtime.verbs.conference import ConferenceActivity
from ivr_studio.runtime.verbs.control import HangupActivity, RedirectActivity, RejectActivity
from ivr_studio.runtime.verbs.dial import DialActivity
from ivr_studio.runtime.verbs.gather import GatherActivity
from ivr_studio.runtime.verbs.queue import DialQueueActivity, EnqueueActivity, LeaveActivity
from ivr_studio.runtime.verbs.record import RecordActivity

ActivityFactory = Callable[[CallContext, etree._Element], Activity]


def dial(call: CallContext, el: etree._Element) -> Activity:
    """``<Dial>`` runs as its noun asks: a conference room, a queue to take a caller from, or phones."""
    nouns = {child.tag for child in el if isinstance(child.tag, str)}
    if "Conference" in nouns:
        return ConferenceActivity(call, el)
    if "Queue" in nouns:
        return DialQueueActivity(call, el)
    return DialActivity(call, el)


#: Tag → activity class. Top-level Say/Play/Pause ignore keys (§1.8); the others follow their sections.
ACTIVITIES: dict[str, ActivityFactory] = {
    "Say": PromptsActivity,
    "Play": PromptsActivity,
    "Pause": PromptsActivity,
    "Gather": GatherActivity,
    "Redirect": RedirectActivity,
    "Hangup": HangupActivity,
    "Reject": RejectActivity,
    "Dial": dial,
    "Record": RecordActivity,
    "Enqueue": EnqueueActivity,
    "Leave": LeaveActivity,
}
