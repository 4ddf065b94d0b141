"""Closing the test-call panel, or the window it is in, lets its controller, the last call's engine and the
speech models the controller loaded go: opening and closing them again and again does not grow the editor."""

from __future__ import annotations

import contextlib
import gc
import weakref

from call_clock import SteppedClock, run_until
from PySide6.QtCore import QCoreApplication, QEvent

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
TIMES = 3


def listening(controller: CallController) -> bool:
    record = controller.record
    return record is not None and any(e["event"] == "listening" for e in record.trace)


def deleted(widget) -> None:
    """Close ``widget`` and delete it, as Qt does with a closed window (deleteLater, then the event loop)."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def assert_all_gone(qtbot, refs: list[weakref.ref]) -> None:
    """Everything in ``refs`` is collected, once the threads a call leaves behind (its fetches, the speech
    models' warm-up) have let go of it."""

    def alive() -> list[str]:
        gc.collect()
        return [type(r()).__name__ for r in refs if r() is not None]

    with contextlib.suppress(qtbot.TimeoutError):  # the assertion below names what is left
        qtbot.waitUntil(lambda: not alive())
    assert alive() == [], "still alive after closing"


def test_a_closed_panel_lets_its_controller_and_last_call_go(qtbot, document):
    refs: list[weakref.ref] = []
    for _ in range(TIMES):
        controller = CallController(settings=FAST, audio=False, clock=SteppedClock)  # made by its caller
        panel = CallPanel(document, controller=controller)
        qtbot.addWidget(panel)
        panel.show()
        panel.call_button.click()
        run_until(qtbot, controller, lambda c=controller: listening(c))
        refs += [weakref.ref(panel), weakref.ref(controller), weakref.ref(controller._live.engine)]
        refs.append(weakref.ref(controller.provider))  # where the speech models are kept
        deleted(panel)
        del panel, controller
    assert_all_gone(qtbot, refs)


def test_a_closed_window_lets_its_call_panel_and_last_call_go(qtbot, settings, tmp_path, support_line):
    from ivr_studio.ui.main_window import MainWindow

    refs: list[weakref.ref] = []
    for i in range(TIMES):
        window = MainWindow(
            settings=settings,
            recovery_dir=tmp_path / f"recovery-{i}",
            autosave_ms=60_000,
            call_controller=CallController(settings=FAST, audio=False, clock=SteppedClock),
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.open_path(support_line)
        controller = window.call_panel.controller
        window.call_panel.call_button.click()
        run_until(qtbot, controller, lambda c=controller: listening(c))
        refs += [weakref.ref(window), weakref.ref(controller), weakref.ref(controller._live.engine)]
        deleted(window)
        del window, controller
    assert_all_gone(qtbot, refs)
