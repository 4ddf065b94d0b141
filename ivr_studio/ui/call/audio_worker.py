"""The worker thread behind live caller audio: frames are queued from any thread (PortAudio's callback, a
paced WAV) and handled in order on one thread, never on the GUI thread. :class:`.speech.SpeechSession`,
:class:`.recording.RecordingInput` and :class:`KeypadInput` say what to do with each frame; this class owns
the queue and thread.

Every frame first passes the voice package's :class:`~ivr_studio.voice.dtmf.KeypadGate`: key tones in the
caller's audio (a phone's keypad held to the headset, a WAV of key presses) become ``Dtmf`` events, and the
subclass gets the audio ``lookahead`` (80 ms) later with the tones silenced, so a held key is never taken for
speech. A ``key_filter`` can refuse a key — the panel refuses the echo of a tone it has just played itself.

No Qt here: results go to plain callbacks.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ivr_studio.runtime.events import DTMF_KEYS, Dtmf, Event
from ivr_studio.voice.dtmf import KeypadGate
from ivr_studio.voice.pcm import rms_dbfs

_END = "end"


@dataclass
class SpeechReport:
    """What a worker tells its owner (on the worker's thread): a kind and its details."""

    # "start" | "partial" | "final" | "end" | "key" | "level" | "notice" | "no_model" | "error", and while a
    # speech model loads: "loading" (the caller's audio is kept for it) then "ready"
    kind: str
    text: str = ""
    language: str = ""  # for "no_model": the language no speech model is installed for
    confidence: float | None = None
    level_dbfs: float | None = None
    at: float = field(default_factory=time.monotonic)


class AudioWorker:
    """Queue + thread. Subclasses implement :meth:`_prepare`, :meth:`_process`, :meth:`_end` and
    :meth:`_finish`, then call
    :meth:`_start` at the end of their ``__init__``."""

    #: Words for what failed, in the error report ("speech recognition failed: …").
    failure = "audio processing failed"

    def __init__(
        self,
        post: Callable[[Event], None],
        report: Callable[[SpeechReport], None] | None,
        now: Callable[[], float],
        name: str,
        key_filter: Callable[[str], bool] | None = None,
    ) -> None:
        self._post = post
        self._report = report or (lambda _r: None)
        self._now = now
        self._keys = KeypadGate()
        self._key_filter = key_filter
        self._queue: queue.Queue[tuple[bytes, float] | str | Callable[[], None] | None] = queue.Queue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _start(self) -> None:
        self._thread.start()

    # ----- any thread -----
    def feed(self, pcm: bytes) -> None:
        """Queue one frame (16 kHz mono s16le), dated now."""
        if not self._closed:
            self._queue.put((pcm, self._now()))

    def end_utterance(self) -> None:
        """The caller's speech ends now (push-to-talk released)."""
        if not self._closed:
            self._queue.put(_END)

    def _on_worker(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the worker thread, after the frames already queued (from any thread)."""
        self._queue.put(work)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until what was queued before this call has been handled; False when ``timeout`` s passed
        first (or the worker has stopped). Lets a test on a virtual clock move time only once the audio it
        fed has been heard."""
        done = threading.Event()
        self._queue.put(done.set)
        return done.wait(timeout)

    def close(self, wait: float | None = None) -> None:
        """Stop the worker after what is queued; ``wait`` seconds for it (never from the worker itself)."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
        if wait is not None and threading.current_thread() is not self._thread:
            self._thread.join(wait)

    # ----- the worker -----
    def _run(self) -> None:
        if not self._prepare():
            self._closed = True
            return
        while True:
            item = self._queue.get()
            if item is None:
                try:
                    self._finish()
                except Exception as exc:
                    self._report(SpeechReport("error", text=f"{self.failure}: {exc}"))
                return
            try:
                if callable(item):
                    item()
                elif item == _END:
                    held = self._keys.flush()  # the last moments of speech first
                    if held:
                        self._process(held, self._now())
                    self._end()
                else:
                    self._frame(*item)  # type: ignore[misc]
            except Exception as exc:  # a failing engine must not kill the call
                self._report(SpeechReport("error", text=f"{self.failure}: {exc}"))

    def _frame(self, pcm: bytes, arrived: float) -> None:
        self._report(SpeechReport("level", level_dbfs=rms_dbfs(pcm)))
        hits, rest = self._keys.feed(pcm)
        for hit in hits:
            if hit.digit in DTMF_KEYS and (self._key_filter is None or self._key_filter(hit.digit)):
                self._post(Dtmf(hit.digit))
                self._report(SpeechReport("key", text=hit.digit))
        if rest:  # audio ``lookahead`` older than the frame that just arrived
            self._process(rest, arrived - self._keys.lookahead)

    def _prepare(self) -> bool:
        """Load what the worker needs before audio arrives; False stops the worker."""
        return True

    def _process(self, pcm: bytes, arrived: float) -> None:
        """One frame that reached :meth:`feed` at ``arrived`` (``now`` time)."""

    def _end(self) -> None:
        """Handle :meth:`end_utterance`."""

    def _finish(self) -> None:
        """The worker is closing: release what :meth:`_prepare` took."""


class KeypadInput(AudioWorker):
    """Listens to the caller's audio for key tones only (a Gather without speech input)."""

    def __init__(
        self,
        post: Callable[[Event], None],
        report: Callable[[SpeechReport], None] | None = None,
        now: Callable[[], float] = time.monotonic,
        key_filter: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(post, report, now, "ivr-keypad", key_filter)
        self._start()
