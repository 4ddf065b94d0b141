"""Graph analysis of a flow with networkx: reachability and loops a caller can never leave."""

from __future__ import annotations

import networkx as nx

from ivr_studio.flow.model import Flow, Node


def flow_graph(flow: Flow) -> nx.MultiDiGraph:
    """The flow as a multigraph: node ids, one edge per link keyed by the exit name, in exit order."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(flow.nodes)
    for node in flow:
        for exit_name in node.exit_names():
            target = node.links.get(exit_name)
            if target is not None and target in flow.nodes:
                g.add_edge(node.id, target, key=exit_name)
    return g


def reachable_from_start(flow: Flow, graph: nx.MultiDiGraph | None = None) -> set[str]:
    if flow.start is None or flow.start not in flow.nodes:
        return set()
    g = graph if graph is not None else flow_graph(flow)
    return {flow.start} | nx.descendants(g, flow.start)


def ends_call_somewhere(node: Node) -> bool:
    """Whether some way through this node ends the call without following a link.

    Terminal verbs end it; an exit that is not linked (nor its fallback) hangs up — a menu's failure exits
    replay the menu instead, and it hangs up politely after its last attempt when ``max_attempts`` is not
    linked; a transfer can always end with the callee hanging up.
    """
    spec = node.spec
    if spec.terminal or spec.may_end_call:
        return True
    return any(not e.retries and node.target_of(e.name) is None for e in spec.exits)


def closed_loops(flow: Flow, graph: nx.MultiDiGraph | None = None) -> list[list[str]]:
    """Sets of nodes that link only among themselves and never end the call: a caller entering one is
    trapped until they hang up. Each is returned in flow order."""
    g = graph if graph is not None else flow_graph(flow)
    order = {node_id: i for i, node_id in enumerate(flow.nodes)}
    loops = []
    for component in nx.strongly_connected_components(g):
        if len(component) == 1:
            (only,) = component
            if not g.has_edge(only, only):
                continue
        leaves = any(t not in component for n in component for t in flow.node(n).links.values())
        if leaves or any(ends_call_somewhere(flow.node(n)) for n in component):
            continue
        loops.append(sorted(component, key=order.__getitem__))
    return sorted(loops, key=lambda nodes: order[nodes[0]])
