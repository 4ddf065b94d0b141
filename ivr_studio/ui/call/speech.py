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
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ivr_studio.runtime.clock import Clock, TimerHandle
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
#: What the panel shows while a speech Gather listens and its recogniser is still loading.
LOADING_NOTICE = "Loading speech model… your speech is kept"
#: Audio kept while the model loads: the Gather's maxSpeechTime plus this margin (the VAD's hangover and the
#: speechTimeout after the words), so a caller talking to a model that never loads cannot fill the memory.
KEEP_MARGIN_SECONDS = 5.0
#: Audio kept from before the caller starts talking: the VAD dates a start up to its window (0.2 s) back, and
#: the recogniser hears a little quiet before the words, as it would live.
PRE_ROLL_SECONDS = 1.0
#: Seconds of the caller's audio kept before the panel says the model is loading: a warm model is ready
#: sooner, and the notice would only flash.
LOADING_NOTICE_AFTER = 0.25
_BYTES_PER_SECOND = SAMPLE_RATE * 2


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

    The recogniser loads on a thread of its own (a vosk model takes seconds, a big one a minute or more on a
    busy machine), and the caller may start talking before it is ready. Their audio is then kept (bounded:
    :data:`PRE_ROLL_SECONDS` before they speak, at most the Gather's maxSpeechTime plus
    :data:`KEEP_MARGIN_SECONDS` in all) and a voice activity detector of the session's own — the same
    :class:`~ivr_studio.voice.vad.VoiceActivityDetector` the recogniser's input uses — runs ahead of it: the
    call hears at once when speech starts and ends (``pending=True``, dated like live speech), so the
    Gather's timers run on the caller's audio as on Twilio (spec §2.4). Once the recogniser is ready it hears
    the kept audio from the beginning and the transcripts follow, each after the end of speech the call
    already heard; the Gather ends when its timers say so, with the transcript if it arrived in time (else
    its trace says the model was still loading).
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
        """``now`` is the clock that dates arriving audio: the call's in a live call (tests pass a fixed
        one)."""
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
        self._kept: deque[tuple[bytes, float] | None] = deque()  # audio and its arrival; None: end_utterance
        self._kept_bytes = 0
        self.keep_limit_bytes = int(((config.max_speech or 60.0) + KEEP_MARGIN_SECONDS) * _BYTES_PER_SECOND)
        self._early_vad: VoiceActivityDetector | None = None
        self._early_time = 0.0  # seconds of audio the early VAD heard
        self._heard_early = False  # the early VAD heard speech: no longer trimmed to pre-roll
        self._early_starts = 0  # speech starts and ends the call heard from the early VAD, still to come from
        self._early_ends = 0  # the recogniser (which then does not post them again)
        self._loading_said = False
        # shared with the loading thread:
        self._loaded_lock = threading.Lock()
        self._ready: SpeechInput | None = None
        self._finished = False
        self._loader = threading.Thread(target=self._load, name="ivr-speech-load", daemon=True)
        self._start()
        self._loader.start()

    @property
    def kept_bytes(self) -> int:
        """Bytes of caller audio kept for a recogniser that is still loading."""
        return self._kept_bytes

    def wait_loaded(self, timeout: float) -> bool:
        """Wait until the recogniser has loaded (or failed to); False when ``timeout`` s passed first."""
        self._loader.join(timeout)
        return not self._loader.is_alive()

    def close(self, wait: float | None = None) -> None:
        """Stop the worker after what is queued (a recogniser that has loaded hears it; one still loading
        does not: the Gather it was for is over); ``wait`` seconds for it and for the loading thread."""
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
        return True

    def _loaded(self) -> None:
        """The recogniser is ready: it hears the audio kept while it loaded, in order."""
        with self._loaded_lock:
            speech, self._ready = self._ready, None
        if speech is None:
            return
        self._speech, self._loading = speech, False
        kept, self._kept, self._kept_bytes = self._kept, deque(), 0
        for item in kept:
            if item is None:
                self._finish_utterance()
            else:
                self._recognise(*item)
        # caught up: from now on the recogniser's own detector speaks for the call
        self._early_starts = self._early_ends = 0
        self._heard_early = False
        if self._loading_said:
            self._report(SpeechReport("ready"))

    def _not_loaded(self) -> None:
        """No recogniser (no model, or it failed): speech the call already heard ends understood as nothing,
        and the session stops."""
        self._loading, self._kept, self._kept_bytes = False, deque(), 0
        if self._heard_early:
            self._post(SpeechFinal("", None))
            if self._early_vad is not None and self._early_vad.in_speech:
                self._post(SpeechEnded())
                self._report(SpeechReport("end"))
        if self._loading_said:
            self._report(SpeechReport("ready"))
        self.close()

    def _end(self) -> None:
        if not self._loading:
            self._finish_utterance()
            return
        self._kept.append(None)
        vad = self._early_vad
        if vad is not None and vad.in_speech:  # push-to-talk released: the speech is over now
            vad.flush()
            self._early_ends += 1
            self._post(SpeechEnded(pending=True))
            self._report(SpeechReport("end"))

    def _finish(self) -> None:
        if self._loading:
            with self._loaded_lock:
                loaded = self._ready is not None
            if loaded:  # ready before the close: it hears the audio queued before it
                self._loaded()
            else:  # still loading: the Gather is over, the kept audio goes unheard (the Gather's trace says
                self._kept, self._kept_bytes = deque(), 0  # so) and the model, once loaded, goes back (_load)
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
            self._keep(pcm, arrived)
            self._listen_early(pcm, arrived)
            if not self._loading_said and self._early_time >= LOADING_NOTICE_AFTER:
                self._loading_said = True
                self._report(SpeechReport("loading", text=LOADING_NOTICE))
        elif self._speech is not None:
            self._recognise(pcm, arrived)

    def _keep(self, pcm: bytes, arrived: float) -> None:
        """Keep audio for the recogniser still loading: a second of it before the caller speaks, at most
        maxSpeechTime and a margin in all (the oldest goes first)."""
        self._kept.append((pcm, arrived))
        self._kept_bytes += len(pcm)
        limit = self.keep_limit_bytes if self._heard_early else int(PRE_ROLL_SECONDS * _BYTES_PER_SECOND)
        while self._kept_bytes > limit and self._kept:
            item = self._kept.popleft()
            if item is not None:
                self._kept_bytes -= len(item[0])

    def _listen_early(self, pcm: bytes, arrived: float) -> None:
        """While the recogniser loads: tell the call when the caller starts and stops talking, dated as the
        recogniser's own detector would date them live (``SpeechEnded.ago``: the hangover and the delay)."""
        vad = self._early_vad
        if vad is None:
            return
        self._early_time += len(pcm) / _BYTES_PER_SECOND
        for ev in vad.feed(pcm):
            if ev.kind == "speech_start":
                self._heard_early = True
                self._early_starts += 1
                self._post(SpeechStarted(pending=True))
                self._report(SpeechReport("start"))
            else:
                self._early_ends += 1
                lag = self._early_time - ev.t + self._now() - arrived
                self._post(SpeechEnded(ago=max(0.0, lag), pending=True))
                self._report(SpeechReport("end"))

    def _recognise(self, pcm: bytes, arrived: float) -> None:
        speech = self._speech
        if speech is None:
            return
        for ev in speech.feed(pcm):
            if isinstance(ev, VadEvent):
                if ev.kind == "speech_start":
                    if self._early_starts:  # the call heard this start while the recogniser loaded
                        self._early_starts -= 1
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
        self._report(SpeechReport("final", text=final.text, confidence=final.confidence))
        if self._early_ends:  # the call heard this end while the recogniser loaded
            self._early_ends -= 1
        else:
            self._post(SpeechEnded(ago=ago))
            self._report(SpeechReport("end"))
        self._held_partial = ""
        self._speech = self._open()


class PacedAudio:
    """Plays PCM into ``on_frame`` in real time, 20 ms frames, like a microphone (a WAV "spoken" live).

    Frames are due on a fixed schedule from the start, so the pace does not drift; :meth:`stop` ends it
    at once. ``on_done`` runs after the last frame (not after a stop).

    ``clock`` (a ``runtime.clock`` clock, e.g. the running call's) paces the frames on its timers, on its
    thread: in call time, so a frame is dated when its 20 ms were spoken even while the call's thread is
    busy, and the audio stands still while the call does. Without one, a thread of its own paces them on
    the wall clock.
    """

    def __init__(
        self,
        pcm: bytes,
        on_frame: Callable[[bytes], None],
        on_done: Callable[[], None] | None = None,
        frame_ms: int = FRAME_MS,
        tail_seconds: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        frame = SAMPLE_RATE * frame_ms // 1000 * 2
        padded = pcm + b"\x00\x00" * int(SAMPLE_RATE * tail_seconds)  # silence after: the VAD hears the end
        self.frames: Sequence[bytes] = [padded[i : i + frame] for i in range(0, len(padded), frame)]
        self.frame_seconds = frame_ms / 1000
        self.on_frame = on_frame
        self.on_done = on_done
        self._clock = clock
        self._stop = threading.Event()
        self._done = threading.Event()  # every frame was played (or it was stopped)
        self._timer: TimerHandle | None = None
        self._start = 0.0
        self._started = False
        self._thread = threading.Thread(target=self._run, name="ivr-wav-speaker", daemon=True)

    @property
    def duration(self) -> float:
        return len(self.frames) * self.frame_seconds

    @property
    def playing(self) -> bool:
        """Started and neither stopped nor past its last frame."""
        return self._started and not self._done.is_set()

    def start(self) -> None:
        self._started = True
        if self._clock is None:
            self._thread.start()
            return
        self._start = self._clock.now()
        self._schedule(0)

    def stop(self) -> None:
        self._stop.set()
        self._done.set()
        timer = self._timer
        if timer is not None:
            timer.cancel()

    def _due(self, i: int, start: float) -> float:
        return start + (i + 1) * self.frame_seconds  # a frame exists once its 20 ms have been "spoken"

    def _schedule(self, i: int) -> None:
        """Frame ``i`` on the clock's timer at its time; it schedules the next (one timer at a time)."""
        assert self._clock is not None
        self._timer = self._clock.call_at(self._due(i, self._start), lambda: self._play(i))

    def _play(self, i: int) -> None:
        if self._stop.is_set():
            return
        self.on_frame(self.frames[i])
        if i + 1 < len(self.frames):
            self._schedule(i + 1)
        else:
            self._finish()

    def _finish(self) -> None:
        self._done.set()
        if self.on_done is not None and not self._stop.is_set():
            self.on_done()

    def _run(self) -> None:
        start = time.monotonic()
        for i, frame in enumerate(self.frames):
            if self._stop.wait(max(0.0, self._due(i, start) - time.monotonic())):
                return
            self.on_frame(frame)
        self._finish()
