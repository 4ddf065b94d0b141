"""Live caller audio for a ``<Record>``: the audio itself, and where the caller's speech starts and ends.

The runtime's Record keeps the ``CallerAudio`` posted to the call as the recording, and uses
``SpeechStarted`` / ``SpeechEnded`` for its silence ``timeout`` (speech holds it off; its end restarts it,
less ``SpeechEnded.ago``). Nothing is recognised, so no speech model is loaded: frames go through the voice
package's VAD on a worker thread (never PortAudio's callback thread, never the GUI thread), like
:class:`.speech.SpeechSession` without the recogniser. The VAD reports the end of speech after its hangover
of quiet frames, so ``SpeechEnded.ago`` carries that lag (plus the time since the audio arrived).

No Qt here: results go to plain callbacks.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from ivr_studio.runtime.events import CallerAudio, Event, SpeechEnded, SpeechStarted
from ivr_studio.ui.call.speech import SpeechReport
from ivr_studio.voice.interfaces import SAMPLE_RATE
from ivr_studio.voice.pcm import rms_dbfs


class RecordingInput:
    """Feeds one caller's audio to a recording call; same interface as :class:`.speech.SpeechSession`.

    :meth:`feed` is safe from any thread (it only queues); :meth:`end_utterance` ends the caller's speech
    now (push-to-talk released); :meth:`close` stops the worker.
    """

    def __init__(
        self,
        post: Callable[[Event], None],
        report: Callable[[SpeechReport], None] | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._post = post
        self._report = report or (lambda _r: None)
        self._now = now
        self._queue: queue.Queue[tuple[bytes, float] | str | None] = queue.Queue()
        self._closed = False
        self._vad = None
        self._samples = 0
        self._thread = threading.Thread(target=self._run, name="ivr-recording", daemon=True)
        self._thread.start()

    # ----- any thread -----
    def feed(self, pcm: bytes) -> None:
        if not self._closed:
            self._queue.put((pcm, self._now()))

    def end_utterance(self) -> None:
        if not self._closed:
            self._queue.put("end")

    def close(self, wait: float | None = None) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
        if wait is not None and threading.current_thread() is not self._thread:
            self._thread.join(wait)

    # ----- the worker -----
    def _fresh_vad(self) -> None:
        from ivr_studio.voice.vad import VoiceActivityDetector

        self._vad = VoiceActivityDetector()
        self._samples = 0

    def _run(self) -> None:
        try:
            self._fresh_vad()
        except Exception as exc:
            self._report(SpeechReport("error", text=f"voice activity detection failed: {exc}"))
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                if item == "end":
                    self._end_now()
                else:
                    self._process(*item)  # type: ignore[misc]
            except Exception as exc:  # a VAD failure must not kill the call
                self._report(SpeechReport("error", text=f"voice activity detection failed: {exc}"))

    def _process(self, pcm: bytes, arrived: float) -> None:
        self._post(CallerAudio(pcm))
        self._report(SpeechReport("level", level_dbfs=rms_dbfs(pcm)))
        vad = self._vad
        if vad is None:
            return
        self._samples += len(pcm) // 2
        for ev in vad.feed(pcm):
            if ev.kind == "speech_start":
                self._post(SpeechStarted())
                self._report(SpeechReport("start"))
            else:
                lag = self._samples / SAMPLE_RATE - ev.t + self._now() - arrived
                self._post(SpeechEnded(ago=max(0.0, lag)))
                self._report(SpeechReport("end"))

    def _end_now(self) -> None:
        """Push-to-talk released: speech (if any) ends now, and later audio starts afresh."""
        if self._vad is not None and self._vad.in_speech:
            self._post(SpeechEnded())
            self._report(SpeechReport("end"))
        self._fresh_vad()
