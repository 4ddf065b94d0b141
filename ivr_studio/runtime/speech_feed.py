"""Turning a WAV file into timed caller events with a recogniser (a script's ``say_wav`` step).

The file is read by the voice package's :func:`~ivr_studio.voice.pcm.wav_pcm` (any rate and channel count,
mixed down and resampled to 16 kHz mono, as the call panel reads it). The audio goes through the voice
package's ``SpeechInput`` (voice activity detection plus the injected recogniser), so the events and their
times are exactly those a microphone would produce for the same audio:
``SpeechStarted`` at the first voiced frame, ``SpeechPartial`` as the interim text changes, ``SpeechFinal``
and ``SpeechEnded`` where the speech stops. The raw audio is also posted as ``CallerAudio`` for ``<Record>``.

Key tones in the file (a recording of a caller pressing keys) become ``Dtmf`` events at the moment each tone
begins, and are silenced before the speech input hears them — as in the live test-call panel.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr_studio.runtime.events import (
    DTMF_KEYS,
    CallerAudio,
    Dtmf,
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
        from ivr_studio.voice.dtmf import KeypadGate
        from ivr_studio.voice.speech_input import SpeechInput

        pcm = wav_pcm(path)
        speech = SpeechInput(provider.open(language, list(phrases) if phrases else None))
        keys = KeypadGate()
        chunk = int(SAMPLE_RATE * CHUNK_SECONDS) * 2
        events: list[tuple[float, Event]] = []
        last_end: float | None = None
        handed_on = 0  # samples of (tone-silenced) audio given to the speech input so far

        def hear(piece: bytes) -> None:
            nonlocal handed_on, last_end
            events.append((handed_on / SAMPLE_RATE, CallerAudio(piece)))
            handed_on += len(piece) // 2
            for ev in speech.feed(piece):
                if isinstance(ev, VadEvent):
                    if ev.kind == "speech_start":
                        events.append((ev.t, SpeechStarted()))
                    else:
                        events.append((ev.t, SpeechEnded()))
                        last_end = ev.t
                elif isinstance(ev, PartialResult) and ev.text:
                    events.append((ev.end, SpeechPartial(ev.text)))

        for start in range(0, len(pcm), chunk):
            hits, rest = keys.feed(pcm[start : start + chunk])
            events.extend((hit.t, Dtmf(hit.digit)) for hit in hits if hit.digit in DTMF_KEYS)
            if rest:
                hear(rest)
        if held := keys.flush():
            hear(held)
        final = speech.final()
        end = len(pcm) / 2 / SAMPLE_RATE
        if speech.in_speech or last_end is None:
            final_at = end
            if speech.speech_started_at is not None or final.text:
                events.append((final_at, SpeechFinal(final.text, final.confidence)))
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
