"""Audio sources and sinks that need no sound card: WAV files in, WAV files (or nothing) out.

Tests and headless runs drive the runtime with these instead of a microphone and speaker. Playback into
a :class:`WavSink` or :class:`NullSink` is instantaneous and ``on_done`` is called before ``play`` returns,
so nothing waits on a real clock; the runtime's own (virtual) clock decides how long a prompt "lasts".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip
from ivr_studio.voice.pcm import read_raw, read_wav, silence, write_wav


class FinishedPlayback:
    """A handle for playback that has already ended; ``stop`` does nothing."""

    stopped = False

    def stop(self) -> None:
        self.stopped = True


class WavSource:
    """Yields 16 kHz frames of a WAV (or headerless 16 kHz ``.raw``) file, optionally padded with silence."""

    def __init__(self, source: str | Path | AudioClip, frame_ms: int = 20, pad_seconds: float = 0.0) -> None:
        if isinstance(source, AudioClip):
            self.clip = source
        else:
            path = Path(source)
            self.clip = read_raw(path) if path.suffix.lower() in (".raw", ".pcm") else read_wav(path)
        self.frame_ms = frame_ms
        self.pad_seconds = pad_seconds

    def __iter__(self) -> Iterator[bytes]:
        pcm = self.clip.pcm + silence(self.pad_seconds)
        size = SAMPLE_RATE * self.frame_ms // 1000 * 2
        for offset in range(0, len(pcm), size):
            yield pcm[offset : offset + size]

    @property
    def duration(self) -> float:
        return self.clip.duration + self.pad_seconds


class WavSink:
    """Collects everything played (implements ``AudioSink``); ``save`` writes it as a WAV file."""

    def __init__(self) -> None:
        self.clips: list[AudioClip] = []

    def play(self, clip: AudioClip, on_done: Callable[[], None] | None = None) -> FinishedPlayback:
        self.clips.append(clip)
        if on_done is not None:
            on_done()
        return FinishedPlayback()

    @property
    def audio(self) -> AudioClip:
        return AudioClip(b"".join(c.pcm for c in self.clips), SAMPLE_RATE)

    def save(self, path: str | Path) -> None:
        write_wav(path, self.audio)


class NullSink:
    """Discards audio (implements ``AudioSink``): for runs where nobody listens."""

    def play(self, clip: AudioClip, on_done: Callable[[], None] | None = None) -> FinishedPlayback:
        if on_done is not None:
            on_done()
        return FinishedPlayback()
