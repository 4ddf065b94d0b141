"""What a load run reports, from call traces: webhook samples by node, Look up back-ends from ``lookup``
events, calls by Twilio error code, expectations missed, paths; counts added up across workers."""

from __future__ import annotations

import pytest

from ivr_studio.load.observe import CallObserver, CallOutcome, lookup_sample, webhook_sample
from ivr_studio.load.report import final_report, progress_line, request_event
from ivr_studio.load.tally import MAX_KEYS, OTHER, LoadTally

URL = "https://ivr.example.com"


def request(node: str | None, path: str, ms: float, status: int | None = 200, **extra) -> dict:
    return {"t": 0.0, "event": "request", "method": "POST", "url": URL + path, "params": {}, "status": status,
            "elapsed_ms": ms, "node": node, "purpose": "twiml", **extra}  # fmt: skip


def lookup(node: str, url: str, ms: float, status: int | None, **extra) -> dict:
    """A ``lookup`` event as the runtime emits it from the handler's record (see test_real_lookup_events)."""
    outcome = "ok" if status is not None and 200 <= status < 300 else "failed"
    return {"t": 0.0, "event": "lookup", "node": node, "method": "GET", "url": url, "status": status,
            "ms": ms, "outcome": outcome, "body": "{}", "stubbed": True, **extra}  # fmt: skip


def test_webhooks_are_named_by_node_else_by_path_and_fail_with_twilios_codes():
    assert webhook_sample(request("main_menu", "/node/main_menu", 12.5)).name == "main_menu"
    plain = webhook_sample(request(None, "/voice", 3.0, status=500))
    assert (plain.name, plain.error, plain.past_limit) == ("/voice", "11200", False)
    late = webhook_sample(request(None, "/slow", 15000.0, status=None, error="11205", timed_out=True))
    assert (late.error, late.past_limit) == ("11205", True)
    refused = webhook_sample(request(None, "/x", 1.0, status=None, error="11205"))
    assert (refused.error, refused.past_limit) == ("11205", False)
    callback = webhook_sample({**request("ignored", "/partial", 4.0), "purpose": "callback"})
    assert callback.name == "callback /partial"


def test_look_ups_are_named_by_node_and_back_end_host_never_by_the_callers_query():
    a = lookup_sample(lookup("balance", "https://api.bank.test/accounts/balance?acct=123", 35.0, 200))
    b = lookup_sample(lookup("balance", "https://api.bank.test/accounts/balance?acct=987", 41.0, 200))
    assert a.name == b.name == "balance (GET api.bank.test)" and a.error is None
    assert lookup_sample(lookup("balance", "https://api.bank.test/b", 9.0, 503)).error == "HTTP 503"
    assert lookup_sample(lookup("balance", "https://api.bank.test/b", 5000.0, None)).error == "no response"
    timed_out = lookup_sample(lookup("balance", "https://api.bank.test/b", 4000.0, None, error="timed out (stub)"))
    assert (timed_out.error, timed_out.elapsed_ms) == ("timed out (stub)", 4000.0)
    not_json = lookup_sample(lookup("balance", "https://api.bank.test/b", 5.0, 200, outcome="failed"))
    assert not_json.error == "HTTP 200, body not usable"
    assert a.elapsed_ms == 35.0
    unnamed = lookup_sample({"event": "lookup", "method": "post", "url": "http://crm.test/v1/find?q=1"})
    assert unnamed.name == "POST crm.test/v1/find"


def _feed(stats, events: list[dict]) -> CallObserver:
    """Feed trace events to Locust's statistics the way a load run's callers do (Locust's runner logs each
    ``request`` event with log_request, and log_error when it failed)."""

    def on_sample(sample):
        fired = request_event(sample)
        stats.log_request(fired["request_type"], fired["name"], fired["response_time"], 0)
        if fired["exception"]:
            stats.log_error(fired["request_type"], fired["name"], fired["exception"])

    observer = CallObserver(on_sample)
    for event in events:
        observer(event)
    return observer


def test_the_report_has_a_table_per_look_up_back_end_from_lookup_trace_events(locust_stats):
    stats = locust_stats.RequestStats()
    tally = LoadTally()
    trace = [
        request("welcome", "/voice", 10.0),
        request("account_menu", "/node/welcome/next", 12.0),
        lookup("balance", "https://api.bank.test/balance?acct=1", 40.0, 200),
        lookup("balance", "https://api.bank.test/balance?acct=2", 60.0, 200),
        lookup("balance", "https://api.bank.test/balance?acct=3", 900.0, 504),
        lookup("tier", "https://crm.test/tier?from=%2B1555", 20.0, 200),
        request("say_balance", "/node/account_menu/result", 950.0),
    ]
    observer = _feed(stats, trace)
    assert observer.path == ["welcome", "account_menu", "say_balance"]
    tally.call_started("bank › balance")
    tally.call_ended(CallOutcome("bank › balance", False, "completed", None, path=tuple(observer.path)))
    report = final_report(tally, stats)
    lines = report.splitlines()
    at = lines.index("Look up back-ends")
    rows = {line[2:46].strip(): line[46:].split() for line in lines[at + 2 : at + 4]}
    assert set(rows) == {"balance (GET api.bank.test)", "tier (GET crm.test)"}
    count, failed, avg, p50, p90, p95, p99, high = (float(v) for v in rows["balance (GET api.bank.test)"])
    assert (count, failed, high) == (3, 1, 900)
    assert p50 == 60 and avg == pytest.approx((40 + 60 + 900) / 3, abs=1)
    assert rows["tier (GET crm.test)"][:2] == ["1", "0"]
    # the webhooks' own table does not mix in the back-ends
    webhooks = lines[lines.index("Webhooks") + 1]
    assert webhooks.startswith("  3 requests")


def test_calls_are_counted_by_the_twilio_code_that_ended_them(locust_stats):
    tally = LoadTally()
    outcomes = [
        CallOutcome("s › a", False, "completed", None, path=("welcome", "menu")),
        CallOutcome("s › a", False, "completed", "11205", errors=["11205"], path=("welcome",)),
        CallOutcome("s › a", False, "completed", "11205", errors=["11205"], path=("welcome",)),
        CallOutcome("s › b", False, "completed", "12100", errors=["12100"], path=("welcome",)),
        CallOutcome("s › b", False, "completed", None, errors=["11200"], path=("welcome", "fallback")),
        CallOutcome(
            "s › b", False, "completed", None, failures=["expected node 'sales' after t=3.00s\n  trace"]
        ),
    ]
    for o in outcomes:
        tally.call_started(o.label)
        tally.call_ended(o)
    tally.call_started("s › a")  # still in progress
    report = final_report(tally, locust_stats.RequestStats())
    assert "started 7, completed 3, failed 3, still in progress when the run ended 1" in report
    assert (
        "failed by Twilio error code: 11205 HTTP connection failure or timeout ×2, 12100 document parse failure ×1"
        in report
    )
    assert (
        "11200 HTTP retrieval failure ×1" in report
    )  # saved by the fallback: an error met, not a failed call
    assert "s › a" in report and "s › b" in report
    assert "MISSED in 1 of 3 calls" in report
    assert "expected node 'sales' after t=3.00s" in report


def test_a_workers_counts_add_up_on_the_master():
    worker_a, worker_b, master = LoadTally(), LoadTally(), LoadTally()
    for tally, code in ((worker_a, None), (worker_b, "11205")):
        tally.call_started("x", worker="0" if tally is worker_a else "1")
        tally.call_ended(
            CallOutcome("x", True, "completed", code, errors=[code] if code else [], path=("a", "b"))
        )
    master.merge(worker_a.drain())
    master.merge(worker_b.drain())
    master.merge(worker_a.drain())  # nothing new since the last report
    assert (master.started, master.completed, master.failed) == (2, 1, 1)
    assert master.random_paths == {"a › b": 2} and master.worker_calls == {"0": 1, "1": 1}
    assert worker_a.started == 0  # drained
    master.merge({"calls_started": {"": "many"}, "bogus": 1})  # junk from a peer is ignored
    assert master.started == 2


def test_memory_is_bounded_however_many_distinct_paths_callers_take():
    tally = LoadTally()
    for i in range(MAX_KEYS + 50):
        tally.call_ended(CallOutcome("r", True, "completed", None, path=(f"n{i}",)))
    assert len(tally.random_paths) == MAX_KEYS + 1 and tally.random_paths[OTHER] == 50


def test_the_progress_line_says_how_the_run_is_going(locust_stats):
    stats = locust_stats.RequestStats()
    _feed(
        stats,
        [
            request("menu", "/voice", 20.0),
            request(None, "/slow", 300.0, status=None, error="11205", timed_out=True),
        ],
    )
    tally = LoadTally()
    tally.call_started("x")
    tally.call_ended(CallOutcome("x", False, "completed", "11205"))
    tally.sample(webhook_sample(request(None, "/slow", 300.0, status=None, error="11205", timed_out=True)))
    line = progress_line(12.0, 5, tally, stats)
    assert line.startswith("[    12 s] callers 5 | calls 1 started, 0 completed, failed 1 (11205")
    assert "webhooks 2 (" in line and "1 past the time limit" in line
