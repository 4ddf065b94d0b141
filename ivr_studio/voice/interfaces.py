"""The small interfaces through which the call runtime (and the UI) use voice I/O.

The runtime never imports an engine directly: it is handed objects that satisfy these protocols, so its
tests can feed plain events and the real adapters (vosk, pocketsphinx, espeak-ng, sounddevice) stay at the
edge. All audio crossing these interfaces is 16-bit signed little-endian mono PCM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

#: The sample rate recognisers consume and the runtime's audio pipeline uses.
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class AudioClip:
    """A piece of mono s16le audio in memory."""

    pcm: bytes
    sample_rate: int = SAMPLE_RATE

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.pcm) / 2 / self.sample_rate


@dataclass(frozen=True)
class PartialResult:
    """Interim text while the caller is still speaking. ``end`` is the audio time (s) it covers."""

    text: str
    end: float


@dataclass(frozen=True)
class FinalResult:
    """The recogniser's final transcript of one utterance; ``text`` is empty when nothing was understood."""

    text: str
    confidence: float
    start: float = 0.0
    end: float = 0.0


class NoModelError(LookupError):
    """No speech model is installed for a language. The message says how to get one; ``language`` is the tag."""

    def __init__(self, message: str, language: str = "") -> None:
        super().__init__(message)
        self.language = language


@runtime_checkable
class StreamingRecognizer(Protocol):
    """One utterance's recognition session. Feed audio in order; ask for the final result once.

    Optional hooks an engine may add (callers look them up with ``getattr``): ``on_vad(event)`` hears the
    voice-activity detector's events, and ``close()`` ends a session whose result nobody wants (the Gather
    ended another way) so the engine can reuse what the session borrowed.
    """

    def accept(self, pcm: bytes) -> PartialResult | None:
        """Consume audio; return a partial result when the interim text changed, else None."""
        ...

    def final(self) -> FinalResult:
        """Flush and return the final transcript of everything fed so far."""
        ...


@runtime_checkable
class RecognizerProvider(Protocol):
    """Opens recognition sessions for a Gather's language, optionally limited to a phrase list."""

    def open(self, language: str, phrases: Sequence[str] | None = None) -> StreamingRecognizer:
        """Raise :class:`NoModelError` when no engine can handle ``language``."""
        ...


@runtime_checkable
class SpeechSynthesizer(Protocol):
    """Text to speech for ``<Say>`` (SSML already stripped to plain text)."""

    def synthesize(self, text: str, language: str = "en-US", voice: str = "man") -> AudioClip: ...


@runtime_checkable
class MediaDecoder(Protocol):
    """Decodes ``<Play>`` media bodies (WAV, MP3, μ-law …) to PCM."""

    def decode(self, data: bytes, content_type: str) -> AudioClip: ...


class PlaybackHandle(Protocol):
    def stop(self) -> None:
        """Stop playing now (barge-in). Safe to call twice or after the end."""
        ...


@runtime_checkable
class AudioSink(Protocol):
    """Somewhere to play audio to the caller (a headset, a WAV file, nothing)."""

    def play(self, clip: AudioClip, on_done: Callable[[], None] | None = None) -> PlaybackHandle: ...


@dataclass(frozen=True)
class VadEvent:
    """Speech started or stopped at audio time ``t`` (seconds since the stream began)."""

    kind: str  # "speech_start" | "speech_end"
    t: float
