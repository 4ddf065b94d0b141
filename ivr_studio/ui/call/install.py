"""Hooking the test-call panel into the editor's main window (one call: :func:`install_call_panel`).

Adds the panel as the "Test call" dock (bottom, tabbed with Problems), fills the Call menu (Call F5,
Hang up Shift+F5, Save call as test…, Load test coverage…, Show coverage, Speech models…), and connects
the canvas: the node the call is in glows, the exits it took are traced, and the coverage overlay follows
the toggle. While a call runs, the status bar says so (with the node), so a call started with F5 while the
panel is closed can still be followed; F5 does not reopen a panel the user closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QToolButton

from ivr_studio.ui.call.breakpoints import Breakpoints
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

    indicator = CallIndicator(window, dock)
    window.statusBar().insertPermanentWidget(0, indicator)  # never hidden under a status message
    panel.controller.callStarted.connect(lambda: indicator.set_call(True))
    panel.controller.callEnded.connect(lambda _status: indicator.set_call(False))
    # where the call is, not the moment the user looks back at in the timeline
    panel.controller.activeNodeChanged.connect(indicator.set_node)
    panel.documentChanged.connect(indicator.set_place)  # a URL's call whose server names no nodes
    window.document.flowReplaced.connect(lambda: indicator.set_call(False))

    def call() -> None:
        # F5 (and Call ▸ Call) brings the panel to the front when it is open — tabbed behind Problems,
        # say — but never reopens a panel the user closed: they closed it to make room, and the call can
        # be followed without it (the canvas glows, the status bar names the node, the keyboard is the
        # keypad, Shift+F5 hangs up). View ▸ Panels ▸ Test call, or a click on the status bar, opens it.
        if dock.toggleViewAction().isChecked():
            dock.show()
            dock.raise_()
        panel.start_call()

    def call_or_continue() -> None:
        if panel.controller.pause is not None:  # F5 in a held call: Continue, as in a debugger
            panel.debugging.continue_call()
        else:
            call()

    call_action = action("action_call", "&Call", call_or_continue, "F5")
    action("action_hang_up", "&Hang up", panel.controller.hang_up, "Shift+F5")
    menu.addSeparator()
    install_breakpoints(window, panel, action)
    panel.controller.paused.connect(lambda _pause: call_action.setText("&Continue"))
    panel.controller.paused.connect(indicator.set_pause)
    panel.controller.resumed.connect(lambda: call_action.setText("&Call"))
    panel.controller.resumed.connect(lambda: indicator.set_pause(None))
    panel.controller.callEnded.connect(lambda _status: call_action.setText("&Call"))
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


class CallIndicator(QToolButton):
    """In the status bar while a call runs: the node it is at, and that the keyboard is its keypad (the
    visible sign when the Test call panel is closed). A click opens the panel."""

    def __init__(self, window: MainWindow, dock: QDockWidget) -> None:
        self._pause: Any = None
        super().__init__(window)
        self.setObjectName("callIndicator")
        self.setAutoRaise(True)
        self.setToolTip("A test call is running; click to show the Test call panel")
        self.window_, self.dock = window, dock
        self._node: str | None = None
        self.clicked.connect(self._show_panel)
        self.hide()

    def _show_panel(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def set_pause(self, pause: Any) -> None:
        """The debugger holds the call (``pause``) or lets it go on (None)."""
        self._pause = pause
        self._refresh()

    def set_call(self, running: bool) -> None:
        if not running:
            self._node = None
            self._pause = None
        self.setVisible(running)
        self._refresh()

    def set_node(self, node_id: str | None) -> None:
        self._node = self._title(node_id)
        self._refresh()

    def set_place(self, place: str) -> None:
        """Where a call of a URL is when its server names no nodes (the path of its TwiML document)."""
        self._node = place
        self._refresh()

    def _title(self, node_id: str | None) -> str | None:
        # named as the panel names it: a title for a call of the open flow, the id a URL's app gives
        return self.window_.call_panel.node_title(node_id) if node_id else None

    def _refresh(self) -> None:
        where = f" at {self._node}" if self._node else ""
        if self._pause is not None:
            held_at = self._title(self._pause.via or self._pause.node)  # a logic node's breakpoint: there
            where = f" at {held_at}" if held_at else where
            self.setText(f"‖ Call paused{where} · F5 continues · F10 steps")
            self.setToolTip(  # the whole line, for a narrow window where the strip is cut
                f"The test call is paused{where} by the debugger: F5 continues, F10 steps to its next request, "
                "Shift+F5 hangs up. Click to show the Test call panel."
            )
            return
        self.setText(f"● In a call{where} · ⌨ keys go to the call")
        self.setToolTip(
            "A test call is running: the keys 0–9, * and # typed in the window press the caller's keypad; "
            "Shift+F5 hangs up. Click to show the Test call panel."
        )


def install_breakpoints(window: MainWindow, panel: CallPanel, action: Any) -> Breakpoints:
    """The debugger's breakpoints: kept per document, drawn on the canvas, handed to calls; F9 toggles
    the selected nodes', F10 steps."""
    breakpoints = Breakpoints(window.document, window)
    window.breakpoints = breakpoints  # keep a Python reference
    breakpoints.changed.connect(window.scene.set_breakpoints)
    breakpoints.changed.connect(panel.controller.set_breakpoints)
    window.scene.breakpointToggled.connect(lambda node_id: breakpoints.toggle([node_id]))

    def toggle_selected() -> None:
        selected = window.scene.selected_node_ids()
        if not selected:
            window.statusBar().showMessage(
                "Select a node to set a breakpoint on it (or click a card's margin)", 4000
            )
            return
        breakpoints.toggle(selected)

    action("action_step", "&Step to the next request", panel.debugging.step, "F10")
    action("action_toggle_breakpoint", "Toggle &breakpoint", toggle_selected, "F9")
    action("action_clear_breakpoints", "&Remove all breakpoints", breakpoints.clear)
    return breakpoints
