"""The call debugger in the Test call panel: a pane beside the timeline, driven by the call controller.

It shows a held call (see :mod:`ivr_studio.runtime.debugger`: breakpoints hold a call where it reaches a
node, Step holds it before its next request) and lets the user go on (Continue, F5) or step (F10). It also
lets them look back: clicking a timeline row shows, on the canvas and in the pane, where the call was at
that moment and which request brought it there, until "Back to now" (or the next pause) returns to the
live call. Looking back only shows; it never changes the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTreeWidgetItem

from ivr_studio.runtime.handler_report import CallValues, latest_values
from ivr_studio.ui.call.debugger_view import DebuggerView

if TYPE_CHECKING:
    from ivr_studio.ui.call.panel import CallPanel

DEBUGGER_TIP = "Breakpoints, stepping request by request, and looking back at the call"
#: The verb a timeline row's trace event belongs to, shown when looking back at it.
_VERBS = {
    "say": "Say",
    "play": "Play",
    "pause": "Pause",
    "gather_start": "Gather",
    "listening": "Gather",
    "gather_end": "Gather",
    "record": "Record",
    "dial": "Dial",
    "redirect": "Redirect",
    "hangup": "Hangup",
    "queue": "Enqueue",
    "conference": "Dial",
}


def verb_of(event: dict[str, Any]) -> str:
    """The TwiML verb a trace event belongs to ("" for a request, a key, the call's end …)."""
    return _VERBS.get(str(event.get("event")), "")


class PanelDebugger(QObject):
    """Connects the panel's debugger pane, its timeline and its call controller."""

    def __init__(self, panel: CallPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.view = DebuggerView(panel)
        self.toggle = panel.add_section("debugger", "Debugger", self.view, tip=DEBUGGER_TIP, side=True)
        self.toggle.toggled.connect(self._share_width)
        self.moment: Any = None  # the past moment shown, or None
        c = panel.controller
        c.paused.connect(self._paused)
        c.resumed.connect(self._refresh)
        c.callStarted.connect(self._refresh)
        c.callEnded.connect(lambda _status: self._refresh())
        self.view.continueRequested.connect(self.continue_call)
        self.view.stepRequested.connect(self.step)
        self.view.backToNowRequested.connect(self.back_to_now)
        panel.timeline.itemClicked.connect(lambda item, _column: self.look_back(item))
        panel.timeline.currentItemChanged.connect(self._current_row)

    # ----- actions -----
    def continue_call(self) -> bool:
        """Let a held call go on to the next breakpoint (F5 while held)."""
        return self.panel.controller.continue_call()

    def step(self) -> None:
        """Step (F10): a held call goes on until its next request; a running one is held there; with no
        call, one starts held before its first request."""
        controller = self.panel.controller
        if not controller.step():
            self.panel.start_call(step=True)
        self.panel.show_section("debugger")

    # ----- looking back -----
    def _current_row(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        if item is not None and self.moment is not None:  # arrow keys move through the history
            self.look_back(item)

    def look_back(self, item: QTreeWidgetItem) -> bool:
        """Show where the call was when the timeline row ``item`` happened; False for a row with no moment."""
        from ivr_studio.ui.call.history import moment_at
        from ivr_studio.ui.call.panel import EVENT_INDEX_ROLE

        top = item if item.parent() is None else item.parent()
        index = top.data(0, EVENT_INDEX_ROLE)
        record = self.panel.controller.record
        if index is None or record is None or not record.trace:
            return False
        moment = moment_at(record.trace, int(index), record.routing, record.arrivals)
        panel = self.panel
        self.moment = moment
        panel.looking_back = True
        panel.timeline.follow = False
        panel.activeNodeChanged.emit(moment.node)
        panel.overlayChanged.emit(set(moment.taken) if moment.taken is not None else None)
        panel.strip.set_node(
            f"{panel.node_title(moment.node, moment.request)} (at {moment.t:.1f} s: looking back)"
        )
        self.view.show_moment(
            moment, panel.node_title, self.declared(), doing=verb_of(record.trace[moment.index])
        )
        panel.show_section("debugger")
        return True

    def back_to_now(self) -> None:
        """Stop looking back: the canvas and the pane follow the live call again."""
        panel = self.panel
        was = self.moment is not None
        self.moment = None
        panel.looking_back = False
        panel.timeline.follow = True
        if was:
            panel.timeline.clearSelection()
            panel.timeline.setCurrentItem(None)
            panel.timeline.scrollToBottom()
            live = panel.live_node
            panel.show_live_place()
            panel.activeNodeChanged.emit(live)
            panel._refresh_overlay()
        self._refresh()

    def _share_width(self, shown: bool) -> None:
        """An opened pane gets about half of the width beside the keypad, so its details can be read."""
        splitter = self.panel.splitter
        sizes = splitter.sizes()
        at = splitter.indexOf(self.view)  # other panes (the call's variables) may sit beside the timeline too
        if not shown or at < 2 or sizes[at] >= 0.3 * (sizes[1] + sizes[at]):
            return
        rest = sizes[1] + sizes[at]
        sizes[1], sizes[at] = rest // 2, rest - rest // 2
        splitter.setSizes(sizes)

    def declared(self) -> dict[str, str] | None:
        """The open flow's call variables and their defaults, for a call of that flow (a URL's app may
        declare others)."""
        record = self.panel.controller.record
        if record is None or record.target != "flow":
            return None
        return {name: v.default for name, v in self.panel.document.flow.variables.items()}

    def document(self) -> str:
        """The TwiML of the document the call is in (the last response that arrived), for a held request."""
        record = self.panel.controller.record
        return record.arrivals[-1][1].twiml if record is not None and record.arrivals else ""

    def reported(self) -> CallValues | None:
        """The call's state as the handler last reported it (in the trace), for a call held before a
        request."""
        record = self.panel.controller.record
        return latest_values(record.trace) if record is not None else None

    # ----- following the controller -----
    def _paused(self, pause: Any) -> None:
        if self.moment is not None:
            self.back_to_now()
        self.view.show_pause(pause, self.panel.node_title, self.declared(), self.reported(), self.document())
        self.panel.show_section("debugger")

    def _refresh(self) -> None:
        controller = self.panel.controller
        if self.moment is not None:  # the pane keeps the moment looked at; Continue follows the call
            self.view.continue_button.setEnabled(controller.pause is not None)
            return
        if controller.pause is not None:
            self.view.show_pause(
                controller.pause, self.panel.node_title, self.declared(), self.reported(), self.document()
            )
        else:
            self.view.show_state(controller.running)
