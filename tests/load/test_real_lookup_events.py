"""The load report's Look up rows come from the ``lookup`` events real calls emit: the account-line example
called through the runtime with its stub back-end (delays, a timeout, a 404), its trace fed to the load
observer as a load run's callers feed it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report import _feed

from ivr_studio.cli import main
from ivr_studio.load.observe import CallOutcome, lookup_sample
from ivr_studio.load.report import final_report
from ivr_studio.load.tally import LoadTally
from ivr_studio.runtime.trace import EVENT_FIELDS

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
BACK_END = "balance (GET api.acme-bank.example)"


def traced_call(examples_dir, tmp_path, account: str) -> list[dict]:
    script = tmp_path / f"{account}.json"
    script.write_text(json.dumps({"steps": [{"wait_for": "listening"}, {"press": account}]}))
    trace = tmp_path / f"{account}.jsonl"
    code = main(
        [
            "call",
            str(examples_dir / "account-line.ivrflow"),
            "--quiet",
            "--at",
            "2026-12-21T10:00",
            "--tz",
            "Europe/Berlin",
            "--backend",
            str(examples_dir / "account-line.backend.yaml"),
            "--script",
            str(script),
            "--trace",
            str(trace),
        ]
    )
    assert code == 0
    return [json.loads(line) for line in trace.read_text().splitlines()]


@pytest.fixture(scope="module")
def traces(tmp_path_factory) -> dict[str, list[dict]]:
    folder = tmp_path_factory.mktemp("lookups")
    # 123456: 200 after the stub's 0.3 s; 654321: 200 at once; 000000: times out (the node's 4 s);
    # 999999: 404
    return {a: traced_call(EXAMPLES, folder, a) for a in ("123456", "654321", "000000", "999999")}


def test_a_real_lookup_event_has_the_fields_the_observer_reads(traces):
    (event,) = [e for e in traces["123456"] if e["event"] == "lookup"]
    assert set(event) - {"t", "event"} <= set(EVENT_FIELDS["lookup"])
    sample = lookup_sample(event)
    assert (sample.name, sample.error) == (BACK_END, None)
    assert sample.elapsed_ms == pytest.approx(300.0), "the stub's 0.3 s delay is the back-end's time"


def test_the_report_rows_per_back_end_come_from_real_lookup_events(traces, locust_stats):
    stats = locust_stats.RequestStats()
    tally = LoadTally()
    for account, events in traces.items():
        observer = _feed(stats, events)
        tally.call_started(f"account {account}")
        tally.call_ended(CallOutcome(f"account {account}", False, "completed", None, path=tuple(observer.path)))
    lines = final_report(tally, stats).splitlines()
    at = lines.index("Look up back-ends")
    row = lines[at + 2]
    assert row[2:46].strip() == BACK_END
    count, failed, avg, p50, p90, p95, p99, high = (float(v) for v in row[46:].split()[:8])
    assert (count, failed) == (4, 2), "the timeout and the 404 failed, the two 200s did not"
    assert high == pytest.approx(4000, abs=1), "the timed-out request counts the Look up's whole timeout"
    assert avg == pytest.approx((300 + 0 + 4000 + 0) / 4, abs=1)
    errors = {(e.name, e.error) for e in stats.errors.values()}
    assert errors == {(BACK_END, "timed out (stub)"), (BACK_END, "HTTP 404")}
