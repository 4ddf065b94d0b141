"""Turning a WAV file into timed caller events with a recogniser (a script's ``say_wav`` step).

The file is read by the voice package's :func:`~ivr_studio.voice.pcm.wav_pcm` (any rate and channel count,
mixed down and resampled to 16 kHz mono, as the call panel reads it). The audio goes through the voice
package's ``SpeechInput`` (voice activity detection plus the injected recogniser), so the events and their
times are exactly those a microphone would produce for the same audio:
``SpeechStarted`` at the first voiced frame, ``SpeechPartial`` as the interim text changes, ``SpeechFinal``
and ``SpeechEnded`` where the speech stops. The raw audio is also posted as ``CallerAudio`` for ``<Record>``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr_studio.runtime.events import (
    CallerAudio,
    Event,
    SpeechEnded,
    SpeechFinal,
    SpeechPartial,
    SpeechStarted,
)
from ivr_studio.runtime.script import SpeechFeeder
from ivr_studio.voice.interfaces import SAMPLE_RATE, PartialResult, RecognizerProvider, VadEvent
from ivr_studio.voice.pcm import wav_pcm

CHUNK_SECONDS = 0.1


def wav_feeder(provider: RecognizerProvider) -> SpeechFeeder:
    """A ``SpeechFeeder`` that recognises WAV files with ``provider`` (via the voice package's SpeechInput)."""

    def feed(path: str, language: str, phrases: Sequence[str] | None = None) -> list[tuple[float, Event]]:
        from ivr_studio.voice.speech_input import SpeechInput

        pcm = wav_pcm(path)
        speech = SpeechInput(provider.open(language, list(phrases) if phrases else None))
        chunk = int(SAMPLE_RATE * CHUNK_SECONDS) * 2
        events: list[tuple[float, Event]] = []
        last_end: float | None = None
        for start in range(0, len(pcm), chunk):
            piece = pcm[start : start + chunk]
            events.append((start / 2 / SAMPLE_RATE, CallerAudio(piece)))
            for ev in speech.feed(piece):
                if isinstance(ev, VadEvent):
                    if ev.kind == "speech_start":
                        events.append((ev.t, SpeechStarted()))
                    else:
                        events.append((ev.t, SpeechEnded()))
                        last_end = ev.t
                elif isinstance(ev, PartialResult) and ev.text:
                    events.append((ev.end, SpeechPartial(ev.text)))
        final = speech.final()
        end = len(pcm) / 2 / SAMPLE_RATE
        if speech.in_speech or last_end is None:
            final_at = end
            events.append((final_at, SpeechFinal(final.text, final.confidence)))
            if speech.speech_started_at is not None or final.text:
                if speech.speech_started_at is None:
                    events.append((0.0, SpeechStarted()))
                events.append((final_at, SpeechEnded()))
        else:
            # the final transcript belongs just before the last end of speech
            events.append((last_end, SpeechFinal(final.text, final.confidence)))
        final_at = max((t for t, e in events if isinstance(e, SpeechFinal)), default=end)
        events = [(t, e) for t, e in events if not (isinstance(e, SpeechPartial) and t > final_at)]
        events.sort(key=lambda item: (item[0], isinstance(item[1], SpeechEnded)))
        return events

    return feed
