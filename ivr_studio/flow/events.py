"""Change events of the flow model, and the tiny emitter that delivers them.

The model emits one event per fine-grained change, after the change is made, so a view (the editor's canvas,
the Problems panel) can follow the model without the model knowing anything about Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FlowEvent:
    """Base class of every flow change event."""


@dataclass(frozen=True)
class NodeAdded(FlowEvent):
    node_id: str
    index: int


@dataclass(frozen=True)
class NodeRemoved(FlowEvent):
    node_id: str
    index: int


@dataclass(frozen=True)
class NodeChanged(FlowEvent):
    """A field of a node changed: ``title``, ``text``, ``notes``, ``position``, ``prompts``, ``max_attempts``,
    or one attribute as ``attributes.<name>``."""

    node_id: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class BranchAdded(FlowEvent):
    node_id: str
    branch_id: str
    index: int


@dataclass(frozen=True)
class BranchRemoved(FlowEvent):
    node_id: str
    branch_id: str
    index: int


@dataclass(frozen=True)
class BranchChanged(FlowEvent):
    node_id: str
    branch_id: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class LinkChanged(FlowEvent):
    """The target of one exit (``next``, ``no_input``, ``branch:<id>`` …) changed; None means unlinked."""

    node_id: str
    exit: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class FlowChanged(FlowEvent):
    """A flow-level field changed: ``start``, ``name`` or ``settings.<name>``."""

    field: str
    old: Any
    new: Any


Listener = Callable[[FlowEvent], None]


class Emitter:
    """Delivers events to subscribers in subscription order. A listener may unsubscribe while being called."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> Callable[[], None]:
        """Subscribe; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self.disconnect(listener)

    def disconnect(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event: FlowEvent) -> None:
        for listener in list(self._listeners):
            listener(event)
