"""The editor's tests fail when a message box nobody expected is shown (``tests/ui/conftest.py``) — run
for real: a pytest subprocess with a test that shows one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

SHOWS_A_BOX = """\
from PySide6.QtWidgets import QMessageBox


def test_shows_an_error(qapp):
    QMessageBox.critical(None, "Export failed", "the disk is full")


def test_expects_its_error(qapp, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a, **k: shown.append(text))
    QMessageBox.critical(None, "Export failed", "the disk is full")
    assert shown == ["the disk is full"]
"""


def test_an_unexpected_message_box_fails_the_test(tmp_path: Path):
    folder = tmp_path / "ui"
    folder.mkdir()
    (folder / "conftest.py").write_text((TESTS / "ui" / "conftest.py").read_text(encoding="utf-8"))
    (folder / "test_box.py").write_text(SHOWS_A_BOX)
    env = {**os.environ, "PYTHONPATH": str(TESTS), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        cwd=tmp_path,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    # the box is reported when the test ends (an error in its teardown): the run is red, the other passes
    assert "ERROR ui/test_box.py::test_shows_an_error" in run.stdout, run.stdout
    assert "2 passed, 1 error" in run.stdout, run.stdout
    assert "unexpected message box: ['(critical) Export failed: the disk is full']" in run.stdout
