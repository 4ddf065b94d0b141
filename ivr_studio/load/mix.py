"""The caller mix of a load run: which calls the simulated callers place, and how often.

A load run draws every call from a weighted mix. Each call of a scenario file is one entry (a file's weight is
shared by its calls, so ``a.test.yaml:3 b.test.yaml:1`` places three calls from ``a`` for each from ``b``
whatever the number of calls in each); random callers (:mod:`ivr_studio.load.random_caller`) are one more
entry with a weight of their own. Draws come from a seeded generator, so a seed repeats a run's choices.

Nothing here knows Locust: the same mix runs under Locust, in a benchmark or in a test.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ivr_studio.runtime.scenario import Scenario, ScenarioCall

#: What a random caller may do at a Gather, in the order they are written.
ACTIONS = ("branch", "wrong", "silent", "hangup")


@dataclass(frozen=True)
class RandomMix:
    """What a random caller does at each Gather (percentages) and how long it takes to reply.

    ``delay`` is the range of seconds, drawn uniformly, between the menu starting to listen and the
    caller's key press, speech or hang-up; a delay longer than the menu's ``timeout`` is silence.
    """

    branch: float = 70.0
    wrong: float = 10.0
    silent: float = 15.0
    hangup: float = 5.0
    delay: tuple[float, float] = (0.5, 3.0)

    @property
    def weights(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in ACTIONS)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(ACTIONS, weights=self.weights)[0]

    def reply_delay(self, rng: random.Random) -> float:
        low, high = self.delay
        return rng.uniform(low, high)

    @classmethod
    def parse(cls, mix: str | None = None, delay: str | None = None) -> RandomMix:
        """From ``branch=70,wrong=10,silent=15,hangup=5`` (any subset; the rest are 0 once one is given) and
        ``0.5-3`` (seconds). ValueError names the bad part."""
        values: dict[str, Any] = {}
        if mix is not None:
            given: dict[str, float] = {}
            for part in mix.split(","):
                name, sep, raw = part.strip().partition("=")
                name = name.strip()
                if not sep or name not in ACTIONS:
                    raise ValueError(
                        f"--random-mix {_cut(part)!r}: write NAME=PERCENT with NAME one of {', '.join(ACTIONS)}"
                    )
                if name in given:
                    raise ValueError(f"--random-mix: {name} is given twice")
                given[name] = _number(f"--random-mix {name}", raw, upper=100)
            if sum(given.values()) <= 0:
                raise ValueError("--random-mix: at least one percentage must be above 0")
            values.update({name: given.get(name, 0.0) for name in ACTIONS})
        if delay is not None:
            low_raw, sep, high_raw = delay.partition("-")
            low = _number("--random-delay", low_raw, upper=600)
            high = _number("--random-delay", high_raw, upper=600) if sep else low
            if high < low:
                raise ValueError(f"--random-delay {_cut(delay)!r}: the range must go from low to high")
            values["delay"] = (low, high)
        return cls(**values)


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(where: str, raw: str, upper: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{where}: {_cut(raw.strip())!r} is not a number") from None
    if not 0 <= value <= upper:  # also refuses NaN
        raise ValueError(f"{where}: {_cut(raw.strip())!r} must be between 0 and {upper:g}")
    return value


@dataclass(frozen=True)
class MenuBranch:
    """One choice of a menu a random caller may pick: its keys and spoken phrases."""

    keys: str
    phrases: tuple[str, ...]


#: node id (``X-IVR-Node``) → the branches of that menu.
Menus = Mapping[str, Sequence[MenuBranch]]


def menus_from_routing(routing: Any) -> dict[str, tuple[MenuBranch, ...]]:
    """The menus of IVR Studio routing data (``routing.json``); ValueError when it is not routing data."""
    nodes = routing.get("nodes") if isinstance(routing, dict) else None
    if not isinstance(nodes, dict):
        raise ValueError("not IVR Studio routing data (no 'nodes' mapping)")
    menus: dict[str, tuple[MenuBranch, ...]] = {}
    for node_id, node in nodes.items():
        branches = node.get("branches") if isinstance(node, dict) else None
        if not isinstance(branches, list):
            continue
        menus[str(node_id)] = tuple(
            MenuBranch(
                str(b.get("keys") or ""), tuple(str(p) for p in b.get("phrases") or () if isinstance(p, str))
            )
            for b in branches
            if isinstance(b, dict)
        )
    return menus


@dataclass(frozen=True)
class CallKind:
    """One entry of the mix: a scenario call, or (``scenario`` None) a random caller."""

    label: str
    weight: float
    scenario: Scenario | None = None
    call: ScenarioCall | None = None

    @property
    def is_random(self) -> bool:
        return self.scenario is None


RANDOM_LABEL = "random caller"


class CallerMix:
    """The weighted entries calls are drawn from."""

    def __init__(self, kinds: Sequence[CallKind]) -> None:
        kinds = [k for k in kinds if k.weight > 0]
        if not kinds:
            raise ValueError("the caller mix is empty: give --scenarios, --random-callers, or both")
        self.kinds = tuple(kinds)
        self._weights = [k.weight for k in kinds]

    @classmethod
    def build(cls, scenarios: Sequence[tuple[Scenario, float]], random_weight: float = 0.0) -> CallerMix:
        """Each file's weight shared by its calls, plus random callers with ``random_weight``."""
        kinds = []
        for scenario, weight in scenarios:
            share = weight / len(scenario.calls)
            for call in scenario.calls:
                kinds.append(CallKind(f"{scenario.path.name} › {call.name}", share, scenario, call))
        if random_weight > 0:
            kinds.append(CallKind(RANDOM_LABEL, random_weight))
        return cls(kinds)

    def pick(self, rng: random.Random) -> CallKind:
        return rng.choices(self.kinds, weights=self._weights)[0]

    def shares(self) -> dict[str, float]:
        """Each entry's share of the calls (0–1), for the run's header."""
        total = sum(self._weights)
        return {k.label: k.weight / total for k in self.kinds}
