"""Phone fidelity: hear what a phone call delivers — 8 kHz G.711 μ-law — before recognition.

A Twilio call carries 8 kHz μ-law audio; speech recognised on a clean 16 kHz headset is not what the
deployed IVR will get. :class:`PhoneLine` low-passes the caller's 16 kHz audio below 4 kHz, keeps every
second sample (8 kHz), quantises it through μ-law, and brings it back to 16 kHz with the same filter, so
recognisers and the VAD hear telephone audio.

It works frame by frame on a live stream, keeping each filter's history from one 20 ms frame to the next —
resampling every frame on its own would add a click every 20 ms — and it trails the input by only
:data:`LINE_DELAY` samples (4 ms). A general-purpose resampler with a steep filter (soxr's) held the audio
back by ~130 ms on this 2:1 round trip, too long for live endpointing. :func:`telephone` runs the same line
over a whole recording and removes the delay.
"""

from __future__ import annotations

import numpy as np

from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip
from ivr_studio.voice.pcm import mulaw_decode, mulaw_encode, resample

PHONE_RATE = 8_000
#: Low-pass taps at 16 kHz: a Kaiser-windowed sinc (≈60 dB stop band) with its cut-off at 3.6 kHz, so the
#: telephone band (to 3.4 kHz) passes and nothing above 4 kHz survives the 8 kHz sampling.
_TAP_COUNT = 65
_CUTOFF_HZ = 3_600.0
_n = np.arange(_TAP_COUNT) - (_TAP_COUNT - 1) / 2
_TAPS = np.sinc(2 * _CUTOFF_HZ / SAMPLE_RATE * _n) * np.kaiser(_TAP_COUNT, 5.65)
_TAPS /= _TAPS.sum()
#: Samples (at 16 kHz) by which the line's output trails its input: half of each of the two filters.
LINE_DELAY = _TAP_COUNT - 1


class _Fir:
    """A low-pass FIR filter over a stream: keeps the last taps-1 input samples between calls."""

    def __init__(self, taps: np.ndarray) -> None:
        self.taps = taps
        self.history = np.zeros(taps.size - 1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        buffer = np.concatenate([self.history, x])
        self.history = buffer[buffer.size - (self.taps.size - 1) :]
        return np.convolve(buffer, self.taps, mode="valid")


class PhoneLine:
    """A stream of 16 kHz s16le frames through an 8 kHz μ-law channel and back; call it with each frame.

    The output has the input's length, delayed by :data:`LINE_DELAY` samples.
    """

    def __init__(self) -> None:
        self._down = _Fir(_TAPS)
        self._up = _Fir(_TAPS * 2)  # zero-stuffing halves the level: the interpolation filter doubles it
        self._odd = False  # whether the next 16 kHz sample falls between two 8 kHz samples

    def __call__(self, pcm: bytes) -> bytes:
        x = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64)
        if x.size == 0:
            return b""
        band_limited = self._down(x)
        keep = np.arange(1 if self._odd else 0, x.size, 2)  # every second sample, across frame edges
        self._odd = (x.size - (1 if self._odd else 0)) % 2 == 1
        narrow = np.clip(np.round(band_limited[keep]), -32768, 32767).astype("<i2").tobytes()
        line = np.frombuffer(mulaw_decode(mulaw_encode(narrow)), dtype="<i2").astype(np.float64)
        stuffed = np.zeros(x.size)
        stuffed[keep] = line
        out = self._up(stuffed)
        return np.clip(np.round(out), -32768, 32767).astype("<i2").tobytes()


def to_phone(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """16 kHz s16le -> 8 kHz μ-law bytes, as sent on the phone network."""
    return mulaw_encode(resample(pcm, sample_rate, PHONE_RATE))


def from_phone(mulaw: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """8 kHz μ-law bytes -> s16le at ``sample_rate``."""
    return resample(mulaw_decode(mulaw), PHONE_RATE, sample_rate)


def telephone(pcm: bytes) -> bytes:
    """A whole piece of 16 kHz s16le through the phone line: same length, no delay."""
    pcm = pcm[: len(pcm) - len(pcm) % 2]
    out = PhoneLine()(pcm + b"\x00\x00" * LINE_DELAY)
    return out[LINE_DELAY * 2 :]


def telephone_clip(clip: AudioClip) -> AudioClip:
    pcm = clip.pcm if clip.sample_rate == SAMPLE_RATE else resample(clip.pcm, clip.sample_rate)
    return AudioClip(telephone(pcm), SAMPLE_RATE)
