"""The canvas view: zoom, pan, fit, grid, drops from the palette, the quick-add box, inline rename,
clipboard operations on the selection, and the overview in the corner.

Zoom with the wheel (around the mouse), pan with the middle button or space+drag, F fits the flow, Tab or a
double-click opens the quick-add box. Clipboard data is the .ivrflow JSON of the copied nodes, so a copy can
be pasted into another window (or a text editor).
"""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QMimeData, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QLineEdit, QMenu, QWidget

from ivr_studio.files import load_json
from ivr_studio.flow.clipboard import extract
from ivr_studio.flow.ivrflow import MAX_FILE_BYTES, FlowFileError, flow_from_dict, flow_to_dict
from ivr_studio.flow.kinds import NodeKind, kind_title
from ivr_studio.ui import collector
from ivr_studio.ui.canvas.link_item import LinkItem
from ivr_studio.ui.canvas.minimap import Minimap
from ivr_studio.ui.canvas.node_item import NodeItem
from ivr_studio.ui.canvas.palette import MIME_KIND
from ivr_studio.ui.canvas.quick_add import QuickAddBox
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.style import GRID

MIME_NODES = "application/x-ivr-studio-nodes"
MIN_ZOOM, MAX_ZOOM = 0.1, 3.0
#: The area the view scrolls over at least; it grows to hold every card (a big flow is taller than this).
SCROLL_AREA = QRectF(-50_000, -50_000, 100_000, 100_000)
SCROLL_MARGIN = 2_000.0
#: The smallest zoom a flow opens at. At 70 % the cards' 9-point text is about 8.4 pixels high and every
#: row label reads; at 60 % (7 pixels) lower-case letters run together, and at the 35–49 % a whole example
#: needs to fit in a 1366×768 window the cards are colours with grey lines (see :meth:`FlowView.show_flow`).
READABLE_ZOOM = 0.7
#: How far beyond the view (in pixels) the links of a big flow are made before they scroll into it.
LINK_MARGIN_PX = 150.0
EMPTY_HINT = (
    "Drag a node from the palette, press Tab or double-click to add one, "
    "and drag from a port on a card's right edge to connect it."
)


class FlowView(QGraphicsView):
    """Shows a :class:`FlowScene`; owns the quick-add box, the overview and the rename field."""

    zoomChanged = Signal(float)

    def __init__(self, scene: FlowScene, parent: QWidget | None = None):
        super().__init__(scene, parent)
        self.setObjectName("flowCanvas")
        self._scene = scene  # keep a Python reference (PySide6)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSceneRect(SCROLL_AREA)
        self._grow_timer = QTimer(self)
        self._grow_timer.setSingleShot(True)
        self._grow_timer.setInterval(200)
        self._grow_timer.timeout.connect(self.fit_scroll_area)
        scene.document.flowReplaced.connect(self.fit_scroll_area)
        # the document (a plain-Python emitter) and the scene may outlive this view: let go of them when it goes
        self.destroyed.connect(scene.document.flow_events.connect(self._flow_edited))
        self._panning = False
        self._space = False
        self._moving = False  # zooming and scrolling in steps to one place: links are made once there
        self._pan_from = QPointF()
        self._pending_link: tuple[str, str] | None = None
        self._pending_pos = QPointF()
        self._rename_id: str | None = None
        self.quick_add = QuickAddBox(self)  # over the viewport and the overview alike
        self.quick_add.chosen.connect(self._quick_add_chosen)
        self.minimap = Minimap(self)
        self.minimap.watch(self.quick_add)
        self.rename_edit = QLineEdit(self.viewport())
        self.rename_edit.setObjectName("inlineRename")
        self.rename_edit.hide()
        self.rename_edit.editingFinished.connect(self._commit_rename)
        scene.quickAddRequested.connect(self.open_quick_add)
        scene.renameRequested.connect(self.begin_rename)
        scene.changed.connect(self.minimap.schedule_update)  # a Qt connection: gone with the minimap
        self.horizontalScrollBar().valueChanged.connect(self.minimap.schedule_update)
        self.verticalScrollBar().valueChanged.connect(self.minimap.schedule_update)

    def _flow_edited(self, _event: object) -> None:
        self._grow_timer.start()

    def flow_scene(self) -> FlowScene:
        return self._scene

    # ------------------------------------------------------------------ zoom and fit
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.scale(factor / self.zoom(), factor / self.zoom())
        self.build_visible_links()
        self.zoomChanged.emit(self.zoom())

    def zoom_by(self, step: float) -> None:
        self.set_zoom(self.zoom() * step)

    def fit_scroll_area(self) -> None:
        """Let the scroll bars reach every card: the area grows with the flow (and never shrinks below
        :data:`SCROLL_AREA`)."""
        self._grow_timer.stop()
        nodes = self._scene.nodes_rect()
        area = SCROLL_AREA
        if not nodes.isEmpty():
            area = area.united(nodes.adjusted(-SCROLL_MARGIN, -SCROLL_MARGIN, SCROLL_MARGIN, SCROLL_MARGIN))
        if area != self.sceneRect():
            self.setSceneRect(area)

    def fit(self) -> None:
        """Zoom and scroll so the whole flow is visible (never above 100 %). A flow too big to fit even at
        the smallest zoom is shown from its start node, where a call begins, rather than from its middle."""
        self._move_then_build(self._fit)

    def centre_on_node(self, node_id: str) -> None:
        self._move_then_build(lambda: self._centre_on_node(node_id))

    def show_flow(self) -> None:
        """How a flow is shown when it is opened: the whole flow if it fits at :data:`READABLE_ZOOM` or more
        (never above 100 %); otherwise at :data:`READABLE_ZOOM`, level with the start node, which sits at the
        left edge with its choices fanning out to the right of it — the scroll bars reach the rest."""
        self._move_then_build(self._show_flow)

    def _move_then_build(self, move) -> None:
        """Zoom and scroll as ``move`` does, then make the links that reach into view (see
        :meth:`build_visible_links`) once, where the view ends up."""
        self._moving = True
        try:
            move()
        finally:
            self._moving = False
        self.build_visible_links()

    def _fit(self) -> None:
        rect = self._scene.nodes_rect()
        if rect.isEmpty():
            return
        self.fit_scroll_area()
        rect = rect.adjusted(-40, -40, 40, 40)
        vp = self.viewport().rect()
        factor = min(vp.width() / rect.width(), vp.height() / rect.height(), 1.0)
        self.set_zoom(factor)
        start = self._scene.node_items.get(self._scene.document.flow.start or "")
        if factor >= MIN_ZOOM or start is None:
            self.centerOn(rect.center())
            return
        visible = self.visible_scene_rect()
        card = start.sceneBoundingRect()
        # the start card at the left edge, halfway down (its choices fan out to the right of it), but no
        # empty canvas above the flow's top card
        top = max(rect.top(), card.center().y() - visible.height() / 2)
        self.centerOn(QPointF(card.left() - 40 + visible.width() / 2, top + visible.height() / 2))

    def _centre_on_node(self, node_id: str) -> None:
        item = self._scene.node_items.get(node_id)
        if item is not None:
            self.centerOn(item.sceneBoundingRect().center())

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def _show_flow(self) -> None:
        rect = self._scene.nodes_rect()
        if rect.isEmpty():
            return
        self.fit_scroll_area()
        padded = rect.adjusted(-40, -40, 40, 40)
        vp = self.viewport().rect()
        factor = min(vp.width() / padded.width(), vp.height() / padded.height(), 1.0)
        if factor >= READABLE_ZOOM:
            self.set_zoom(factor)
            self.centerOn(rect.center())
            return
        self.set_zoom(READABLE_ZOOM)
        items = self._scene.node_items
        start = items.get(self._scene.document.flow.start or "") or min(
            items.values(), key=lambda i: (i.x(), i.y())
        )
        card = start.sceneBoundingRect()
        visible = self.visible_scene_rect()
        half_w, half_h = visible.width() / 2, visible.height() / 2
        y = card.center().y()
        if padded.height() > visible.height():  # no empty canvas above the flow's top or below its bottom
            y = max(padded.top() + half_h, min(y, padded.bottom() - half_h))
        else:
            y = padded.center().y()
        x = max(card.left() - 30, padded.left()) + half_w
        self.centerOn(QPointF(x, y))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015**delta)
        event.accept()

    # ------------------------------------------------------------------ pan
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        ):
            self._panning = True
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        self.quick_add.hide()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._panning:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._panning:
            self._panning = False
            self.viewport().setCursor(
                Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor
            )
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        # Tab would move the focus; on the canvas it opens the quick-add box instead.
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab:
            self.open_quick_add_at_cursor()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if event.key() == Qt.Key.Key_Escape:
            self._scene.cancel_interaction()
            self.quick_add.hide()
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            return
        super().keyReleaseEvent(event)

    # ------------------------------------------------------------------ drawing
    def build_visible_links(self) -> None:
        """Make the scene's link items that reach into view and are not made yet (see FlowScene): before
        the view paints a big flow it has just opened, or scrolls or zooms to where they are."""
        if self._scene.unbuilt_links() and not self._moving:
            margin = LINK_MARGIN_PX / self.zoom()
            self._scene.build_links_in(self.visible_scene_rect().adjusted(-margin, -margin, margin, margin))

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)  # (the view knows where it is only after this)
        self.build_visible_links()

    def paintEvent(self, event) -> None:  # noqa: N802
        self.build_visible_links()  # (made already unless the view moved without scrolling)
        super().paintEvent(event)
        if collector.held():  # while a flow was opened: let it go once this frame is on screen
            QTimer.singleShot(0, collector.release)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        theme = self._scene.theme
        painter.fillRect(rect, theme.background)
        if self.zoom() < 0.45:
            return
        step = GRID * (2 if self.zoom() < 0.8 else 1)
        painter.setPen(QPen(theme.grid, 0))
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step

    def shows_hint(self) -> bool:
        """Whether the canvas says how to add and link nodes: while the flow is nearly empty, and on a
        new flow the user has not touched yet (the starter flow)."""
        document = self._scene.document
        untouched = document.path is None and document.undo_stack.count() == 0
        return len(document.flow) < 3 or untouched

    def hint_rect(self) -> QRectF:
        """Where the hint is written (viewport coordinates): along the bottom, clear of the overview map."""
        vp = QRectF(self.viewport().rect())
        box = QRectF(vp.left() + 40, vp.bottom() - 90, vp.width() - 80, 60)
        overview = QRectF(self.minimap.geometry()).translated(-QPointF(self.viewport().pos()))
        if self.minimap.isVisible() and overview.intersects(box):
            if overview.center().x() > box.center().x():
                box.setRight(overview.left() - 16)
            else:
                box.setLeft(overview.right() + 16)
        return box

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        if not self.shows_hint():
            return
        painter.save()
        painter.resetTransform()
        box = self.hint_rect()
        painter.setPen(self._scene.theme.muted)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() + 1)
        painter.setFont(font)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, EMPTY_HINT)
        painter.restore()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.build_visible_links()
        self.minimap.place()

    # ------------------------------------------------------------------ adding nodes
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME_KIND):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME_KIND):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME_KIND):
            kind = bytes(event.mimeData().data(MIME_KIND)).decode()
            self.add_node_at(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    def add_node_at(self, kind: str, pos: QPointF, link_from: tuple[str, str] | None = None) -> str:
        """Add a node whose top-left is near ``pos`` (snapped), select it and return its id."""
        x, y = pos.x() - 20, pos.y() - 15
        if self._scene.snap_to_grid:
            x, y = round(x / GRID) * GRID, round(y / GRID) * GRID
        node_id = self._scene.document.add_node(kind, (x, y), link_from)
        self._scene.select_nodes([node_id])
        self.reveal_nodes([node_id])
        return node_id

    def reveal_nodes(self, node_ids: list[str]) -> None:
        """Scroll so the cards of ``node_ids`` are in view (a new, pasted or duplicated node), if they fit;
        otherwise show the first of them."""
        items = [self._scene.node_items[n] for n in node_ids if n in self._scene.node_items]
        if not items:
            return
        rect = items[0].sceneBoundingRect()
        for item in items[1:]:
            rect = rect.united(item.sceneBoundingRect())
        visible = self.visible_scene_rect()
        if rect.width() <= visible.width() and rect.height() <= visible.height():
            self.ensureVisible(rect, 30, 30)
        else:
            self.ensureVisible(items[0].sceneBoundingRect(), 30, 30)

    def open_quick_add(self, scene_pos: QPointF, link_from: tuple[str, str] | None = None) -> None:
        document = self._scene.document
        if document.flow.read_only:  # nothing can be added: say why (the read-only bar offers a copy)
            document.editRefused.emit(document.flow.read_only)
            return
        self._pending_pos = QPointF(scene_pos)
        self._pending_link = link_from
        self.quick_add.popup(self.viewport().mapTo(self, self.mapFromScene(scene_pos)))

    def open_quick_add_at_cursor(self) -> None:
        local = self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(local):
            local = self.viewport().rect().center()
        self.open_quick_add(self.mapToScene(local), None)

    def _quick_add_chosen(self, kind: str) -> None:
        link, self._pending_link = self._pending_link, None
        self.add_node_at(kind, self._pending_pos, link)
        self.setFocus()

    # ------------------------------------------------------------------ rename
    def begin_rename(self, node_id: str) -> None:
        item = self._scene.node_items.get(node_id)
        if item is None:
            return
        self._rename_id = node_id
        rect = self.mapFromScene(item.title_rect()).boundingRect()
        self.rename_edit.setGeometry(rect.adjusted(0, 2, 0, -2))
        self.rename_edit.setText(self._scene.document.flow.node(node_id).title)
        self.rename_edit.selectAll()
        self.rename_edit.show()
        self.rename_edit.setFocus()

    def _commit_rename(self) -> None:
        node_id, self._rename_id = self._rename_id, None
        self.rename_edit.hide()
        doc = self._scene.document
        if node_id in doc.flow.nodes and self.rename_edit.text().strip():
            doc.set_field(node_id, "title", self.rename_edit.text().strip())
        self.setFocus()

    # ------------------------------------------------------------------ clipboard and deletion
    def copy_selection(self) -> bool:
        ids = self._scene.selected_node_ids()
        if not ids:
            return False
        data = json.dumps(flow_to_dict(extract(self._scene.document.flow, ids)))
        mime = QMimeData()
        mime.setData(MIME_NODES, data.encode())
        mime.setText(data)
        QGuiApplication.clipboard().setMimeData(mime)
        return True

    def paste(self) -> list[str]:
        mime = QGuiApplication.clipboard().mimeData()
        raw = bytes(mime.data(MIME_NODES)) if mime.hasFormat(MIME_NODES) else mime.text().encode()
        if len(raw) > MAX_FILE_BYTES:  # not something this editor copied
            return []
        try:
            fragment = flow_from_dict(load_json(raw, "the clipboard"))
        except (ValueError, FlowFileError):
            return []
        return self._paste_fragment(fragment, "Paste")

    def _paste_fragment(self, fragment, text: str) -> list[str]:
        if not len(fragment):
            return []
        left = min(n.position[0] for n in fragment)
        top = min(n.position[1] for n in fragment)
        here = self.visible_scene_rect().center()
        local = self.viewport().mapFromGlobal(self.cursor().pos())
        if self.viewport().rect().contains(local):
            here = self.mapToScene(local)
        ids = self._scene.document.paste(fragment, (round(here.x() - left), round(here.y() - top)), text)
        self._scene.select_nodes(ids)
        self.reveal_nodes(ids)
        return ids

    def duplicate_selection(self) -> list[str]:
        ids = self._scene.selected_node_ids()
        if not ids:
            return []
        fragment = extract(self._scene.document.flow, ids)
        new_ids = self._scene.document.paste(fragment, (40.0, 40.0), "Duplicate")
        self._scene.select_nodes(new_ids)
        self.reveal_nodes(new_ids)
        return new_ids

    def delete_selection(self) -> None:
        doc = self._scene.document
        nodes = self._scene.selected_node_ids()
        links = [k for k in self._scene.selected_links() if k[0] not in nodes]
        if nodes:
            doc.remove_nodes(nodes)
        if links:
            doc.remove_links(links)

    # ------------------------------------------------------------------ context menu
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        scene_pos = self.mapToScene(event.pos())
        doc = self._scene.document
        menu = QMenu(self)
        hit = next((i for i in self._scene.items(scene_pos) if isinstance(i, (NodeItem, LinkItem))), None)
        if isinstance(hit, NodeItem):
            if not hit.isSelected():
                self._scene.select_nodes([hit.node_id])
            menu.addAction("Rename", lambda: self.begin_rename(hit.node_id))
            menu.addAction("Set as start", lambda: doc.set_start(hit.node_id))
            menu.addAction("Toggle breakpoint", lambda: self._scene.breakpointToggled.emit(hit.node_id))
            menu.addAction("Duplicate", self.duplicate_selection)
            menu.addAction("Copy", self.copy_selection)
            menu.addSeparator()
            menu.addAction("Delete", self.delete_selection)
        elif isinstance(hit, LinkItem):
            menu.addAction("Delete link", lambda: doc.set_link(hit.source_id, hit.exit_name, None))
        else:
            add = menu.addMenu("Add node")
            for kind in NodeKind:
                add.addAction(kind_title(kind), lambda k=kind.value: self.add_node_at(k, scene_pos))
            menu.addAction("Paste", self.paste)
            menu.addAction("Fit to window", self.fit)
        menu.exec(event.globalPos())
