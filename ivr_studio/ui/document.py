"""The open document: the flow, its file, its undo stack and whether it has unsaved changes.

Every edit the editor makes goes through a method here, which pushes one undo command; commands change
only the model, and the canvas, inspector and Problems panel follow the model's events. There is no other
way to change the flow from the UI (no "without undo" side door).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ivr_studio.flow.clipboard import clone_nodes
from ivr_studio.flow.events import Emitter
from ivr_studio.flow.ivrflow import flow_from_dict, flow_to_dict, load_flow, save_flow
from ivr_studio.flow.kinds import NodeKind, spec_of
from ivr_studio.flow.logic import Config, Variable
from ivr_studio.flow.map_flags import flags_as_notes
from ivr_studio.flow.model import AttrValue, Branch, Flow, Node, Prompt
from ivr_studio.ui import commands as c


class Macro(QUndoCommand):
    """One undo step made of several commands: redo runs them in order, undo in reverse.

    The children are held in a Python list rather than as Qt child commands: PySide6 does not hand the
    ownership of a Qt child command to its parent, and both sides deleting it crashes at exit.
    """

    def __init__(self, text: str):
        super().__init__(text)
        self.children: list[QUndoCommand] = []

    def add(self, child: QUndoCommand) -> None:
        self.children.append(child)

    def childCount(self) -> int:  # noqa: N802 (Qt API)
        return len(self.children)

    def redo(self) -> None:
        for child in self.children:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children):
            child.undo()


def _menu_start(node: Node) -> None:
    node.prompts = [Prompt("say", "")]
    node.branches = [Branch("b1", "1")]


#: Useful starting content of a new node, for the kinds that have some.
STARTING_CONTENT: dict[NodeKind, Callable[[Node], None]] = {NodeKind.GATHER: _menu_start}


def _absolute(path: str | Path | None) -> Path | None:
    """``path`` made absolute against today's working folder (symbolic links are kept, not resolved), so
    the document's file stays the same file when the working folder changes; None stays None."""
    return Path(os.path.abspath(path)) if path else None


def new_node(kind: NodeKind | str, node_id: str, position: tuple[float, float] = (0.0, 0.0)) -> Node:
    """A node of ``kind`` with useful starting content (a menu gets a prompt and a first choice)."""
    kind = NodeKind(kind)
    node = Node(node_id, kind, position=position)
    fill = STARTING_CONTENT.get(kind)
    if fill is not None:
        fill(node)
    return node


def starter_flow() -> Flow:
    """What File ▸ New opens: a greeting that leads to one menu, so the next step is obvious.

    The menu is complete (its choice leads somewhere, a silent caller is asked again), so a new flow
    starts with nothing in Problems; the user grows it from there.
    """
    start = Node("start", NodeKind.SAY, "Start", (0.0, 60.0), text="Thanks for calling.")
    menu = new_node(NodeKind.GATHER, "main_menu", (340.0, 40.0))
    menu.title = "Main menu"
    menu.prompts = [Prompt("say", "For sales, press 1.")]
    sales = Node("sales", NodeKind.SAY, "Sales", (680.0, 0.0), text="Connecting you to sales.")
    again = Node("ask_again", NodeKind.SAY, "Ask again", (680.0, 140.0), text="Sorry, I didn't hear you.")
    start.links["next"] = "main_menu"
    menu.links[menu.branches[0].exit_name] = "sales"
    menu.links["no_input"] = "ask_again"
    again.links["next"] = "main_menu"
    return Flow("Untitled flow", [start, menu, sales, again], start="start")


def needs_layout(flow: Flow) -> bool:
    """True for a flow of several nodes that all sit on one spot: shown as saved, it is one pile of cards."""
    positions = {tuple(node.position) for node in flow}
    return len(flow) > 1 and len(positions) == 1


class FlowDocument(QObject):
    """Owns the flow, its path, the undo stack and the dirty state; the only door for edits."""

    flowReplaced = Signal()  # a different Flow object is now open (New / Open / recover)
    dirtyChanged = Signal(bool)
    pathChanged = Signal(object)  # Path | None
    editRefused = Signal(str)  # an edit of a read-only flow was refused; the flow's read_only reason

    def __init__(self, flow: Flow | None = None, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.flow = flow if flow is not None else starter_flow()
        #: The change events of whichever flow is open: views subscribe once and survive New / Open.
        self.flow_events = Emitter()
        self._stop_forwarding: Callable[[], None] = self.flow.events.connect(self.flow_events.emit)
        self.path: Path | None = _absolute(path)
        self.undo_stack = QUndoStack(self)
        self._forced_dirty = False
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    # ------------------------------------------------------------------ state
    def _clean_changed(self, _clean: bool) -> None:
        if shiboken6.isValid(self.undo_stack):  # the stack says "clean" once more while being destroyed
            self.dirtyChanged.emit(self.is_dirty())

    def is_dirty(self) -> bool:
        return self._forced_dirty or not self.undo_stack.isClean()

    def display_name(self) -> str:
        return self.path.name if self.path else "Untitled"

    def replace(self, flow: Flow, path: Path | None, dirty: bool = False) -> None:
        """Open another flow in this document (undo history starts afresh)."""
        was = self.is_dirty()
        self._stop_forwarding()
        self.flow = flow
        self._stop_forwarding = flow.events.connect(self.flow_events.emit)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._forced_dirty = dirty
        self.path = _absolute(path)
        self.flowReplaced.emit()
        self.pathChanged.emit(self.path)
        if was != self.is_dirty() or dirty:
            self.dirtyChanged.emit(self.is_dirty())

    # ------------------------------------------------------------------ files
    def new(self) -> None:
        self.replace(starter_flow(), None)

    def open(self, path: str | Path) -> bool:
        """Load ``path``; raises FlowFileError (and changes nothing) when the file cannot be read.

        A file whose nodes all sit on one spot (written by a script, which gave no positions) is laid out
        as Flow ▸ Auto layout would, before anything is shown, and the document is then modified: saving
        keeps the layout. Returns True when that happened. Cards that overlap at their saved positions (a
        file saved for smaller cards) are moved down their column until they are apart; the document is
        then modified too, so saving keeps the new positions.
        """
        flow = load_flow(path)
        laid_out = needs_layout(flow)
        if laid_out:
            from ivr_studio.flow.layout import auto_layout  # only a flow without positions needs it
            from ivr_studio.ui.canvas.style import node_size

            for node_id, position in auto_layout(flow, node_size).items():
                flow.nodes[node_id].position = position
        moved = self.separate_cards(flow)
        self.replace(flow, Path(path), dirty=laid_out or bool(moved))
        return laid_out

    @staticmethod
    def separate_cards(flow: Flow) -> dict[str, tuple[float, float]]:
        """Move apart the cards of ``flow`` that overlap (with the canvas's card sizes); returns the moves."""
        from ivr_studio.flow.overlaps import separate_overlaps
        from ivr_studio.ui.canvas.style import node_size

        moved = separate_overlaps(flow, node_size)
        for node_id, position in moved.items():
            flow.nodes[node_id].position = position
        return moved

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically; on failure (OSError) the previous file and the dirty state are unchanged."""
        target = _absolute(path) if path else self.path
        if target is None:
            raise ValueError("the document has no file yet; choose where to save it")
        save_flow(self.flow, target)
        changed_path = target != self.path
        self.path = target
        self._forced_dirty = False
        self.undo_stack.setClean()
        if changed_path:
            self.pathChanged.emit(self.path)
        self.dirtyChanged.emit(self.is_dirty())
        return target

    # ------------------------------------------------------------------ edits
    def push(self, command: QUndoCommand) -> None:
        """Do ``command`` as one undo step; refused (``editRefused``) while the flow is read-only."""
        if self.flow.read_only:
            self.editRefused.emit(self.flow.read_only)
            return
        self.undo_stack.push(command)

    def _push_macro(self, macro: Macro) -> None:
        if macro.childCount():
            self.push(macro)

    def edit_a_copy(self) -> None:
        """Open an editable copy of a read-only flow: unsaved, with no file, so the original stays as it is.

        The copy is the user's own flow: what the map saw (its flags: errors, dead ends) moves into the nodes'
        notes, so nothing stays flagged that the user could never clear."""
        copy = flow_from_dict(flow_to_dict(self.flow))
        copy.read_only = ""
        for node in copy:
            if node.flags:
                copy.set_node_field(node.id, "notes", flags_as_notes(node.notes, node.flags))
                copy.set_node_field(node.id, "flags", ())
        copy.name = f"{self.flow.name} (copy)"[:200]
        self.replace(copy, None, dirty=True)

    def add_node(
        self,
        kind: NodeKind | str,
        position: tuple[float, float],
        link_from: tuple[str, str] | None = None,
    ) -> str:
        """Add a node of ``kind`` at ``position`` (optionally linked from ``(node id, exit)``); one step."""
        node = new_node(kind, self.flow.new_node_id(kind), position)
        macro = Macro(f"Add {spec_of(kind).label}")
        macro.add(c.AddNode(self.flow, node))
        if link_from is not None:
            macro.add(c.SetLink(self.flow, link_from[0], link_from[1], node.id))
        self._push_macro(macro)
        return node.id

    def add_nodes(self, nodes: Iterable[Node], text: str = "Paste") -> list[str]:
        macro = Macro(text)
        ids = []
        for node in nodes:
            macro.add(c.AddNode(self.flow, node))
            ids.append(node.id)
        self._push_macro(macro)
        return ids

    def paste(self, fragment: Flow, offset: tuple[float, float], text: str = "Paste") -> list[str]:
        """Add copies of ``fragment``'s nodes with fresh ids (internal links kept), shifted by ``offset`` or,
        where cards lie there, just below them (a copy never lands on a card); one step."""
        from ivr_studio.flow.overlaps import clear_offset
        from ivr_studio.ui.canvas.style import node_size

        offset = clear_offset(self.flow, list(fragment), offset, node_size)
        return self.add_nodes(clone_nodes(fragment, self.flow, offset), text)

    def remove_nodes(self, node_ids: Iterable[str]) -> None:
        ids = [n for n in node_ids if n in self.flow.nodes]
        if not ids:
            return
        macro = Macro("Delete" if len(ids) > 1 else f"Delete {self.flow.node(ids[0]).title}")
        doomed = set(ids)
        for src, exit_name, target in list(self.flow.links()):
            if target in doomed:
                macro.add(c.SetLink(self.flow, src, exit_name, None))
        if self.flow.start in doomed:
            macro.add(c.SetStart(self.flow, None))
        for node_id in ids:
            macro.add(c.RemoveNode(self.flow, node_id))
        self._push_macro(macro)

    def move_nodes(self, positions: Mapping[str, tuple[float, float]], text: str = "Move") -> None:
        """Set several positions as one step (a drag, an auto-layout)."""
        macro = Macro(text)
        for node_id, pos in positions.items():
            node = self.flow.nodes.get(node_id)
            if node is not None and tuple(node.position) != (float(pos[0]), float(pos[1])):
                macro.add(c.SetNodeField(self.flow, node_id, "position", pos))
        self._push_macro(macro)

    def set_field(self, node_id: str, name: str, value: Any, merge: bool | str = False) -> None:
        """Set a node field; edits with the same truthy ``merge`` key in a row become one undo step."""
        if getattr(self.flow.node(node_id), name) != value:
            self.push(c.SetNodeField(self.flow, node_id, name, value, merge))

    def set_attribute(self, node_id: str, name: str, value: AttrValue | None, merge: bool = False) -> None:
        if self.flow.node(node_id).attributes.get(name) != value or (
            value is None and name in self.flow.node(node_id).attributes
        ):
            self.push(c.SetAttribute(self.flow, node_id, name, value, merge))

    def add_branch(self, node_id: str) -> str:
        """Add a choice with the next unused key; returns its id."""
        node = self.flow.node(node_id)
        used = {b.keys for b in node.branches}
        key = next((k for k in "123456789*0#" if k not in used), "")
        branch = Branch(self.flow.new_branch_id(node), key)
        self.push(c.AddBranch(self.flow, node_id, branch))
        return branch.id

    def remove_branch(self, node_id: str, branch_id: str) -> None:
        node = self.flow.node(node_id)
        macro = Macro("Remove choice")
        exit_name = node.branch(branch_id).exit_name
        if exit_name in node.links:
            macro.add(c.SetLink(self.flow, node_id, exit_name, None))
        macro.add(c.RemoveBranch(self.flow, node_id, branch_id))
        self._push_macro(macro)

    def set_branch_field(
        self, node_id: str, branch_id: str, name: str, value: Any, merge: bool = False
    ) -> None:
        if getattr(self.flow.node(node_id).branch(branch_id), name) != value:
            self.push(c.SetBranchField(self.flow, node_id, branch_id, name, value, merge))

    def set_link(self, node_id: str, exit_name: str, target: str | None) -> None:
        if self.flow.node(node_id).links.get(exit_name) != target:
            self.push(c.SetLink(self.flow, node_id, exit_name, target))

    def remove_links(self, links: Iterable[tuple[str, str]]) -> None:
        macro = Macro("Disconnect")
        for node_id, exit_name in links:
            if exit_name in self.flow.node(node_id).links:
                macro.add(c.SetLink(self.flow, node_id, exit_name, None))
        self._push_macro(macro)

    def set_start(self, node_id: str | None) -> None:
        if self.flow.start != node_id:
            self.push(c.SetStart(self.flow, node_id))

    def set_name(self, name: str) -> None:
        if name != self.flow.name:
            self.push(c.SetFlowName(self.flow, name))

    # ------------------------------------------------------------------ dynamic flows
    def _unlink_vanishing(self, macro: Macro, node_id: str, **change: Any) -> None:
        """Add to ``macro`` the unlinking of every exit the node would no longer have after ``change`` (a
        Decide case removed, a holiday source or a capture cleared), so undo brings the links back too."""
        node = self.flow.node(node_id)
        after = dataclasses.replace(node, links={}, **change)
        kept = set(after.exit_names())
        for exit_name in node.links:
            if exit_name not in kept:
                macro.add(c.SetLink(self.flow, node_id, exit_name, None))

    def _declare(self, macro: Macro, names: Iterable[str]) -> None:
        """Add to ``macro`` the declaration of each of ``names`` not declared yet (default settings)."""
        missing = [n for n in dict.fromkeys(names) if n and n not in self.flow.variables]
        if missing:
            variables = [*self.flow.variables.values(), *(Variable(n) for n in missing)]
            macro.add(c.SetFlowVariables(self.flow, variables))

    def set_config(self, node_id: str, config: Config, declare: Iterable[str] = (), text: str = "") -> None:
        """Give a logic node a new configuration, as one undo step: links of exits it no longer has are
        removed first, and the variables in ``declare`` (a Set's names) are declared when they are not yet."""
        node = self.flow.node(node_id)
        if node.config == config:
            return
        macro = Macro(text or f"Change {node.title}")
        self._declare(macro, declare)
        self._unlink_vanishing(macro, node_id, config=config)
        macro.add(c.SetNodeField(self.flow, node_id, "config", config))
        self._push_macro(macro)

    def set_capture(self, node_id: str, name: str) -> None:
        """Make a menu keep what the caller enters in variable ``name`` ("" stops it), as one undo step;
        an undeclared variable is declared, and turning capture off unlinks the ``captured`` exit."""
        if self.flow.node(node_id).capture == name:
            return
        macro = Macro(f"Capture into {name}" if name else "Stop capturing")
        self._declare(macro, [name])
        self._unlink_vanishing(macro, node_id, capture=name)
        macro.add(c.SetNodeField(self.flow, node_id, "capture", name))
        self._push_macro(macro)

    def set_variables(self, variables: Iterable[Variable]) -> None:
        """Replace the flow's declared call variables (one undo step)."""
        variables = list(variables)
        if {v.name: v for v in variables} != self.flow.variables:
            self.push(c.SetFlowVariables(self.flow, variables))

    def set_env(self, names: Iterable[str]) -> None:
        """Replace the environment variables the flow's templates may read (one undo step)."""
        names = list(dict.fromkeys(names))
        if tuple(names) != self.flow.env:
            self.push(c.SetFlowEnv(self.flow, names))
