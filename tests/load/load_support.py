"""Helpers for the load tests: small TwiML apps on real HTTP servers on 127.0.0.1, and running
``ivr-studio load`` in its own process (Locust monkey-patches the process it runs in, never the tests')."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

#: A route answers (status, TwiML or text, extra headers) after ``delay`` seconds.
Route = Callable[[dict[str, str]], tuple[int, str, dict[str, str]]]


def twiml(body: str, node: str | None = None) -> Callable[[dict[str, str]], tuple[int, str, dict[str, str]]]:
    headers = {"X-IVR-Node": node} if node else {}
    return lambda params: (200, f'<?xml version="1.0"?><Response>{body}</Response>', headers)


@contextmanager
def http_app(routes: dict[str, Route], delays: dict[str, float] | None = None) -> Iterator[tuple[str, list]]:
    """Serve ``routes`` (path → route) on a free loopback port; yields the base URL and the request log.

    ``delays`` makes a path deliberately slow: its answer comes that many seconds late (the behaviour under
    test, a slow app, not a wait of the test's own).
    """
    log: list[tuple[str, str, dict[str, str]]] = []
    delays = delays or {}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode()) if length else {}
            params = {k: v[-1] for k, v in {**parse_qs(parts.query), **form}.items()}
            log.append((self.command, parts.path, params))
            delay = delays.get(parts.path, 0.0)
            if delay:
                threading.Event().wait(delay)
            route = routes.get(parts.path)
            status, body, headers = route(params) if route else (404, "not found", {})
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/xml" if body.startswith("<") else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the caller gave up waiting (a timeout under test)
                pass

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ivr_studio", "load", *args]


def run_load(*args: str, timeout: float = 120.0, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``ivr-studio load`` to its end; the run's own ``--duration`` keeps it short."""
    return subprocess.run(
        load_command(*args), capture_output=True, text=True, timeout=timeout, cwd=cwd, env=_env()
    )


def start_load(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        load_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=_env(),
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LOCUST_SKIP_MONKEY_PATCH", None)
    return env


def section(report: str, title: str) -> str:
    """The lines of one section of the final report (from its title to the next blank-line title)."""
    lines = report.splitlines()
    start = lines.index(title)
    out = []
    for line in lines[start + 1 :]:
        if line and not line.startswith(" "):
            break
        out.append(line)
    return "\n".join(out)


def wait_for_port(port: int, deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


def table(report: str, heading: str) -> dict[str, list[float]]:
    """A latency table of the report by its heading: name → count, failed, avg, p50, p90, p95, p99, max."""
    from ivr_studio.load.report import NAME_WIDTH

    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {heading} "))
    rows = {}
    for line in lines[start + 1 :]:
        if not line.startswith("  ") or not line.strip():
            break
        rows[line[2 : 2 + NAME_WIDTH].strip()] = [float(v) for v in line[2 + NAME_WIDTH :].split()]
    return rows
