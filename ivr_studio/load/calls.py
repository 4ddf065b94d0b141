"""Placing one call of a load run: a scenario call or a random caller, on real or compressed think time.

Think time is the time a caller takes: prompts playing, waits, the gaps between keys, a menu's timeout.
With ``real`` the call runs on a :class:`~ivr_studio.runtime.clock.RealClock`, so its virtual time runs at
wall speed and the server sees callers at a real caller's pace. With ``fast`` it runs on a
:class:`~ivr_studio.runtime.clock.VirtualClock`: think time takes no time at all, and the next request goes
out as soon as the previous response is in. Either way the call runs the very same runtime code, so it sends
the same requests in the same order; only the time between them differs.

Every call goes through the runtime's real transport (HTTP for a URL), with Twilio's parameters, signature,
cookies, redirects and time limits, and a scenario call is checked against its expectations exactly as
``ivr-studio test`` checks it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ivr_studio.load.mix import CallerMix, CallKind, Menus, RandomMix
from ivr_studio.load.observe import CallObserver, CallOutcome, Sample
from ivr_studio.load.random_caller import RandomCaller
from ivr_studio.runtime.clock import RealClock, VirtualClock
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.live import LiveCall
from ivr_studio.runtime.params import CallIdentity
from ivr_studio.runtime.scenario import run_scenario_call
from ivr_studio.runtime.script import SpeechFeeder, run_virtual
from ivr_studio.runtime.settings import RuntimeSettings

THINK_TIMES = ("real", "fast")


@dataclass(frozen=True)
class LoadPlan:
    """Everything a simulated caller needs; built once per process and shared by all its callers.

    ``transport`` and ``url`` reach the target (the scenarios' own targets are replaced by it).
    ``settings``, ``auth_token``, ``fallback_url`` and ``max_duration`` are those of random callers;
    scenario calls keep their file's. ``calls`` ends the run after that many calls, however long they take,
    so a run's size does not depend on how fast the machine is.
    """

    mix: CallerMix
    transport: Any
    url: str
    think_time: str = "fast"
    settings: RuntimeSettings = field(default_factory=RuntimeSettings)
    auth_token: str = "ivr-studio-local-auth-token"
    fallback_url: str | None = None
    random_mix: RandomMix = field(default_factory=RandomMix)
    menus: Menus = field(default_factory=dict)
    max_duration: float = 600.0
    seed: int | None = None
    speech_feeder: SpeechFeeder | None = None
    #: End the run once this many calls have ended (in each process that places calls); None: no limit.
    calls: int | None = None

    def __post_init__(self) -> None:
        if self.think_time not in THINK_TIMES:
            raise ValueError(f"think time must be one of {', '.join(THINK_TIMES)}, not {self.think_time!r}")


def caller_rng(seed: int | None, *parts: object) -> random.Random:
    """The random generator of one caller: repeatable from ``seed`` and the caller's place in the run."""
    if seed is None:
        return random.Random()
    return random.Random("/".join(str(p) for p in (seed, *parts)))


def place_call(
    plan: LoadPlan, kind: CallKind, rng: random.Random, on_sample: Callable[[Sample], None] | None = None
) -> CallOutcome:
    """Run one call to its end on the current thread (greenlet) and say how it went.

    ``on_sample`` gets each webhook and Look up sample as soon as it is taken, so statistics stay live.
    """
    observer = CallObserver(on_sample or (lambda sample: None))
    clock = RealClock() if plan.think_time == "real" else VirtualClock()
    if kind.is_random:
        engine = CallEngine(
            plan.url,
            plan.transport,
            clock=clock,
            settings=plan.settings,
            identity=CallIdentity(),
            auth_token=plan.auth_token,
            fallback_url=plan.fallback_url,
        )
        engine.trace.subscribe(observer)
        RandomCaller(engine, plan.random_mix, rng, plan.menus)
        wall = _run(engine, plan.max_duration)
        status = engine.end_status
        app_error = engine.app_error.code if engine.app_error is not None else None
        failures: list[str] = []
    else:
        assert kind.scenario is not None and kind.call is not None
        report = run_scenario_call(
            kind.scenario,
            kind.call,
            plan.transport,
            plan.url,
            clock=clock,
            speech_feeder=plan.speech_feeder,
            listener=observer,
        )
        wall, status, app_error, failures = (
            report.wall_seconds,
            report.status,
            report.app_error,
            list(report.failures),
        )
    return CallOutcome(
        kind.label,
        kind.is_random,
        status,
        app_error,
        errors=observer.errors,
        failures=failures,
        path=tuple(observer.path),
        wall_seconds=wall,
    )


def _run(engine: CallEngine, max_duration: float) -> float:
    started = time.perf_counter()
    if isinstance(engine.clock, VirtualClock):
        run_virtual(engine, None, max_duration)
    else:
        LiveCall(engine, max_duration=max_duration).run()
    return time.perf_counter() - started
