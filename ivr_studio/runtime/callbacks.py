"""Asynchronous webhooks of a call, whose responses are ignored: partial results (§2.9), status callbacks,
recording status and transcription callbacks — and the slow work some of them need (a transcription).

Each callback gets its own HTTP client with a snapshot of the call's cookies (its Set-Cookie is not kept).
On the virtual clock it is sent at once; on a real clock the call's one background thread sends the
callbacks in order, and their ``request`` records and failures come back to the clock's thread with
``clock.post``. Each record names the callback (``callback``: the TwiML attribute, such as
``statusCallback``).

When the call ends, interim results not yet sent are dropped, but the work that reports on the call (status,
recording, transcription callbacks) is still done: :attr:`Callbacks.idle` tells a live call when it is.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ivr_studio.runtime.clock import Clock, VirtualClock
from ivr_studio.runtime.http_client import Fetcher, FetchResult
from ivr_studio.runtime.transports import Transport
from ivr_studio.twiml.diagnostics import error


class CallbackWorker:
    """The one thread of a live call that does its background work, in order.

    A slow server makes the jobs queue here instead of piling up threads. Jobs touch no engine state and hand
    their results to the clock's thread. After :meth:`close` the jobs not yet started are dropped, except
    those submitted with ``keep``, which still run (also when submitted after the close).

    The thread lives only while there is work: once closed it ends as soon as its queue is empty (a kept job
    submitted later starts a new one, which ends the same way), so no thread of a finished call is left
    waiting, or working, while the program goes on or shuts down. :meth:`join` waits for that.
    """

    def __init__(self) -> None:
        self._jobs: deque[tuple[Callable[[], None], bool]] = deque()
        self._closed = False
        self._cond = threading.Condition()
        self.thread: threading.Thread | None = None
        with self._cond:
            self._start()

    def _start(self) -> None:
        """Start the thread (with ``_cond`` held)."""
        self.thread = threading.Thread(target=self._run, name="ivr-callbacks", daemon=True)
        self.thread.start()

    def submit(self, job: Callable[[], None], keep: bool = False) -> None:
        """Queue ``job``; a ``keep`` job still runs after :meth:`close`."""
        with self._cond:
            if self._closed and not keep:
                return
            self._jobs.append((job, keep))
            if self.thread is None:  # the thread ended after a close: start another for a kept job
                self._start()
            self._cond.notify()

    def close(self) -> None:
        """No more interim work: jobs not kept are dropped, and the thread ends once the queue is empty."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the thread has ended (after :meth:`close`, when its work is done); True when it has."""
        with self._cond:
            thread = self.thread
        if thread is not None:
            thread.join(timeout)
        with self._cond:
            return self.thread is None or not self.thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._cond.wait()
                if not self._jobs:
                    self.thread = None
                    return
                job, keep = self._jobs.popleft()
                if self._closed and not keep:
                    continue
            job()


class Background:
    """What a background job may do: emit trace events and warnings, and send a callback from its thread."""

    def __init__(
        self, callbacks: Callbacks, emit: Callable[..., None], cookies: dict[str, dict[str, str]]
    ) -> None:
        self._callbacks = callbacks
        self._cookies = cookies
        self.emit = emit

    def warn(self, code: str | int, message: str) -> None:
        self.emit("warning", code=str(code), message=message)

    def send(
        self, url: str, method: str, params: dict[str, str], *, kind: str, transport: Transport | None = None
    ) -> None:
        """Send one callback now, on this job's thread; its record and any failure reach the trace."""
        self._callbacks.send_now(url, method, params, kind, self.emit, self._cookies, transport)


class Callbacks:
    """Sends one call's asynchronous webhooks and runs its background jobs.

    ``fetcher`` is the call's client (its transport, settings, token and cookies are reused); ``emit``
    puts an event in the call's trace (on the clock's thread).
    """

    def __init__(self, fetcher: Fetcher, clock: Clock, emit: Callable[..., Any]) -> None:
        self.fetcher = fetcher
        self.clock = clock
        self._emit = emit
        self._worker: CallbackWorker | None = None  # started by the first job on a real clock
        self._pending = 0  # kept jobs not yet finished (real clock)
        self._closed = False

    @property
    def idle(self) -> bool:
        """No job that reports on the call is still running or waiting (always true on the virtual clock)."""
        return self._pending == 0

    def send(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        *,
        kind: str = "partialResultCallback",
        keep: bool = False,
        transport: Transport | None = None,
    ) -> None:
        """Send ``params`` (complete) to ``url`` without waiting for the answer.

        ``kind`` names the callback in its trace record; ``keep`` sends it even after the call has ended;
        ``transport`` reaches a callback URL the call's own transport does not (a real server for a call
        to an app served in process).
        """
        self.background(lambda job: job.send(url, method, params, kind=kind, transport=transport), keep=keep)

    def background(self, job: Callable[[Background], None], keep: bool = True) -> None:
        """Run ``job`` off the clock's thread on a live call (at once on the virtual clock). Callbacks it
        sends carry the call's cookies as they are now."""
        cookies = {host: dict(jar) for host, jar in self.fetcher.cookies.items()}
        if isinstance(self.clock, VirtualClock):
            job(Background(self, self._emit, cookies))
            return
        if self._worker is None:
            self._worker = CallbackWorker()
            if self._closed:
                self._worker.close()
        post = self.clock.post
        emit = self._emit

        def emit_later(kind: str, **fields: Any) -> None:
            post(lambda: emit(kind, **fields))

        if keep:
            self._pending += 1

        def run() -> None:
            try:
                job(Background(self, emit_later, cookies))
            except Exception as exc:  # a bug in a job must not kill the thread
                emit_later(
                    "warning", code="11200", message=f"Background work failed: {type(exc).__name__}: {exc}"
                )
            finally:
                if keep:
                    post(self._finished)

        self._worker.submit(run, keep=keep)

    def _finished(self) -> None:
        self._pending -= 1

    def close(self) -> None:
        """The call is over: interim callbacks not yet sent are dropped; kept work still runs."""
        self._closed = True
        if self._worker is not None:
            self._worker.close()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the call's background thread has ended (after :meth:`close`); True when it has, or
        when there never was one."""
        return self._worker is None or self._worker.join(timeout)

    def send_now(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        kind: str,
        emit: Callable[..., None],
        cookies: dict[str, dict[str, str]],
        transport: Transport | None = None,
    ) -> None:
        """Send one callback in the current thread; touches no engine state (it may run off the clock's
        thread). ``emit`` reaches the trace from this thread; ``cookies`` is a snapshot of the call's."""
        base = self.fetcher
        fetcher = Fetcher(
            transport or base.transport,
            base.settings,
            base.auth_token,
            lambda record: emit("request", **record, callback=kind),
            lambda record: emit("retry", **record, callback=kind),
        )
        fetcher.cookies = cookies
        try:
            result = fetcher.fetch(url, method, params, purpose="callback")
        except Exception as exc:  # a bug here must not kill the callback thread
            result = FetchResult(url, error=error(11200, f"{type(exc).__name__}: {exc}"))
        if not result.ok and result.error is not None:
            emit(
                "warning",
                code=result.error.code,
                message=f"Callback failed (ignored): {result.error.message}",
            )
