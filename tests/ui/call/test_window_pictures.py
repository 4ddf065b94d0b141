"""The main window as a user sees it on a small screen, with the Test call panel open and a test call held by
the debugger: rendered to PNG (into $IVR_SHOTS when set, else the test's temporary folder) for a look by eye,
and checked for what must hold on every such screen: a usable canvas, and the held call's status, buttons and
details readable in the panel."""

from __future__ import annotations

import pytest
from silent_speech import SilentRecognizers

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.main_window import MainWindow

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)


def fully_visible(widget, window) -> bool:
    """The widget is shown and lies wholly inside the window."""
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return (
        widget.isVisible()
        and window.rect().contains(top_left)
        and window.rect().contains(widget.mapTo(window, widget.rect().bottomRight()))
    )


def status_labels_whole(window) -> bool:
    """Every label of the status bar is as wide as its text needs."""
    return all(
        label.width() >= label.sizeHint().width()
        for label in (window.problems_label, window.count_label, window.zoom_label)
        if label.isVisible()
    )


@pytest.mark.parametrize(("size", "least"), [((1366, 768), (700, 400)), ((1024, 600), (450, 240))])
def test_a_small_screen_with_the_panel_open_and_a_held_call(
    qtbot, settings, tmp_path, support_line, shots, settle, size, least
) -> None:
    window = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(settings=FAST, audio=False, provider=SilentRecognizers()),
    )
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    panel = window.call_panel
    try:
        assert window.open_path(support_line)
        dock = window.docks["Test call"]
        dock.show()
        dock.raise_()
        qtbot.waitUntil(panel.isVisible)
        settle(window)
        name = f"main-window-{size[0]}x{size[1]}"
        assert window.grab().save(str(shots / f"{name}-panel-open.png"))
        assert status_labels_whole(window), "the status bar's labels show their whole text"

        window.breakpoints.set(["main_menu"])
        window.actions_["action_call"].trigger()
        qtbot.waitUntil(lambda: panel.controller.pause is not None)
        qtbot.waitUntil(lambda: panel.debugging.view.details.topLevelItemCount() > 0)
        settle(window)
        assert window.grab().save(str(shots / f"{name}-debugger-paused.png"))
        assert status_labels_whole(window)

        canvas = window.view.viewport().size()
        assert canvas.width() >= least[0] and canvas.height() >= least[1], (size, canvas)
        view = panel.debugging.view
        for widget in (view.status, view.continue_button, view.step_button, view.details):
            assert fully_visible(widget, window), (size, widget.objectName())
        details = view.details
        first = details.visualItemRect(details.topLevelItem(0))
        assert details.viewport().height() >= 3 * first.height(), "at least three rows of the details show"
        assert "Paused at Main menu" in view.status.text()
        variables = next(
            details.topLevelItem(i)
            for i in range(details.topLevelItemCount())
            if details.topLevelItem(i).text(0) == "The call's variables"
        )
        # a flow without variables: said in one line, not "0, as the handler reported them" over "none set yet"
        assert variables.text(1) == "none set yet" and variables.childCount() == 0
        with qtbot.waitSignal(panel.controller.callEnded):
            panel.controller.hang_up()
    finally:
        panel.controller.shutdown()
        window.close()
