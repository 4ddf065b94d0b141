"""DTMF: keypad tone generation (as ``<Play digits>`` does) and a Goertzel-style detector for 16 kHz audio.

Generation: each key is the sum of its row and column sines; ``w`` is a 0.5 s pause and ``W`` a 1 s pause,
as in Twilio's ``<Play digits="ww1234#">``.

Detection works on 25.6 ms blocks (410 samples, the classic 205-at-8-kHz block) with 50 % overlap. For each
block the energy at the eight DTMF frequencies is measured (a Goertzel filter, evaluated for all blocks at
once as a small matrix product) and a key is accepted when

* the block is loud enough (``min_level_dbfs``),
* the strongest row and column tones carry most of the block's energy (``min_tone_ratio`` — speech and
  noise spread their energy, a key press does not),
* each is clearly stronger than the runner-up in its group (``min_peak_ratio``),
* the twist (column vs row level) stays within ``max_twist_db`` / ``max_reverse_twist_db``.

Debouncing: a key counts once it is seen in two consecutive blocks and is released after two blocks
without it, so a held key is one digit and a flickering block in noise does not split it.

:class:`KeypadGate` puts the detector in front of speech processing for live caller audio (a phone's keypad
held to the headset): it reports key presses and passes the audio on a little late (``lookahead``, 80 ms),
with the tones replaced by silence — so the voice-activity detector never takes a held key for speech and a
``<Record>`` does not keep the beep. The detector confirms a tone about 50 ms after it starts, well inside the
lookahead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip
from ivr_studio.voice.pcm import to_array, to_pcm

ROWS = (697.0, 770.0, 852.0, 941.0)
COLS = (1209.0, 1336.0, 1477.0, 1633.0)
KEYS = ("123A", "456B", "789C", "*0#D")
DIGITS = "".join(KEYS)
#: Pauses in a ``<Play digits>`` string.
PAUSES = {"w": 0.5, "W": 1.0}


def key_frequencies(key: str) -> tuple[float, float]:
    """(row Hz, column Hz) of a key."""
    for r, row in enumerate(KEYS):
        c = row.find(key.upper())
        if c >= 0:
            return ROWS[r], COLS[c]
    raise ValueError(f"not a DTMF key: {key!r}")


def tones(
    digits: str,
    tone_seconds: float = 0.1,
    gap_seconds: float = 0.1,
    level_dbfs: float = -9.0,
    sample_rate: int = SAMPLE_RATE,
) -> AudioClip:
    """Audio for a digit string (``0-9 * # A-D``, ``w`` = 0.5 s and ``W`` = 1 s of silence)."""
    amplitude = 10 ** (level_dbfs / 20) / 2  # two tones: each at half the peak level
    t = np.arange(round(tone_seconds * sample_rate)) / sample_rate
    gap = np.zeros(round(gap_seconds * sample_rate))
    parts: list[np.ndarray] = []
    for ch in digits:
        if ch in PAUSES:
            parts.append(np.zeros(round(PAUSES[ch] * sample_rate)))
            continue
        low, high = key_frequencies(ch)
        parts.append(amplitude * (np.sin(2 * math.pi * low * t) + np.sin(2 * math.pi * high * t)))
        parts.append(gap)
    samples = np.concatenate(parts) if parts else np.zeros(0)
    return AudioClip(to_pcm(samples), sample_rate)


@dataclass(frozen=True)
class DtmfHit:
    """A key press found in audio: ``digit`` and ``t``, the audio time (s) its tone began."""

    digit: str
    t: float


class DtmfDetector:
    """Streaming DTMF detector over 16 kHz mono s16le; ``feed`` returns the key presses completed."""

    BLOCK = 410
    HOP = 205

    def __init__(
        self,
        min_level_dbfs: float = -45.0,
        min_tone_ratio: float = 0.55,
        min_peak_ratio: float = 4.0,
        max_twist_db: float = 8.0,
        max_reverse_twist_db: float = 8.0,
    ) -> None:
        self.min_power = 10 ** (min_level_dbfs / 10)
        self.min_tone_ratio = min_tone_ratio
        self.min_peak_ratio = min_peak_ratio
        self.max_twist_db = max_twist_db
        self.max_reverse_twist_db = max_reverse_twist_db
        n = np.arange(self.BLOCK)
        freqs = np.array(ROWS + COLS)
        self._basis = np.exp(-2j * np.pi * np.outer(n, freqs) / SAMPLE_RATE)  # (BLOCK, 8)
        self._buffer = np.zeros(0, dtype=np.float32)
        self._consumed = 0  # samples dropped from the front of the buffer
        self._candidate: str | None = None
        self._candidate_start = 0.0
        self._candidate_count = 0
        self._active: str | None = None
        self._misses = 0

    @property
    def active(self) -> str | None:
        """The key whose tone is sounding now (confirmed and not yet released), else None."""
        return self._active

    def _classify(self, blocks: np.ndarray) -> list[str | None]:
        energy = np.sum(blocks.astype(np.float64) ** 2, axis=1)  # (B,)
        spectrum = np.abs(blocks @ self._basis) ** 2 * 2 / self.BLOCK  # (B, 8), ~ energy of each tone
        result: list[str | None] = []
        for e, powers in zip(energy, spectrum, strict=True):
            result.append(self._key(float(e), powers))
        return result

    def _key(self, energy: float, powers: np.ndarray) -> str | None:
        if energy / self.BLOCK < self.min_power:
            return None
        rows, cols = powers[:4], powers[4:]
        r, c = int(np.argmax(rows)), int(np.argmax(cols))
        row_p, col_p = rows[r], cols[c]
        if (row_p + col_p) < self.min_tone_ratio * energy:
            return None
        if row_p < self.min_peak_ratio * np.max(np.delete(rows, r)):
            return None
        if col_p < self.min_peak_ratio * np.max(np.delete(cols, c)):
            return None
        twist = 10 * math.log10(col_p / row_p)
        if twist > self.max_reverse_twist_db or -twist > self.max_twist_db:
            return None
        return KEYS[r][c]

    def feed(self, pcm: bytes) -> list[DtmfHit]:
        self._buffer = np.concatenate([self._buffer, to_array(pcm)])
        count = 0 if self._buffer.size < self.BLOCK else (self._buffer.size - self.BLOCK) // self.HOP + 1
        if count == 0:
            return []
        index = np.arange(self.BLOCK)[None, :] + self.HOP * np.arange(count)[:, None]
        keys = self._classify(self._buffer[index])
        starts = [(self._consumed + i * self.HOP) / SAMPLE_RATE for i in range(count)]
        drop = count * self.HOP
        self._buffer = self._buffer[drop:]
        self._consumed += drop
        hits: list[DtmfHit] = []
        for key, start in zip(keys, starts, strict=True):
            hit = self._step(key, start)
            if hit is not None:
                hits.append(hit)
        return hits

    def _step(self, key: str | None, start: float) -> DtmfHit | None:
        if self._active is not None:
            if key == self._active:
                self._misses = 0
                return None
            self._misses += 1
            if self._misses < 2:
                return None
            self._active = None
        if key is None:
            self._candidate, self._candidate_count = None, 0
            return None
        if key != self._candidate:
            self._candidate, self._candidate_count, self._candidate_start = key, 1, start
            return None
        self._candidate_count += 1
        if self._candidate_count >= 2:
            self._active, self._misses, self._candidate, self._candidate_count = key, 0, None, 0
            return DtmfHit(key, round(self._candidate_start, 3))
        return None


def detect(clip: AudioClip | bytes) -> list[DtmfHit]:
    """All key presses in a piece of 16 kHz audio."""
    pcm = clip.pcm if isinstance(clip, AudioClip) else clip
    return DtmfDetector().feed(pcm)


class KeypadGate:
    """Splits caller audio into key presses and everything else, with the key tones silenced.

    ``feed(pcm)`` returns the presses confirmed so far and the audio that is now ``lookahead`` seconds old,
    tones zeroed (from ``margin`` before a tone's first block to where its release was noticed). The output
    is the input delayed, sample for sample; :meth:`flush` returns what is still held.
    """

    def __init__(self, lookahead: float = 0.08, margin: float = 0.03, detector: DtmfDetector | None = None):
        self.detector = detector or DtmfDetector()
        self.lookahead = lookahead
        self._delay = round(lookahead * SAMPLE_RATE)
        self._margin = round(margin * SAMPLE_RATE)
        self._held = np.zeros(0, dtype=np.int16)
        self._held_from = 0  # stream position (samples) of the first held sample
        self._received = 0
        self._mutes: list[list[int | None]] = []  # [start, end) in samples; end None while the tone lasts

    def feed(self, pcm: bytes) -> tuple[list[DtmfHit], bytes]:
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
        self._held = np.concatenate([self._held, samples])
        self._received += samples.size
        hits = self.detector.feed(pcm)
        for hit in hits:
            self._close_open_mute(round(hit.t * SAMPLE_RATE))
            self._mutes.append([max(0, round(hit.t * SAMPLE_RATE) - self._margin), None])
        if self.detector.active is None:
            self._close_open_mute(self._received)
        return hits, self._release(self._received - self._delay)

    def flush(self) -> bytes:
        """Everything still held (the last ``lookahead`` seconds), tones silenced."""
        if self.detector.active is None:
            self._close_open_mute(self._received)
        return self._release(self._received)

    def _close_open_mute(self, end: int) -> None:
        if self._mutes and self._mutes[-1][1] is None:
            self._mutes[-1][1] = max(end, int(self._mutes[-1][0] or 0))

    def _release(self, upto: int) -> bytes:
        count = upto - self._held_from
        if count <= 0:
            return b""
        out = self._held[:count].copy()
        start, end = self._held_from, self._held_from + count
        for mute_start, mute_end in self._mutes:
            lo = max(int(mute_start or 0), start)
            hi = min(end if mute_end is None else int(mute_end), end)
            if lo < hi:
                out[lo - start : hi - start] = 0
        self._held = self._held[count:]
        self._held_from = end
        self._mutes = [m for m in self._mutes if m[1] is None or int(m[1]) > end]
        return out.astype("<i2").tobytes()
