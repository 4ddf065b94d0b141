"""Runtime throughput: 1,000 scripted calls in process (virtual clock, WSGI transport) through a small menu app.

Prints simulated call seconds per wall-clock second (target ≥ 1,000× real time) and milliseconds per webhook
round trip. ``make_app()`` is the one place that decides which app serves the menu (a small Flask app here;
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr_studio.runtime import CallEngine, VirtualClock, WsgiTransport  # noqa: E402
from ivr_studio.runtime.script import parse_script, run_virtual  # noqa: E402

ROOT = Path(__file__).resolve().parent
ENTRY_URL = "http://bench.local/voice"


def make_app():
    """A WSGI app serving a three-option menu with retries, as TwiML."""
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
        team = options.get(request.form.get("Digits", ""))
        if team is None:
            attempt = int(request.args.get("attempt", "1"))
            return twiml(
                f"<Say>Sorry, that is not an option.</Say><Redirect>/menu?attempt={attempt + 1}</Redirect>"
            )
        return twiml(f"<Say>Connecting you to {team}.</Say><Dial timeout='20'>+15550100</Dial><Hangup/>")

    return app.wsgi_app


def random_script(rng: random.Random) -> dict:
    """A caller who listens, sometimes waits through a retry, presses a key, and may speak or hang up."""
    steps: list[dict] = [{"wait_for": "listening"}]
    if rng.random() < 0.3:
        steps += [{"wait": 5.5}, {"wait_for": "listening"}]
    steps.append({"press": rng.choice("12349")})
    if rng.random() < 0.5:
        outcome = rng.choice(["answered", "busy", "no-answer"])
        # keys 4 and 9 reach no <Dial>: then no Dial takes the outcome, as the script allows
        steps.append({"dial_outcome": outcome, "duration": rng.randint(5, 120), "may_be_ignored": True})
    return {"steps": steps}


def run(calls: int, seed: int = 7) -> dict[str, float]:
    app = make_app()
    rng = random.Random(seed)
    scripts = [parse_script(random_script(rng)) for _ in range(calls)]
    transport = WsgiTransport(app)
    simulated = 0.0
    requests = 0
    request_ms: list[float] = []
    started = time.perf_counter()
    for script in scripts:
        engine = CallEngine(ENTRY_URL, transport, clock=VirtualClock())
        run_virtual(engine, script, max_duration=600)
        simulated += engine.elapsed
        reqs = engine.trace.of("request")
        requests += len(reqs)
        request_ms.extend(e["elapsed_ms"] for e in reqs)
        assert engine.end_status == "completed" and engine.app_error is None, engine.trace.events[-3:]
    wall = time.perf_counter() - started
    return {
        "calls": calls,
        "wall_s": wall,
        "simulated_s": simulated,
        "speedup": simulated / wall,
        "requests": requests,
        "ms_per_call": wall * 1000 / calls,
        "ms_per_request_wall": wall * 1000 / requests,
        "ms_per_request_app": statistics.mean(request_ms),
    }


def machine() -> str:
    try:
        from _machine import machine as describe

        return describe()
    except ImportError:
        import os
        import platform

        return f"{os.cpu_count()} cores, {platform.processor()}, Python {platform.python_version()}"


def readme_section(r: dict[str, float]) -> str:
    return f"""## Runtime (benchmarks/runtime_calls.py)

{r["calls"]:,} scripted calls in process: virtual clock, WSGI transport, a small Flask menu app (welcome → menu with
retries → choice → Dial with a random callee outcome); callers wait, retry, press keys. One run.
Machine: {machine()}.

| measure | value | target |
|---|---|---|
| simulated call time | {r["simulated_s"]:,.0f} s in {r["wall_s"]:.2f} s wall | — |
| simulated seconds per wall second | **{r["speedup"]:,.0f}×** | ≥ 1,000× |
| wall time per call | {r["ms_per_call"]:.2f} ms | — |
| webhook round trips | {r["requests"]:,} | — |
| wall time per round trip (whole engine) | {r["ms_per_request_wall"]:.3f} ms | — |
| app + transport time per round trip | {r["ms_per_request_app"]:.3f} ms | — |
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
    if args.write_readme:
        write_readme(readme_section(r))
        print("updated benchmarks/README.md")


if __name__ == "__main__":
    main()
