"""Fixtures for the editor's tests: an isolated main window (own settings file and recovery folder, a
short autosave interval) and a guard that fails a test which leaves top-level widgets behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

import ivr_studio.ui  # noqa: F401  (applies the PySide6 reference-count guard before any Qt call)
from ivr_studio.ui.document import FlowDocument


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
    from ivr_studio.ui.main_window import MainWindow

    w = MainWindow(settings=settings, recovery_dir=tmp_path / "recovery", autosave_ms=60_000)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    w.close()


@pytest.fixture
def support_line(examples_dir: Path) -> Path:
    return examples_dir / "support-line.ivrflow"


@pytest.fixture
def document(support_line: Path) -> FlowDocument:
    doc = FlowDocument()
    doc.open(support_line)
    return doc
