"""Phone fidelity: hear what a phone call delivers — 8 kHz G.711 μ-law — before recognition.

A Twilio call carries 8 kHz μ-law audio; speech recognised on a clean 16 kHz headset is not what the
deployed IVR will get. :func:`telephone` band-limits to 8 kHz sampling (miniaudio's low-pass resampler),
quantises through μ-law and brings it back to 16 kHz, so recognisers and the VAD see telephone audio.
"""

from __future__ import annotations

from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip
from ivr_studio.voice.pcm import mulaw_decode, mulaw_encode, resample

PHONE_RATE = 8_000


def to_phone(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """16 kHz s16le -> 8 kHz μ-law bytes, as sent on the phone network."""
    return mulaw_encode(resample(pcm, sample_rate, PHONE_RATE))


def from_phone(mulaw: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """8 kHz μ-law bytes -> s16le at ``sample_rate``."""
    return resample(mulaw_decode(mulaw), PHONE_RATE, sample_rate)


def telephone(pcm: bytes) -> bytes:
    """16 kHz s16le through an 8 kHz μ-law channel and back (same length, within a sample)."""
    return from_phone(to_phone(pcm))


def telephone_clip(clip: AudioClip) -> AudioClip:
    pcm = clip.pcm if clip.sample_rate == SAMPLE_RATE else resample(clip.pcm, clip.sample_rate)
    return AudioClip(telephone(pcm), SAMPLE_RATE)
