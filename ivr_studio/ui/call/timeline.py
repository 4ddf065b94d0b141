"""The call as a timeline, newest at the bottom: what the system said, what the caller pressed or said,
each webhook request (expandable to its parameters), the logic steps an IVR Studio handler took while
answering it (which case matched, which opening interval applied, which Look up answered what — see
:mod:`.logic_rows`), warnings and errors with Twilio's codes.

It is fed the runtime's trace events (plain dicts with ``t`` and ``event``), so the same rows describe a live
call and a replayed trace file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from ivr_studio.ui.call.logic_rows import Names, describe_answer, describe_hop, hop_kind, plain_names

WARNING_COLOUR = QColor("#b7791f")
ERROR_COLOUR = QColor("#c53030")
CALLER_COLOUR = QColor("#2b6cb0")
LOGIC_COLOUR = QColor("#6b46c1")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else url


#: Request parameters worth showing on the request's own row (all of them are in its expanded rows).
SHOWN_PARAMS = ("Digits", "SpeechResult", "Confidence", "DialCallStatus", "RecordingUrl", "ErrorCode")


def describe(event: dict[str, Any]) -> tuple[str, str] | None:
    """A short label (kind) and one line of text for a trace event; None for events not shown.

    Follows the runtime's trace schema (``ivr_studio.runtime.trace.EVENT_FIELDS``). Speech partials are
    not rows: :meth:`CallTimeline.add_event` shows them in one live row that the final result replaces.
    """
    kind = event.get("event")
    if kind == "say":
        return "Say", f"“{event.get('text', '')}”"
    if kind == "play":
        what = event.get("digits") or event.get("url")
        return "Play", str(what) if what else "beep"  # <Record>'s beep is a play with neither
    if kind == "pause":
        return "Pause", f"{event.get('length', '')} s"
    if kind == "gather_start":
        attrs = event.get("attributes", {})
        modes = " + ".join(str(attrs.get("input", "dtmf")).split())
        text = f"{modes}, timeout {attrs.get('timeout', 5)} s"
        if "speech" in modes:
            text += f", speechTimeout {attrs.get('speechTimeout', attrs.get('timeout', 5))}"
            if attrs.get("hints"):
                text += f", hints “{attrs['hints']}”"
        return "Gather", text
    if kind == "dtmf":
        ignored = "" if event.get("accepted", True) else " — ignored (nothing was listening for keys)"
        return "Caller", f"pressed {event.get('key', '')}{ignored}"
    if kind == "speech":
        if event.get("phase") != "final":
            return None
        conf = event.get("confidence")
        shown = f" (confidence {float(conf):.2f})" if conf not in (None, "") else ""
        heard = f"said “{event.get('text', '')}”" if event.get("text") else "said something not understood"
        ignored = "" if event.get("accepted", True) else " — ignored (nothing was listening for speech)"
        return "Caller", f"{heard}{shown}{ignored}"
    if kind == "gather_end":
        bits = []
        if event.get("digits"):
            bits.append(f"Digits={event['digits']}")
        if event.get("speech"):
            conf = event.get("confidence")
            bits.append(f"SpeechResult=“{event['speech']}”" + (f" ({float(conf):.2f})" if conf else ""))
        if not bits:
            bits.append(f"no input — {event['note']}" if event.get("note") else "no input")
        bits.append(f"({event.get('reason', '')})")
        return "Result", "  ".join(bits)
    if kind == "request":
        status = event.get("status") or "failed"
        elapsed = event.get("elapsed_ms")
        ms = f" ({float(elapsed):.0f} ms)" if elapsed is not None else ""
        params = event.get("params") or {}
        shown = "".join(f" {k}={params[k]}" for k in SHOWN_PARAMS if params.get(k))
        node = f" [{event['node']}]" if event.get("node") else ""
        tries = f" on attempt {event['attempts']}" if event.get("attempts") else ""
        text = f"{_path(str(event.get('url', '')))}{shown} → {status}{tries}{node}{ms}"
        return str(event.get("method", "GET")), text
    if kind == "retry":
        why = f"{event.get('error', '')} {event.get('message', '')}".strip()
        return "Retry", (
            f"{event.get('method', '')} {_path(str(event.get('url', '')))} failed, trying again "
            f"(attempt {int(event.get('attempt') or 1) + 1} of {event.get('attempts', '')}): {why}"
        )
    if kind == "redirect":
        return "Redirect", _path(str(event.get("url", "")))
    if kind in ("warning", "error"):
        return kind.capitalize(), f"{event.get('code', '')} {event.get('message', '')}".strip()
    if kind == "hangup":
        return "Hang up", str(event.get("reason", ""))
    if kind == "call_end":
        return "Call ended", f"{event.get('status', '')} after {float(event.get('duration') or 0):.1f} s"
    if kind == "dial":
        duration = event.get("duration")
        extra = f" ({float(duration):.0f} s)" if duration else ""
        return "Dial", f"{event.get('number', '')} → {event.get('status', '')}{extra}"
    if kind == "record":
        return "Record", f"{event.get('status', '')} {float(event.get('duration') or 0):.1f} s".strip()
    return None


class CallTimeline(QTreeWidget):
    """Shows trace events as rows. Request rows expand to their parameters."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callTimeline")
        self.setColumnCount(3)
        self.setHeaderLabels(["Time", "", "What happened"])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._partial: QTreeWidgetItem | None = None
        #: Keep the newest row in view (off while the user looks back at an earlier one).
        self.follow = True
        #: How logic steps name nodes and exits (the panel tells it the flow's titles and labels).
        self.logic_names: Names = plain_names
        self._asking: dict[str, QTreeWidgetItem] = {}  # Look up rows whose answer is still to come

    def clear_call(self) -> None:
        self.clear()
        self._partial = None
        self.follow = True
        self._asking.clear()

    def scrollToBottom(self) -> None:  # noqa: N802 - Qt override
        if self.follow:
            super().scrollToBottom()

    def show_partial(self, text: str, t: float) -> None:
        """The caller's words while they are still speaking (replaced by the final result)."""
        if self._partial is None:
            self._partial = self._add(t, "Caller", "")
            self._partial.setForeground(2, QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText)))
        self._partial.setText(2, f"is saying “{text}…”")
        self.scrollToBottom()

    def add_event(self, event: dict[str, Any]) -> QTreeWidgetItem | None:
        if event.get("event") == "speech" and event.get("phase") == "partial":
            self.show_partial(str(event.get("text", "")), float(event.get("t", 0.0)))
            return None
        if event.get("event") == "lookup":
            return self._answer(event)
        shown = describe(event)
        if shown is None:
            return None
        if event.get("event") == "speech" and self._partial is not None:
            self.takeTopLevelItem(self.indexOfTopLevelItem(self._partial))
            self._partial = None
        item = self._add(float(event.get("t", 0.0)), *shown)
        kind = event.get("event")
        if kind in ("warning", "retry"):
            item.setForeground(2, QBrush(WARNING_COLOUR))
        elif kind == "error":
            item.setForeground(2, QBrush(ERROR_COLOUR))
        elif kind in ("dtmf", "speech"):
            item.setForeground(1, QBrush(CALLER_COLOUR))
            if not event.get("accepted", True):
                item.setForeground(2, QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText)))
        if kind == "request":
            for name, value in sorted((event.get("params") or {}).items()):
                QTreeWidgetItem(item, ["", "", f"{name} = {value}"])
            if event.get("node"):
                QTreeWidgetItem(item, ["", "", f"node: {event['node']}"])
        item.setData(0, Qt.ItemDataRole.UserRole, event)
        if kind == "request":
            self._logic_steps(event)
        self.scrollToBottom()
        return item

    def _logic_steps(self, event: dict[str, Any]) -> None:
        """One row per logic step the handler took while answering the request (``logic``)."""
        t = float(event.get("t", 0.0))
        for hop in event.get("logic") or []:
            if not isinstance(hop, dict):
                continue
            label, text = describe_hop(hop, self.logic_names)
            row = self._add(t, f"◆ {label}", text)
            row.setForeground(1, QBrush(LOGIC_COLOUR))
            row.setData(0, Qt.ItemDataRole.UserRole, {"event": "logic", **hop})
            if hop_kind(hop) == "lookup":
                self._asking[str(hop.get("node"))] = row

    def _answer(self, event: dict[str, Any]) -> QTreeWidgetItem:
        """A Look up's request and answer: shown on its step's row (a row of its own when the handler did
        not report its steps)."""
        answer = describe_answer(event)
        row = self._asking.pop(str(event.get("node")), None)
        if row is None:
            row = self._add(float(event.get("t", 0.0)), "◆ Look up", f"[{event.get('node', '?')}] {answer}")
            row.setForeground(1, QBrush(LOGIC_COLOUR))
        else:
            head = row.text(2).split(": ", 1)[0]
            row.setText(2, f"{head}: {answer}")
            row.setToolTip(2, row.text(2))
        if event.get("body"):
            QTreeWidgetItem(row, ["", "", f"answer: {str(event['body'])[:300]}"])
        if event.get("error") or event.get("outcome") == "failed":
            row.setForeground(2, QBrush(WARNING_COLOUR))
        self.scrollToBottom()
        return row

    def _add(self, t: float, kind: str, text: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([f"{t:6.1f} s", kind, text])
        item.setToolTip(2, text)
        self.addTopLevelItem(item)
        return item

    def rows(self) -> list[tuple[str, str]]:
        """(kind, text) of every top-level row, in order — what a person reads."""
        return [
            (self.topLevelItem(i).text(1), self.topLevelItem(i).text(2))
            for i in range(self.topLevelItemCount())
        ]
