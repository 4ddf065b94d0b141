"""Voice-activity detection: webrtcvad per 20 ms frame, smoothed into speech_start / speech_end events.

webrtcvad's per-frame decisions flicker (a plosive, a breath, a pause between words), so the detector
keeps a short window of recent decisions:

* **speech_start** fires when ``start_ratio`` of the last ``start_window`` frames are voiced; its time is the
  start of the first voiced frame in that window (so the event is dated where speech began, not where the
  detector became sure).
* **speech_end** fires when ``end_ratio`` of the last ``end_window`` frames are unvoiced (the *hangover*);
  its time is the end of the last voiced frame.

Times are audio seconds since the stream began (samples fed / sample rate), so the same audio gives the
same events whether it comes from a WAV file on a virtual clock or a microphone in real time.
"""

from __future__ import annotations

from collections import deque

import webrtcvad

from ivr_studio.voice.interfaces import SAMPLE_RATE, VadEvent

FRAME_MS = 20
_FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2


class VoiceActivityDetector:
    """Streaming VAD over 16 kHz mono s16le; feed any chunk size, get :class:`VadEvent` objects back."""

    def __init__(
        self,
        aggressiveness: int = 2,
        start_window: int = 10,
        start_ratio: float = 0.7,
        end_window: int = 15,
        end_ratio: float = 0.9,
    ) -> None:
        """``aggressiveness`` is webrtcvad's mode 0 (lenient) .. 3 (strict). Windows are in 20 ms frames."""
        if not 0 <= aggressiveness <= 3:
            raise ValueError("aggressiveness must be 0..3")
        self._vad = webrtcvad.Vad(aggressiveness)
        self._start_window = start_window
        self._start_need = max(1, round(start_ratio * start_window))
        self._end_window = end_window
        self._end_need = max(1, round(end_ratio * end_window))
        self._pending = b""
        self._frame_index = 0
        self._recent: deque[tuple[int, bool]] = deque()
        self.in_speech = False
        self._last_voiced = -1

    @property
    def time(self) -> float:
        """Audio seconds consumed so far (whole frames)."""
        return self._frame_index * FRAME_MS / 1000

    def _frame_start(self, index: int) -> float:
        return index * FRAME_MS / 1000

    def feed(self, pcm: bytes) -> list[VadEvent]:
        """Consume audio; return the events it completed (usually none)."""
        data = self._pending + pcm
        usable = len(data) - len(data) % _FRAME_BYTES
        self._pending = data[usable:]
        events: list[VadEvent] = []
        for offset in range(0, usable, _FRAME_BYTES):
            event = self._frame(data[offset : offset + _FRAME_BYTES])
            if event is not None:
                events.append(event)
        return events

    def _frame(self, frame: bytes) -> VadEvent | None:
        index = self._frame_index
        self._frame_index += 1
        voiced = self._vad.is_speech(frame, SAMPLE_RATE)
        if voiced:
            self._last_voiced = index
        self._recent.append((index, voiced))
        window = self._end_window if self.in_speech else self._start_window
        while len(self._recent) > window:
            self._recent.popleft()
        if not self.in_speech:
            if sum(v for _, v in self._recent) >= self._start_need:
                self.in_speech = True
                first = next(i for i, v in self._recent if v)
                self._recent.clear()
                return VadEvent("speech_start", self._frame_start(first))
        elif sum(not v for _, v in self._recent) >= self._end_need:
            self.in_speech = False
            self._recent.clear()
            return VadEvent("speech_end", self._frame_start(self._last_voiced + 1))
        return None

    def flush(self) -> list[VadEvent]:
        """End of stream: close an open speech segment at the last voiced frame."""
        if self.in_speech:
            self.in_speech = False
            self._recent.clear()
            return [VadEvent("speech_end", self._frame_start(self._last_voiced + 1))]
        return []
