"""Asynchronous webhooks of a call, whose responses are ignored (partialResultCallback, §2.9).

Each callback gets its own HTTP client with a snapshot of the call's cookies (its Set-Cookie is not kept).
On the virtual clock it is sent at once; on a real clock the call's one callback thread sends the callbacks in
order, and their ``request`` records and failures come back to the clock's thread with ``clock.post``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from ivr_studio.runtime.clock import Clock, VirtualClock
from ivr_studio.runtime.http_client import Fetcher, FetchResult
from ivr_studio.twiml.diagnostics import error


class CallbackWorker:
    """The one thread of a live call that sends its asynchronous webhooks, in order.

    A slow server makes the jobs queue here instead of piling up threads. Jobs touch no engine state and hand
    their results to the clock's thread. After :meth:`close` the jobs not yet started are dropped.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._closed = False
        self.thread = threading.Thread(target=self._run, name="ivr-callbacks", daemon=True)
        self.thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def close(self) -> None:
        self._closed = True
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if not self._closed:
                job()


class Callbacks:
    """Sends one call's asynchronous webhooks.

    ``fetcher`` is the call's client (its transport, settings, token and cookies are reused); ``on_request``
    records each exchange in the trace and ``warn`` reports a failed callback; both run on the clock's thread.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        clock: Clock,
        on_request: Callable[[dict], None],
        warn: Callable[[str, str], None],
    ) -> None:
        self.fetcher = fetcher
        self.clock = clock
        self.on_request = on_request
        self.warn = warn
        self._worker: CallbackWorker | None = None  # started by the first callback on a real clock

    def send(self, url: str, method: str, params: dict[str, str]) -> None:
        """Send ``params`` (the call parameters already included) to ``url`` without waiting for it."""
        cookies = {host: dict(jar) for host, jar in self.fetcher.cookies.items()}
        if isinstance(self.clock, VirtualClock):
            self._send(url, method, params, cookies, self.on_request)
            return
        if self._worker is None:
            self._worker = CallbackWorker()
        post = self.clock.post
        on_request = self.on_request

        def report(record: dict) -> None:
            post(lambda: on_request(record))

        self._worker.submit(lambda: self._send(url, method, params, cookies, report))

    def close(self) -> None:
        """The call is over: callbacks not yet sent are dropped."""
        if self._worker is not None:
            self._worker.close()

    def _send(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        cookies: dict[str, dict[str, str]],
        on_request: Callable[[dict], None],
    ) -> None:
        """Send one callback; touches no engine state (it may run off the clock's thread)."""
        base = self.fetcher
        fetcher = Fetcher(base.transport, base.settings, base.auth_token, on_request)
        fetcher.cookies = cookies
        try:
            result = fetcher.fetch(url, method, params, purpose="callback")
        except Exception as exc:  # a bug here must not kill the callback thread
            result = FetchResult(url, error=error(11200, f"{type(exc).__name__}: {exc}"))
        if not result.ok and result.error is not None:
            err = result.error
            self.clock.post(lambda: self.warn(err.code, f"Callback failed (ignored): {err.message}"))
