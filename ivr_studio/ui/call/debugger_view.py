"""The Test call panel's debugger pane: where a held call stands and what it is about to send.

When a call is held (a breakpoint, a step) the pane says where, offers Continue (F5) and Step (F10), and
lists the request — method and URL, then every parameter it carries (the call's own: ``CallSid``, ``From``,
``To``, ``CallStatus`` …, and what the verb adds: ``Digits``, ``SpeechResult`` …) — the call's variables
as an IVR Studio handler keeps them in its state cookie (with the flow's defaults for those not set yet), the
logic nodes and back-end requests the handler went through on the way, a menu's failed attempts, and the
TwiML about to run. When the user looks back at a moment of the call (a timeline row), it shows the same
for that moment (the TwiML then as the one it was running), with "Back to now".

A call of a URL whose app names no nodes (any TwiML app, not an IVR Studio export) is placed by its
document instead: the URL path of the TwiML it runs, that document itself, and the verb of it that sends
the request held (its ``<Gather>``'s action, a ``<Redirect>`` …). Calls of the open flow keep node titles.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.runtime.handler_report import CallValues

Titles = Callable[[str | None], str]

PAUSED_STYLE = "QLabel { background: #8a6d1f; color: white; padding: 2px 6px; border-radius: 3px; }"
LOOKING_BACK_STYLE = (
    "QLabel { background: palette(highlight); color: palette(highlighted-text); padding: 2px 6px; "
    "border-radius: 3px; }"
)


VARIABLES = "The call's variables"
#: The largest share of the details' width the names' column takes.
NAMES_SHARE = 0.45
LOGIC = "Logic on the way"
LOOKUPS = "Back-end requests (Look up)"
TWIML = "TwiML about to run"
#: The same, for a moment the user looks back at: that document had already run.
TWIML_THEN = "TwiML it was running"
DOCUMENT = "The document it is in"
KEPT = "Kept from back-end answers"


@dataclass(frozen=True)
class Shown:
    """The request a pane shows: its heading, method, URL and parameters."""

    title: str
    method: str
    url: str
    params: Mapping[str, str]


def lookup_line(lookup: Mapping[str, Any]) -> str:
    """One back-end request, as a trace's ``lookup`` event has it: ``GET url ← 200 → ok (stub)``."""
    answer = lookup.get("status") if lookup.get("status") is not None else lookup.get("error") or "failed"
    stub = " (stub)" if lookup.get("stubbed") else ""
    outcome = f" → {lookup['outcome']}" if lookup.get("outcome") else ""
    return f"{lookup.get('method', '')} {lookup.get('url', '')} ← {answer}{stub}{outcome}"


def one_line(text: str, limit: int = 300) -> str:
    """A document on one line (whitespace between tags dropped), cut to ``limit`` characters."""
    flat = " ".join(part.strip() for part in text.splitlines() if part.strip())
    if flat.startswith("<?xml"):
        flat = flat.partition("?>")[2].strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def short_url(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "") if parts.scheme else url


def document_place(url: str, limit: int = 48) -> str:
    """Where a call of a URL stands when its app names no nodes: the document's path (and query), cut."""
    text = short_url(url)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sender_words(verb: str) -> str:
    """Which verb of the document sends a request, in words: ``its <Gather>'s action``, ``its <Redirect>``."""
    if not verb:
        return ""
    return f"its <{verb}>" if verb == "Redirect" else f"its <{verb}>'s action"


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
        # one row, so the details keep the height of a small panel; the status goes under the buttons when
        # beside them it would need more than two lines (a narrow panel), where it would be cut off
        top = self._top = QGridLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.continue_button, 0, 0)
        top.addWidget(self.step_button, 0, 1)
        top.addWidget(self.back_button, 0, 2)
        top.setColumnStretch(3, 1)
        self._status_below = False
        top.addWidget(self.status, 0, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        self.continue_button.clicked.connect(self.continueRequested)
        self.step_button.clicked.connect(self.stepRequested)
        self.back_button.clicked.connect(self.backToNowRequested)
        self.show_state(running=False)

    # ----- where the status goes -----
    def status_lines_beside(self) -> int:
        """How many lines the status text takes beside the buttons at the pane's width now."""
        buttons = [self.continue_button, self.step_button] + (
            [self.back_button] if self.back_button.isVisible() else []
        )
        spacing = max(self._top.horizontalSpacing(), 0)
        room = self.width() - sum(b.sizeHint().width() + spacing for b in buttons)
        if room <= 40:
            return 99
        metrics = self.status.fontMetrics()
        text = self.status.text()
        height = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, text).height()
        return max(1, round(height / max(metrics.lineSpacing(), 1)))

    def place_status(self) -> None:
        """Beside the buttons, or under them when beside them it would take more than two lines."""
        below = self.status_lines_beside() > 2
        if below != self._status_below:
            self._status_below = below
            self._top.removeWidget(self.status)
            if below:
                self._top.addWidget(self.status, 1, 0, 1, 4)
            else:
                self._top.addWidget(self.status, 0, 3)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setToolTip(text)
        self.place_status()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.place_status()
        if self.details.topLevelItemCount():
            self.fit_columns()

    # ----- what the pane shows -----
    def show_state(self, running: bool) -> None:
        """Not held: a call runs (Step holds it before its next request) or none does (Step starts one)."""
        self.status.setStyleSheet("")
        self._say(
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

    def show_pause(
        self,
        pause: Any,
        titles: Titles,
        declared: Mapping[str, str] | None = None,
        values: CallValues | None = None,
        document: str = "",
    ) -> None:
        """The call is held: at a breakpoint (``pause.arrival``) or before a request (``pause.request``).
        ``declared`` are the flow's call variables and their defaults (for a call of the open flow);
        ``values`` the call's state as the handler last reported it (shown before a request: a held
        arrival carries its own); ``document`` the TwiML of the document the call is in (before a
        request)."""
        self.status.setStyleSheet(PAUSED_STYLE)
        self.continue_button.setEnabled(True)
        self.step_button.setEnabled(True)
        self.back_button.hide()
        at = f"{pause.t:.1f} s"
        if pause.reason == "breakpoint":
            arrival = pause.arrival
            if pause.via:
                went = next(
                    (h.partition(" ")[2] for h in arrival.path if h.partition(" ")[0] == pause.via), ""
                )
                self._say(
                    f"‖ Paused at {titles(pause.via)} (breakpoint, {at}): it went “{went}”; "
                    f"{titles(pause.node)} runs next"
                )
            else:
                self._say(f"‖ Paused at {titles(pause.node)} (breakpoint, {at}), before its TwiML runs")
            self._fill(
                Shown("Request that brought the call here", arrival.method, arrival.url, arrival.params),
                titles,
                values=arrival.values,
                declared=declared,
                status=arrival.status,
                path=arrival.path,
                lookups=arrival.lookups,
                twiml=arrival.twiml,
            )
        else:
            request = pause.request
            place = getattr(request, "document", None)
            verb = getattr(request, "verb", "")
            if pause.node:
                label = titles(pause.node)
                where = f" at {label}"
            elif place:  # a URL's app that names no nodes: the document is the place
                label = document_place(place)
                where = f" in {label}"
            else:
                label = where = ""
            by = f" ({sender_words(verb)})" if verb and not pause.node else ""
            self._say(
                f"‖ Paused{where} ({at}), before it sends {request.method} {short_url(request.url)}{by}"
            )
            self._fill(
                Shown("Request about to be sent", request.method, request.url, request.params),
                titles,
                values=values,
                declared=declared,
                sent_by=f"<{verb}> of {label}" if verb and label else "",
                document=(place or "", document),
            )

    def show_moment(
        self, moment: Any, titles: Titles, declared: Mapping[str, str] | None = None, doing: str = ""
    ) -> None:
        """The user looks back at ``moment`` (a :class:`~ivr_studio.ui.call.history.Moment`); ``doing`` is
        the verb the call was running then ("Say"), if any."""
        self.status.setStyleSheet(LOOKING_BACK_STYLE)
        request = moment.request
        if moment.node:
            where = f"at {titles(moment.node)}"
        elif request is not None:  # a URL's app that names no nodes: the document it ran is the place
            where = f"in {document_place(str(request.get('url', '')))}"
        else:
            where = "at the start"
        running = f", running its <{doing}>" if doing else ""
        self._say(f"Looking back: at {moment.t:.1f} s the call was {where}{running}")
        self.back_button.show()
        self.place_status()  # the button took room from the status
        self.details.clear()
        if request is not None:
            arrival = moment.arrival
            self._fill(
                Shown(
                    "The request that brought it there",
                    str(request.get("method", "")),
                    str(request.get("url", "")),
                    request.get("params") or {},
                ),
                titles,
                values=moment.values,
                declared=declared,
                status=request.get("status"),
                path=tuple(request.get("path") or ()),
                lookups=tuple(moment.lookups),
                twiml=arrival.twiml if arrival is not None else "",
                twiml_title=TWIML_THEN,
            )

    def _fill(
        self,
        shown: Shown,
        titles: Titles,
        *,
        values: CallValues | None,
        declared: Mapping[str, str] | None,
        status: object = None,
        path: Sequence[str] = (),
        lookups: Sequence[Mapping[str, Any]] = (),
        twiml: str = "",
        twiml_title: str = TWIML,
        sent_by: str = "",
        document: tuple[str, str] = ("", ""),
    ) -> None:
        """The request first (and the verb that sends it), then the call's variables, what the request
        adds, the logic and back-end requests the handler made on the way, the call's own parameters, the
        TwiML about to run, and the document (URL, TwiML) the call is in while a request waits."""
        from ivr_studio.runtime.params import CallIdentity

        self.details.clear()
        line = f"{shown.method} {shown.url}" + (f" → {status}" if status else "")
        top = QTreeWidgetItem(self.details, [shown.title, line])
        top.setToolTip(0, shown.title)
        top.setToolTip(1, line)
        if sent_by:
            by = QTreeWidgetItem(self.details, ["Sent by", sent_by])
            by.setToolTip(1, document[0] or sent_by)
        state = values
        variables = {name: (value, True) for name, value in (declared or {}).items()}
        if state is not None:
            variables.update({name: (value, False) for name, value in state.vars.items()})
        if variables or state is not None:
            summary = f"{len(variables)}, as the handler reported them" if variables else "none set yet"
            group = self._group(VARIABLES, summary)
            for name in sorted(variables):
                value, default = variables[name]
                if default:  # not set by the call yet: the flow's default
                    self._row(group, name, f"{value} (default)" if value else "(not set yet)")
                else:
                    self._row(group, name, value if value else "(empty)")
        # What the verb adds (Digits, SpeechResult …) before the call's own: those are the same each time.
        standard = set(CallIdentity().standard_params("in-progress"))
        added = {k: v for k, v in shown.params.items() if k not in standard}
        own = {k: v for k, v in shown.params.items() if k in standard}
        if added:
            group = self._group("Parameters it adds", str(len(added)))
            for name in sorted(added):
                self._row(group, name, str(added[name]))
        if path:
            group = self._group(LOGIC, str(len(path)))
            for hop in path:
                node, _sep, exit_name = hop.partition(" ")
                self._row(group, titles(node), exit_name)
        if lookups:
            group = self._group(LOOKUPS, str(len(lookups)))
            for lookup in lookups:
                self._row(group, titles(str(lookup.get("node") or "")), lookup_line(lookup))
        if own:
            # the same on every request: folded, so what changes stays in view in a small panel
            group = self._group("The call's parameters", str(len(own)), expanded=False)
            for name in sorted(own):
                self._row(group, name, str(own[name]))
        if state is not None and state.results:  # what Look ups kept for later ({{ steps.<node>… }})
            group = self._group(KEPT, str(len(state.results)))
            for step, kept in sorted(state.results.items()):
                text = json.dumps(kept, ensure_ascii=False, separators=(", ", ": "))
                self._row(
                    group, titles(step), text if len(text) <= 300 else text[:299] + "…", tip=text[:4000]
                )
        if state is not None and state.attempts:
            group = self._group("Menu attempts", str(len(state.attempts)))
            for menu, count in sorted(state.attempts.items()):
                self._row(group, titles(menu), str(count))
        if twiml:
            group = self._group(twiml_title, "")
            self._row(group, "", one_line(twiml), tip=twiml)
        url, text = document
        if url:
            group = self._group(DOCUMENT, document_place(url))
            group.setToolTip(1, url)
            if text:
                self._row(group, "", one_line(text), tip=text)
        self.fit_columns()

    def fit_columns(self) -> None:
        """The names' column as wide as its longest name, but at most :data:`NAMES_SHARE` of the pane, so
        a narrow pane shows the values without scrolling sideways (a cut name is whole in its tooltip)."""
        header = self.details.header()
        wanted = self.details.sizeHintForColumn(0)
        most = max(int(self.details.viewport().width() * NAMES_SHARE), 60)
        if wanted > most:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
            self.details.setColumnWidth(0, most)
        else:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)

    def _group(self, title: str, summary: str, expanded: bool = True) -> QTreeWidgetItem:
        group = QTreeWidgetItem(self.details, [title, summary])
        group.setToolTip(0, title)
        group.setExpanded(expanded)
        return group

    @staticmethod
    def _row(group: QTreeWidgetItem, name: str, value: str, tip: str | None = None) -> QTreeWidgetItem:
        row = QTreeWidgetItem(group, [name, value])
        row.setToolTip(0, name)
        row.setToolTip(1, tip if tip is not None else value)
        return row

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
