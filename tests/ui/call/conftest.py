"""Fixtures of the Test call panel's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where a test's pictures go: $IVR_SHOTS when set (to keep them for a look by eye), else the test's own
    temporary folder."""
    folder = Path(os.environ["IVR_SHOTS"]) if os.environ.get("IVR_SHOTS") else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def settle(qtbot):
    """Call ``settle(window)`` before a grab, to picture what a user sees: the flow's check done and the
    layouts redone (a grab paints widgets where they are, before layout requests still queued)."""
    from PySide6.QtWidgets import QApplication

    def done(window) -> None:
        qtbot.waitUntil(lambda: not window.problems.checking, timeout=8000)
        QApplication.sendPostedEvents()
        QApplication.processEvents()

    return done
