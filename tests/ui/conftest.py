"""Fixtures for the editor's tests: an isolated main window (own settings file and recovery folder, a
short autosave interval), a guard that fails a test which leaves top-level widgets behind, and the one
time-out ceiling of every wait (:data:`WAIT_MS`)."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

import ivr_studio.ui  # noqa: F401  (applies the PySide6 reference-count guard before any Qt call)
from ivr_studio.ui.document import FlowDocument

#: Message boxes no test asked for, as "(kind) title: text", since the current test started.
UNEXPECTED_DIALOGS: list[str] = []
#: True while a test's own body runs (not its fixtures' setup or teardown).
_IN_TEST_BODY = [False]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    _IN_TEST_BODY[0] = True
    try:
        return (yield)
    finally:
        _IN_TEST_BODY[0] = False


def _no_modal_dialogs() -> None:
    """A real modal message box would block the headless test run forever, so every QMessageBox helper is
    replaced: a test that expects one patches it itself (monkeypatch); any other box shown is recorded and
    fails the test (:func:`no_unexpected_message_boxes`). Questions are answered "Discard" so that the
    test can go on to its end and report every box it met. After the test body, when pytest-qt closes the
    windows a test left with unsaved changes, the "Save the changes?" question is answered "Discard"
    without failing the test (that question is the editor working as it should)."""

    def question(_parent, title, text, *args, **kwargs):
        if _IN_TEST_BODY[0]:
            UNEXPECTED_DIALOGS.append(f"(question) {title}: {text}")
        return QMessageBox.StandardButton.Discard

    def notify(kind: str):
        def show(_parent, title, text, *args, **kwargs):
            UNEXPECTED_DIALOGS.append(f"({kind}) {title}: {text}")
            return QMessageBox.StandardButton.Ok

        return show

    QMessageBox.question = staticmethod(question)
    for name in ("critical", "warning", "information", "about"):
        setattr(QMessageBox, name, staticmethod(notify(name)))


_no_modal_dialogs()


@pytest.fixture(autouse=True)
def no_unexpected_message_boxes():
    """Fail a test during which a message box it did not expect was shown (an error the user would see)."""
    UNEXPECTED_DIALOGS.clear()
    yield
    shown, UNEXPECTED_DIALOGS[:] = list(UNEXPECTED_DIALOGS), []
    assert not shown, f"unexpected message box: {shown}"


@pytest.fixture(autouse=True)
def no_leftover_windows(qapp: QApplication):
    """Fail a test that leaves visible top-level widgets behind (they leak into later tests)."""
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    qapp.processEvents()
    left = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for w in left:
        w.close()
    assert not left, f"test left top-level widgets open: {[type(w).__name__ for w in left]}"


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, tmp_path, monkeypatch):
    """A main window with a starter flow; closing it never prompts (unless a test says otherwise)."""
    from ivr_studio.ui.call.controller import CallController
    from ivr_studio.ui.main_window import MainWindow

    w = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(audio=False),
    )
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.document.replace(w.document.flow, w.document.path)  # forget unsaved changes: closing must not ask
    w.close()


@pytest.fixture
def support_line(examples_dir: Path) -> Path:
    return examples_dir / "support-line.ivrflow"


@pytest.fixture
def document(support_line: Path) -> FlowDocument:
    doc = FlowDocument()
    doc.open(support_line)
    return doc


@pytest.fixture(scope="session", autouse=True)
def _call_code_loaded() -> None:
    """The editor loads the call engine, the handler app and the audio code after its first frame; the
    tests that time a call (waitUntil with a timeout) should not time those imports on a busy machine."""
    from ivr_studio.ui.warm_up import CALL_MODULES, warm_up

    warm_up(CALL_MODULES).join()


@pytest.fixture(scope="session", autouse=True)
def _release_clipboard_before_exit(qapp: QApplication):
    """Qt owns clipboard data; releasing it while the application still exists avoids a crash when the
    interpreter shuts down after the tests (the offscreen platform deletes it after Python's wrapper)."""
    yield
    QApplication.clipboard().clear()
    qapp.processEvents()


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch) -> Path:
    """Speech models go here, never to the user's own models folder (the recogniser and the dialog look
    here too)."""
    folder = tmp_path / "models"
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(folder))
    return folder


@pytest.fixture
def model_site(monkeypatch):
    """A local stand-in for the speech-model site, serving the Spanish model; downloads go to it."""
    from model_server import SPANISH, ModelServer, model_zip

    server = ModelServer()
    server.files[f"{SPANISH}.zip"] = model_zip()
    monkeypatch.setenv("IVR_STUDIO_MODEL_BASE_URL", server.url)
    yield server
    server.close()


# ------------------------------------------------------------------------------------------ waiting
def _wait_scale() -> float:
    """``IVR_STUDIO_TEST_WAIT_SCALE`` (a positive number, default 1) stretches the ceiling on a slow machine."""
    try:
        scale = float(os.environ.get("IVR_STUDIO_TEST_WAIT_SCALE", "1"))
    except ValueError:
        return 1.0
    return scale if math.isfinite(scale) and scale > 0 else 1.0


#: The one time-out of the editor's tests, in milliseconds: a ceiling, not a duration. Every qtbot wait
#: (``waitUntil``, ``waitSignal`` …) waits for its condition and returns as soon as it holds; it fails only
#: when the condition has not held after this long, which on a healthy machine means it never will. It is
#: generous on purpose: under load (five developers' test runs on two cores) a live call can take many
#: times its usual few seconds, and a tight ceiling then fails a test whose behaviour is right.
WAIT_MS = int(30_000 * _wait_scale())

_QTBOT_WAITS = ("waitUntil", "waitSignal", "waitSignals", "waitExposed", "waitActive", "waitCallback")


def _with_ceiling(wait: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(wait)
    def waiting(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", WAIT_MS)
        return wait(*args, **kwargs)

    return waiting


@pytest.fixture
def qtbot(qtbot):
    """pytest-qt's ``qtbot`` whose waits take :data:`WAIT_MS` as their time-out unless a test gives one
    (the plugin's own default is 5 s, which a busy machine exceeds)."""
    for name in _QTBOT_WAITS:
        setattr(qtbot, name, _with_ceiling(getattr(qtbot, name)))
    return qtbot
