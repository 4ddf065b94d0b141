"""Live caller speech: audio frames → VAD + recogniser → Speech* events posted to a running call.

This is :mod:`ivr_studio.runtime.speech_feed` (how a script's ``say_wav`` turns a WAV into caller events)
done live: frames arrive in real time from a microphone or a paced WAV file, go through the voice package's
``SpeechInput`` on a worker thread (never on PortAudio's callback thread, never on the GUI thread), and each
result is posted to the call the moment it exists — ``SpeechStarted`` at the first voiced frame,
``SpeechPartial`` as the interim text changes, and at the end of speech ``SpeechFinal`` then
``SpeechEnded``. The VAD dates the end of speech to where the words stopped but can only report it after
its hangover of quiet frames (and the recogniser's end-of-speech work takes a moment more), so
``SpeechEnded.ago`` carries that lag — audio heard since the dated end, plus the time since that audio
arrived — and the Gather counts its speechTimeout from the real end, as on the virtual clock where events
are posted at their audio times. The final result is taken at the VAD's end of speech so it reaches the Gather
before its speechTimeout runs out; if the caller goes on talking, a fresh recognition session starts and the Gather
joins the pieces (twiml-runtime spec §2.4). Raw audio is also posted as ``CallerAudio`` for ``<Record>``.

No Qt here: results go to plain callbacks, so the benchmark and tests use it without a GUI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ivr_studio.runtime.events import (
    CallerAudio,
    Event,
    SpeechEnded,
    SpeechFinal,
    SpeechPartial,
    SpeechStarted,
)
from ivr_studio.ui.call.audio_worker import AudioWorker, SpeechReport
from ivr_studio.voice.interfaces import SAMPLE_RATE, NoModelError, PartialResult, RecognizerProvider, VadEvent
from ivr_studio.voice.pcm import wav_pcm as wav_pcm  # the panel's WAV reader is the voice package's
from ivr_studio.voice.speech_input import SpeechInput
from ivr_studio.voice.vad import VoiceActivityDetector

FRAME_MS = 20


@dataclass(frozen=True)
class SpeechConfig:
    """What a speech Gather asks the recogniser for: its ``language`` and the phrases of its ``hints``."""

    language: str = "en-US"
    phrases: tuple[str, ...] = ()
    phone_fidelity: bool = False
    #: The Gather's maxSpeechTime: an utterance that long is ended there, transcript and all.
    max_speech: float | None = None

    @classmethod
    def from_gather(cls, attributes: dict, phone_fidelity: bool = False) -> SpeechConfig:
        """From a ``gather_start`` event's attributes (``hints`` is a comma-separated phrase list)."""
        hints = str(attributes.get("hints") or "")
        phrases = tuple(dict.fromkeys(p.strip() for p in hints.split(",") if p.strip()))
        try:  # Twilio's limit when the attribute is missing or not a number: 60 s (spec §2.1)
            max_speech: float | None = float(attributes.get("maxSpeechTime", 60))
        except (TypeError, ValueError):
            max_speech = 60.0
        return cls(str(attributes.get("language") or "en-US"), phrases, phone_fidelity, max_speech)


class SpeechSession(AudioWorker):
    """Recognises one caller's speech for a running call, on its own worker thread.

    ``post`` delivers events to the call (``LiveCall.post``); ``report`` (optional) hears every step for
    the UI. :meth:`feed` is safe from any thread (it only queues); :meth:`end_utterance` forces the end of
    speech (push-to-talk released); :meth:`close` stops the worker.

    The recogniser loads on a thread of its own (a vosk model takes seconds, many more on a busy machine),
    and the caller may start talking before it is ready: their audio is kept, a voice activity detector of
    its own tells the call at once that speech started (so the Gather's no-input timeout does not run out
    while the caller talks), and once the recogniser is ready it hears the kept audio from the beginning,
    dated when it arrived — the end of speech and the transcript then come as if it had listened live.
    """

    def __init__(
        self,
        provider: RecognizerProvider,
        config: SpeechConfig,
        post: Callable[[Event], None],
        report: Callable[[SpeechReport], None] | None = None,
        record_audio: bool = True,
        now: Callable[[], float] = time.monotonic,
        key_filter: Callable[[str], bool] | None = None,
    ) -> None:
        """``now`` is the wall clock that dates arriving audio (tests pass a fixed one)."""
        super().__init__(post, report, now, "ivr-speech", key_filter)
        self.provider = provider
        self.config = config
        self.record_audio = record_audio
        self._speech: SpeechInput | None = None
        self._held_partial = ""
        self._warned: set[str] = set()
        self._line: Callable[[bytes], bytes] | None = None  # phone fidelity: one line for the whole session
        # while the recogniser loads (worker thread only):
        self._loading = True
        self._kept: list[tuple[bytes, float] | None] = []  # audio and its arrival; None: end_utterance
        self._early_vad: VoiceActivityDetector | None = None
        self._started_early = False  # SpeechStarted already posted for speech the recogniser has not heard
        # shared with the loading thread:
        self._loaded_lock = threading.Lock()
        self._ready: SpeechInput | None = None
        self._finished = False
        self._loader = threading.Thread(target=self._load, name="ivr-speech-load", daemon=True)
        self._start()

    def close(self, wait: float | None = None) -> None:
        """Stop the worker after what is queued; ``wait`` seconds for it and for a recogniser still loading."""
        deadline = None if wait is None else time.monotonic() + wait
        super().close(wait)
        if deadline is not None and self._loader.is_alive():
            self._loader.join(max(0.0, deadline - time.monotonic()))

    # ----- the loading thread -----
    failure = "speech recognition failed"

    def _open(self) -> SpeechInput:
        recognizer = self.provider.open(self.config.language, list(self.config.phrases) or None)
        if (
            getattr(recognizer, "mode", "") == "phrases"
            and getattr(recognizer, "rejects_unknown", True) is False
        ):
            self._warn_once(
                f"The {self.config.language} speech model cannot tell speech outside this menu's phrases "
                "apart: whatever the caller says is matched to the closest phrase."
            )
        return SpeechInput(recognizer)

    def _warn_once(self, text: str) -> None:
        if text not in self._warned:
            self._warned.add(text)
            self._report(SpeechReport("notice", text=text))

    def _load(self) -> None:
        """Load (and warm) the model, then hand the recogniser to the worker; a session that closed in the
        meantime gives it straight back to its engine."""
        try:
            prepare = getattr(self.provider, "prepare", None)
            if prepare is not None:
                prepare(self.config.language)
            speech = self._open()
        except NoModelError as exc:
            self._report(
                SpeechReport("no_model", text=str(exc), language=exc.language or self.config.language)
            )
            self._on_worker(self._not_loaded)
            return
        except Exception as exc:
            self._report(SpeechReport("error", text=str(exc)))
            self._on_worker(self._not_loaded)
            return
        with self._loaded_lock:
            if self._finished:
                speech.close()
                return
            self._ready = speech
        self._on_worker(self._loaded)

    # ----- the worker -----
    def _prepare(self) -> bool:
        if self.config.phone_fidelity:
            from ivr_studio.voice.phone_fidelity import PhoneLine

            self._line = PhoneLine()
        self._early_vad = VoiceActivityDetector()
        self._loader.start()
        return True

    def _loaded(self) -> None:
        """The recogniser is ready: it hears the audio kept while it loaded, in order."""
        with self._loaded_lock:
            speech, self._ready = self._ready, None
        if speech is None:
            return
        self._speech, self._loading = speech, False
        kept, self._kept = self._kept, []
        for item in kept:
            if item is None:
                self._finish_utterance()
            else:
                self._recognise(*item)

    def _not_loaded(self) -> None:
        """No recogniser (no model, or it failed): speech the call already heard ends understood as nothing,
        and the session stops."""
        self._loading, self._kept = False, []
        if self._started_early:
            self._started_early = False
            self._post(SpeechFinal("", None))
            self._post(SpeechEnded())
            self._report(SpeechReport("end"))
        self.close()

    def _end(self) -> None:
        if self._loading:
            self._kept.append(None)
        else:
            self._finish_utterance()

    def _finish(self) -> None:
        if self._loading:  # closed while the recogniser loads: it still hears the audio queued before
            self._loader.join()
            self._loaded()
        with self._loaded_lock:
            self._finished = True
            ready, self._ready = self._ready, None
        for speech in (ready, self._speech):
            if speech is not None:
                speech.close()  # the recogniser goes back to its engine, warm for the next Gather
        self._speech = None

    def _process(self, pcm: bytes, arrived: float) -> None:
        """One frame of audio that reached :meth:`feed` at ``arrived`` (``now`` time)."""
        if self.record_audio:
            self._post(CallerAudio(pcm))
        if self._line is not None:
            pcm = self._line(pcm)
        if self._loading:
            self._kept.append((pcm, arrived))
            self._listen_early(pcm)
        elif self._speech is not None:
            self._recognise(pcm, arrived)

    def _listen_early(self, pcm: bytes) -> None:
        """While the recogniser loads: tell the call when the caller starts talking."""
        if self._started_early or self._early_vad is None:
            return
        if any(ev.kind == "speech_start" for ev in self._early_vad.feed(pcm)):
            self._started_early = True
            self._post(SpeechStarted())
            self._report(SpeechReport("start"))

    def _recognise(self, pcm: bytes, arrived: float) -> None:
        speech = self._speech
        if speech is None:
            return
        for ev in speech.feed(pcm):
            if isinstance(ev, VadEvent):
                if ev.kind == "speech_start":
                    if self._started_early:  # the call heard this start while the recogniser loaded
                        self._started_early = False
                    else:
                        self._post(SpeechStarted())
                        self._report(SpeechReport("start"))
                    if self._held_partial:  # words the recogniser heard while the VAD was still deciding
                        self._partial(self._held_partial)
                else:
                    lag = speech.time - ev.t + self._now() - arrived  # hangover + time spent since
                    self._finish_utterance(ago=max(0.0, lag))
                    return
            elif isinstance(ev, PartialResult) and ev.text:
                if speech.speech_started_at is None:
                    self._held_partial = ev.text  # the VAD confirms speech a little late: no text before it
                else:
                    self._partial(ev.text)
        cap = self.config.max_speech
        if cap and speech.speech_started_at is not None and speech.time - speech.speech_started_at >= cap:
            self._finish_utterance()  # maxSpeechTime: the transcript of what was said so far, now

    def _partial(self, text: str) -> None:
        self._held_partial = ""
        self._post(SpeechPartial(text))
        self._report(SpeechReport("partial", text=text))

    def _finish_utterance(self, ago: float = 0.0) -> None:
        """End of speech ``ago`` seconds of audio back: the final transcript, then SpeechEnded.

        Later audio gets a fresh session. Push-to-talk's release ends speech now (``ago`` 0).
        """
        speech = self._speech
        if speech is None or speech.speech_started_at is None:
            return
        final = speech.final()
        self._post(SpeechFinal(final.text, final.confidence))
        self._post(SpeechEnded(ago=ago))
        self._report(SpeechReport("final", text=final.text, confidence=final.confidence))
        self._report(SpeechReport("end"))
        self._held_partial = ""
        self._speech = self._open()


class PacedAudio:
    """Plays PCM into ``on_frame`` in real time, 20 ms frames, like a microphone (a WAV "spoken" live).

    Frames are due on a fixed schedule from the start, so the pace does not drift; :meth:`stop` ends it
    at once. ``on_done`` runs after the last frame (not after a stop).
    """

    def __init__(
        self,
        pcm: bytes,
        on_frame: Callable[[bytes], None],
        on_done: Callable[[], None] | None = None,
        frame_ms: int = FRAME_MS,
        tail_seconds: float = 1.0,
    ) -> None:
        frame = SAMPLE_RATE * frame_ms // 1000 * 2
        padded = pcm + b"\x00\x00" * int(SAMPLE_RATE * tail_seconds)  # silence after: the VAD hears the end
        self.frames: Sequence[bytes] = [padded[i : i + frame] for i in range(0, len(padded), frame)]
        self.frame_seconds = frame_ms / 1000
        self.on_frame = on_frame
        self.on_done = on_done
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ivr-wav-speaker", daemon=True)

    @property
    def duration(self) -> float:
        return len(self.frames) * self.frame_seconds

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        start = time.monotonic()
        for i, frame in enumerate(self.frames):
            due = start + (i + 1) * self.frame_seconds  # a frame exists once its 20 ms have been "spoken"
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return
            self.on_frame(frame)
        if self.on_done is not None and not self._stop.is_set():
            self.on_done()
