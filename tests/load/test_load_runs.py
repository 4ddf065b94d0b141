"""``ivr-studio load`` for real: Locust in its own process, callers against real HTTP servers on 127.0.0.1.

Each run is a few seconds of compressed think time with a handful of callers: long enough for every kind of
call to run many times, short enough for the suite.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from load_support import free_port, http_app, run_load, section, start_load, table, twiml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bundle"))  # the bundle tests' gunicorn helpers
from server_helpers import clean_env, start_gunicorn, stop, wait_until_up  # noqa: E402

from ivr_studio.bundle.export import export_bundle  # noqa: E402
from ivr_studio.flow import load_flow  # noqa: E402

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
SCENARIOS = EXAMPLES / "support-line.test.yaml"
SUPPORT_CALLS = (
    "sales by key",
    "billing by voice",
    "support desk busy goes to voicemail",
    "a wrong key, then silence until the menu gives up",
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    flow = load_flow(EXAMPLES / "support-line.ivrflow")
    return export_bundle(flow, tmp_path_factory.mktemp("load") / "support-line")


@pytest.fixture(scope="module")
def deployed(bundle) -> Iterator[str]:
    """The exported support line under gunicorn, as it would run behind a Twilio number."""
    proc, base = start_gunicorn(bundle, clean_env(bundle))
    try:
        wait_until_up(proc, base)
        yield f"{base}/voice"
    finally:
        stop(proc)


def _count(text: str, pattern: str) -> int:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in:\n{text}"
    return int(m.group(1))


def test_scenarios_hold_under_load_against_the_bundle_under_gunicorn(deployed, tmp_path):
    web = free_port()
    proc = start_load(
        deployed,
        "--scenarios", str(SCENARIOS),
        "--callers", "4", "--calls", "40", "--duration", "5m", "--think-time", "fast",
        "--csv", str(tmp_path / "run"), "--html", str(tmp_path / "report.html"), "--web-ui", f"127.0.0.1:{web}",
    )  # fmt: skip
    live = None
    try:
        while (
            live is None and proc.poll() is None
        ):  # Locust's web UI serves the statistics while the run lasts
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{web}/stats/requests", timeout=2) as r:
                    live = json.load(r)
            except OSError:
                time.sleep(0.05)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    assert live is not None and live["user_count"] >= 1, (live, stdout, stderr)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    calls = section(out, "Calls")
    started = _count(calls, r"started (\d+)")
    completed = _count(calls, r"completed (\d+)")
    assert started == completed == 40  # --calls ends the run after 40 calls, however busy the machine
    assert "failed 0" in calls
    expectations = section(out, "Scenario expectations under load").splitlines()
    assert len(expectations) >= 2 and all(line.endswith("all met") for line in expectations), expectations
    assert all(any(name[:25] in line for name in SUPPORT_CALLS) for line in expectations)
    hooks = section(out, "Webhooks")
    assert "past the time limit 0 (0.0 %)" in hooks
    by_node = {name: int(row[0]) for name, row in table(out, "by node").items()}
    # every call starts at the welcome and reaches the main menu; nodes of the branches follow
    assert {"welcome", "main_menu"} < set(by_node) and by_node["main_menu"] >= completed
    # Locust's own reports: CSV rows per node and per kind of call, and the HTML report
    with open(tmp_path / "run_stats.csv", newline="") as f:
        rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(f)}
    assert int(rows[("POST", "main_menu")]["Request Count"]) == by_node["main_menu"]
    assert sum(int(r["Request Count"]) for (kind, _), r in rows.items() if kind == "call") == completed
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "main_menu" in html and "support-line.test.yaml" in html


def test_a_slow_app_shows_11205_failures_and_responses_past_the_limit(tmp_path):
    """The menu's action takes 3 s where the limit is 1 s (the scenario's total_timeout_ms): every action
    request is past the limit, counted under the path it was sent to, and calls end in Twilio's 11205."""
    scenario = tmp_path / "pick.tests.yaml"
    scenario.write_text(
        "target: http://unused.invalid/voice\nsettings: {total_timeout_ms: 1000, retry_count: 0}\ncalls:\n"
        "  - name: picks one\n    steps: [{wait_for: listening}, {press: '1'}]\n    expect_end: completed\n"
    )
    routes = {
        "/voice": twiml(
            '<Gather action="/picked" numDigits="1" timeout="2"><Say>Press 1</Say></Gather>', "menu"
        ),
        "/picked": twiml("<Say>Thanks</Say>", node="thanks"),
    }
    with http_app(routes, delays={"/picked": 3.0}) as (base, _log):
        result = run_load(
            f"{base}/voice",
            "--scenarios",
            str(scenario),
            "--callers",
            "2",
            "--calls",
            "2",
            "--duration",
            "5m",
            "--think-time",
            "fast",
            "--stop-timeout",
            "5",
        )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "still in progress" not in section(out, "Calls")  # --stop-timeout let the calls finish
    hooks = section(out, "Webhooks")
    rows = table(out, "by node")
    picked_count, picked_failed = int(rows["/picked"][0]), int(rows["/picked"][1])
    assert picked_count == 2 and picked_failed == picked_count  # one a call, named by path (no X-IVR-Node)
    assert int(rows["menu"][0]) >= picked_count
    failed = _count(hooks, r"requests, [\d.]+/s, failed (\d+)")
    assert failed >= picked_count and f"past the time limit {failed} " in hooks  # every failure was a timeout
    assert "failed by Twilio error code: 11205" in section(out, "Calls")


def test_one_master_and_two_workers_on_loopback_and_a_third_with_other_files(deployed, tmp_path):
    """Two workers run the master's command and share its callers; a third, started with a scenario file of
    its own, places no calls, and the master says so (and fails the run)."""
    other = tmp_path / "other.tests.yaml"
    other.write_text(SCENARIOS.read_text(encoding="utf-8").replace("sales by key", "sales by key, again"))
    port = free_port()
    common = ("--think-time", "fast", "--seed", "4")
    master = start_load(
        deployed, "--scenarios", str(SCENARIOS), *common, "--master", "--master-bind-host", "127.0.0.1",
        "--master-bind-port", str(port), "--expect-workers", "3", "--callers", "6", "--duration", "3",
    )  # fmt: skip
    workers = [
        start_load(deployed, "--scenarios", str(files), *common, "--worker", "--master-port", str(port))
        for files in (SCENARIOS, SCENARIOS, other)
    ]
    try:
        out, err = master.communicate(timeout=120)
        worker_out = [w.communicate(timeout=60) for w in workers]
    finally:
        for proc in (master, *workers):
            if proc.poll() is None:
                proc.kill()
    assert [w.returncode for w in workers] == [0, 0, 0], worker_out
    assert master.returncode == 1, out + err
    assert "its scenario files or options differ from the master's" in err
    calls = section(out, "Calls")
    placed = re.search(r"2 workers placed them \(worker \d: (\d+), worker \d: (\d+)\)", calls)
    assert placed and all(int(n) > 0 for n in placed.groups()), calls  # both good workers placed calls
    assert int(placed.group(1)) + int(placed.group(2)) == _count(calls, r"started (\d+)")
    assert "failed 0" in calls and "MISSED" not in section(out, "Scenario expectations under load")


def test_weighted_scenarios_and_random_callers_against_a_flow_served_in_process():
    """A file's weight is its calls' share of the mix; random callers who always answer wrongly take a
    path no scenario call takes."""
    result = run_load(
        str(EXAMPLES / "support-line.ivrflow"),
        "--scenarios", f"{SCENARIOS}:3", "--random-callers", "1", "--random-mix", "wrong=100", "--seed", "11",
        "--callers", "1", "--calls", "12", "--duration", "5m", "--think-time", "fast",
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    # one caller line and a seed: the same 12 draws from the mix on any machine, however busy
    assert "started 12, completed 12, failed 0" in section(out, "Calls")
    assert "support-line.test.yaml › sales by key 19%" in out and "random caller 25%" in out
    random_part = section(out, "Random callers")
    calls, distinct, new = (
        int(n) for n in re.search(r"(\d+) calls, (\d+) distinct paths, (\d+) that", random_part).groups()
    )
    assert calls >= 1 and new == distinct >= 1
    assert "welcome › main_menu › sorry › main_menu › sorry › main_menu" in random_part
