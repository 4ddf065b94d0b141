"""Each example flow, auto-laid-out and rendered to PNG: the picture must hold every node, legibly.

Set ``IVR_STUDIO_SHOTS=/some/dir`` to keep copies of the images for a look by eye.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from ivr_studio.ui.canvas.link_item import LinkItem
from ivr_studio.ui.canvas.node_item import NodeItem
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.view import FlowView
from ivr_studio.ui.document import FlowDocument

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.ivrflow"))


def distinct_colours(image: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_renders_after_auto_layout(qtbot, tmp_path: Path, path: Path) -> None:
    document = FlowDocument()
    document.open(path)
    scene = FlowScene(document)
    view = FlowView(scene)
    qtbot.addWidget(view)
    view.resize(1600, 900)
    view.show()
    qtbot.waitExposed(view)
    scene.auto_layout()
    view.fit()

    nodes = list(scene.node_items.values())
    cards = [n.mapRectToScene(0, 0, n.width, n.height) for n in nodes]
    for i, a in enumerate(cards):
        for j in range(i + 1, len(cards)):
            assert not a.intersects(cards[j]), f"{nodes[i].node_id} overlaps {nodes[j].node_id}"
    assert view.visible_scene_rect().contains(scene.nodes_rect()), "fit shows the whole flow"
    assert all(
        isinstance(i, LinkItem) and i.zValue() < 0 for i in scene.items() if not isinstance(i, NodeItem)
    )
    assert max(view.zoom(), 0) >= 0.35, "the examples are small enough to stay readable when fitted"

    image = view.grab().toImage()
    out = tmp_path / f"{path.stem}.png"
    assert image.save(str(out)) and out.stat().st_size > 10_000
    assert distinct_colours(image) > 20, "the canvas is not blank"
    # The menu's header colour appears in the picture (the hub stands out).
    header = scene.theme.header(nodes[0].kind)
    assert any(
        QColor(image.pixel(x, y)) == header
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
    )
    shots = os.environ.get("IVR_STUDIO_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(shots) / out.name))
        view.set_zoom(1.0)
        view.centerOn(scene.node_items[document.flow.start].sceneBoundingRect().center())
        view.grab().save(str(Path(shots) / f"{path.stem}-100.png"))
