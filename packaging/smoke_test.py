"""Smoke test of the self-contained build: it runs without Python, finds its resources, and the editor
starts headless on an example flow, loads it and stays up.

Usage: python packaging/smoke_test.py dist/ivr-studio     (exit 0 when every check passes)
Prints the build's size and the time from start to the loaded window, for benchmarks/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

READY_MARK = "IVR Studio: opened"
START_TIMEOUT_S = 60
STAY_UP_S = 3


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def find_example(dist: Path) -> Path:
    found = sorted(dist.rglob("_resources/examples/support-line.ivrflow"))
    if not found:
        raise SystemExit(f"FAIL: the build in {dist} has no bundled examples")
    return found[0]


def check(cond: bool, message: str) -> None:
    print(("ok   " if cond else "FAIL ") + message)
    if not cond:
        raise SystemExit(1)


def main(dist: Path) -> None:
    exe = dist / ("ivr-studio.exe" if os.name == "nt" else "ivr-studio")
    check(exe.exists(), f"executable {exe}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = "/usr/bin:/bin"
    env["QT_QPA_PLATFORM"] = "offscreen"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env, timeout=60)
    check(
        version.returncode == 0 and version.stdout.startswith("ivr-studio "),
        f"--version: {version.stdout.strip()}",
    )
    example = find_example(dist)
    checked = subprocess.run(
        [str(exe), "validate", str(example)], capture_output=True, text=True, env=env, timeout=60
    )
    check(
        checked.returncode == 0,
        f"validate on the bundled example: {checked.stdout.strip().splitlines()[-1:]}",
    )

    script = dist.parent / "smoke-call.json"
    script.write_text('{"steps": [{"wait_for": "listening"}, {"press": "1"}, {"dial_outcome": "answered"}]}')
    called = subprocess.run(
        [str(exe), "call", str(example), "--script", str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    script.unlink()
    check(
        called.returncode == 0 and "[to_sales]" in called.stdout,
        "a scripted test call reaches the sales transfer",
    )

    dynamic = example.with_name("account-line.ivrflow")
    holiday = subprocess.run(
        [
            str(exe),
            "call",
            str(dynamic),
            "--at",
            "2026-12-25T10:00",
            "--tz",
            "Europe/Berlin",
            "--quiet",
            "--trace",
            str(dist.parent / "smoke-trace.jsonl"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    trace = (dist.parent / "smoke-trace.jsonl").read_text() if holiday.returncode == 0 else holiday.stderr
    (dist.parent / "smoke-trace.jsonl").unlink(missing_ok=True)
    check(
        holiday.returncode == 0 and '"hours holiday"' in trace and "25 December 2026" in trace,
        "a dynamic flow on Christmas Day in Berlin: Hours finds the public holiday, the template renders",
    )

    report = dist.parent / "smoke-load.html"
    loaded = subprocess.run(
        [
            str(exe),
            "load",
            str(example),
            "--scenarios",
            str(example.with_name("support-line.test.yaml")),
            "--callers",
            "2",
            "--calls",
            "4",
            "--duration",
            "5m",
            "--think-time",
            "fast",
            "--html",
            str(report),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    html = report.read_text(encoding="utf-8") if report.exists() else ""
    report.unlink(missing_ok=True)
    check(
        loaded.returncode == 0
        and "started 4, completed 4, failed 0" in loaded.stdout
        and "main_menu" in html,
        "a load run of four scenario calls (Locust, gevent) with its HTML report: "
        + (loaded.stderr.strip().splitlines() or ["ok"])[-1],
    )

    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe), "open", str(example)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    lines: list[str] = []
    loaded_at = None
    try:
        deadline = t0 + START_TIMEOUT_S
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        while time.perf_counter() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            if line:
                lines.append(line.rstrip())
                if READY_MARK in line:
                    loaded_at = time.perf_counter()
                    break
            else:
                time.sleep(0.05)
        check(
            loaded_at is not None, "the editor opened the example: " + (lines[-1] if lines else "(no output)")
        )
        stay_until = time.perf_counter() + STAY_UP_S
        while time.perf_counter() < stay_until and proc.poll() is None:
            time.sleep(0.1)
        check(proc.poll() is None, f"the editor stays up for {STAY_UP_S} s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    size = folder_size(dist)
    print(f"build size: {size / 1024 / 1024:.0f} MiB in {sum(1 for _ in dist.rglob('*'))} files")
    print(f"start to loaded window: {loaded_at - t0:.2f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/ivr-studio").resolve())
