"""Copying parts of a flow: cut a selection out as a small flow, and clone it back with fresh ids.

Copy/paste and duplicate in the editor use these, so the rules live with the model (and are tested without
Qt): links inside the selection are kept (re-pointed at the copies), links leaving it are dropped, every
copy gets an id that is free in the flow it is pasted into, and what a map saw at a node (its flags) goes
into the copy's notes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.map_flags import flags_as_notes
from ivr_studio.flow.model import Flow, Node


def extract(flow: Flow, node_ids: Iterable[str]) -> Flow:
    """A new flow holding copies of the given nodes (in flow order), without links leaving the selection."""
    wanted = set(node_ids)
    nodes = []
    for node in flow:
        if node.id in wanted:
            clone = copy.deepcopy(node)
            clone.links = {e: t for e, t in clone.links.items() if t in wanted}
            nodes.append(clone)
    return Flow(flow.name, nodes, start=None)


def free_id(kind: NodeKind | str, taken: set[str]) -> str:
    """``<kind>_<n>`` with the smallest n not in ``taken``."""
    base = NodeKind(kind).value
    n = 1
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def clone_nodes(fragment: Flow, into: Flow, offset: tuple[float, float] = (0.0, 0.0)) -> list[Node]:
    """Copies of ``fragment``'s nodes with ids free in ``into``, links remapped, positions shifted."""
    taken = set(into.nodes)
    mapping: dict[str, str] = {}
    for node in fragment:
        new_id = free_id(node.kind, taken)
        taken.add(new_id)
        mapping[node.id] = new_id
    copies = []
    for node in fragment:
        clone = copy.deepcopy(node)
        clone.id = mapping[node.id]
        clone.links = {e: mapping[t] for e, t in node.links.items() if t in mapping}
        clone.position = (node.position[0] + offset[0], node.position[1] + offset[1])
        if clone.flags:  # a pasted copy is the user's own node: what a map saw there goes into its notes
            clone.notes, clone.flags = flags_as_notes(clone.notes, clone.flags), ()
        copies.append(clone)
    return copies
