"""Who may open, start, stop and close a PortAudio stream, and when: one keeper for the whole process.

PortAudio's API is not thread-safe, and the ways a desktop app naturally uses it are each a crash:

- ``Pa_OpenStream`` and ``Pa_CloseStream`` edit one unlocked list of open streams, so the GUI thread (key
  tones), a call's worker (prompts) and a closer must not run them at the same time.
- A short clip on a fast device (a key tone, or any clip on the ALSA null device) plays to its end and
  PortAudio reports it finished *before* ``Pa_StartStream`` has returned: the starting thread is still
  waiting on the stream's start mutex. Closing the stream from its finished callback (or from a thread that
  callback starts) destroys that mutex while it is held, and PortAudio aborts the process
  (``PaUnixMutex_Terminate: Assertion '0 == paUtilErr_' failed``). Measured on the null device: 9 to 20 of
  24 key tones finished before ``start()`` returned.
- ``Pa_AbortStream`` (and ``Pa_CloseStream`` on a stream that is not stopped, and ``Pa_Terminate`` on a
  stream left open) ``pthread_cancel``\\ s the stream's thread, which may be running Python code — our
  audio or finished callback — at that moment.

So here every open, start, stop and close runs under one lock; a stream is always stopped with
``Pa_StopStream`` (which joins its thread and never cancels it) before it is closed; a stream that ends by
itself is closed by one long-lived closer thread, never from PortAudio's own thread; and at exit every stream
still open is stopped and closed before ``sounddevice``'s exit handler terminates PortAudio, so that
``Pa_Terminate`` finds nothing left to cancel. The keeper never imports ``sounddevice``: it handles the
stream objects it is given.
"""

from __future__ import annotations

import atexit
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["StreamKeeper", "keeper"]


class StreamKeeper:
    """Serialises stream lifecycles and closes finished streams off PortAudio's threads."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._open: set[Any] = set()
        self._finished: queue.SimpleQueue[tuple[Any, Callable[[], None] | None] | None] = queue.SimpleQueue()
        self._closer: threading.Thread | None = None
        self._closer_lock = threading.Lock()
        self._exit_registered = False

    # ----- opening -----
    def start(self, make: Callable[[], Any]) -> Any:
        """Open a stream with ``make()`` and start it, both under the lock; it stays known until closed.

        A stream whose start fails is closed again before the error goes on. ``make`` may query the device
        (PortAudio calls of its own), which is why it runs under the lock too.
        """
        with self._lock:
            stream = make()
            self._open.add(stream)
            try:
                stream.start()
            except BaseException:
                self._shut(stream)
                raise
        return stream

    # ----- closing -----
    def close(self, stream: Any, before_stop: Callable[[], None] | None = None) -> bool:
        """Stop and close ``stream`` now (from any thread but PortAudio's); False if it was already closed.

        ``before_stop`` runs under the lock just before the stop, e.g. to make the audio callback end the
        stream at its next block instead of playing out its buffers.
        """
        with self._lock:
            if stream not in self._open:
                return False
            if before_stop is not None:
                before_stop()
            self._shut(stream)
            return True

    def close_when_finished(self, stream: Any, then: Callable[[], None] | None = None) -> None:
        """For PortAudio's finished callback: have ``stream`` closed by the closer thread, then call ``then``.

        Never blocks and never calls PortAudio, so it is safe on PortAudio's own thread — even while the
        thread that started the stream is still inside ``Pa_StartStream``.
        """
        self._finished.put((stream, then))
        self._ensure_closer()

    def is_open(self, stream: Any) -> bool:
        with self._lock:
            return stream in self._open

    @property
    def open_count(self) -> int:
        with self._lock:
            return len(self._open)

    def close_all(self) -> None:
        """Close every stream still open (the process is exiting, or PortAudio is about to be terminated)."""
        with self._lock:
            for stream in list(self._open):
                self._shut(stream)

    def _shut(self, stream: Any) -> None:
        # Pa_StopStream joins the stream's thread (no pthread_cancel); Pa_CloseStream on a stopped stream
        # then only frees it. Errors mean the device is gone: there is nothing left to release.
        self._open.discard(stream)
        with contextlib.suppress(Exception):
            stream.stop()
        with contextlib.suppress(Exception):
            stream.close()

    # ----- the closer thread -----
    def _ensure_closer(self) -> None:
        with self._closer_lock:
            if self._closer is None or not self._closer.is_alive():
                self._closer = threading.Thread(
                    target=self._close_finished, name="ivr-audio-closer", daemon=True
                )
                self._closer.start()

    def _close_finished(self) -> None:
        while True:
            item = self._finished.get()
            if item is None:
                return
            stream, then = item
            with self._lock:
                if stream in self._open:
                    self._shut(stream)
            if then is not None:
                with contextlib.suppress(Exception):  # a listener's error must not stop the closer
                    then()

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until every finished stream handed to the closer so far has been closed (and stop it)."""
        with self._closer_lock:
            closer = self._closer
            self._closer = None
        if closer is not None and closer.is_alive():
            self._finished.put(None)
            closer.join(timeout)

    # ----- exit -----
    def register_exit(self) -> None:
        """Close everything at interpreter exit. Call it *after* ``import sounddevice``: exit handlers run
        last-registered first, so this runs before sounddevice terminates PortAudio."""
        with self._closer_lock:
            if self._exit_registered:
                return
            self._exit_registered = True
        atexit.register(self._at_exit)

    def _at_exit(self) -> None:
        self.drain()
        self.close_all()


#: The process's one keeper: PortAudio is one library per process, so its streams have one keeper.
keeper = StreamKeeper()
