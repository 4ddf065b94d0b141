"""The load run's report: a live progress line while it runs, and the tables at the end.

Latency comes from Locust's request statistics, which the run feeds with one entry per webhook node (request
type ``GET``/``POST``), per Look up back-end (type ``lookup``) and per kind of call (type ``call``); in a
distributed run the master holds them added up from every worker. Counts Locust does not keep (calls by
Twilio error code, expectations missed, paths) come from the :class:`~ivr_studio.load.tally.LoadTally`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ivr_studio.load.mix import RANDOM_LABEL
from ivr_studio.load.observe import Sample, error_label
from ivr_studio.load.tally import OTHER, LoadTally

WEBHOOK_TYPES = ("GET", "POST")
LOOKUP_TYPE = "lookup"
CALL_TYPE = "call"
PERCENTILES = (0.50, 0.90, 0.95, 0.99)
NAME_WIDTH = 44
TOP_PATHS = 10


def request_event(sample: Sample) -> dict[str, Any]:
    """The arguments of Locust's ``request`` event for a sample: its type, name, time and failure."""
    if sample.kind == "webhook":
        kind, failure = sample.method, error_label(sample.error) if sample.error else None
    else:
        kind, failure = LOOKUP_TYPE, sample.error
    return {
        "request_type": kind,
        "name": sample.name,
        "response_time": sample.elapsed_ms,
        "response_length": 0,
        "exception": failure,
        "context": {},
    }


@dataclass(frozen=True)
class LatencyRow:
    """One line of a latency table, in milliseconds."""

    name: str
    count: int
    failures: int
    average: float
    percentiles: tuple[float, ...]
    maximum: float
    per_second: float


def _row(name: str, entry: Any) -> LatencyRow:
    return LatencyRow(
        name,
        entry.num_requests,
        entry.num_failures,
        entry.avg_response_time,
        tuple(entry.get_response_time_percentile(p) if entry.num_requests else 0 for p in PERCENTILES),
        entry.max_response_time,
        entry.total_rps,
    )


def _entries(stats: Any, types: Iterable[str]) -> list[Any]:
    wanted = set(types)
    return [e for e in stats.entries.values() if e.method in wanted]


def combined(stats: Any, types: Iterable[str], name: str) -> Any:
    """One statistics entry adding up every entry of ``types`` (all webhooks, say)."""
    from locust.stats import StatsEntry

    total = StatsEntry(stats, name, "", use_response_times_cache=False)
    for entry in _entries(stats, types):
        total.extend(entry)
    return total


def latency_rows(stats: Any, types: Iterable[str]) -> list[LatencyRow]:
    """A row per entry of ``types``, busiest first."""
    rows = [_row(e.name, e) for e in _entries(stats, types)]
    return sorted(rows, key=lambda r: (-r.count, r.name))


def _fit(text: str, width: int = NAME_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def latency_table(rows: list[LatencyRow], title: str) -> list[str]:
    head = "  ".join(f"{'p' + format(p * 100, 'g'):>7}" for p in PERCENTILES)
    lines = [
        f"  {title:<{NAME_WIDTH}} {'count':>7} {'failed':>7} {'avg':>7}  {head}  {'max':>7}   (ms)",
    ]
    for r in rows:
        cells = "  ".join(f"{v:>7.0f}" for v in r.percentiles)
        lines.append(
            f"  {_fit(r.name):<{NAME_WIDTH}} {r.count:>7} {r.failures:>7} {r.average:>7.0f}  {cells}  {r.maximum:>7.0f}"
        )
    return lines


def _codes(counter: dict[str, int]) -> str:
    return ", ".join(
        f"{error_label(code)} ×{n}" for code, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "0 %"


def progress_line(elapsed: float, callers: int, tally: LoadTally, stats: Any) -> str:
    """One line of live progress: callers, calls, webhook rate and latency, failures, expectations missed."""
    hooks = combined(stats, WEBHOOK_TYPES, "webhooks")
    rate = sum(e.current_rps for e in _entries(stats, WEBHOOK_TYPES)) or hooks.num_requests / max(elapsed, 1)
    p50 = hooks.get_response_time_percentile(0.5) if hooks.num_requests else 0
    p95 = hooks.get_response_time_percentile(0.95) if hooks.num_requests else 0
    failed = f", failed {tally.failed} ({_codes(dict(tally.calls_failed))})" if tally.failed else ""
    missed = f" | expectations missed {tally.missed_calls}" if tally.missed_calls else ""
    past = tally.webhooks_past_limit[""]
    past_text = f", {past} past the time limit" if past else ""
    return (
        f"[{elapsed:6.0f} s] callers {callers} | calls {tally.started} started, {tally.completed} completed"
        f"{failed} | webhooks {hooks.num_requests} ({rate:.0f}/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms{past_text})"
        f"{missed}"
    )


def final_report(tally: LoadTally, stats: Any) -> str:
    """The report printed when the run ends."""
    lines: list[str] = []
    unfinished = tally.started - tally.ended
    lines.append("Calls")
    lines.append(
        f"  started {tally.started}, completed {tally.completed}, failed {tally.failed}"
        + (f", still in progress when the run ended {unfinished}" if unfinished else "")
    )
    if tally.failed:
        lines.append(f"  failed by Twilio error code: {_codes(dict(tally.calls_failed))}")
    if tally.errors:
        lines.append(f"  errors met (including those a fallback URL saved): {_codes(dict(tally.errors))}")
    if tally.worker_calls:
        placed = ", ".join(f"worker {w}: {n}" for w, n in sorted(tally.worker_calls.items()))
        lines.append(f"  {len(tally.worker_calls)} workers placed them ({placed})")
    call_rows = latency_rows(stats, [CALL_TYPE])
    if call_rows:
        lines.append("")
        lines += latency_table(call_rows, "call duration by kind")

    lines.append("")
    lines.append("Scenario expectations under load")
    scenario_labels = [label for label in tally.label_started if label != RANDOM_LABEL]
    if not scenario_labels:
        lines.append("  (no scenario calls)")
    for label in sorted(scenario_labels):
        started = tally.label_started[label]
        missed = tally.label_missed[label]
        verdict = "all met" if not missed else f"MISSED in {missed} of {started} calls"
        lines.append(f"  {_fit(label, 60):<60} {verdict}")
    for key, count in sorted(tally.missed.items(), key=lambda kv: -kv[1]):
        if key == OTHER:
            lines.append(f"  … and {count} more calls with other mismatches")
            continue
        label, _, text = key.partition("\n")
        lines.append(f"  ✗ {label} ({count} call{'s' if count != 1 else ''}):")
        lines += ["      " + line for line in text.splitlines()]

    hooks = combined(stats, WEBHOOK_TYPES, "all webhooks")
    total = tally.webhooks[""]
    past = tally.webhooks_past_limit[""]
    lines.append("")
    lines.append("Webhooks")
    lines.append(
        f"  {hooks.num_requests} requests, {hooks.total_rps:.1f}/s, failed {hooks.num_failures}"
        f" ({_percent(hooks.num_failures, hooks.num_requests)}); past the time limit {past}"
        f" ({_percent(past, total)})"
    )
    if hooks.num_requests:
        lines += latency_table([_row("all webhooks", hooks)], "overall")
        lines.append("")
        lines += latency_table(latency_rows(stats, WEBHOOK_TYPES), "by node (X-IVR-Node, else path)")
    lookups = latency_rows(stats, [LOOKUP_TYPE])
    lines.append("")
    lines.append("Look up back-ends")
    if lookups:
        lines += latency_table(lookups, "by back-end")
    else:
        lines.append("  (no Look up requests in the calls' traces)")

    if tally.random_paths:
        lines.append("")
        random_calls = sum(tally.random_paths.values())
        new = {p: n for p, n in tally.random_paths.items() if p not in tally.scenario_paths}
        lines.append("Random callers")
        lines.append(
            f"  {random_calls} calls, {len(tally.random_paths)} distinct paths, {len(new)} that no scenario call took"
        )
        for path, count in sorted(new.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PATHS]:
            lines.append(f"  {count:>6}  {path}")
        for key, count in sorted(tally.random_failures.items(), key=lambda kv: -kv[1]):
            code, _, path = key.partition("\n")
            lines.append(f"  ✗ {error_label(code)} ×{count} after {path}")
    return "\n".join(lines)
