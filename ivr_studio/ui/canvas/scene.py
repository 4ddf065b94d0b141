"""The canvas scene: one item per node and per link, kept in step with the flow model's events.

The scene subscribes to ``flow.events`` and keeps ``node_id → NodeItem`` and ``(node_id, exit) → LinkItem``
maps (which also keep the items alive: PySide6 would otherwise collect them), and for every node the keys of
the links that touch it, so moving or changing a node reroutes its own links without looking at the others.
A drag moves only the items; one move command with the new positions is pushed to the document on mouse
release.

The item index is a BSP tree of at most :data:`BSP_DEPTH` levels. Qt picks a depth of log2(item count)
by default and files every item in every leaf its bounding rectangle touches, so items that overlap (cards
on one spot) or span the flow (a link back to the main menu) are filed thousands of times: with the default
depth a 2,000-menu flow whose cards sat on one spot took 1.7 GB and 229 s to index. A fixed depth bounds
that to a few hundred leaves per item.

A flow of more than :data:`BUILD_AT_ONCE_MAX_CARDS` cards gets its cards at once but its link items in two
goes: the view asks for the links that cross what it shows (:meth:`FlowScene.build_links_in`) before it
paints, and the rest are made afterwards, a few milliseconds at a time between events, like the router's
background routing. A link not made yet is made the moment anything needs it (its card is selected, moved,
changed or removed, or its exit is relinked), so to the rest of the editor every link is there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from ivr_studio.flow import events as ev
from ivr_studio.flow.model import Node
from ivr_studio.twiml.diagnostics import Diagnostic
from ivr_studio.ui.canvas.breakpoint_marker import BreakpointMarker, in_margin
from ivr_studio.ui.canvas.interactions import LinkDrag
from ivr_studio.ui.canvas.link_item import LinkItem
from ivr_studio.ui.canvas.link_router import ROUTE_AT_ONCE_MAX_CARDS, LinkRouter
from ivr_studio.ui.canvas.node_item import INPUT_PORT, NodeItem
from ivr_studio.ui.canvas.style import METRICS, current_theme, node_size
from ivr_studio.ui.document import FlowDocument

#: Levels of the scene's BSP index: 2**8 leaves at most (see the module docstring).
BSP_DEPTH = 8
#: Up to this many cards every link item is made at once; above, those in view first (see the module
#: docstring).
BUILD_AT_ONCE_MAX_CARDS = ROUTE_AT_ONCE_MAX_CARDS
#: How long one slice of making link items after the first frame may take, in seconds.
BUILD_SLICE_SECONDS = 0.010
#: How many link items one step of such a slice makes before it looks at the time again.
BUILD_BATCH = 64


def _arc_top(item: NodeItem) -> float:
    """The top a loop (or a link back to the left) arcs above, at least 14 units higher: the card's top, or
    its map-flag badges' (its start tag is low enough to clear that way)."""
    return item.y() - (item.reach_above() if item.flags else 10.0 if item.is_start else 0.0)


class FlowScene(QGraphicsScene):
    """Shows a :class:`FlowDocument`'s flow and turns gestures into document edits."""

    quickAddRequested = Signal(QPointF, object)  # scene position, (node id, exit) to link from, or None
    renameRequested = Signal(str)
    selectedNodesChanged = Signal(list)
    breakpointToggled = Signal(str)  # a click in a card's breakpoint margin

    def __init__(self, document: FlowDocument, parent=None):
        super().__init__(parent)
        self.document = document
        self.theme = current_theme()
        self.node_items: dict[str, NodeItem] = {}
        self.link_items: dict[tuple[str, str], LinkItem] = {}
        self._links_at: dict[str, set[tuple[str, str]]] = {}  # node id → keys of the links to and from it
        self.snap_to_grid = True
        self.interaction: LinkDrag | None = None
        self._press_positions: dict[str, QPointF] = {}
        self._active: str | None = None
        self._breakpoints: set[str] = set()
        self._markers: dict[str, BreakpointMarker] = {}  # keeps the markers' Python wrappers alive
        self._coverage: set[tuple[str, str]] | None = None
        self._problems: dict[str, list[tuple[str, str]]] = {}
        self._rebuilding = False
        #: links of the flow whose items are not made yet: key → target id; and the boxes their plain
        #: curves will take (left, top, right, bottom), worked out when a view first asks (build_links_in)
        self._unbuilt: dict[tuple[str, str], str] = {}
        self._boxes: dict[tuple[str, str], tuple[float, float, float, float]] = {}
        #: what the slices of making link items are timed with (a test steps it to make each slice one batch)
        self.clock: Callable[[], float] = time.monotonic
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._build_some)
        self.router = LinkRouter(self)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBspTreeDepth(BSP_DEPTH)
        self.selectionChanged.connect(self._emit_selection)
        document.flowReplaced.connect(self.rebuild)
        document.flow_events.connect(self._on_event)
        self.rebuild()

    # ------------------------------------------------------------------ model → items
    def rebuild(self) -> None:
        """Drop every item and build them again from the document's (possibly new) flow."""
        self._rebuilding = True
        self.interaction = None
        self._markers.clear()
        self.clear()
        self.node_items.clear()
        self.link_items.clear()
        self._links_at.clear()
        self._unbuilt.clear()
        self._boxes.clear()
        self._build_timer.stop()
        self.router.clear()
        flow = self.document.flow
        for node in flow:
            self.router.card_placed(self._add_node_item(node.id))
        if len(self.node_items) <= BUILD_AT_ONCE_MAX_CARDS:
            self._add_links(
                (node, exit_name, target) for node in flow for exit_name, target in node.links.items()
            )
        else:
            self._defer_links()
        self.set_breakpoints(self._breakpoints)
        self._rebuilding = False
        self._apply_problems()
        self._emit_selection()

    def _add_node_item(self, node_id: str) -> NodeItem:
        node = self.document.flow.node(node_id)
        item = NodeItem(node, self.theme)
        item.set_start(self.document.flow.start == node_id)
        self.node_items[node_id] = item
        self.addItem(item)
        return item

    def _add_links(self, links: Iterable[tuple[Node, str, str]]) -> None:
        """Make the items of ``links`` ((node, exit name, target id) each) as they are shown: what
        :meth:`_sync_link` does for one link, in one pass, each item shaped before it joins the scene (a
        big flow has thousands); the lanes of routed links are settled once, at the end."""
        items, link_items, links_at = self.node_items, self.link_items, self._links_at
        now = len(items) <= ROUTE_AT_ONCE_MAX_CARDS
        with self.router.batch() if not now else nullcontext():  # (routed at once: settled link by link)
            for node, exit_name, target in links:
                if target not in items:
                    continue
                source = node.id
                kind = next((row.kind for row in items[source].rows if row.name == exit_name), None)
                if kind is None:  # an exit the card does not show
                    kind = next((e.kind for e in node.exits() if e.name == exit_name), "next")
                item = LinkItem(source, exit_name, kind, target, self.theme)
                key = (source, exit_name)
                link_items[key] = item
                links_at.setdefault(source, set()).add(key)
                links_at.setdefault(target, set()).add(key)
                self._route(item, now)
                self.addItem(item)

    # ------------------------------------------------------------------ links made later (big flows)
    def _defer_links(self) -> None:
        """Note every link of the flow as not made yet (see the module docstring) and start making them."""
        items, links_at, unbuilt = self.node_items, self._links_at, self._unbuilt
        for node in self.document.flow:
            source = node.id
            for exit_name, target in node.links.items():
                if target in items:
                    key = (source, exit_name)
                    unbuilt[key] = target
                    links_at.setdefault(source, set()).add(key)
                    links_at.setdefault(target, set()).add(key)
        if unbuilt:
            self._build_timer.start()

    def unbuilt_links(self) -> int:
        """How many links of the flow have no item yet (they are being made in the background)."""
        return len(self._unbuilt)

    def build_links_in(self, rect: QRectF) -> None:
        """Make the items of the links not made yet whose curves reach into ``rect`` (scene coordinates)."""
        if not self._unbuilt:
            return
        left, top, right, bottom = rect.getCoords()
        boxes = self._boxes
        if len(boxes) < len(self._unbuilt):
            for key, target in self._unbuilt.items():
                if key not in boxes:
                    boxes[key] = self._plain_box(key, target)
        self._build(
            [k for k, b in boxes.items() if b[0] <= right and b[2] >= left and b[1] <= bottom and b[3] >= top]
        )

    def build_all_links(self) -> None:
        """Make every link item not made yet, now (before a picture of the whole flow, and in tests)."""
        self._build(list(self._unbuilt))

    def _build_some(self) -> None:
        """One slice of making the links not made yet (batches of BUILD_BATCH links for BUILD_SLICE_SECONDS,
        at least one batch); the next slice waits for the events in between."""
        deadline = self.clock() + BUILD_SLICE_SECONDS
        while self._unbuilt:
            self._build([key for key, _ in zip(self._unbuilt, range(BUILD_BATCH), strict=False)])
            if self.clock() >= deadline:
                break
        if self._unbuilt:
            self._build_timer.start()

    def _build(self, keys: list[tuple[str, str]]) -> None:
        """Make the items of the links ``keys`` (each not made yet) as the model has them now."""
        if not keys:
            return
        flow, links = self.document.flow, []
        for key in keys:
            del self._unbuilt[key]
            self._boxes.pop(key, None)
            node = flow.nodes.get(key[0])
            target = node.links.get(key[1]) if node is not None else None
            if target is not None:
                links.append((node, key[1], target))
        self._add_links(links)
        if not self._unbuilt:
            self._build_timer.stop()

    def _plain_box(self, key: tuple[str, str], target: str) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the plain curve the link ``key`` is first shown with, a little
        wider than its item's box (see :meth:`_ends` and :mod:`.curves`): worked out for thousands of
        links as a big flow is opened, so from plain numbers."""
        source, exit_name = key
        src = self.node_items[source]
        dst = self.node_items[target]
        sx, sy = src.x() + src.width, src.y() + src.exit_port_y(exit_name)
        ex, ey = dst.x() - METRICS.port_radius - 1, dst.y() + METRICS.header / 2
        if src is not dst and ex >= sx + 40:  # a curve rightwards: its control points lie between its ends
            return sx - 8, min(sy, ey) - 8, ex + 8, max(sy, ey) + 8
        top = min(_arc_top(src), _arc_top(dst))
        above = top - 14.0 - 7.0 * len(src.rows)  # at most this high (see _ends)
        return min(ex, sx) - 44, above - 8, max(ex, sx) + 44, max(sy, ey) + 8

    def _sync_link(self, node_id: str, exit_name: str) -> None:
        """Make the link item of one exit match the model (create, re-target, re-shape or remove)."""
        key = (node_id, exit_name)
        if key in self._unbuilt:  # not made yet: made below as the model has it now
            for end in (node_id, self._unbuilt.pop(key)):
                self._links_at.get(end, set()).discard(key)
            self._boxes.pop(key, None)
        node = self.document.flow.nodes.get(node_id)
        target = node.links.get(exit_name) if node is not None else None
        item = self.link_items.get(key)
        if target is None or target not in self.node_items:
            if item is not None:
                self._drop_link(item)
            return
        if item is None or item.target_id != target:
            if item is not None:
                self._drop_link(item)
            # the card's rows already name each exit's kind; the model is asked only for an exit not shown yet
            kind = next((r.kind for r in self.node_items[node_id].rows if r.name == exit_name), None)
            if kind is None:
                kind = next((e.kind for e in node.exits() if e.name == exit_name), "next")
            item = LinkItem(node_id, exit_name, kind, target, self.theme)
            self.link_items[key] = item
            self._links_at.setdefault(node_id, set()).add(key)
            self._links_at.setdefault(target, set()).add(key)
            self.addItem(item)
            if not self._rebuilding:  # nothing is selected while the scene is being rebuilt
                self._emphasise(item)
        self._route(item)

    def _drop_link(self, item: LinkItem) -> None:
        self.removeItem(item)
        del self.link_items[item.key]
        self.router.link_dropped(item.key)
        for end in (item.source_id, item.target_id):
            keys = self._links_at.get(end)
            if keys is not None:
                keys.discard(item.key)

    def rebuilding(self) -> bool:
        """True while every item is being made again for a new flow."""
        return self._rebuilding

    def route_link(self, item: LinkItem, now: bool = True) -> None:
        """Shape one link for where its cards are now (the router calls this for links it routes later)."""
        self._route(item, now)

    def _route(self, item: LinkItem, now: bool | None = None) -> None:
        if now is None:  # a big flow is shown (or changed) first, and its links routed just after
            now = len(self.node_items) <= ROUTE_AT_ONCE_MAX_CARDS
        start, end, loop_above = self._ends(
            self.node_items[item.source_id], self.node_items[item.target_id], item.exit_name
        )
        self.router.shape(item, start, end, loop_above, now)
        if self._coverage is not None:
            item.set_taken(item.key in self._coverage)

    @staticmethod
    def _ends(src: NodeItem, dst: NodeItem, exit_name: str) -> tuple[QPointF, QPointF, float | None]:
        """Where a link from ``src``'s exit to ``dst`` starts and ends, and for a loop or a link back to
        the left the height (scene y) it arcs over the cards at (None for others)."""
        end = QPointF(dst.x() - METRICS.port_radius - 1, dst.y() + METRICS.header / 2)  # at the input port
        start = src.exit_port_pos(exit_name)
        loop_above = None
        if src is dst or end.x() < start.x() + 40:
            # Loops and links back to the left arc over the cards instead of hiding behind them.
            index = next((i for i, r in enumerate(src.rows) if r.name == exit_name), 0)
            top = min(_arc_top(src), _arc_top(dst))
            loop_above = top - 14.0 - 7.0 * (len(src.rows) - index)
        return start, end, loop_above

    def _links_of(self, node_id: str) -> list[LinkItem]:
        """The items of the links to and from ``node_id``, made now if they were not yet."""
        keys = self._links_at.get(node_id, ())
        if self._unbuilt:
            self._build([key for key in keys if key in self._unbuilt])
        return [self.link_items[key] for key in keys if key in self.link_items]

    def _on_event(self, event: ev.FlowEvent) -> None:
        flow = self.document.flow
        if isinstance(event, ev.NodeAdded):
            self._reroute(self.router.card_placed(self._add_node_item(event.node_id)))
            for src, exit_name in flow.incoming(event.node_id):
                self._sync_link(src, exit_name)
            for exit_name in flow.node(event.node_id).links:
                self._sync_link(event.node_id, exit_name)
        elif isinstance(event, ev.NodeRemoved):
            for link in self._links_of(event.node_id):
                self._drop_link(link)
            self._links_at.pop(event.node_id, None)
            item = self.node_items.pop(event.node_id, None)
            self._markers.pop(event.node_id, None)  # went with its card
            if item is not None:
                self.removeItem(item)
                self._reroute(self.router.card_removed(event.node_id))
            self._problems.pop(event.node_id, None)
        elif isinstance(event, (ev.NodeChanged, ev.BranchAdded, ev.BranchRemoved, ev.BranchChanged)):
            item = self.node_items.get(event.node_id)
            if item is not None:
                item.show_node(flow.node(event.node_id))
                self._reroute(self.router.card_placed(item))
                for link in self._links_of(event.node_id):
                    self._route(link)
                if self._coverage is not None:
                    self._apply_coverage_to(item)
        elif isinstance(event, ev.LinkChanged):
            self._sync_link(event.node_id, event.exit)
            item = self.node_items.get(event.node_id)
            if item is not None:
                item.show_node(flow.node(event.node_id))
        elif isinstance(event, ev.FlowChanged) and event.field == "start":
            for node_id in (event.old, event.new):
                if node_id in self.node_items:
                    self.node_items[node_id].set_start(node_id == flow.start)
        self.update()

    # ------------------------------------------------------------------ hooks for other panels
    def set_problems(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Show a badge on every node that has problems (the Problems panel calls this)."""
        grouped: dict[str, list[tuple[str, str]]] = {}
        for d in diagnostics:
            if d.node_id and str(d.severity) in ("error", "warning"):
                grouped.setdefault(d.node_id, []).append((str(d.severity), d.message))
        self._problems = grouped
        self._apply_problems()

    def _apply_problems(self) -> None:
        for node_id, item in self.node_items.items():
            problems = self._problems.get(node_id, [])
            if problems or item.problems:  # most cards have none, before and after
                item.set_problems(problems)

    def set_active_node(self, node_id: str | None) -> None:
        """Make ``node_id`` glow (the node a test call is in); ``None`` clears it."""
        if self._active in self.node_items:
            self.node_items[self._active].set_active(False)
        self._active = node_id
        if node_id in self.node_items:
            self.node_items[node_id].set_active(True)

    def set_breakpoints(self, node_ids: Iterable[str]) -> None:
        """Show a breakpoint marker on the cards of ``node_ids`` (and on no others)."""
        wanted = self._breakpoints = set(node_ids)
        for node_id in list(self._markers):
            card = self.node_items.get(node_id)
            marker = self._markers[node_id]
            if node_id in wanted and card is not None and marker.parentItem() is card:
                continue
            del self._markers[node_id]
            if card is not None and marker.parentItem() is card:
                marker.setParentItem(None)
                self.removeItem(marker)
        for node_id in wanted:
            card = self.node_items.get(node_id)
            if card is not None and node_id not in self._markers:
                self._markers[node_id] = BreakpointMarker(card)

    def set_exit_coverage(self, taken: set[tuple[str, str]] | None) -> None:
        """Trace taken exits' links and tint exits no call has taken; ``None`` turns the overlay off."""
        if taken is None and self._coverage is None:
            return  # off, and it was off: nothing to repaint
        self._coverage = set(taken) if taken is not None else None
        for item in self.node_items.values():
            self._apply_coverage_to(item)
        for link in self.link_items.values():
            link.set_taken(self._coverage is not None and link.key in self._coverage)

    def _apply_coverage_to(self, item: NodeItem) -> None:
        if self._coverage is None:
            item.set_untaken_exits(set())
        else:
            item.set_untaken_exits(
                {r.name for r in item.rows if (item.node_id, r.name) not in self._coverage}
            )

    def set_theme_from_palette(self) -> None:
        self.theme = current_theme()
        for item in [*self.node_items.values(), *self.link_items.values()]:
            item.set_theme(self.theme)
        self.update()

    def auto_layout(self) -> str:
        """Lay the whole flow out left to right (one undo step); returns the engine that did it."""
        from ivr_studio.flow.layout import arrange  # loaded when first needed

        positions, engine = arrange(self.document.flow, node_size)
        self.document.move_nodes(positions, "Auto layout")
        return engine

    # ------------------------------------------------------------------ selection
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_links(self) -> list[tuple[str, str]]:
        return [i.key for i in self.selectedItems() if isinstance(i, LinkItem)]

    def select_nodes(self, node_ids: Iterable[str]) -> None:
        wanted = set(node_ids)
        self.blockSignals(True)
        self.clearSelection()
        for node_id in wanted:
            if node_id in self.node_items:
                self.node_items[node_id].setSelected(True)
        self.blockSignals(False)
        self._emit_selection()

    def _emit_selection(self) -> None:
        self.selectedNodesChanged.emit(self.selected_node_ids())

    def node_selection_changed(self, item: NodeItem) -> None:
        for link in self._links_of(item.node_id):
            self._emphasise(link)

    def _emphasise(self, link: LinkItem) -> None:
        ends = (self.node_items.get(link.source_id), self.node_items.get(link.target_id))
        link.set_emphasised(any(n is not None and n.isSelected() for n in ends))

    def node_item_moved(self, item: NodeItem) -> None:
        if self._rebuilding:
            return
        self._reroute(self.router.card_placed(item))
        for link in self._links_of(item.node_id):
            self._route(link)

    def _reroute(self, links: Iterable[LinkItem]) -> None:
        """Shape again the links a card now blocks or no longer blocks."""
        for link in links:
            if link.key in self.link_items:
                self._route(link)

    def nodes_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.node_items.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    # ------------------------------------------------------------------ gestures
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            pos = event.scenePos()
            for item in self.items(pos):
                if isinstance(item, BreakpointMarker) and isinstance(item.parentItem(), NodeItem):
                    self.breakpointToggled.emit(item.parentItem().node_id)
                    event.accept()
                    return
                if isinstance(item, NodeItem):
                    if in_margin(item, pos, item.height):
                        self.breakpointToggled.emit(item.node_id)
                        event.accept()
                        return
                    port = item.port_at(pos)
                    if port is not None and port != INPUT_PORT:
                        self.interaction = LinkDrag(self, item.node_id, port)
                        event.accept()
                        return
                    break
                if isinstance(item, LinkItem) and (item.end_point() - pos).manhattanLength() < 18:
                    self.interaction = LinkDrag(self, item.source_id, item.exit_name, rerouting=True)
                    event.accept()
                    return
        super().mousePressEvent(event)
        self._press_positions = {i.node_id: i.pos() for i in self.selectedItems() if isinstance(i, NodeItem)}

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self.interaction is not None:
            self.interaction.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self.interaction is not None and event.button() == Qt.MouseButton.LeftButton:
            interaction, self.interaction = self.interaction, None
            interaction.release(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self.commit_moves()

    def commit_moves(self) -> None:
        """Push one move command for every node item that is no longer where the model has it."""
        self._press_positions = {}
        moved = {}
        for node_id, item in self.node_items.items():
            model = self.document.flow.node(node_id).position
            if (item.pos().x(), item.pos().y()) != model:
                moved[node_id] = (item.pos().x(), item.pos().y())
        if moved:
            self.document.move_nodes(moved, "Move" if len(moved) > 1 else "Move node")

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        pos = event.scenePos()
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                if item.title_rect().contains(pos):
                    self.renameRequested.emit(item.node_id)
                event.accept()
                return
        if event.button() == Qt.MouseButton.LeftButton:
            self.quickAddRequested.emit(pos, None)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def cancel_interaction(self) -> None:
        if self.interaction is not None:
            self.interaction.finish()
            self.interaction = None
