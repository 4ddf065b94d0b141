"""Turning a WAV file into timed caller events with a recogniser (a script's ``say_wav`` step).

The file is read by the voice package's :func:`~ivr_studio.voice.pcm.wav_pcm` (any rate and channel count,
mixed down and resampled to 16 kHz mono, as the call panel reads it). The audio goes through the voice
package's ``SpeechInput`` (voice activity detection plus the injected recogniser), so the events and their
times are exactly those a microphone would produce for the same audio:
``SpeechStarted`` at the first voiced frame, ``SpeechPartial`` as the interim text changes, ``SpeechFinal``
and ``SpeechEnded`` where the speech stops. As in the test-call panel, every end of speech closes that
utterance with its own transcript and later speech starts a fresh recognition session, so a file with two
sentences gives two results; an utterance that reaches the Gather's ``maxSpeechTime`` is ended there. The
raw audio is also posted as ``CallerAudio`` for ``<Record>``.

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
    SpeechFeeder,
    SpeechFinal,
    SpeechPartial,
    SpeechStarted,
)
from ivr_studio.voice.interfaces import SAMPLE_RATE, PartialResult, RecognizerProvider, VadEvent
from ivr_studio.voice.pcm import MAX_AUDIO_SECONDS, wav_pcm

CHUNK_SECONDS = 0.1


def wav_feeder(
    provider: RecognizerProvider, phone_fidelity: bool = False, max_seconds: float = MAX_AUDIO_SECONDS
) -> SpeechFeeder:
    """A ``SpeechFeeder`` that recognises WAV files with ``provider`` (via the voice package's SpeechInput).

    ``phone_fidelity`` sends the caller's audio through an 8 kHz μ-law phone line first (recognition and
    recordings both get telephone audio), as the panel's option of the same name does.
    """

    def feed(
        path: str, language: str, phrases: Sequence[str] | None = None, max_speech: float | None = None
    ) -> list[tuple[float, Event]]:
        """Events for ``path``; ``max_speech`` (the Gather's maxSpeechTime) ends an utterance that long."""
        from ivr_studio.voice.dtmf import KeypadGate
        from ivr_studio.voice.phone_fidelity import PhoneLine
        from ivr_studio.voice.speech_input import SpeechInput

        line = PhoneLine() if phone_fidelity else None

        pcm = wav_pcm(path, max_seconds)
        phrase_list = list(phrases) if phrases else None
        keys = KeypadGate()
        chunk = int(SAMPLE_RATE * CHUNK_SECONDS) * 2
        events: list[tuple[float, Event]] = []
        heard = 0  # samples of (tone-silenced) audio handed to speech recognition so far
        held_partial: list[str] = []  # interim text from before the VAD confirmed speech (as in the panel)
        speech: SpeechInput | None = SpeechInput(provider.open(language, phrase_list))

        def utterance_over(at: float) -> None:
            """The caller stopped (or hit maxSpeechTime): this utterance's transcript; later audio gets a
            fresh session."""
            nonlocal speech
            assert speech is not None
            final = speech.final()
            # the VAD reports the end a hangover after the words stop: interim text from those moments
            # belongs before the final result, not after it
            events[:] = [(t, e) for t, e in events if not (isinstance(e, SpeechPartial) and t > at)]
            events.append((at, SpeechFinal(final.text, final.confidence)))
            events.append((at, SpeechEnded()))
            speech = None

        def hear(piece: bytes) -> None:
            nonlocal heard, speech
            if line is not None:
                piece = line(piece)
            if speech is None:
                speech = SpeechInput(provider.open(language, phrase_list), t0=heard / SAMPLE_RATE)
                held_partial.clear()
            events.append((heard / SAMPLE_RATE, CallerAudio(piece)))
            heard += len(piece) // 2
            for ev in speech.feed(piece):
                if isinstance(ev, VadEvent):
                    if ev.kind == "speech_start":
                        events.append((ev.t, SpeechStarted()))
                        if held_partial:  # words heard while the VAD was still deciding
                            events.append((ev.t, SpeechPartial(held_partial.pop())))
                    else:
                        utterance_over(ev.t)
                        return
                elif isinstance(ev, PartialResult) and ev.text:
                    if speech.speech_started_at is None:  # no text before the VAD confirms speech
                        held_partial[:] = [ev.text]
                    else:
                        events.append((ev.end, SpeechPartial(ev.text)))
            started = speech.speech_started_at
            if max_speech and started is not None and speech.time - started >= max_speech:
                utterance_over(speech.time)

        for start in range(0, len(pcm), chunk):
            hits, rest = keys.feed(pcm[start : start + chunk])
            events.extend((hit.t, Dtmf(hit.digit)) for hit in hits if hit.digit in DTMF_KEYS)
            if rest:
                hear(rest)
        if held := keys.flush():
            hear(held)
        if speech is not None and speech.speech_started_at is not None:  # still talking when the file ends
            utterance_over(heard / SAMPLE_RATE)
        elif speech is not None:
            speech.close()
        events.sort(key=lambda item: item[0])  # stable: at equal times, the order they happened in
        return events

    return feed
