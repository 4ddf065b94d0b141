"""Application setup: the QApplication, its style and palette, and running the editor.

The Fusion style draws with the application palette, which Qt derives from the system's light or dark
colour scheme, so every widget (and the canvas, whose colours come from the same palette) follows it.
High-DPI scaling is on by default in Qt 6; the rounding policy is set to pass-through so fractional scale
factors stay sharp.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

APP_NAME = "IVR Studio"
ORGANIZATION = "IVR Studio"


def make_app(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (created once), named so QSettings and QStandardPaths find our files."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setStyle("Fusion")
    from ivr_studio.ui import collector

    collector.pace(app)  # reference cycles holding Qt objects are destroyed on the GUI thread only
    return app


def run(path: str | Path | None = None) -> int:
    """Open the editor (optionally with a file), offering crash recovery first; returns the exit code."""
    app = make_app()
    from ivr_studio.ui.crash_guard import install_crash_guard
    from ivr_studio.ui.main_window import MainWindow

    window = MainWindow()
    previous_hook = install_crash_guard(window)
    window.show()
    recovered = window.offer_recovery(Path(path) if path is not None else None)
    if path is not None and not recovered:
        if window.open_path(path):
            # A plain line on stderr: launchers and the packaged build's smoke test watch for it.
            print(
                f"IVR Studio: opened {path} ({len(window.document.flow)} nodes)", file=sys.stderr, flush=True
            )
    else:
        window.view.show_flow()
        print(
            "IVR Studio: opened a new flow" if not recovered else "IVR Studio: opened a recovered flow",
            file=sys.stderr,
            flush=True,
        )
    code = app.exec()
    sys.excepthook = previous_hook
    _release_clipboard()
    del window
    return code


def _release_clipboard() -> None:
    """Hand our copied nodes back before Qt tears down: Qt owns clipboard data, and deleting it after the
    application object is gone crashes on exit."""
    from ivr_studio.ui.canvas.view import MIME_NODES

    clipboard = QGuiApplication.clipboard()
    data = clipboard.mimeData()
    if data is not None and data.hasFormat(MIME_NODES):
        clipboard.clear()
