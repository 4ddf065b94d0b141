"""Runtime throughput: 1,000 scripted calls in process (virtual clock, WSGI transport) through a small menu app.

Prints simulated call seconds per wall-clock second (target ≥ 1,000× real time; ≥ 10,000× with the
conference and queue calls) and milliseconds per webhook round trip, for all calls and per kind of call:
menu calls (a Dial to a number), queue calls (``<Enqueue>`` with looping wait music until an agent's
``dequeue``) and conference calls (``<Dial><Conference>`` with a waitUrl until others join and it ends). ``make_app()`` is the one place that decides which app serves the menu (a small Flask app here;
the exported bundle handler can replace it).

    .venv/bin/python benchmarks/runtime_calls.py [--calls 1000] [--write-readme]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr_studio.runtime import CallEngine, VirtualClock, WsgiTransport  # noqa: E402
from ivr_studio.runtime.script import parse_script, run_virtual  # noqa: E402

ROOT = Path(__file__).resolve().parent
ENTRY_URL = "http://bench.local/voice"


def make_app():
    """A WSGI app serving a menu with retries, as TwiML: 1–3 dial a team, 4 queues the caller for support
    (wait music with the caller's position), 5 joins the team's conference room."""
    from flask import Flask, Response, request

    app = Flask("runtime_bench")
    options = {"1": "sales", "2": "support", "3": "billing"}

    def twiml(body: str) -> Response:
        return Response(
            f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', mimetype="text/xml"
        )

    @app.post("/voice")
    def voice() -> Response:
        return twiml("<Say>Welcome to the benchmark line.</Say><Redirect>/menu</Redirect>")

    @app.post("/menu")
    def menu() -> Response:
        attempt = int(request.args.get("attempt", "1"))
        if attempt > 3:
            return twiml("<Say>Goodbye.</Say><Hangup/>")
        return twiml(
            f'<Gather numDigits="1" action="/choice?attempt={attempt}">'
            "<Say>For sales press 1. For support press 2. For billing press 3.</Say></Gather>"
            f"<Redirect>/menu?attempt={attempt + 1}</Redirect>"
        )

    @app.post("/choice")
    def choice() -> Response:
        digits = request.form.get("Digits", "")
        if digits == "4":
            return twiml(
                '<Say>All agents are busy.</Say><Enqueue action="/queued" waitUrl="/hold">support</Enqueue>'
            )
        if digits == "5":
            return twiml(
                '<Dial action="/queued"><Conference waitUrl="/room-wait" beep="onEnter">team</Conference></Dial>'
            )
        team = options.get(digits)
        if team is None:
            attempt = int(request.args.get("attempt", "1"))
            return twiml(
                f"<Say>Sorry, that is not an option.</Say><Redirect>/menu?attempt={attempt + 1}</Redirect>"
            )
        return twiml(f"<Say>Connecting you to {team}.</Say><Dial timeout='20'>+15550100</Dial><Hangup/>")

    @app.post("/hold")
    def hold() -> Response:
        position = request.form.get("QueuePosition", "?")
        return twiml(f'<Say>You are caller {position} in the queue.</Say><Pause length="15"/>')

    @app.post("/room-wait")
    def room_wait() -> Response:
        return twiml('<Say>Waiting for the others.</Say><Pause length="10"/><Redirect>/room-wait</Redirect>')

    @app.post("/agent")
    def agent() -> Response:
        return twiml("<Say>An agent is taking your call.</Say>")

    @app.post("/queued")
    def queued() -> Response:
        return twiml("<Say>Thank you for calling.</Say><Hangup/>")

    return app.wsgi_app


#: How the benchmark's calls divide: the menu's Dial calls, queue calls and conference calls.
MIX = {"menu": 0.5, "queue": 0.3, "conference": 0.2}


def random_script(rng: random.Random) -> tuple[str, dict]:
    """A caller who listens, sometimes waits through a retry, presses a key, and then: may be dialled through
    (menu), waits in the queue until an agent takes the call (queue), or sits in a conference while others
    come and go until it ends (conference). Returns the kind of call and its script."""
    steps: list[dict] = [{"wait_for": "listening"}]
    if rng.random() < 0.3:
        steps += [{"wait": 5.5}, {"wait_for": "listening"}]
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    if kind == "queue":
        steps.append({"press": "4"})
        ahead = rng.random() < 0.4
        if ahead:  # another caller queues up while ours hears "All agents are busy", and is taken first
            steps.append({"queue_caller": "support", "duration": rng.randint(5, 60)})
        steps.append({"wait_for": "queue"})
        if ahead:
            steps += [{"wait": rng.randint(10, 120)}, {"dequeue": True}]
        steps += [
            {"wait": rng.randint(10, 300)},
            {"dequeue": True, "url": "/agent", "duration": rng.randint(5, 240)},
        ]
        return kind, {"steps": steps}
    if kind == "conference":
        steps += [{"press": "5"}, {"wait_for": "conference"}, {"wait": rng.randint(5, 90)}]
        for i in range(rng.randint(1, 4)):
            steps += [{"conference": "join", "label": f"agent {i}"}, {"wait": rng.randint(5, 60)}]
        steps += [
            {"conference": "leave", "label": "agent 0"},
            {"wait": rng.randint(5, 120)},
            {"conference": "end"},
        ]
        return kind, {"steps": steps}
    steps.append({"press": rng.choice("1239")})
    if rng.random() < 0.5:
        outcome = rng.choice(["answered", "busy", "no-answer"])
        # key 9 reaches no <Dial>: then no Dial takes the outcome, as the script allows
        steps.append({"dial_outcome": outcome, "duration": rng.randint(5, 120), "may_be_ignored": True})
    return kind, {"steps": steps}


def run(calls: int, seed: int = 7) -> dict[str, Any]:
    app = make_app()
    rng = random.Random(seed)
    scripts = [random_script(rng) for _ in range(calls)]
    parsed = [(kind, parse_script(script)) for kind, script in scripts]
    transport = WsgiTransport(app)
    total = _Tally()
    kinds = {kind: _Tally() for kind in MIX}
    started = time.perf_counter()
    for kind, script in parsed:
        began = time.perf_counter()
        engine = CallEngine(ENTRY_URL, transport, clock=VirtualClock())
        runner = run_virtual(engine, script, max_duration=1800)
        wall = time.perf_counter() - began
        assert engine.end_status == "completed" and engine.app_error is None, engine.trace.events[-3:]
        assert not runner.failures, runner.failures  # every step went as written
        for tally in (total, kinds[kind]):
            tally.add(engine, wall)
    wall = time.perf_counter() - started
    r: dict[str, Any] = {"calls": calls, "wall_s": wall, **total.summary(wall)}
    r["kinds"] = {kind: tally.summary(tally.wall) for kind, tally in kinds.items() if tally.calls}
    return r


class _Tally:
    """Calls of one kind: how many, their simulated and wall time, and their webhook round trips."""

    def __init__(self) -> None:
        self.calls = 0
        self.wall = 0.0
        self.simulated = 0.0
        self.request_ms: list[float] = []

    def add(self, engine: CallEngine, wall: float) -> None:
        self.calls += 1
        self.wall += wall
        self.simulated += engine.elapsed
        self.request_ms.extend(e["elapsed_ms"] for e in engine.trace.of("request"))

    def summary(self, wall: float) -> dict[str, float]:
        requests = len(self.request_ms)
        return {
            "kind_calls": self.calls,
            "simulated_s": self.simulated,
            "speedup": self.simulated / wall,
            "requests": requests,
            "ms_per_call": wall * 1000 / self.calls,
            "ms_per_request_wall": wall * 1000 / requests,
            "ms_per_request_app": statistics.mean(self.request_ms),
        }


def machine() -> str:
    try:
        from _machine import machine as describe

        return describe()
    except ImportError:
        import os
        import platform

        return f"{os.cpu_count()} cores, {platform.processor()}, Python {platform.python_version()}"


def readme_section(r: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| {kind} | {k['kind_calls']:,} | {k['simulated_s']:,.0f} s | {k['ms_per_call']:.2f} ms | {k['requests']:,} "
        f"| **{k['speedup']:,.0f}×** |"
        for kind, k in r["kinds"].items()
    )
    return f"""## Runtime (benchmarks/runtime_calls.py)

{r["calls"]:,} scripted calls in process: virtual clock, WSGI transport, a small Flask menu app (welcome → menu with
retries → choice). Half the calls are dialled through (a Dial with a random callee outcome), 30 % wait in a
queue (`<Enqueue>` whose wait music loops with the caller's position, sometimes behind another caller, until
a `dequeue` step with a `<Queue url>`), 20 % sit in a conference (`<Dial><Conference>` with a looping
`waitUrl` while 1–4 others join and leave, until it ends). One run.
Machine: {machine()}.

| measure | value | target |
|---|---|---|
| simulated call time | {r["simulated_s"]:,.0f} s in {r["wall_s"]:.2f} s wall | — |
| simulated seconds per wall second | **{r["speedup"]:,.0f}×** | ≥ 10,000× |
| wall time per call | {r["ms_per_call"]:.2f} ms | — |
| webhook round trips | {r["requests"]:,} | — |
| wall time per round trip (whole engine) | {r["ms_per_request_wall"]:.3f} ms | — |
| app + transport time per round trip | {r["ms_per_request_app"]:.3f} ms | — |

Per kind of call, side by side in the same run:

| calls | count | simulated | wall per call | round trips | speed-up |
|---|---|---|---|---|---|
{rows}
"""


def write_readme(section: str) -> None:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    header = "## Runtime (benchmarks/runtime_calls.py)"
    if header in text:
        start = text.index(header)
        nxt = text.find("\n## ", start + len(header))
        text = text[:start] + section.rstrip() + "\n" + (text[nxt:] if nxt != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument(
        "--write-readme", action="store_true", help="update this script's section of README.md"
    )
    args = parser.parse_args()
    r = run(args.calls)
    print(f"calls: {r['calls']:,}  requests: {r['requests']:,}")
    print(f"simulated: {r['simulated_s']:,.0f} s  wall: {r['wall_s']:.2f} s  speed-up: {r['speedup']:,.0f}x")
    print(
        f"per call: {r['ms_per_call']:.2f} ms  per round trip: {r['ms_per_request_wall']:.3f} ms wall,"
        f" {r['ms_per_request_app']:.3f} ms in app + transport"
    )
    for kind, k in r["kinds"].items():
        print(
            f"  {kind:<10} {k['kind_calls']:>5} calls  {k['simulated_s']:>9,.0f} s simulated"
            f"  {k['ms_per_call']:.2f} ms/call  {k['requests']:>6} requests  speed-up {k['speedup']:,.0f}x"
        )
    if args.write_readme:
        write_readme(readme_section(r))
        print("updated benchmarks/README.md")


if __name__ == "__main__":
    main()
