"""Where pasted and duplicated cards land: at the offset asked for, or straight below the cards there."""

from __future__ import annotations

from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node
from ivr_studio.flow.overlaps import clear_offset

WIDTH, HEIGHT = 200.0, 100.0


def size(_node: Node) -> tuple[float, float]:
    return WIDTH, HEIGHT


def say(node_id: str, x: float, y: float) -> Node:
    return Node(node_id, NodeKind.SAY, position=(x, y))


def apart(a: tuple[float, float], b: tuple[float, float], gap: float) -> bool:
    return (
        a[0] + WIDTH + gap <= b[0]
        or b[0] + WIDTH + gap <= a[0]
        or a[1] + HEIGHT + gap <= b[1]
        or b[1] + HEIGHT + gap <= a[1]
    )


def test_an_offset_to_a_free_spot_is_kept() -> None:
    flow = Flow("f", [say("a", 0, 0)])
    assert clear_offset(flow, [say("a", 0, 0)], (0.0, 300.0), size) == (0.0, 300.0)


def test_a_copy_over_its_original_goes_just_below_it() -> None:
    flow = Flow("f", [say("a", 0, 0)])
    assert clear_offset(flow, [say("a", 0, 0)], (40.0, 40.0), size, gap=20.0) == (40.0, 120.0)


def test_a_copy_goes_on_down_past_every_card_of_its_column_in_the_way() -> None:
    # a column of cards 10 apart (closer than the gap), and one card in the next column
    column = [say(f"c{i}", 0, i * 110) for i in range(4)]
    flow = Flow("f", [*column, say("beside", 400, 130)])
    dx, dy = clear_offset(flow, [say("c0", 0, 0)], (40.0, 40.0), size, gap=20.0)
    assert dx == 40.0
    landed = (40.0, dy)
    assert all(apart(landed, n.position, 20.0) for n in flow)
    assert dy == 3 * 110 + HEIGHT + 20, "just below the last card in the way, not further"


def test_several_copies_move_together_and_keep_their_shape() -> None:
    flow = Flow("f", [say("a", 0, 0), say("b", 300, 0), say("low", 300, 150)])
    copies = [say("a", 0, 0), say("b", 300, 0)]
    dx, dy = clear_offset(flow, copies, (0.0, 60.0), size, gap=20.0)
    assert (dx, dy) == (0.0, 270.0), "below the card under the second copy"
    for copy in copies:
        moved = (copy.position[0] + dx, copy.position[1] + dy)
        assert all(apart(moved, n.position, 20.0) for n in flow)
