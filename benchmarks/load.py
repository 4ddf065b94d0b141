"""Load tests: the tool's own overhead, and greenlets against threads for running the call runtime.

1. Overhead (target: one machine drives ≥ 500 simulated webhook requests per second per core). The real
   command, ``ivr-studio load --think-time fast``, against a trivial app (two fixed TwiML documents from a
   minimal asyncio server in its own process, on 127.0.0.1); webhook requests counted from Locust's CSV,
   CPU time of the load process from the kernel (``wait4``), so the app's own CPU is not counted.
2. Concurrency models, without Locust, through the runtime's public scenario API (the code the load command
   runs): N callers placing the same scenario call back to back for a fixed time, as greenlets in a
   gevent-patched process, or as OS threads in an unpatched one. For each: calls, scenario expectations
   missed, CPU per webhook (fast think time), and how late the Gather's 1 s timeout fired (real think time:
   the time from ``listening`` to ``gather_end`` minus 1 s, per call).

Run: .venv/bin/python benchmarks/load.py [--no-readme]   (about four minutes; loopback only)
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "benchmarks" / "README.md"
SECTION = "## Load tests (benchmarks/load.py)"
DOCS = {
    "/voice": (
        "menu",
        '<Response><Gather action="/next" numDigits="1" timeout="1"><Say>Hi</Say></Gather>'
        "<Redirect>/bye</Redirect></Response>",
    ),
    "/next": ("next", "<Response><Say>Bye</Say><Hangup/></Response>"),
    "/bye": ("bye", "<Response><Say>Bye</Say><Hangup/></Response>"),
}
SCENARIO = """target: http://unused.invalid/voice
calls:
  - name: silence
    steps: []
    expect_node: [menu, bye]
    expect_end: completed
"""
OVERHEAD_SECONDS = 15
MODEL_SECONDS = 20


# ----------------------------------------------------------------------------------------- trivial app
def serve(port: int) -> None:
    """A minimal HTTP/1.1 server answering every request with a fixed document (one connection each)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1].split("?")[0]
            length = next((int(x.split(":")[1]) for x in lines if x.lower().startswith("content-length:")), 0)
            if length:
                await reader.readexactly(length)
            node, body = DOCS.get(path, ("?", "<Response><Hangup/></Response>"))
            data = body.encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n"
                + f"X-IVR-Node: {node}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                + data
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}/voice"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the trivial app did not start")


def rusage_cpu(proc: subprocess.Popen) -> tuple[int, float]:
    """Wait for ``proc``; its exit status and the CPU seconds (user + system) it used."""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime


# ----------------------------------------------------------------------------------------- 1. overhead
def overhead(url: str, scenario: Path, callers: int, folder: Path) -> dict:
    prefix = folder / f"overhead-{callers}"
    cmd = [
        sys.executable, "-m", "ivr_studio", "load", url, "--scenarios", str(scenario),
        "--callers", str(callers), "--duration", str(OVERHEAD_SECONDS), "--think-time", "fast",
        "--csv", str(prefix), "--progress", "60",
    ]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = proc.stdout.read()  # type: ignore[union-attr]
    code, cpu = rusage_cpu(proc)
    wall = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"load run failed ({code}):\n{out}\n{proc.stderr.read()}")  # type: ignore[union-attr]
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    webhooks = sum(int(r["Request Count"]) for r in rows if r["Type"] in ("GET", "POST"))
    calls = sum(int(r["Request Count"]) for r in rows if r["Type"] == "call")
    return {
        "callers": callers,
        "webhooks": webhooks,
        "calls": calls,
        "cpu": cpu,
        "wall": wall,
        "per_cpu_second": webhooks / cpu,
        "per_second": webhooks / OVERHEAD_SECONDS,
    }


# ----------------------------------------------------------------------------------------- 2. models
def model_child(model: str, think: str, callers: int, seconds: float, url: str, scenario: str) -> None:
    """Run in a child process: ``callers`` callers place the scenario call back to back for ``seconds``."""
    if model == "gevent":
        from gevent import monkey

        monkey.patch_all()
    import resource
    import threading

    from ivr_studio.runtime.clock import RealClock
    from ivr_studio.runtime.scenario import read_scenario, run_scenario_call
    from ivr_studio.runtime.transports import HttpTransport

    loaded = read_scenario(scenario)
    call = loaded.calls[0]
    results: list[dict] = []
    deadline = time.monotonic() + seconds

    def caller() -> None:
        transport = HttpTransport()
        while time.monotonic() < deadline:
            events: list[dict] = []
            report = run_scenario_call(
                loaded, call, transport, url, clock=RealClock() if think == "real" else None,
                listener=events.append,
            )  # fmt: skip
            times = {e["event"]: e["t"] for e in events if e["event"] in ("listening", "gather_end")}
            real = think == "real" and len(times) == 2  # on virtual time a timer is never late
            late = times["gather_end"] - times["listening"] - 1.0 if real else None
            results.append(
                {
                    "ok": report.passed,
                    "webhooks": sum(1 for e in events if e["event"] == "request"),
                    "late": late,
                }
            )

    before = resource.getrusage(resource.RUSAGE_SELF)
    if model == "gevent":
        import gevent

        gevent.joinall([gevent.spawn(caller) for _ in range(callers)])
    else:
        threads = [threading.Thread(target=caller) for _ in range(callers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    late = sorted(r["late"] for r in results if r["late"] is not None)
    print(
        json.dumps(
            {
                "calls": len(results),
                "missed": sum(not r["ok"] for r in results),
                "webhooks": sum(r["webhooks"] for r in results),
                "cpu": cpu,
                "late_p50": statistics.median(late) if late else None,
                "late_p99": late[int(0.99 * (len(late) - 1))] if late else None,
                "late_max": late[-1] if late else None,
            }
        )
    )


def model_run(model: str, think: str, callers: int, url: str, scenario: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--model", model, "--think", think, "--callers", str(callers),
         "--seconds", str(MODEL_SECONDS), "--url", url, "--scenario", str(scenario)],
        capture_output=True, text=True, check=True, timeout=MODEL_SECONDS + 600,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------- report
def update_readme(body: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        following = text.find("\n## ", start + len(SECTION))
        rest = text[following + 1 :] if following >= 0 else ""
        text = text[:start] + body + ("\n" + rest if rest else "")
    README.write_text(text, encoding="utf-8")


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms"


def main() -> int:
    from _machine import machine

    parser = argparse.ArgumentParser()
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--serve", type=int)
    parser.add_argument("--model")
    parser.add_argument("--think")
    parser.add_argument("--callers", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--url")
    parser.add_argument("--scenario")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.model:
        model_child(args.model, args.think, args.callers, args.seconds, args.url, args.scenario)
        return 0

    app, url = start_app()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            scenario = folder / "silence.test.yaml"
            scenario.write_text(SCENARIO, encoding="utf-8")
            over = [overhead(url, scenario, callers, folder) for callers in (10, 50)]
            models = {}
            for think, callers in (("fast", 20), ("real", 50), ("real", 200)):
                for model in ("gevent", "threads"):
                    models[(think, callers, model)] = model_run(model, think, callers, url, scenario)
                    print(think, callers, model, models[(think, callers, model)], flush=True)
    finally:
        app.terminate()
        app.wait()

    lines = [
        SECTION,
        "",
        "Machine: " + machine() + "; shared with other developers' test runs while measuring (busy).",
        "",
        f"**Overhead.** `ivr-studio load --think-time fast` for {OVERHEAD_SECONDS} s against a trivial app (two fixed",
        "TwiML documents from a minimal asyncio server in its own process on 127.0.0.1; a call is two webhooks).",
        "CPU is the load process's own (user + system, from the kernel), so the app's CPU is not counted.",
        "",
        "| callers | webhooks | calls | webhooks/s (wall) | CPU s | webhooks per CPU-second | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in over:
        lines.append(
            f"| {o['callers']} | {o['webhooks']:,} | {o['calls']:,} | {o['per_second']:,.0f} | {o['cpu']:.1f} | "
            f"**{o['per_cpu_second']:,.0f}** | ≥ 500 |"
        )
    lines += [
        "",
        f"**Greenlets or threads.** N callers place the same call back to back for {MODEL_SECONDS} s through the",
        "runtime's scenario API and real HTTP (no Locust): greenlets in a gevent-patched process (what",
        "`ivr-studio load` does) or one OS thread per caller in an unpatched one. The call: a Gather with a 1 s",
        "timeout that the caller waits out, then a goodbye; its expectations: nodes menu, bye and a completed",
        "call. *Timer late* is how much later than 1 s after `listening` the Gather's timeout ended it, on the",
        "real clock.",
        "",
        "| think time | callers | model | calls | expectations missed | CPU ms per webhook | timer late p50 | p99 | max |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (think, callers, model), r in models.items():
        per = r["cpu"] / r["webhooks"] * 1000 if r["webhooks"] else 0
        lines.append(
            f"| {think} | {callers} | {model} | {r['calls']:,} | {r['missed']} | {per:.2f} | "
            f"{ms(r['late_p50'])} | {ms(r['late_p99'])} | {ms(r['late_max'])} |"
        )
    body = "\n".join(lines) + "\n"
    print(body)
    if not args.no_readme:
        update_readme(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
