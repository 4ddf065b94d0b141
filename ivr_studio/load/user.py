"""The Locust user of a load run: one caller line that places calls back to back.

Each call is drawn from the run's caller mix with the line's own seeded generator, runs to its end through the
runtime (see :mod:`ivr_studio.load.calls`), and is reported to Locust as it goes: every webhook request as a
request of type ``GET``/``POST`` named by its node, every Look up request as type ``lookup`` named by its
back-end, and the call itself as type ``call`` named by its scenario call (failed when it ended in an
application error or missed an expectation). Locust's statistics, CSV and HTML reports and web UI show them;
the counts Locust does not keep go to the run's :class:`~ivr_studio.load.tally.LoadTally`.

Importing this module imports Locust, which needs gevent's monkey-patching in place first
(:mod:`ivr_studio.load.run` does it).
"""

from __future__ import annotations

import itertools
import random
from typing import Any, ClassVar

import gevent
from locust import User, constant, task
from locust.exception import StopUser
from locust.runners import WorkerRunner

from ivr_studio.load.calls import LoadPlan, caller_rng, place_call
from ivr_studio.load.observe import CallOutcome, Sample, error_label
from ivr_studio.load.report import CALL_TYPE, request_event
from ivr_studio.load.tally import LoadTally

EXPECTATIONS_MISSED = "scenario expectations missed"


def call_failure(outcome: CallOutcome) -> str | None:
    """How a failed call shows in Locust's error table (kept short so equal failures share a row)."""
    if outcome.app_error is not None:
        return f"application error {error_label(outcome.app_error)}"
    if outcome.failures:
        return EXPECTATIONS_MISSED
    return None


class Caller(User):
    """A caller line. :func:`caller_class` makes the concrete class with the run's plan and tally."""

    abstract = True
    #: Back to back, but through gevent's timer queue: a zero wait only yields to greenlets that are ready,
    #: and callers whose calls never wait on I/O (a flow served in process, fast think time) would then keep
    #: the hub from running timers, so the run's end and real-time callers' timers came seconds late.
    wait_time = constant(0.001)
    plan: ClassVar[LoadPlan]
    tally: ClassVar[LoadTally]
    #: False on a worker whose scenarios or options differ from the master's: it places no calls.
    accepted: ClassVar[list[bool]]
    _numbers: ClassVar[itertools.count]

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        runner = environment.runner
        self.worker = str(runner.worker_index) if isinstance(runner, WorkerRunner) else None
        self.rng = caller_rng(self.plan.seed, self.worker or 0, next(self._numbers))

    @task
    def place_one_call(self) -> None:
        if not self.accepted[0] or self._limit_reached(self.tally.calls_started[""]):
            raise StopUser()
        kind = self.plan.mix.pick(self.rng)
        call_rng = random.Random(self.rng.getrandbits(64))  # a call's own choices repeat from the seed too
        self.tally.call_started(kind.label, self.worker)
        outcome = place_call(self.plan, kind, call_rng, self._sample)
        self.tally.call_ended(outcome)
        self.environment.events.request.fire(
            request_type=CALL_TYPE,
            name=kind.label,
            response_time=outcome.wall_seconds * 1000,
            response_length=0,
            exception=call_failure(outcome),
            context={},
        )
        runner = self.environment.runner
        if self._limit_reached(self.tally.calls_ended[""]) and not isinstance(runner, WorkerRunner):
            gevent.spawn(runner.quit)  # not from this caller's own greenlet, which quit() kills

    def _limit_reached(self, count: int) -> bool:
        return self.plan.calls is not None and count >= self.plan.calls

    def _sample(self, sample: Sample) -> None:
        self.tally.sample(sample)
        self.environment.events.request.fire(**request_event(sample))


def caller_class(plan: LoadPlan, tally: LoadTally) -> type[Caller]:
    """The concrete user class of a run (always named ``Caller``, as master and workers must agree)."""
    return type(
        "Caller",
        (Caller,),
        {"abstract": False, "plan": plan, "tally": tally, "accepted": [True], "_numbers": itertools.count()},
    )
