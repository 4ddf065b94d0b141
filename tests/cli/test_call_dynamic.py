"""``ivr-studio call`` and ``ivr-studio test`` with the clock and the back-end as part of the test."""

from __future__ import annotations

import json

import pytest

from ivr_studio.cli import main


def call(examples_dir, tmp_path, *args, steps=()):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": list(steps)}))
    trace = tmp_path / "trace.jsonl"
    code = main(
        [
            "call",
            str(examples_dir / "account-line.ivrflow"),
            "--quiet",
            "--script",
            str(script),
            "--trace",
            str(trace),
            *args,
        ]
    )
    events = [json.loads(line) for line in trace.read_text().splitlines()] if trace.exists() else []
    return code, events


def nodes(events):
    return [e["node"] for e in events if e["event"] == "request"]


@pytest.mark.parametrize(
    ("at", "tz", "reached"),
    [
        ("2026-12-24T18:30", "Europe/Berlin", "closed"),  # Christmas Eve, after hours (not a Berlin holiday)
        ("2026-12-25T10:00", "Europe/Berlin", "holiday"),
        ("2026-12-21T09:00+01:00", None, "account_menu"),
        ("2026-12-21T08:30", None, "account_menu"),  # UTC 08:30 is 09:30 in Berlin
    ],
)
def test_at_sets_the_handlers_time(examples_dir, tmp_path, at, tz, reached):
    args = ["--at", at] + (["--tz", tz] if tz else [])
    code, events = call(examples_dir, tmp_path, *args)
    assert code == 0
    assert nodes(events)[1] == reached


def test_lookups_are_in_the_trace(examples_dir, tmp_path):
    code, events = call(
        examples_dir,
        tmp_path,
        "--at",
        "2026-12-21T10:00",
        "--tz",
        "Europe/Berlin",
        "--backend",
        str(examples_dir / "account-line.backend.yaml"),
        steps=[{"wait_for": "listening"}, {"press": "123456"}],
    )
    assert code == 0
    (lookup,) = [e for e in events if e["event"] == "lookup"]
    assert lookup["node"] == "balance" and lookup["status"] == 200 and lookup["outcome"] == "ok"
    assert lookup["url"] == "https://api.acme-bank.example/v1/accounts/123456/balance"
    assert lookup["stubbed"] is True
    request = [e for e in events if e["event"] == "request" and e.get("path")][0]
    assert request["path"] == ["hours open", "vip_check otherwise"]


def test_scenario_files_set_the_time_per_call(examples_dir, tmp_path, capsys):
    scenario = tmp_path / "s.tests.yaml"
    scenario.write_text(
        f"target: {examples_dir / 'account-line.ivrflow'}\n"
        "tz: Europe/Berlin\n"
        "calls:\n"
        "  - {name: morning, at: '2026-12-21T10:00', expect_node: [welcome, account_menu]}\n"
        "  - {name: evening, at: '2026-12-21T20:00', expect_node: [welcome, closed]}\n"
        "  - {name: wrong, at: '2026-12-21T20:00', expect_node: [welcome, account_menu]}\n"
    )
    assert main(["test", str(scenario)]) == 1
    out = capsys.readouterr().out
    assert "PASS" in out and "morning" in out and "2 passed, 1 failed" in out


def test_without_a_stub_a_look_up_makes_the_real_request(tmp_path):
    """A back-end on 127.0.0.1, no --backend: the Look up reaches it over real HTTP."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from ivr_studio.flow import Flow, Node, NodeKind, save_flow
    from ivr_studio.flow.logic import LookupConfig

    seen: list[str] = []

    class Backend(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            body = b'{"amount": "7.25"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        flow = Flow("Real back-end")
        url = f"http://127.0.0.1:{server.server_address[1]}/balance?caller={{{{ call.from | url_encode }}}}"
        flow.add_node(Node("l", NodeKind.LOOKUP, config=LookupConfig(url=url, keep=("amount",))))
        flow.add_node(Node("say", NodeKind.SAY, text="You have {{ steps.l.body.amount | money: 'USD' }}."))
        flow.add_node(Node("sorry", NodeKind.SAY, text="Sorry."))
        flow.set_link("l", "ok", "say")
        flow.set_link("l", "failed", "sorry")
        path = tmp_path / "real.ivrflow"
        save_flow(flow, path)
        trace = tmp_path / "t.jsonl"
        assert main(["call", str(path), "--quiet", "--trace", str(trace), "--from", "+4930123"]) == 0
    finally:
        server.shutdown()
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    (lookup,) = [e for e in events if e["event"] == "lookup"]
    assert lookup["status"] == 200 and lookup["stubbed"] is False
    assert seen == ["/balance?caller=%2B4930123"]
    assert [e["text"] for e in events if e["event"] == "say"] == ["You have 7 dollars and 25 cents."]


def test_a_stubs_delay_passes_on_the_calls_clock(examples_dir, tmp_path):
    """The balance stub answers after 0.3 s: the caller hears the balance 0.3 s of call time later."""
    code, events = call(
        examples_dir,
        tmp_path,
        "--at",
        "2026-12-21T10:00",
        "--tz",
        "Europe/Berlin",
        "--backend",
        str(examples_dir / "account-line.backend.yaml"),
        steps=[{"wait_for": "listening"}, {"press": "123456"}],
    )
    assert code == 0
    at = next(i for i, e in enumerate(events) if e["event"] == "lookup")
    request, lookup = events[at - 1], events[at]
    assert request["event"] == "request" and lookup["ms"] == 300.0
    assert request["elapsed_ms"] >= 300.0, "the webhook took the back-end's time"
    say = next(e for e in events[at:] if e["event"] == "say")
    assert "balance" in say["text"]
    assert say["t"] - request["t"] == pytest.approx(0.3, abs=1e-6)


def test_stub_delays_count_against_the_lookup_timeout_and_the_webhook_budget(tmp_path):
    """Two Look ups of 8 s each: the first answers; the second has only 6 s of the 15 s budget left
    (less Twilio's margin), times out at 6 s and takes its failed exit — 14 s of call time in all."""
    from ivr_studio.flow import Flow, Node, NodeKind, save_flow
    from ivr_studio.flow.logic import LookupConfig

    flow = Flow("Slow back-end")
    flow.add_node(Node("first", NodeKind.LOOKUP, config=LookupConfig(url="https://slow.test/a", timeout=10)))
    flow.add_node(Node("second", NodeKind.LOOKUP, config=LookupConfig(url="https://slow.test/b", timeout=10)))
    flow.add_node(Node("done", NodeKind.SAY, text="Both answered."))
    flow.add_node(Node("late", NodeKind.SAY, text="The second was too slow."))
    flow.add_node(Node("first_failed", NodeKind.SAY, text="The first failed."))
    flow.set_link("first", "ok", "second")
    flow.set_link("first", "failed", "first_failed")
    flow.set_link("second", "ok", "done")
    flow.set_link("second", "failed", "late")
    path = tmp_path / "slow.ivrflow"
    save_flow(flow, path)
    stubs = tmp_path / "slow.backend.yaml"
    stubs.write_text("- {url: 'https://slow.test/*', json: {}, delay: 8}\n")
    trace = tmp_path / "t.jsonl"
    assert main(["call", str(path), "--quiet", "--backend", str(stubs), "--trace", str(trace)]) == 0
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    first, second = [e for e in events if e["event"] == "lookup"]
    assert (first["outcome"], first["ms"]) == ("ok", 8000.0)
    assert (second["outcome"], second["ms"], second["error"]) == ("failed", 6000.0, "timed out (stub)")
    (say,) = [e for e in events if e["event"] == "say"]
    assert say["text"] == "The second was too slow."
    assert say["t"] == pytest.approx(14.0, abs=1e-6)
