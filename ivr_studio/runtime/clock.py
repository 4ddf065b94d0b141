"""Clocks the call runtime schedules its timers on: a virtual clock for scripts and tests, a real one for live calls.

The engine never sleeps and never reads the wall clock. It asks a clock for ``now()`` and schedules work with
``call_at``/``call_later``. A :class:`VirtualClock` jumps from timer to timer, so a 60-second call runs in
milliseconds; a :class:`RealClock` runs the same timers in real time on one thread, and other threads (a UI,
an audio callback) hand it work with the thread-safe :meth:`RealClock.post`.

Everything the engine does happens on the clock's thread, so the engine itself needs no locks.

Both clocks can be paused (:meth:`RealClock.pause`, :meth:`RealClock.resume`): call time stands still and
no timer fires — neither the engine's nor work other threads post — until it is resumed. The call
debugger holds a call this way (:mod:`ivr_studio.runtime.debugger`).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(order=True)
class TimerHandle:
    """A scheduled callback. ``cancel()`` is safe to call at any time, also after it ran."""

    when: float
    seq: int
    fn: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Clock(Protocol):
    """What the engine needs from a clock."""

    def now(self) -> float: ...

    def call_at(self, when: float, fn: Callable[[], None]) -> TimerHandle: ...

    def call_later(self, delay: float, fn: Callable[[], None]) -> TimerHandle: ...

    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the clock's thread as soon as possible (thread-safe)."""
        ...

    def pause(self) -> None:
        """Stop call time: ``now()`` stands still and nothing runs until :meth:`resume` (thread-safe)."""
        ...

    def resume(self) -> None:
        """Let call time go on from where it stopped (thread-safe; nothing happens when not paused)."""
        ...

    def post_first(self, fn: Callable[[], None]) -> None:
        """Like :meth:`post`, but ahead of whatever else is due now (the step a paused call was held at
        goes before what the caller did meanwhile)."""
        ...

    @property
    def paused(self) -> bool: ...


class _TimerQueue:
    def __init__(self) -> None:
        self._heap: list[TimerHandle] = []
        self._seq = itertools.count()

    def push(self, when: float, fn: Callable[[], None], first: bool = False) -> TimerHandle:
        """Queue ``fn`` at ``when``; ``first`` puts it before everything else due at the same time."""
        seq = next(self._seq)
        handle = TimerHandle(when, -seq if first else seq, fn)
        heapq.heappush(self._heap, handle)
        return handle

    def peek(self) -> TimerHandle | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0] if self._heap else None

    def pop(self) -> TimerHandle:
        return heapq.heappop(self._heap)


class VirtualClock:
    """Simulated time. Nothing happens until :meth:`advance_to` or :meth:`run` moves time forward."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._queue = _TimerQueue()
        self._lock = threading.Lock()
        self._paused = False

    def now(self) -> float:
        return self._now

    def call_at(self, when: float, fn: Callable[[], None]) -> TimerHandle:
        with self._lock:
            return self._queue.push(max(when, self._now), fn)

    def call_later(self, delay: float, fn: Callable[[], None]) -> TimerHandle:
        return self.call_at(self._now + max(0.0, delay), fn)

    def post(self, fn: Callable[[], None]) -> None:
        self.call_at(self._now, fn)

    def post_first(self, fn: Callable[[], None]) -> None:
        with self._lock:
            self._queue.push(self._now, fn, first=True)

    def pause(self) -> None:
        """Hold time: :meth:`step`, :meth:`advance_to` and :meth:`run` do nothing until :meth:`resume`."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    @property
    def paused(self) -> bool:
        return self._paused

    def next_time(self) -> float | None:
        """When the next timer is due, or None when nothing is scheduled."""
        with self._lock:
            head = self._queue.peek()
            return None if head is None else head.when

    def step(self) -> bool:
        """Run the next due timer (moving time to it). False when nothing is scheduled, or when paused."""
        if self._paused:
            return False
        with self._lock:
            head = self._queue.peek()
            if head is None:
                return False
            self._queue.pop()
            self._now = max(self._now, head.when)
        head.fn()
        return True

    def advance_to(self, t: float) -> None:
        """Run every timer due up to ``t`` in order, then set the time to ``t`` (paused: up to the pause)."""
        while True:
            if self._paused:
                return
            nxt = self.next_time()
            if nxt is None or nxt > t:
                break
            self.step()
        self._now = max(self._now, t)

    def advance(self, seconds: float) -> None:
        self.advance_to(self._now + seconds)

    def run(self, until: float | None = None, stop: Callable[[], bool] | None = None) -> None:
        """Run timers in order until none are left, ``stop()`` is true, the next one is after ``until``, or
        the clock is paused (then call :meth:`run` again after :meth:`resume`)."""
        while not (stop and stop()) and not self._paused:
            nxt = self.next_time()
            if nxt is None or (until is not None and nxt > until):
                if until is not None and nxt is not None:
                    self._now = max(self._now, until)
                return
            self.step()


class RealClock:
    """Wall-clock time (monotonic, seconds since creation) with a timer loop for one thread.

    Call :meth:`run` on the thread that should own the engine (a worker thread started by the UI); other
    threads use :meth:`post` or :meth:`call_at`, which wake the loop.
    """

    def __init__(self) -> None:
        # (t0, paused at): replaced as one tuple so now() never sees half a change from another thread
        self._base: tuple[float, float | None] = (time.monotonic(), None)
        self._queue = _TimerQueue()
        self._cond = threading.Condition()
        self._stopped = False

    def now(self) -> float:
        t0, paused_at = self._base
        return (time.monotonic() if paused_at is None else paused_at) - t0

    def pause(self) -> None:
        """Stop call time: ``now()`` stands still and no timer fires until :meth:`resume` (thread-safe).
        Work posted meanwhile (a key, a hang-up) waits and runs, in order, when time goes on."""
        with self._cond:
            t0, paused_at = self._base
            if paused_at is None:
                self._base = (t0, time.monotonic())

    def resume(self) -> None:
        """Let call time go on from where it stopped; the pause's length is not call time (thread-safe)."""
        with self._cond:
            t0, paused_at = self._base
            if paused_at is not None:
                self._base = (t0 + time.monotonic() - paused_at, None)
                self._cond.notify()

    @property
    def paused(self) -> bool:
        return self._base[1] is not None

    def call_at(self, when: float, fn: Callable[[], None]) -> TimerHandle:
        with self._cond:
            handle = self._queue.push(when, fn)
            self._cond.notify()
            return handle

    def call_later(self, delay: float, fn: Callable[[], None]) -> TimerHandle:
        return self.call_at(self.now() + max(0.0, delay), fn)

    def post(self, fn: Callable[[], None]) -> None:
        self.call_at(self.now(), fn)

    def post_first(self, fn: Callable[[], None]) -> None:
        with self._cond:
            self._queue.push(self.now(), fn, first=True)
            self._cond.notify()

    def stop(self) -> None:
        """Make :meth:`run` return (thread-safe)."""
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def run(self, stop: Callable[[], bool] | None = None, until: float | None = None) -> None:
        """Run timers as they fall due until :meth:`stop` is called, ``stop()`` is true or ``until`` passes."""
        while True:
            with self._cond:
                while True:
                    if self._stopped or (stop and stop()):
                        return
                    if self.paused:  # call time stands still: nothing falls due until resumed
                        self._cond.wait()
                        continue
                    now = self.now()
                    if until is not None and now >= until:
                        return
                    head = self._queue.peek()
                    if head is not None and head.when <= now:
                        self._queue.pop()
                        break
                    wait = None if head is None else head.when - now
                    if until is not None:
                        wait = until - now if wait is None else min(wait, until - now)
                    self._cond.wait(timeout=wait if wait is None else max(wait, 0.0))
            head.fn()
