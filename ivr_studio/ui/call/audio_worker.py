"""The worker thread behind live caller audio: frames are queued from any thread (PortAudio's callback, a
paced WAV) and handled in order on one thread, never on the GUI thread. :class:`.speech.SpeechSession` and
:class:`.recording.RecordingInput` say what to do with each frame; this class owns the queue and thread.

No Qt here: results go to plain callbacks.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ivr_studio.runtime.events import Event

_END = "end"


@dataclass
class SpeechReport:
    """What a worker tells its owner (on the worker's thread): a kind and its details."""

    kind: str  # "start" | "partial" | "final" | "end" | "level" | "error"
    text: str = ""
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
    ) -> None:
        self._post = post
        self._report = report or (lambda _r: None)
        self._now = now
        self._queue: queue.Queue[tuple[bytes, float] | str | None] = queue.Queue()
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
                if item == _END:
                    self._end()
                else:
                    self._process(*item)  # type: ignore[misc]
            except Exception as exc:  # a failing engine must not kill the call
                self._report(SpeechReport("error", text=f"{self.failure}: {exc}"))

    def _prepare(self) -> bool:
        """Load what the worker needs before audio arrives; False stops the worker."""
        return True

    def _process(self, pcm: bytes, arrived: float) -> None:
        """One frame that reached :meth:`feed` at ``arrived`` (``now`` time)."""

    def _end(self) -> None:
        """Handle :meth:`end_utterance`."""

    def _finish(self) -> None:
        """The worker is closing: release what :meth:`_prepare` took."""
