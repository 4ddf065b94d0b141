"""The link router keeps links clear of every card: it keeps the plain curve when nothing is in the way and
otherwise finds an orthogonal path round the cards, leaving and entering the ports horizontally."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from menu_trees import menu_tree

from ivr_studio.flow.layout import auto_layout
from ivr_studio.flow.routing import MARGIN, MAX_CARDS, CardIndex, Point, curve_is_clear, polyline_hits, route


def grown(r, by):
    return r[0] - by, r[1] - by, r[2] + by, r[3] + by


def assert_good_route(points, start, end, cards: CardIndex) -> None:
    assert points[0] == start and points[-1] == end
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        assert x0 == x1 or y0 == y1, "orthogonal segments"
    assert points[1][1] == start[1] and points[1][0] > start[0], "leaves the exit port to the right"
    assert points[-2][1] == end[1] and points[-2][0] < end[0], "enters the input port from the left"
    for card_id, rect in cards.rects.items():
        assert not polyline_hits(points, rect), f"passes through {card_id}"
        # between the two short stubs at the ports it keeps its distance from every card, its own too
        assert not polyline_hits(points[1:-1], grown(rect, MARGIN - 1)), f"passes too near {card_id}"


def test_the_index_finds_the_cards_in_a_rectangle() -> None:
    cards = CardIndex(cell=100)
    cards.put("a", (0, 0, 236, 100))
    cards.put("b", (1000, 1000, 1236, 1100))
    assert cards.near((200, 50, 300, 60)) == ["a"]
    assert cards.near((236, 0, 300, 100)) == [], "touching is not overlapping"
    assert cards.near((-5000, -5000, 5000, 5000)) == ["a", "b"]
    cards.put("a", (2000, 0, 2236, 100))  # moved
    assert cards.near((200, 50, 300, 60)) == [] and cards.near((2100, 0, 2101, 1)) == ["a"]
    cards.remove("a")
    assert cards.near((-5000, -5000, 5000, 5000)) == ["b"]


def test_the_plain_curve_is_kept_when_nothing_is_in_the_way() -> None:
    cards = CardIndex()
    cards.put("a", (0, 0, 236, 100))
    cards.put("b", (400, 200, 636, 300))
    assert curve_is_clear((236, 50), (393, 215), cards, ["a", "b"])
    cards.put("x", (280, 100, 350, 160))  # on the curve's way down
    assert not curve_is_clear((236, 50), (393, 215), cards, ["a", "b"])
    assert not curve_is_clear((236, 50), (-7, 15), cards, ["a", "a"]), "a loop is never a plain curve"


def test_a_link_goes_round_a_card_in_its_way() -> None:
    cards = CardIndex()
    cards.put("a", (0, 0, 236, 100))
    cards.put("b", (600, 0, 836, 100))
    cards.put("x", (350, -20, 486, 200))
    start, end = (236.0, 50.0), (593.0, 15.0)
    points = route(start, end, cards, "a", "b")
    assert points is not None
    assert_good_route(points, start, end, cards)
    assert len(points) <= 6, "few corners"


def test_a_loop_goes_round_its_own_card() -> None:
    cards = CardIndex()
    cards.put("menu", (0, 0, 236, 200))
    start, end = (236.0, 150.0), (-7.0, 15.0)
    points = route(start, end, cards, "menu", "menu")
    assert points is not None
    assert_good_route(points, start, end, cards)


def test_past_the_card_limit_only_the_cards_in_the_way_are_searched_round() -> None:
    cards = CardIndex()
    for i in range(30):
        cards.put(f"c{i}", (300.0, i * 120.0, 536.0, i * 120.0 + 90))
    cards.put("a", (0, 0, 236, 100))
    cards.put("b", (700, 3000, 936, 3100))
    for max_cards in (MAX_CARDS, 10, 0):
        points = route((236, 50), (693, 3015), cards, "a", "b", max_cards=max_cards)
        assert points is not None, max_cards
        assert_good_route(points, (236, 50), (693, 3015), cards)


def test_a_long_back_link_goes_round_a_grid_of_cards() -> None:
    """From the bottom right card of a 20 × 20 grid back to the top left one: far more cards than the
    search goes round at once, and every one of them in the way."""
    cards = CardIndex()
    for col in range(20):
        for row in range(20):
            x, y = col * 350.0, row * 160.0
            cards.put(f"c{col}_{row}", (x, y, x + 236, y + 110))
    start, end = (19 * 350.0 + 236, 19 * 160.0 + 60), (-6.5, 15.0)
    assert len(cards.near((end[0], end[1], start[0], start[1]))) > MAX_CARDS
    points = route(start, end, cards, "c19_19", "c0_0")
    assert points is not None
    assert_good_route(points, start, end, cards)
    assert len(points) <= 10, "few corners"


def menu_flow_cards(menus: int) -> tuple[CardIndex, list[tuple[str, str, Point, Point]]]:
    """The cards of ``menus`` menus laid out as the editor lays out a flow without positions (each menu's
    three choices lead to the next level, the last level's back to the main menu, "no input" to itself),
    and each link as (source, target, exit port, input port)."""
    flow = menu_tree(menus)
    width, height = 236.0, 170.0
    positions = auto_layout(flow, lambda node: (width, height))
    cards = CardIndex()
    for node_id, (x, y) in positions.items():
        cards.put(node_id, (x, y, x + width, y + height))
    links = []
    for node in flow:
        x, y = positions[node.id]
        for row, target in enumerate(node.links.values()):
            tx, ty = positions[target]
            links.append((node.id, target, (x + width, y + 70.0 + 24.0 * row), (tx - 6.5, ty + 15.0)))
    return cards, links


def test_every_link_of_a_big_menu_flow_keeps_clear_of_the_cards() -> None:
    cards, links = menu_flow_cards(300)
    assert len(cards.rects) == 300 and len(links) == 1200
    routed = 0
    for source, target, start, end in links:
        if (
            source != target
            and end[0] - start[0] >= 40
            and curve_is_clear(start, end, cards, (source, target))
        ):
            continue  # the plain curve, clear of every card
        points = route(start, end, cards, source, target)
        assert points is not None, f"{source} → {target} found no way round the cards"
        assert_good_route(points, start, end, cards)
        routed += 1
    assert routed >= 900, "the loops and the links back to the main menu go round the cards"


@st.composite
def card_grids(draw):
    """Cards in columns (as a layout makes them), two of them linked from an exit port to an input port."""
    cards = CardIndex()
    ids = []
    for col in range(draw(st.integers(2, 5))):
        y = draw(st.integers(-100, 100))
        for row in range(draw(st.integers(1, 4))):
            h = draw(st.integers(60, 240))
            cards.put(f"c{col}_{row}", (col * 350.0, float(y), col * 350.0 + 236, float(y + h)))
            ids.append(f"c{col}_{row}")
            y += h + draw(st.integers(20, 120))
    source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
    s = cards.rects[source]
    t = cards.rects[target]
    start = (s[2], s[1] + draw(st.integers(40, int(s[3] - s[1]) - 10)))
    end = (t[0] - 6.5, t[1] + 15)
    return cards, source, target, start, end


def test_a_route_along_the_edge_of_its_search_window_keeps_clear_of_a_card_just_outside_it() -> None:
    """The search looks round the cards near the two ports; a card whose top is the window's bottom edge
    used to be left out, and the path ran along that edge, on the card's top (found by the property below)."""
    cards = CardIndex()
    for card_id, rect in {
        "above": (0.0, -3.0, 236.0, 57.0),
        "target": (0.0, 77.0, 236.0, 138.0),
        "below": (0.0, 194.0, 236.0, 254.0),
        "source": (350.0, 40.0, 586.0, 100.0),
        "under source": (350.0, 120.0, 586.0, 180.0),
        "right": (700.0, 0.0, 936.0, 60.0),
        "far right": (1050.0, 0.0, 1286.0, 60.0),
    }.items():
        cards.put(card_id, rect)
    start, end = (586.0, 80.0), (-6.5, 92.0)
    points = route(start, end, cards, "source", "target")
    assert points is not None
    assert_good_route(points, start, end, cards)


@settings(max_examples=60, deadline=None, derandomize=True)  # a fixed set of examples: CI is not left to chance
@given(card_grids())
def test_routes_never_touch_a_card(case) -> None:
    cards, source, target, start, end = case
    points = route(start, end, cards, source, target)
    assert points is not None, "there is always a way round cards laid out in columns"
    assert_good_route(points, start, end, cards)
