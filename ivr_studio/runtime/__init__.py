"""The local call runtime: a Twilio stand-in that runs TwiML from a webhook exactly as Twilio would.

Start here: :class:`CallEngine` (one call), :class:`VirtualClock`/:class:`RealClock`, the transports
(:class:`WsgiTransport` in process, :class:`HttpTransport`), :class:`RuntimeSettings` for every undocumented
choice, call scripts (:mod:`ivr_studio.runtime.script`) and live calls (:mod:`ivr_studio.runtime.live`).
The runtime never reads the flow model: it only sees HTTP.
"""

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
