"""The counts of a load run that Locust's request statistics do not hold, mergeable across workers.

Calls started, completed and failed (by the Twilio error code that ended them), every error code met, the
webhooks that used up their time limit, scenario expectations missed per call, and the paths (sequences of
nodes) calls took. A worker sends what it counted since its last report (:meth:`LoadTally.drain`) with
Locust's own report to the master, which adds it up (:meth:`LoadTally.merge`). Everything is plain
strings and integers, so it travels as it is.

Memory is bounded: at most :data:`MAX_KEYS` distinct paths, failure texts or error keys are kept per table;
later new ones are counted under :data:`OTHER`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ivr_studio.load.observe import CallOutcome, Sample

MAX_KEYS = 500
OTHER = "(others)"
PATH_SEPARATOR = " › "
#: A path longer than this many nodes is cut (a caller looping in a menu would make every path distinct).
MAX_PATH_NODES = 16
#: Failure texts are kept up to this many characters (the first lines and the trace around the mismatch).
MAX_FAILURE_TEXT = 1200

_COUNTERS = (
    "calls_started",
    "calls_ended",
    "calls_completed",
    "calls_failed",
    "errors",
    "webhooks",
    "webhooks_past_limit",
    "label_started",
    "label_failed",
    "label_missed",
    "missed",
    "scenario_paths",
    "random_paths",
    "random_failures",
    "worker_calls",
)


def path_text(path: tuple[str, ...] | list[str]) -> str:
    nodes = list(path)
    if len(nodes) > MAX_PATH_NODES:
        nodes = nodes[:MAX_PATH_NODES] + ["…"]
    return PATH_SEPARATOR.join(nodes) or "(no node)"


class LoadTally:
    """Counters keyed by text; every table is a Counter so a merge is an addition."""

    def __init__(self) -> None:
        self.calls_started: Counter[str] = Counter()  # "" holds the total
        self.calls_ended: Counter[str] = Counter()
        self.calls_completed: Counter[str] = Counter()
        self.calls_failed: Counter[str] = Counter()  # by Twilio code
        self.errors: Counter[str] = Counter()  # every error event, by code
        self.webhooks: Counter[str] = Counter()
        self.webhooks_past_limit: Counter[str] = Counter()
        self.label_started: Counter[str] = Counter()
        self.label_failed: Counter[str] = Counter()  # calls of a label that ended in an application error
        self.label_missed: Counter[str] = Counter()  # calls of a label that missed an expectation
        self.missed: Counter[str] = Counter()  # "label\nfailure text" → calls
        self.scenario_paths: Counter[str] = Counter()
        self.random_paths: Counter[str] = Counter()
        self.random_failures: Counter[str] = Counter()  # "code\npath" → calls
        self.worker_calls: Counter[str] = Counter()  # worker index → calls started (distributed runs)

    # ----- counting -----
    def call_started(self, label: str, worker: str | None = None) -> None:
        self.calls_started[""] += 1
        self.label_started[label] += 1
        if worker is not None:
            self.worker_calls[worker] += 1

    def call_ended(self, outcome: CallOutcome) -> None:
        self.calls_ended[""] += 1
        if outcome.app_error is None:
            self.calls_completed[""] += 1
        else:
            self.calls_failed[outcome.app_error] += 1
            self.label_failed[outcome.label] += 1
        for code in outcome.errors:
            self.errors[code] += 1
        if outcome.failures:
            self.label_missed[outcome.label] += 1
            text = outcome.failures[0][:MAX_FAILURE_TEXT]
            _add(self.missed, f"{outcome.label}\n{text}")
        path = path_text(outcome.path)
        if outcome.is_random:
            _add(self.random_paths, path)
            if outcome.app_error is not None:
                _add(self.random_failures, f"{outcome.app_error}\n{path}")
        else:
            _add(self.scenario_paths, path)

    def sample(self, sample: Sample) -> None:
        if sample.kind == "webhook":
            self.webhooks[""] += 1
            if sample.past_limit:
                self.webhooks_past_limit[""] += 1

    # ----- travelling between processes -----
    def to_dict(self) -> dict[str, dict[str, int]]:
        return {name: dict(getattr(self, name)) for name in _COUNTERS}

    def merge(self, data: Any) -> None:
        """Add a worker's counts (what :meth:`to_dict` made); anything else is ignored."""
        if not isinstance(data, dict):
            return
        for name in _COUNTERS:
            table = data.get(name)
            if not isinstance(table, dict):
                continue
            mine: Counter[str] = getattr(self, name)
            for key, count in table.items():
                if isinstance(key, str) and isinstance(count, int) and not isinstance(count, bool):
                    _add(mine, key, count)

    def drain(self) -> dict[str, dict[str, int]]:
        """What was counted since the last drain, and start counting afresh."""
        data = self.to_dict()
        for name in _COUNTERS:
            getattr(self, name).clear()
        return data

    # ----- reading -----
    @property
    def started(self) -> int:
        return self.calls_started[""]

    @property
    def ended(self) -> int:
        return self.calls_ended[""]

    @property
    def completed(self) -> int:
        return self.calls_completed[""]

    @property
    def failed(self) -> int:
        return sum(self.calls_failed.values())

    @property
    def missed_calls(self) -> int:
        return sum(self.label_missed.values())


def _add(counter: Counter[str], key: str, count: int = 1) -> None:
    if key in counter or len(counter) < MAX_KEYS:
        counter[key] += count
    else:
        counter[OTHER] += count
