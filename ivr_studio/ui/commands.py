"""Undo commands: each changes only the flow model, through its methods; the views follow its events.

Small commands do one model change each; an edit a user thinks of as one step (delete three nodes, paste,
add a node and link it) is a parent command with these as children, so Qt undoes the children in reverse.
Field edits of the same field merge (``mergeWith``), so a typed word or a spin-box run is one undo step.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from ivr_studio.flow.logic import Variable
from ivr_studio.flow.model import AttrValue, Branch, Flow, Node

MERGE_FIELD = 1


class FlowCommand(QUndoCommand):
    """Base: holds the flow it edits."""

    def __init__(self, flow: Flow, text: str, parent: QUndoCommand | None = None):
        super().__init__(text, parent)
        self.flow = flow


class AddNode(FlowCommand):
    """Add a copy of ``node`` (with its links) at the end of the flow."""

    def __init__(self, flow: Flow, node: Node, parent: QUndoCommand | None = None):
        super().__init__(flow, f"Add {node.title}", parent)
        self.node = copy.deepcopy(node)

    def redo(self) -> None:
        self.flow.add_node(copy.deepcopy(self.node))

    def undo(self) -> None:
        self.flow.remove_node(self.node.id)


class RemoveNode(FlowCommand):
    """Remove one node. Links *into* it must be removed first (by sibling :class:`SetLink` commands)."""

    def __init__(self, flow: Flow, node_id: str, parent: QUndoCommand | None = None):
        super().__init__(flow, "Delete node", parent)
        self.node_id = node_id
        self.snapshot: Node | None = None
        self.index = 0

    def redo(self) -> None:
        self.index = list(self.flow.nodes).index(self.node_id)
        self.snapshot = copy.deepcopy(self.flow.remove_node(self.node_id))

    def undo(self) -> None:
        assert self.snapshot is not None
        self.flow.add_node(copy.deepcopy(self.snapshot), self.index)


class SetNodeField(FlowCommand):
    """Set a node field (title, position, notes, text, prompts, max_attempts)."""

    def __init__(
        self, flow: Flow, node_id: str, name: str, value: Any, merge: bool | str = False, parent=None
    ) -> None:
        super().__init__(flow, f"Change {name.replace('_', ' ')}", parent)
        self.node_id, self.name, self.merge = node_id, name, merge
        self.old = copy.deepcopy(getattr(flow.node(node_id), name))
        self.new = copy.deepcopy(value)

    def id(self) -> int:
        return MERGE_FIELD if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, SetNodeField) or not other.merge:
            return False
        if (other.node_id, other.name, other.merge) != (self.node_id, self.name, self.merge):
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.flow.set_node_field(self.node_id, self.name, copy.deepcopy(self.new))

    def undo(self) -> None:
        self.flow.set_node_field(self.node_id, self.name, copy.deepcopy(self.old))


class SetAttribute(FlowCommand):
    """Set (or with ``None`` remove) one Twilio attribute of a node."""

    def __init__(self, flow: Flow, node_id: str, name: str, value: AttrValue | None, merge: bool = False):
        super().__init__(flow, f"Change {name}")
        self.node_id, self.name, self.merge = node_id, name, merge
        self.old = flow.node(node_id).attributes.get(name)
        self.new = value

    def id(self) -> int:
        return MERGE_FIELD if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if (
            isinstance(other, SetAttribute)
            and other.merge
            and (other.node_id, other.name)
            == (
                self.node_id,
                self.name,
            )
        ):
            self.new = other.new
            return True
        return False

    def redo(self) -> None:
        self.flow.set_attribute(self.node_id, self.name, self.new)

    def undo(self) -> None:
        self.flow.set_attribute(self.node_id, self.name, self.old)


class AddBranch(FlowCommand):
    def __init__(self, flow: Flow, node_id: str, branch: Branch, index: int | None = None, parent=None):
        super().__init__(flow, "Add choice", parent)
        self.node_id, self.branch, self.index = node_id, copy.deepcopy(branch), index

    def redo(self) -> None:
        self.flow.add_branch(self.node_id, copy.deepcopy(self.branch), self.index)

    def undo(self) -> None:
        self.flow.remove_branch(self.node_id, self.branch.id)


class RemoveBranch(FlowCommand):
    """Remove a branch; its link is removed by a sibling :class:`SetLink` first, so undo restores it."""

    def __init__(self, flow: Flow, node_id: str, branch_id: str, parent=None):
        super().__init__(flow, "Remove choice", parent)
        node = flow.node(node_id)
        self.node_id, self.branch_id = node_id, branch_id
        self.branch = copy.deepcopy(node.branch(branch_id))
        self.index = node.branches.index(node.branch(branch_id))

    def redo(self) -> None:
        self.flow.remove_branch(self.node_id, self.branch_id)

    def undo(self) -> None:
        self.flow.add_branch(self.node_id, copy.deepcopy(self.branch), self.index)


class SetBranchField(FlowCommand):
    def __init__(self, flow: Flow, node_id: str, branch_id: str, name: str, value: Any, merge: bool = False):
        super().__init__(flow, f"Change choice {name}")
        self.node_id, self.branch_id, self.name, self.merge = node_id, branch_id, name, merge
        self.old = copy.deepcopy(getattr(flow.node(node_id).branch(branch_id), name))
        self.new = copy.deepcopy(value)

    def id(self) -> int:
        return MERGE_FIELD if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if (
            isinstance(other, SetBranchField)
            and other.merge
            and (
                other.node_id,
                other.branch_id,
                other.name,
            )
            == (self.node_id, self.branch_id, self.name)
        ):
            self.new = other.new
            return True
        return False

    def redo(self) -> None:
        self.flow.set_branch_field(self.node_id, self.branch_id, self.name, copy.deepcopy(self.new))

    def undo(self) -> None:
        self.flow.set_branch_field(self.node_id, self.branch_id, self.name, copy.deepcopy(self.old))


class SetLink(FlowCommand):
    """Point one exit at a node (or unlink it with ``None``)."""

    def __init__(self, flow: Flow, node_id: str, exit_name: str, target: str | None, parent=None):
        super().__init__(flow, "Connect" if target else "Disconnect", parent)
        self.node_id, self.exit_name, self.target = node_id, exit_name, target
        self.old = flow.node(node_id).links.get(exit_name)

    def redo(self) -> None:
        self.flow.set_link(self.node_id, self.exit_name, self.target)

    def undo(self) -> None:
        self.flow.set_link(self.node_id, self.exit_name, self.old)


class SetStart(FlowCommand):
    def __init__(self, flow: Flow, node_id: str | None, parent=None):
        super().__init__(flow, "Set start node", parent)
        self.new, self.old = node_id, flow.start

    def redo(self) -> None:
        self.flow.set_start(self.new)

    def undo(self) -> None:
        self.flow.set_start(self.old)


class SetFlowName(FlowCommand):
    def __init__(self, flow: Flow, name: str):
        super().__init__(flow, "Rename flow")
        self.new, self.old = name, flow.name

    def redo(self) -> None:
        self.flow.set_name(self.new)

    def undo(self) -> None:
        self.flow.set_name(self.old)


class SetFlowVariables(FlowCommand):
    """Replace the flow's declared call variables."""

    def __init__(self, flow: Flow, variables: list[Variable], parent=None):
        super().__init__(flow, "Change variables", parent)
        self.new, self.old = list(variables), list(flow.variables.values())

    def redo(self) -> None:
        self.flow.set_variables(self.new)

    def undo(self) -> None:
        self.flow.set_variables(self.old)


class SetFlowEnv(FlowCommand):
    """Replace the environment variables the flow's templates may read."""

    def __init__(self, flow: Flow, names: list[str], parent=None):
        super().__init__(flow, "Change environment variables", parent)
        self.new, self.old = list(names), list(flow.env)

    def redo(self) -> None:
        self.flow.set_env(self.new)

    def undo(self) -> None:
        self.flow.set_env(self.old)
