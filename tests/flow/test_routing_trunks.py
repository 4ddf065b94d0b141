"""Links across a big flow to one port share the way there: the first finds its own path round the cards, the
next ones search only round their own exit for the way onto the paths found before and follow them. Every
path still keeps clear of every card and of the ports it does not connect to."""

from __future__ import annotations

from test_routing import assert_good_route, menu_flow_cards

from ivr_studio.flow.orthogonal import BEND_COST
from ivr_studio.flow.routing import MARGIN, CardIndex, Point, curve_is_clear, route
from ivr_studio.flow.trunks import Trunk


def common_tail(a: list[Point], b: list[Point]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def back_links(cards: CardIndex, links, target: str) -> list[tuple[str, Point, Point]]:
    """The links to ``target`` that cannot keep their plain curve (routed round the cards)."""
    return [
        (source, start, end)
        for source, to, start, end in links
        if to == target
        and source != target
        and not (end[0] - start[0] >= 40 and curve_is_clear(start, end, cards, (source, target)))
    ]


def test_the_links_back_to_the_main_menu_follow_the_paths_found_before_them() -> None:
    cards, links = menu_flow_cards(300)
    back = back_links(cards, links, "menu_0")
    assert len(back) > 500
    paths = []
    for source, start, end in back:
        points = route(start, end, cards, source, "menu_0")
        assert points is not None, f"{source} → menu_0 found no way round the cards"
        assert_good_route(points, start, end, cards)
        paths.append(points)
    trunk = cards.shared[("menu_0", back[0][2], MARGIN)]
    assert isinstance(trunk, Trunk)
    # each link's own corners, before it meets the way of a link routed before it: a search of its own
    # across the flow has many, a link that joins the others has the few round its own exit
    own = [min(len(p) - common_tail(p, q) for q in paths[:k]) for k, p in enumerate(paths) if k]
    assert sum(1 for n in own if n <= 2) >= 0.85 * len(own)
    # the tree holds every path's own part, not every path's whole length again
    assert len(trunk.points) < 2 * len(paths)


def test_a_link_joins_the_way_of_a_link_to_the_same_port_round_a_card_in_between() -> None:
    """Two sources stacked right of a wall of cards, the port far to the left: the second link reaches the
    first one's path without crossing the card put between its exit and that path."""
    cards = CardIndex()
    for row in range(30):  # a wall of cards between the sources and the port: more than a search goes round
        cards.put(f"wall{row}", (400.0, row * 130.0, 636.0, row * 130.0 + 100))
    cards.put("port", (0.0, 3000.0, 236.0, 3100.0))
    cards.put("a", (800.0, 0.0, 1036.0, 100.0))
    cards.put("b", (800.0, 300.0, 1036.0, 400.0))
    cards.put("block", (1080.0, 200.0, 1180.0, 500.0))  # right of b's exit, where the way down would run
    end = (-6.5, 3015.0)
    first = route((1036.0, 50.0), end, cards, "a", "port")
    assert first is not None
    assert_good_route(first, (1036.0, 50.0), end, cards)
    trunk = cards.shared[("port", end, MARGIN)]
    before = len(trunk.points)
    second = route((1036.0, 350.0), end, cards, "b", "port")
    assert second is not None
    assert_good_route(second, (1036.0, 350.0), end, cards)
    assert len(trunk.points) > before, "the second link's own part joined the tree"
    assert common_tail(second, first) >= 3, "it follows the first link's way to the port"


def test_a_card_moved_or_removed_drops_the_shared_paths() -> None:
    cards, links = menu_flow_cards(60)
    for source, start, end in back_links(cards, links, "menu_0")[:5]:
        route(start, end, cards, source, "menu_0")
    assert cards.shared
    cards.put("menu_5", cards.rects["menu_5"])  # filed again where it is: nothing changed
    assert cards.shared
    left, top, right, bottom = cards.rects["menu_5"]
    cards.put("menu_5", (left, top + 40, right, bottom + 40))
    assert not cards.shared, "a path found before may now run through the moved card"
    for source, start, end in back_links(cards, links, "menu_0")[:5]:
        route(start, end, cards, source, "menu_0")
    assert cards.shared
    cards.remove("menu_7")
    assert not cards.shared


def test_the_tree_knows_what_the_way_on_costs_from_every_corner() -> None:
    trunk = Trunk((0.0, 0.0))
    trunk.add([(500.0, 300.0), (-14.0, 300.0), (-14.0, 0.0), (0.0, 0.0)])  # west, north, east into the port
    corner = trunk.points.index((500.0, 300.0))
    assert trunk.rest[corner] == 514 + 300 + 14 + 2 * BEND_COST
    assert trunk.path_from(corner, (400.0, 300.0)) == [
        (400.0, 300.0),
        (-14.0, 300.0),
        (-14.0, 0.0),
        (0.0, 0.0),
    ]
    # a second path reaching the first one's way north at (-14, 100): only its own part is added
    trunk.add([(300.0, 100.0), (-14.0, 100.0)], via=trunk.points.index((-14.0, 300.0)))
    joined = trunk.points.index((300.0, 100.0))
    assert trunk.rest[joined] == 314 + BEND_COST + 100 + BEND_COST + 14
    assert trunk.path_from(joined, (300.0, 100.0)) == [
        (300.0, 100.0),
        (-14.0, 100.0),
        (-14.0, 0.0),
        (0.0, 0.0),
    ]
    assert trunk.stretches_in((250.0, 90.0, 260.0, 110.0)) == [joined]
    assert trunk.stretches_in((-20.0, 1.0, -10.0, 2.0)) == [trunk.points.index((-14.0, 300.0))], (
        "the stub not"
    )
