"""What happens when the editor hits a bug: the flow is saved first, then the user is told plainly.

An exception that escapes a Qt slot would otherwise only be printed to a terminal the user may not have,
and a later crash would take the unsaved flow with it. The guard writes the recovery file at once (the next
start offers it), keeps the traceback on stderr for a bug report, and shows one calm message; the editor
keeps running.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from ivr_studio.ui.main_window import MainWindow

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def install_crash_guard(window: MainWindow) -> ExceptHook:
    """Make ``sys.excepthook`` save ``window``'s flow and explain; returns the hook that was replaced."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        traceback.print_exception(kind, error, tb, file=sys.stderr)
        saved = None
        try:
            saved = window.autosaver.autosave()
        except Exception as exc:  # the guard itself must never raise
            print(f"IVR Studio: could not write the recovery file: {exc}", file=sys.stderr)
        where = (
            f"Your unsaved changes were written to the recovery file {saved}; IVR Studio offers it the next "
            "time it starts."
            if saved is not None
            else "There were no unsaved changes to lose."
        )
        QMessageBox.critical(
            window,
            "Something went wrong",
            f"IVR Studio hit an unexpected error: {error}\n\n{where}\n\n"
            "You can keep working; saving now is a good idea. The details were written to the terminal "
            "(standard error) for a bug report.",
        )

    sys.excepthook = hook
    return previous
