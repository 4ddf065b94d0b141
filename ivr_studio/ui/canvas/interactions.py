"""Editing modes of the canvas, each a small object the scene forwards mouse events to.

Dragging a new link from an exit port and re-routing an existing link's end are the same gesture: a
temporary curve follows the mouse; releasing on a node links the exit to it. Releasing on empty canvas
offers the quick-add box (new link) or unlinks (re-route), as node editors usually do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem

from ivr_studio.ui.canvas.link_item import link_path
from ivr_studio.ui.canvas.node_item import NodeItem

if TYPE_CHECKING:
    from ivr_studio.ui.canvas.scene import FlowScene


class LinkDrag:
    """Drag from an exit (``source_id``, ``exit_name``) to a node's input; ``rerouting`` for existing links."""

    def __init__(self, scene: FlowScene, source_id: str, exit_name: str, rerouting: bool = False):
        self.scene = scene
        self.source_id, self.exit_name, self.rerouting = source_id, exit_name, rerouting
        self.start = scene.node_items[source_id].exit_port_pos(exit_name)
        self.preview = QGraphicsPathItem()
        pen = QPen(scene.theme.highlight, 2.4, Qt.PenStyle.DashLine)
        self.preview.setPen(pen)
        self.preview.setZValue(10)
        scene.addItem(self.preview)
        if rerouting and (item := scene.link_items.get((source_id, exit_name))) is not None:
            item.setVisible(False)
        self.move(self.start)

    def target_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.scene.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def move(self, pos: QPointF) -> None:
        target = self.target_at(pos)
        end = target.input_port_pos() if target is not None else pos
        self.preview.setPath(link_path(self.start, end))

    def release(self, pos: QPointF) -> None:
        self.finish()
        target = self.target_at(pos)
        doc = self.scene.document
        if target is not None:
            doc.set_link(self.source_id, self.exit_name, target.node_id)
        elif self.rerouting:
            doc.set_link(self.source_id, self.exit_name, None)
        else:
            self.scene.quickAddRequested.emit(pos, (self.source_id, self.exit_name))

    def finish(self) -> None:
        """Remove the temporary curve and show the real link again."""
        if self.preview.scene() is not None:
            self.scene.removeItem(self.preview)
        if (item := self.scene.link_items.get((self.source_id, self.exit_name))) is not None:
            item.setVisible(True)
