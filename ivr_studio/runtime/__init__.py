"""The local call runtime: a Twilio stand-in that runs TwiML from a webhook exactly as Twilio would.

Start here: :class:`CallEngine` (one call), :class:`VirtualClock`/:class:`RealClock`, the transports
(:class:`WsgiTransport` in process, :class:`HttpTransport`), :class:`RuntimeSettings` for every undocumented
choice, call scripts (:mod:`ivr_studio.runtime.script`) and live calls (:mod:`ivr_studio.runtime.live`).
The runtime never reads the flow model: it only sees HTTP.

Importing the package loads none of them: each name is imported when it is first used, so code that needs one
small module (the editor's start-up, say) does not pay for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivr_studio import lazy

if TYPE_CHECKING:
    from ivr_studio.runtime.audio import VoiceIO
    from ivr_studio.runtime.clock import RealClock, VirtualClock
    from ivr_studio.runtime.engine import CallEngine
    from ivr_studio.runtime.events import (
        CallerAudio,
        CallerHangup,
        DialOutcome,
        Dtmf,
        SpeechEnded,
        SpeechFinal,
        SpeechPartial,
        SpeechStarted,
    )
    from ivr_studio.runtime.params import CallIdentity
    from ivr_studio.runtime.settings import RuntimeSettings
    from ivr_studio.runtime.transports import HttpTransport, WsgiTransport

#: Each public name and the module it lives in; imported on first use (PEP 562).
_EXPORTS = {
    "VoiceIO": "ivr_studio.runtime.audio",
    "RealClock": "ivr_studio.runtime.clock",
    "VirtualClock": "ivr_studio.runtime.clock",
    "CallEngine": "ivr_studio.runtime.engine",
    "CallerAudio": "ivr_studio.runtime.events",
    "CallerHangup": "ivr_studio.runtime.events",
    "DialOutcome": "ivr_studio.runtime.events",
    "Dtmf": "ivr_studio.runtime.events",
    "SpeechEnded": "ivr_studio.runtime.events",
    "SpeechFinal": "ivr_studio.runtime.events",
    "SpeechPartial": "ivr_studio.runtime.events",
    "SpeechStarted": "ivr_studio.runtime.events",
    "CallIdentity": "ivr_studio.runtime.params",
    "RuntimeSettings": "ivr_studio.runtime.settings",
    "HttpTransport": "ivr_studio.runtime.transports",
    "WsgiTransport": "ivr_studio.runtime.transports",
}

__all__ = [
    "CallEngine",
    "CallIdentity",
    "CallerAudio",
    "CallerHangup",
    "DialOutcome",
    "Dtmf",
    "HttpTransport",
    "RealClock",
    "RuntimeSettings",
    "SpeechEnded",
    "SpeechFinal",
    "SpeechPartial",
    "SpeechStarted",
    "VirtualClock",
    "VoiceIO",
    "WsgiTransport",
]


__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS)
