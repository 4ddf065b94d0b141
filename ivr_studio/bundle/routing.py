"""The routing data the handler app reads: for each node, its kind and where each exit leads.

This is the only thing the deployed handler knows about the flow besides the TwiML documents, so it holds
exactly what routing needs: branches (keys and phrases), exits, retry limits and flow settings.
"""

from __future__ import annotations

from typing import Any

from ivr_studio.bundle.handler.data import ROUTING_FORMAT
from ivr_studio.flow.model import Flow

ROUTING_VERSION = 1


def routing_data(flow: Flow) -> dict[str, Any]:
    nodes: dict[str, Any] = {}
    for n in flow:
        entry: dict[str, Any] = {"kind": n.kind.value, "title": n.title}
        if n.spec.counts_attempts:
            entry["max_attempts"] = n.max_attempts
        if n.spec.item_exits == "branches":
            entry["input"] = str(n.attributes.get("input", "dtmf"))
            entry["branches"] = [
                {"id": b.id, "keys": b.keys, "phrases": list(b.phrases), "target": n.links.get(b.exit_name)}
                for b in n.branches
            ]
        exits = {e.name: n.links[e.name] for e in n.spec.exits if e.name in n.links}
        if exits:
            entry["exits"] = exits
        nodes[n.id] = entry
    return {
        "format": ROUTING_FORMAT,
        "version": ROUTING_VERSION,
        "name": flow.name,
        "start": flow.start,
        "settings": dict(sorted(flow.settings.items())),
        "nodes": nodes,
    }
