"""The big flow the editor's tests open, lay out and route: menus in a tree, each menu's three choices leading
to the next level, the last level's back to the main menu, and "no input" asking again."""

from __future__ import annotations

from ivr_studio.flow.ivrflow import flow_from_dict
from ivr_studio.flow.model import Flow


def menu_tree_data(menus: int) -> dict:
    """The tree of ``menus`` menus as an ``.ivrflow`` document, without positions (the editor lays it out)."""
    nodes = []
    for i in range(menus):
        links = {f"branch:b{k}": f"menu_{3 * i + k}" if 3 * i + k < menus else "menu_0" for k in (1, 2, 3)}
        links["no_input"] = f"menu_{i}"
        nodes.append(
            {
                "id": f"menu_{i}",
                "kind": "gather",
                "title": f"Menu {i}",
                "prompts": [{"kind": "say", "text": f"Menu {i}: press 1, 2 or 3."}],
                "branches": [{"id": f"b{k}", "keys": str(k)} for k in (1, 2, 3)],
                "links": links,
            }
        )
    return {"format": "ivrflow", "version": 1, "name": "Menus", "start": "menu_0", "nodes": nodes}


def menu_tree(menus: int) -> Flow:
    """The same tree as a flow, its nodes at the default position."""
    return flow_from_dict(menu_tree_data(menus))
