"""The diagram's geometry on every bundled example, as opened and after Flow ▸ Auto layout (with Graphviz's
dot and with the built-in layout): no card overlaps another."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.document import FlowDocument

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.ivrflow"))


def card_overlaps(scene: FlowScene) -> list[tuple[str, str]]:
    items = list(scene.node_items.values())
    cards = [(i.node_id, i.mapRectToScene(0, 0, i.width, i.height)) for i in items]
    return [
        (a, b)
        for n, (a, ra) in enumerate(cards)
        for b, rb in cards[n + 1 :]
        if ra.adjusted(-8, -8, 8, 8).intersects(rb)  # and never closer than 8 units
    ]


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def example_scene(request, qtbot) -> FlowScene:
    document = FlowDocument()
    document.open(request.param)
    return FlowScene(document)


def test_examples_open_with_no_card_over_another(example_scene: FlowScene) -> None:
    assert card_overlaps(example_scene) == []


@pytest.mark.parametrize("engine", ["dot", "built-in"])
def test_auto_layout_puts_no_card_over_another(example_scene: FlowScene, engine: str, monkeypatch) -> None:
    if engine == "built-in":
        monkeypatch.setattr("ivr_studio.flow.dot_layout.dot_program", lambda: None)
    assert example_scene.auto_layout() == engine
    assert card_overlaps(example_scene) == []
