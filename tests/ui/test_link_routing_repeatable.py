"""A big flow opened twice is drawn the same way twice. Links to one port share the way there, so a link's
route depends on the links routed before it; the order they are routed in must come from the flow, never
from the order Python happens to iterate a set of string keys in (strings hash differently in every
process unless ``PYTHONHASHSEED`` is fixed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from menu_trees import menu_tree_data

from ivr_studio.ui.canvas.link_router import ROUTE_AT_ONCE_MAX_CARDS

MENUS = 300

#: Opens the flow as the editor does (laid out on open, links routed after it is shown), routes every link
#: and prints each link's routed corners and the line it was routed on before the lanes spread it.
CHILD = r"""
import json, sys
from ivr_studio.ui.app import make_app
make_app()
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.document import FlowDocument

document = FlowDocument()
document.open(sys.argv[1])
scene = FlowScene(document)
scene.build_all_links()
scene.router.route_pending()
print(json.dumps({
    f"{source} {exit_name}": [link.route, scene.router.lanes.base.get(link.key)]
    for (source, exit_name), link in sorted(scene.link_items.items())
}))
"""


def routes_with_hash_seed(path: Path, seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True, env=env
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_a_big_flow_routes_the_same_in_every_process(tmp_path: Path) -> None:
    path = tmp_path / "menus.ivrflow"
    path.write_text(json.dumps(menu_tree_data(MENUS)), encoding="utf-8")
    assert MENUS > ROUTE_AT_ONCE_MAX_CARDS, "its links are routed after it is shown, in the router's order"
    first = routes_with_hash_seed(path, "1")
    second = routes_with_hash_seed(path, "2")
    assert len(first) == MENUS * 4
    routed = [key for key, (route, _base) in first.items() if route is not None]
    assert len(routed) >= MENUS * 3, "the loops and the links back to the main menu go round the cards"
    differing = [key for key in first if first[key] != second[key]]
    assert differing == [], f"{len(differing)} links routed differently, e.g. {differing[:3]}"
