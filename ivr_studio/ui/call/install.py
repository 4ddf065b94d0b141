"""Hooking the test-call panel into the editor's main window (one call: :func:`install_call_panel`).

Adds the panel as the "Test call" dock (bottom, tabbed with Problems), fills the Call menu (Call F5,
Hang up Shift+F5, Save call as test…, Load test coverage…, Show coverage, Speech models…), and connects
the canvas: the node the call is in glows, the exits it took are traced, and the coverage overlay follows
the toggle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from ivr_studio.ui.call.panel import CallPanel

if TYPE_CHECKING:
    from ivr_studio.ui.main_window import MainWindow

DOCK_TITLE = "Test call"


def install_call_panel(window: MainWindow, **panel_options: Any) -> CallPanel:
    """Create the panel for ``window``'s document and wire it in; returns the panel (kept by the window)."""
    panel = CallPanel(window.document, window, save_flow=window.save, **panel_options)
    dock = window.add_dock(panel, DOCK_TITLE, Qt.DockWidgetArea.BottomDockWidgetArea)
    problems = window.docks.get("Problems")
    if problems is not None and window.dockWidgetArea(problems) == Qt.DockWidgetArea.BottomDockWidgetArea:
        window.tabifyDockWidget(problems, dock)
    window.call_panel = panel  # keep a Python reference (see architecture.md)

    panel.activeNodeChanged.connect(window.scene.set_active_node)
    panel.overlayChanged.connect(window.scene.set_exit_coverage)

    menu = getattr(window, "call_menu", None) or window.menuBar().addMenu("&Call")

    def action(name: str, text: str, slot: Any, shortcut: str | None = None) -> QAction:
        act = QAction(text, window)
        act.setObjectName(name)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        window.actions_[name] = act
        return act

    def call() -> None:
        dock.show()
        dock.raise_()
        panel.start_call()

    action("action_call", "&Call", call, "F5")
    action("action_hang_up", "&Hang up", panel.controller.hang_up, "Shift+F5")
    menu.addSeparator()
    save_test = action("action_save_call_as_test", "&Save call as test…", lambda: panel.save_as_test())
    save_test.setEnabled(panel.save_button.isEnabled())
    panel.saveableChanged.connect(save_test.setEnabled)
    action("action_load_coverage", "&Load test coverage…", lambda: panel.load_coverage())
    coverage = action("action_show_coverage", "Show &coverage", lambda: None)
    coverage.setCheckable(True)
    coverage.toggled.connect(lambda on: panel.coverage.setChecked(on))
    panel.coverage.toggled.connect(lambda on: coverage.setChecked(on))
    menu.addSeparator()
    action("action_speech_models", "Speech &models…", lambda: panel.get_speech_model())
    return panel
