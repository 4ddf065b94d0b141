"""Run an exported bundle under real gunicorn on loopback for the tests (imported by the modules beside it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(bundle: Path, env: dict[str, str], workers: int = 2) -> tuple[subprocess.Popen, str]:
    """Start ``gunicorn app:app`` in the bundle; its stderr goes to a file (a pipe could fill up)."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - closed by stop()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", str(workers), "app:app"],
        cwd=bundle,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    proc.log = log  # type: ignore[attr-defined]
    return proc, f"http://127.0.0.1:{port}"


def server_log(proc: subprocess.Popen) -> str:
    log = proc.log  # type: ignore[attr-defined]
    log.seek(0)
    return log.read()


def wait_until_up(proc: subprocess.Popen, base: str, deadline_s: float = 60.0) -> None:
    """Return once a gunicorn worker answers HTTP, not merely once the master listens.

    The master binds the port before its workers have imported the app; a request sent then waits in the
    listen queue, and on a busy machine a test's own 5 s request timeout would run out in that queue.
    Any HTTP answer (a 404 or 405 too) means a worker is serving.
    """
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server_log(proc)[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/", timeout=max(0.2, deadline - time.monotonic())):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no gunicorn worker answered within {deadline_s:g} s: {server_log(proc)[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.log.close()  # type: ignore[attr-defined]


def clean_env(bundle: Path, **extra: str) -> dict[str, str]:
    """The test process's environment without deployment settings, with the bundle importable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "IVR_ENV", "IVR_STATE_SECRET")
    }
    env["PYTHONPATH"] = str(bundle)
    env.update(extra)
    return env
