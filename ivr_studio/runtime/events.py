"""What the caller (or the dialled party) does, as event objects posted to a running call.

A script driver, the UI's keypad and microphone, or a test posts these with ``CallEngine.post(event)``;
the engine handles them on its clock's thread in the order posted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

DTMF_KEYS = frozenset("0123456789*#")
DIAL_OUTCOMES = ("answered", "busy", "no-answer", "failed")


@dataclass(frozen=True)
class Dtmf:
    """The caller pressed a key (0-9, * or #)."""

    key: str

    def __post_init__(self) -> None:
        if self.key not in DTMF_KEYS:
            raise ValueError(f"{self.key!r} is not a keypad key (0-9, * or #)")


@dataclass(frozen=True)
class SpeechStarted:
    """The caller started talking (voice activity detected).

    ``pending``: the recogniser is not listening yet (its speech model is still loading) — the voice
    activity detector heard the start, and the transcript comes later, if the model is ready in time.
    """

    pending: bool = False


@dataclass(frozen=True)
class SpeechPartial:
    """Interim transcript of what the caller is saying."""

    text: str


@dataclass(frozen=True)
class SpeechFinal:
    """The recogniser's final transcript of the utterance (empty text: nothing understood)."""

    text: str
    confidence: float | None = None


@dataclass(frozen=True)
class SpeechEnded:
    """The caller stopped talking ``ago`` seconds before this event was posted.

    A live voice-activity detector only knows speech is over after its hangover (≈0.6 s of quiet frames), so
    it reports the end late; ``ago`` says how late, and a Gather counts its speechTimeout from the real end
    of speech rather than from the report (spec §2.4). Events posted at their audio time use 0.
    ``pending``: as for :class:`SpeechStarted` — the transcript of this speech is still to come.
    """

    ago: float = 0.0
    pending: bool = False

    def __post_init__(self) -> None:
        if not self.ago >= 0:
            raise ValueError(f"SpeechEnded.ago must be a number of seconds ≥ 0, not {self.ago!r}")


@dataclass(frozen=True)
class CallerAudio:
    """Raw caller audio (16-bit mono PCM at ``sample_rate``), kept by ``<Record>``."""

    pcm: bytes
    sample_rate: int = 16_000


@dataclass(frozen=True)
class CallerHangup:
    """The caller hung up."""


@dataclass(frozen=True)
class DialOutcome:
    """What the dialled party does: answered (for ``duration`` s), busy, no-answer or failed.

    Posted before a ``<Dial>`` starts, it is kept for the next Dial; ``ring`` is how long the
    callee's phone rings before the outcome happens.
    """

    status: str
    duration: float = 0.0
    ring: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in DIAL_OUTCOMES:
            raise ValueError(f"dial outcome {self.status!r} is not one of {', '.join(DIAL_OUTCOMES)}")


@dataclass(frozen=True)
class CalleeInput:
    """What the dialled party does on their own leg: a key, speech or hanging up (``event``), heard by the
    whisper document (``<Number url>``) running there, or ending the bridged call."""

    event: Dtmf | SpeechStarted | SpeechPartial | SpeechFinal | SpeechEnded | CallerHangup


@dataclass(frozen=True)
class ParticipantJoins:
    """Someone else joins a conference: the caller's (``conference`` None) or the one named."""

    label: str
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    muted: bool = False
    conference: str | None = None


@dataclass(frozen=True)
class ParticipantLeaves:
    """The participant ``label`` leaves a conference (the caller's, or the one named)."""

    label: str
    conference: str | None = None


@dataclass(frozen=True)
class ConferenceEnds:
    """A conference is ended for everyone (the caller's, or the one named), as the REST API would."""

    conference: str | None = None


@dataclass(frozen=True)
class Dequeue:
    """An agent takes the first caller of a queue (the caller's, or the one named), as ``<Dial><Queue>``
    would: ``url`` (``<Queue url>``) runs on the dequeued caller's leg first; the two then talk for
    ``duration`` seconds."""

    queue: str | None = None
    url: str | None = None
    method: str = "POST"
    duration: float = 0.0


@dataclass(frozen=True)
class QueueCaller:
    """Another caller joins the queue ``queue`` (waiting until dequeued); they talk ``duration`` seconds to
    whoever dequeues them."""

    queue: str
    label: str = ""
    duration: float = 0.0


#: What happens around the call, not on its own line: people in conferences and queues.
WorldEvent = ParticipantJoins | ParticipantLeaves | ConferenceEnds | Dequeue | QueueCaller
WORLD_EVENTS = (ParticipantJoins, ParticipantLeaves, ConferenceEnds, Dequeue, QueueCaller)

Event = (
    Dtmf
    | SpeechStarted
    | SpeechPartial
    | SpeechFinal
    | SpeechEnded
    | CallerAudio
    | CallerHangup
    | DialOutcome
    | CalleeInput
    | ParticipantJoins
    | ParticipantLeaves
    | ConferenceEnds
    | Dequeue
    | QueueCaller
)

#: Turns a WAV file into timed caller events (a script's ``say_wav`` step, see :mod:`~ivr_studio.runtime.speech_feed`):
#: ``feeder(path, language, phrases, max_speech) -> [(offset, event), ...]``. ``phrases`` are the listening
#: Gather's hints (None when it has none): a recogniser limited to them picks between a menu's choices far
#: more reliably, as Twilio's hints do. ``max_speech`` is its maxSpeechTime (None outside a Gather).
SpeechFeeder = Callable[[str, str, "Sequence[str] | None", "float | None"], list[tuple[float, Event]]]
