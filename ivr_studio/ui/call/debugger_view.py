"""The Test call panel's debugger pane: where a held call stands and what it is about to send.

When a call is held (a breakpoint, a step) the pane says where, offers Continue (F5) and Step (F10), and
lists the request — method and URL, then every parameter it carries (the call's own: ``CallSid``, ``From``,
``To``, ``CallStatus`` …, and what the verb adds: ``Digits``, ``SpeechResult`` …) — and the call's state
kept by an IVR Studio handler (a menu's failed attempts, the call's variables). When the user looks back at
a moment of the call (a timeline row), it shows that moment's request, with "Back to now".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

Titles = Callable[[str | None], str]

PAUSED_STYLE = "QLabel { background: #8a6d1f; color: white; padding: 2px 6px; border-radius: 3px; }"
LOOKING_BACK_STYLE = (
    "QLabel { background: palette(highlight); color: palette(highlighted-text); padding: 2px 6px; "
    "border-radius: 3px; }"
)


def short_url(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "") if parts.scheme else url


class DebuggerView(QWidget):
    """Status line, Continue / Step / Back to now, and the details of a request and the call's state."""

    continueRequested = Signal()  # noqa: N815 - Qt signal naming
    stepRequested = Signal()  # noqa: N815
    backToNowRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("debuggerView")
        self.status = QLabel("Breakpoints: click a card's left margin, or select a node and press F9.", self)
        self.status.setObjectName("debuggerStatus")
        self.status.setWordWrap(True)
        self.continue_button = QPushButton("▶ Continue", self)
        self.continue_button.setObjectName("debugContinue")
        self.continue_button.setToolTip("Let the call go on to the next breakpoint (F5)")
        self.step_button = QPushButton("⤼ Step", self)
        self.step_button.setObjectName("debugStep")
        self.step_button.setToolTip("Let the call go on until it is about to send its next request (F10)")
        self.back_button = QPushButton("Back to now", self)
        self.back_button.setObjectName("debugBackToNow")
        self.back_button.setToolTip("Show where the call is now, not the moment picked in the timeline")
        self.details = QTreeWidget(self)
        self.details.setObjectName("debuggerDetails")
        self.details.setColumnCount(2)
        self.details.setHeaderLabels(["", ""])
        self.details.setHeaderHidden(True)
        self.details.setRootIsDecorated(True)
        self.details.setUniformRowHeights(True)
        self.details.setMinimumHeight(40)
        header = self.details.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        top = QHBoxLayout()  # one row, so the details keep the height of a small panel
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.continue_button)
        top.addWidget(self.step_button)
        top.addWidget(self.back_button)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        self.continue_button.clicked.connect(self.continueRequested)
        self.step_button.clicked.connect(self.stepRequested)
        self.back_button.clicked.connect(self.backToNowRequested)
        self.show_state(running=False)

    # ----- what the pane shows -----
    def show_state(self, running: bool) -> None:
        """Not held: a call runs (Step holds it before its next request) or none does (Step starts one)."""
        self.status.setStyleSheet("")
        self.status.setText(
            "The call is running. Step (F10) holds it before its next request; breakpoints hold it where "
            "it reaches a node."
            if running
            else "Breakpoints: click a card's left margin, or select a node and press F9. "
            "Step (F10) starts a call held before its first request."
        )
        self.continue_button.setEnabled(False)
        self.step_button.setEnabled(True)
        self.back_button.hide()
        self.details.clear()

    def show_pause(self, pause: Any, titles: Titles) -> None:
        """The call is held: at a breakpoint (``pause.arrival``) or before a request (``pause.request``)."""
        self.status.setStyleSheet(PAUSED_STYLE)
        self.continue_button.setEnabled(True)
        self.step_button.setEnabled(True)
        self.back_button.hide()
        at = f"{pause.t:.1f} s"
        if pause.reason == "breakpoint":
            arrival = pause.arrival
            self.status.setText(f"‖ Paused at {titles(pause.node)} (breakpoint, {at}), before its TwiML runs")
            self._fill(
                "Request that brought the call here",
                arrival.method,
                arrival.url,
                arrival.params,
                arrival.cookies,
                status=arrival.status,
            )
        else:
            request = pause.request
            where = f" at {titles(pause.node)}" if pause.node else ""
            self.status.setText(
                f"‖ Paused{where} ({at}), before it sends {request.method} {short_url(request.url)}"
            )
            self._fill(
                "Request about to be sent", request.method, request.url, request.params, request.cookies
            )

    def show_moment(self, moment: Any, titles: Titles) -> None:
        """The user looks back at ``moment`` (a :class:`~ivr_studio.ui.call.history.Moment`)."""
        self.status.setStyleSheet(LOOKING_BACK_STYLE)
        where = titles(moment.node) if moment.node else "the start"
        self.status.setText(f"Looking back: at {moment.t:.1f} s the call was at {where}")
        self.back_button.show()
        request = moment.request
        self.details.clear()
        if request is not None:
            self._fill(
                "The request that brought it there",
                str(request.get("method", "")),
                str(request.get("url", "")),
                request.get("params") or {},
                None,
                status=request.get("status"),
            )

    def _fill(
        self,
        title: str,
        method: str,
        url: str,
        params: Mapping[str, str],
        cookies: Mapping[str, Mapping[str, str]] | None,
        status: object = None,
    ) -> None:
        from ivr_studio.runtime.params import CallIdentity
        from ivr_studio.ui.call.history import state_of

        self.details.clear()
        shown = f"{method} {url}" + (f" → {status}" if status else "")
        top = QTreeWidgetItem(self.details, [title, shown])
        top.setToolTip(1, shown)
        # What the verb adds (Digits, SpeechResult …) first: the call's own parameters are the same each time.
        standard = set(CallIdentity().standard_params("in-progress"))
        added = {k: v for k, v in params.items() if k not in standard}
        own = {k: v for k, v in params.items() if k in standard}
        for label, group_params in (("Parameters it adds", added), ("The call's parameters", own)):
            if not group_params:
                continue
            group = QTreeWidgetItem(self.details, [label, f"{len(group_params)}"])
            for name in sorted(group_params):
                row = QTreeWidgetItem(group, [name, str(group_params[name])])
                row.setToolTip(1, str(group_params[name]))
            group.setExpanded(True)
        state = state_of(cookies) if cookies else None
        if state is not None:
            kept = QTreeWidgetItem(self.details, ["Call state", "kept by the flow's handler (cookie)"])
            for name, value in sorted(state.vars.items()):
                QTreeWidgetItem(kept, [f"variable {name}", value])
            for menu, count in sorted(state.attempts.items()):
                QTreeWidgetItem(kept, [f"attempts at {menu}", str(count)])
            if state.is_empty():
                QTreeWidgetItem(kept, ["", "no variables or attempts yet"])
            kept.setExpanded(True)
        self.details.resizeColumnToContents(0)

    def rows(self) -> list[tuple[str, str]]:
        """Every row, depth first (what a person reads)."""
        out: list[tuple[str, str]] = []

        def walk(item: QTreeWidgetItem) -> None:
            out.append((item.text(0), item.text(1)))
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.details.topLevelItemCount()):
            walk(self.details.topLevelItem(i))
        return out
