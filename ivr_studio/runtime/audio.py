"""How long prompts last and what they sound like: TTS or media decoding when injected, estimates otherwise.

Without a synthesizer a ``<Say>`` lasts ``words / 2.5 + 0.3`` seconds (settings ``say_words_per_second`` and
``say_overhead``) plus its SSML ``<break>`` times, so scripted calls have the same timing on every machine.
Without a decoder a ``<Play>`` lasts what its WAV header says, or ``Content-Length × 8 / 128 kbit/s`` for other
media (setting ``media_kbps``).
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.voice.interfaces import (
    AudioClip,
    AudioSink,
    MediaDecoder,
    RecognizerProvider,
    SpeechSynthesizer,
)
from ivr_studio.voice.pcm import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE


@dataclass
class VoiceIO:
    """The voice components a call uses; every one is optional (None: estimates and silence)."""

    synthesizer: SpeechSynthesizer | None = None
    sink: AudioSink | None = None
    recognizers: RecognizerProvider | None = None
    decoder: MediaDecoder | None = None


def estimate_speech_seconds(text: str, settings: RuntimeSettings) -> float:
    """How long speaking ``text`` takes without a synthesizer (also used for a script's "say" step)."""
    words = len(text.split())
    if not words:
        return 0.0
    return round(words / settings.say_words_per_second + settings.say_overhead, 3)


def wav_seconds(data: bytes) -> float | None:
    """Duration from a WAV header, or None when the data is not a readable WAV or its sample rate is outside
    4–192 kHz (the length is then estimated from the size, as for other media)."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            rate = w.getframerate()
            return w.getnframes() / rate if MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE else None
    except (wave.Error, EOFError, ValueError):
        return None


def media_seconds(data: bytes, content_type: str, settings: RuntimeSettings) -> float:
    """Estimated length of a media body when no decoder is injected."""
    if "wav" in content_type:
        seconds = wav_seconds(data)
        if seconds is not None:
            return seconds
    if content_type in ("audio/ulaw", "audio/basic"):
        return len(data) / 8000
    return round(len(data) * 8 / (settings.media_kbps * 1000), 3)


def digits_seconds(digits: str, settings: RuntimeSettings) -> float:
    """``<Play digits>``: one tone per key, "w" 0.5 s, "W" 1 s (§4.2)."""
    total = 0.0
    for c in digits:
        if c == "w":
            total += settings.play_w_seconds
        elif c == "W":
            total += settings.play_W_seconds
        else:
            total += settings.play_digit_seconds
    return round(total, 3)


def silence(seconds: float, sample_rate: int = 16_000) -> AudioClip:
    return AudioClip(b"\x00\x00" * int(seconds * sample_rate), sample_rate)


def clip_to_wav(clip: AudioClip) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(clip.sample_rate)
        w.writeframes(clip.pcm)
    return out.getvalue()
