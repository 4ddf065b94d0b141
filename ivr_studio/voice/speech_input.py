"""Speech input for one ``<Gather input="speech">``: VAD + a streaming recogniser, on audio time.

The runtime owns the Gather's timers; this helper only reports what happened in the audio and when:
``feed(pcm)`` returns :class:`VadEvent` and :class:`PartialResult` objects stamped with audio seconds since
the Gather started listening, and ``final()`` returns the transcript. Because every time is derived from the
number of samples fed, a WAV file pushed through in a millisecond on a virtual clock produces exactly the
same events as the same audio spoken into a microphone.

How the runtime ends recognition (twiml-runtime spec §2.4):

* ``speechTimeout="N"`` — after a ``speech_end`` event, N seconds of audio with no new ``speech_start``
  end the utterance; then call :meth:`SpeechInput.final`.
* ``speechTimeout="auto"`` — Twilio's "first pause" end-of-utterance detection. Here that is the same rule
  with :data:`AUTO_SPEECH_TIMEOUT` seconds. The VAD reports ``speech_end`` only after its hangover of
  unvoiced frames, but dates it to the end of the last voiced frame, a little (≈0.22 s) after the words
  stop; a live caller's ``SpeechEnded.ago`` carries the reporting lag, and the runtime starts speechTimeout
  from that dated end. So the silence a caller must leave under ``auto`` is about
  ``0.22 + AUTO_SPEECH_TIMEOUT`` ≈ 1 s measured from the end of the words, the hangover not added —
  close to what callers experience on Twilio.
* ``timeout`` (no input) — if no ``speech_start`` arrives within it, the result is empty.

:meth:`SpeechInput.utterance_complete` implements the first two rules for callers that just want a yes/no.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr_studio.voice.interfaces import SAMPLE_RATE, FinalResult, PartialResult, StreamingRecognizer, VadEvent
from ivr_studio.voice.vad import VoiceActivityDetector

#: Seconds of silence after ``speech_end`` that end an utterance when ``speechTimeout="auto"``.
AUTO_SPEECH_TIMEOUT = 0.8

SpeechEvent = VadEvent | PartialResult


def speech_timeout_seconds(value: str | float | None, timeout: float = 5.0) -> float:
    """Seconds of post-speech silence for a Gather's ``speechTimeout`` value.

    ``"auto"`` -> :data:`AUTO_SPEECH_TIMEOUT`; a number (or numeric string) -> itself; missing -> the
    Gather's ``timeout`` (spec §2.4).
    """
    if value is None or value == "":
        return float(timeout)
    if isinstance(value, str) and value.strip().lower() == "auto":
        return AUTO_SPEECH_TIMEOUT
    return float(value)


class SpeechInput:
    """Combines a :class:`VoiceActivityDetector` with a :class:`StreamingRecognizer` for one utterance."""

    def __init__(
        self,
        recognizer: StreamingRecognizer,
        vad: VoiceActivityDetector | None = None,
        t0: float = 0.0,
        audio_filter: Callable[[bytes], bytes] | None = None,
    ) -> None:
        """``t0`` is added to every time reported (e.g. the stream time at which the Gather began).

        ``audio_filter`` transforms audio before the VAD and recogniser see it — e.g.
        :func:`ivr_studio.voice.phone_fidelity.telephone` to hear what a phone call would deliver.
        """
        self.recognizer = recognizer
        self.vad = vad or VoiceActivityDetector()
        self.t0 = t0
        self._filter = audio_filter
        self._samples = 0
        self.speech_started_at: float | None = None
        self.last_speech_end: float | None = None
        self._result: FinalResult | None = None

    @property
    def time(self) -> float:
        """Audio time reached so far (``t0`` + seconds fed)."""
        return self.t0 + self._samples / SAMPLE_RATE

    @property
    def in_speech(self) -> bool:
        return self.vad.in_speech

    def feed(self, pcm: bytes) -> list[SpeechEvent]:
        """Consume audio; return VAD events and interim results, in audio-time order."""
        if self._result is not None:
            raise RuntimeError("feed() after final()")
        if self._filter is not None:
            pcm = self._filter(pcm)
        self._samples += len(pcm) // 2
        events: list[SpeechEvent] = []
        partial = self.recognizer.accept(pcm)
        for event in self.vad.feed(pcm):
            shifted = VadEvent(event.kind, self.t0 + event.t)
            if event.kind == "speech_start":
                if self.speech_started_at is None:
                    self.speech_started_at = shifted.t
                self.last_speech_end = None
            else:
                self.last_speech_end = shifted.t
            hook = getattr(self.recognizer, "on_vad", None)
            if hook is not None:
                hook(event)
            events.append(shifted)
        if partial is not None:
            events.append(PartialResult(partial.text, self.t0 + partial.end))
        events.sort(key=lambda e: e.t if isinstance(e, VadEvent) else e.end)
        return events

    def silence_after_speech(self) -> float | None:
        """Seconds of audio since the last ``speech_end`` (None before any speech or while speaking)."""
        if self.last_speech_end is None or self.vad.in_speech:
            return None
        return self.time - self.last_speech_end

    def utterance_complete(self, speech_timeout: float = AUTO_SPEECH_TIMEOUT) -> bool:
        """True once speech has happened and ``speech_timeout`` seconds of silence followed it."""
        silence = self.silence_after_speech()
        return silence is not None and silence >= speech_timeout

    def close(self) -> None:
        """Drop the utterance without a result (the Gather ended another way); the recogniser's engine gets
        back what the session borrowed. Does nothing after :meth:`final`."""
        if self._result is None:
            close = getattr(self.recognizer, "close", None)
            if close is not None:
                close()

    def final(self) -> FinalResult:
        """The transcript; times are shifted by ``t0``. Safe to call more than once.

        Empty when the VAD never detected speech, whatever the recogniser made of the noise.
        """
        if self._result is None:
            raw = self.recognizer.final()
            if self.speech_started_at is None:  # the VAD heard no speech: recognisers hallucinate on silence
                raw = FinalResult("", 0.0, 0.0, raw.end)
            self._result = FinalResult(raw.text, raw.confidence, self.t0 + raw.start, self.t0 + raw.end)
        return self._result
