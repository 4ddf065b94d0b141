"""The call debugger's breakpoints: the nodes a test call is held at when it reaches them.

Breakpoints belong to the editing session, not to the flow file (like a code editor's): they are kept per
open document, dropped with a node that is deleted, and cleared when another flow is opened. The canvas
shows them in its cards' margins and the call controller hands them to the running call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ivr_studio.flow import events as ev


class Breakpoints(QObject):
    """A set of node ids with a :attr:`changed` signal; follows ``document`` (a FlowDocument)."""

    changed = Signal(object)  # frozenset of node ids

    def __init__(self, document: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._ids: frozenset[str] = frozenset()
        document.flowReplaced.connect(self.clear)
        document.flow_events.connect(self._on_event)

    @property
    def ids(self) -> frozenset[str]:
        return self._ids

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._ids

    def set(self, node_ids: Iterable[str]) -> None:
        ids = frozenset(n for n in node_ids if n in self.document.flow.nodes)
        if ids != self._ids:
            self._ids = ids
            self.changed.emit(ids)

    def toggle(self, node_ids: Iterable[str]) -> None:
        """Turn breakpoints on for ``node_ids`` — or off, when every one of them has one already."""
        wanted = frozenset(node_ids)
        if not wanted:
            return
        self.set(self._ids - wanted if wanted <= self._ids else self._ids | wanted)

    def clear(self) -> None:
        self.set(())

    def _on_event(self, event: ev.FlowEvent) -> None:
        if isinstance(event, ev.NodeRemoved) and event.node_id in self._ids:
            self.set(self._ids - {event.node_id})
