"""A clock for the test-call panel's live calls whose time moves only when the test moves it.

A live call runs on a thread of its own and other threads (the panel, the audio workers) post work to it; on
the real clock its timers (a prompt's length, a Gather's ``timeout``) run out on the wall clock, so a test
starved by a busy machine for longer than a Gather's timeout sees the call move on without it.
:class:`SteppedClock` keeps that threading — the call still runs on its own thread, posted work still runs at
once — but call time stands still until the test moves it, timer by timer (:func:`run_until`), the way a
:class:`~ivr_studio.runtime.clock.VirtualClock` moves for scripted calls.

Give a controller one with ``CallController(clock=SteppedClock)``; the running call's clock is then
``controller._live.clock`` (see :func:`call_clock`).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable

from ivr_studio.runtime.clock import RealClock, TimerHandle

#: How far a test may move a call's time while waiting for something (call seconds): beyond any prompt and
#: Gather of the flows the tests call, far below the call's maximum duration.
LIMIT_SECONDS = 120.0


class SteppedClock(RealClock):
    """Call time that stands still until :meth:`advance_to`; a live call's loop runs its timers in order.

    It is a :class:`RealClock` only in kind (a live call needs one); none of that class's state is used.
    """

    def __init__(self) -> None:  # noqa: D107 - the parent's state is deliberately not set up
        self._now = 0.0
        self._target = 0.0  # the time the test moved the call to; timers up to it run at their own times
        self._heap: list[TimerHandle] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._busy = False  # a timer's work is running on the call's thread
        self._held = False
        self._stopped = False
        self._waiting = False  # the call's loop waits: for the test to move time, or to be resumed
        self._loop_done = True  # no loop runs (none has yet, or the call is over)
        self._started = False

    # ----- the Clock protocol -----
    def now(self) -> float:
        return self._now

    def call_at(self, when: float, fn: Callable[[], None]) -> TimerHandle:
        return self._push(when, fn, first=False)

    def call_later(self, delay: float, fn: Callable[[], None]) -> TimerHandle:
        return self.call_at(self._now + max(0.0, delay), fn)

    def post(self, fn: Callable[[], None]) -> None:
        self.call_at(self._now, fn)

    def post_first(self, fn: Callable[[], None]) -> None:
        self._push(self._now, fn, first=True)

    def pause(self) -> None:
        with self._cond:
            self._held = True

    def resume(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()

    @property
    def paused(self) -> bool:
        return self._held

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def run(self, stop: Callable[[], bool] | None = None, until: float | None = None) -> None:
        """The call's loop: run each timer once time has reached it; wait for the test to move time on."""
        with self._cond:
            self._loop_done, self._started = False, True
        try:
            self._loop(stop, until)
        finally:
            with self._cond:
                self._loop_done = True
                self._cond.notify_all()

    def _loop(self, stop: Callable[[], bool] | None, until: float | None) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped or (stop and stop()):
                        return
                    if until is not None and self._now >= until:
                        return
                    if self._held:
                        self._wait()
                        continue
                    head = self._peek()
                    if head is not None and head.when <= self._now:
                        heapq.heappop(self._heap)
                        self._busy = True
                        break
                    if head is not None and head.when <= self._target:
                        self._now = head.when  # the next timer, at its own time
                        continue
                    if self._now < self._target:
                        self._now = self._target
                        continue
                    self._wait()
            try:
                head.fn()
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _wait(self) -> None:
        """Wait (the lock held) for a timer, a post or the test to move time on; meanwhile the call is idle."""
        self._waiting = True
        self._cond.notify_all()
        self._cond.wait()
        self._waiting = False

    # ----- what the test does -----
    def next_time(self) -> float | None:
        """When the next timer is due, or None."""
        with self._cond:
            head = self._peek()
            return None if head is None else head.when

    def advance_to(self, t: float) -> None:
        """Let call time run on to ``t`` (the call's thread runs the timers up to it, in order)."""
        with self._cond:
            self._target = max(self._target, t)
            self._cond.notify_all()

    @property
    def idle(self) -> bool:
        """The call has done everything due up to the time the test moved it to and waits (or its loop has
        ended: the call is over)."""
        with self._cond:
            if self._started and self._loop_done:
                return True
            head = self._peek()
            return (
                self._waiting
                and not self._busy
                and self._now >= self._target
                and (self._held or head is None or head.when > self._now)
            )

    def _push(self, when: float, fn: Callable[[], None], first: bool) -> TimerHandle:
        with self._cond:
            seq = next(self._seq)
            handle = TimerHandle(max(when, self._now), -seq if first else seq, fn)
            heapq.heappush(self._heap, handle)
            self._cond.notify_all()
            return handle

    def _peek(self) -> TimerHandle | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0] if self._heap else None


def call_clock(controller) -> SteppedClock:
    """The running call's clock (the controller was made with ``clock=SteppedClock``)."""
    clock = controller._live.clock
    assert isinstance(clock, SteppedClock), "the controller was not given clock=SteppedClock"
    return clock


def run_until(qtbot, controller, done: Callable[[], bool], limit: float = LIMIT_SECONDS) -> None:
    """Move the running call's time from one timer to the next until ``done()`` holds.

    Before each step the call has done everything due (its thread waits) and what it reported has reached
    the panel, so ``done()`` sees the call as a user would at that moment; a Gather's timeout therefore runs
    out only when the test moves time past it. Fails when the call would need more than ``limit`` seconds.
    """
    from PySide6.QtWidgets import QApplication

    clock = call_clock(controller)
    give_up = clock.now() + limit
    while True:
        qtbot.waitUntil(lambda: clock.idle)
        QApplication.sendPostedEvents()  # the call's trace events, queued for the panel
        QApplication.processEvents()
        if done():
            return
        nxt = clock.next_time()
        assert nxt is not None and nxt <= give_up, (
            f"the call did not get there within {limit:g} s of call time"
        )
        clock.advance_to(nxt)


def run_hearing_until(qtbot, controller, done: Callable[[], bool], limit: float = LIMIT_SECONDS) -> None:
    """:func:`run_until` for a call that hears the caller's audio (a WAV spoken into it is paced by the call's
    clock): before time moves on, the audio worker has handled every frame the call gave it (a speech model
    still loading included) and the call has what it heard, so a starved worker cannot fall behind call time.
    """
    from PySide6.QtWidgets import QApplication

    clock = call_clock(controller)

    def heard_and_done() -> bool:
        session = controller.caller_audio._session
        if session is not None:
            assert session.wait_idle(60), "the caller's audio worker stopped answering"
        qtbot.waitUntil(lambda: clock.idle)  # what it heard (speech started or ended) reached the call
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        return done()

    run_until(qtbot, controller, heard_and_done, limit)
