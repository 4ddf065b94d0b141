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

import time
from collections.abc import Callable

from ivr_studio.runtime.events import CallerAudio, Event, SpeechEnded, SpeechStarted
from ivr_studio.ui.call.audio_worker import AudioWorker, SpeechReport
from ivr_studio.voice.interfaces import SAMPLE_RATE


class RecordingInput(AudioWorker):
    """Feeds one caller's audio to a recording call; same interface as :class:`.speech.SpeechSession`.

    :meth:`feed` is safe from any thread (it only queues); :meth:`end_utterance` ends the caller's speech
    now (push-to-talk released); :meth:`close` stops the worker.
    """

    def __init__(
        self,
        post: Callable[[Event], None],
        report: Callable[[SpeechReport], None] | None = None,
        now: Callable[[], float] = time.monotonic,
        key_filter: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(post, report, now, "ivr-recording", key_filter)
        self._vad = None
        self._samples = 0
        self._start()

    # ----- the worker -----
    failure = "voice activity detection failed"

    def _fresh_vad(self) -> None:
        from ivr_studio.voice.vad import VoiceActivityDetector

        self._vad = VoiceActivityDetector()
        self._samples = 0

    def _prepare(self) -> bool:
        try:
            self._fresh_vad()
        except Exception as exc:  # the audio is still recorded, only speech timing is lost
            self._report(SpeechReport("error", text=f"{self.failure}: {exc}"))
        return True

    def _process(self, pcm: bytes, arrived: float) -> None:
        self._post(CallerAudio(pcm))
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

    def _end(self) -> None:
        """Push-to-talk released: speech (if any) ends now, and later audio starts afresh."""
        if self._vad is not None and self._vad.in_speech:
            self._post(SpeechEnded())
            self._report(SpeechReport("end"))
        self._fresh_vad()
