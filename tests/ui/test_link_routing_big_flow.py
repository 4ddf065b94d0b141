"""Links of a big flow (routed after it is shown, a few milliseconds at a time): once routing is done every
link keeps clear of the cards and of the ports it does not connect to, and the links the user is looking at
are routed before those far away, also after the view moved."""

from __future__ import annotations

import pytest
from menu_trees import menu_tree
from PySide6.QtCore import QRectF

from ivr_studio.flow import routing
from ivr_studio.flow.layout import auto_layout
from ivr_studio.flow.model import Flow
from ivr_studio.flow.routing import curve_is_clear, polyline_hits
from ivr_studio.ui.canvas.link_item import LinkItem
from ivr_studio.ui.canvas.link_router import ROUTE_AT_ONCE_MAX_CARDS
from ivr_studio.ui.canvas.node_item import NodeItem
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.style import METRICS, node_size
from ivr_studio.ui.canvas.view import FlowView
from ivr_studio.ui.document import FlowDocument

MENUS = 300


def menu_flow(menus: int) -> Flow:
    """The tree of menus (tests/menu_trees.py) laid out as the editor lays out a flow that has no positions."""
    flow = menu_tree(menus)
    for node_id, position in auto_layout(flow, node_size).items():
        flow.node(node_id).position = position
    return flow


@pytest.fixture(scope="module")
def big_flow() -> Flow:
    return menu_flow(MENUS)


@pytest.fixture
def view(qtbot, big_flow: Flow) -> FlowView:
    document = FlowDocument()
    document.replace(big_flow, None)
    scene = FlowScene(document)
    assert len(scene.node_items) > ROUTE_AT_ONCE_MAX_CARDS, "routed after it is shown"
    # every link item at once: the editor makes those out of view just after the first frame, which
    # tests/ui/test_links_made_later.py covers; here only the routing's order counts
    scene.build_all_links()
    view = FlowView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.fit_scroll_area()
    return view


def trespasses(scene: FlowScene) -> list[str]:
    """Every link that passes through a card, or over a port it does not connect to (the card grown by the
    port's reach), as drawn: its routed corners, or its plain curve."""
    router = scene.router
    reach = METRICS.port_radius + 1
    problems = []
    for key, link in scene.link_items.items():
        start = link.path().elementAt(0)
        s, e = (start.x, start.y), (link.end_point().x(), link.end_point().y())
        ends = {link.source_id, link.target_id}
        if link.route is None:
            if not curve_is_clear(s, e, router.cards, ends, margin=reach):
                problems.append(f"{key}: its plain curve crosses a card or a port")
            continue
        points = link.route
        assert points[0] == s and points[-1] == e
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        for card_id in router.cards.near(
            (min(xs) - reach, min(ys) - reach, max(xs) + reach, max(ys) + reach)
        ):
            left, top, right, bottom = router.cards.rects[card_id]
            if polyline_hits(points, (left, top, right, bottom)):
                problems.append(f"{key}: through the card {card_id}")
            elif card_id not in ends and polyline_hits(
                points, (left - reach, top - reach, right + reach, bottom + reach)
            ):
                problems.append(f"{key}: over a port of {card_id}")
    return problems


def test_every_link_of_a_big_flow_is_routed_clear_once_routing_is_done(view: FlowView) -> None:
    scene = view.flow_scene()
    scene.build_all_links()  # a big flow's link items may be made after it is shown: they are routed too
    assert len(scene.link_items) == MENUS * 4
    assert scene.router.pending, "the links wait to be routed"
    scene.router.route_pending()
    assert not scene.router.pending
    routed = [link for link in scene.link_items.values() if link.route is not None]
    assert len(routed) >= MENUS * 3, "the loops and the links back to the main menu go round the cards"
    assert trespasses(scene) == []


def routing_order(scene: FlowScene, monkeypatch) -> list[tuple[str, str]]:
    order: list[tuple[str, str]] = []
    plain = scene.route_link

    def recorded(item, now=True):
        if now:
            order.append(item.key)
        plain(item, now)

    monkeypatch.setattr(scene, "route_link", recorded)
    return order


def keys_in(scene: FlowScene, rect: QRectF) -> set[tuple[str, str]]:
    """The links drawn in ``rect``."""
    return {item.key for item in scene.items(rect) if isinstance(item, LinkItem)}


def test_links_in_view_are_routed_first_and_again_after_a_scroll(view: FlowView, monkeypatch) -> None:
    scene = view.flow_scene()
    order = routing_order(scene, monkeypatch)
    waiting = set(scene.router.pending)  # (a slice may have run while the view was shown)
    nodes = scene.nodes_rect()
    view.centerOn(nodes.right() - 500, nodes.top() + nodes.height() * 0.75)
    in_view = keys_in(scene, view.visible_scene_rect()) & waiting
    assert 10 < len(in_view) < len(scene.link_items) / 4
    while in_view - set(order):
        scene.router._work()  # slices of background routing, as the timer runs them
    assert set(order[: len(in_view)]) == in_view, "the links in view are routed first"
    cards = {item.node_id for item in scene.items(view.visible_scene_rect()) if isinstance(item, NodeItem)}
    theirs = {key for key in in_view if key[0] in cards or scene.link_items[key].target_id in cards}
    assert 0 < len(theirs) < len(in_view)
    assert set(order[: len(theirs)]) == theirs, "of those, the links of the cards in view come first"

    # the user scrolls to the top of the flow: what waits there is routed next
    view.centerOn(nodes.right() - 500, nodes.top() + nodes.height() * 0.1)
    waiting_there = keys_in(scene, view.visible_scene_rect()) & scene.router.pending
    assert len(waiting_there) > 10, "links there were still waiting"
    done = len(order)
    scene.router.route_pending()
    assert set(order[done : done + len(waiting_there)]) == waiting_there
    assert not scene.router.pending and sorted(order) == sorted(waiting)


def test_the_long_links_crossing_a_view_far_down_share_their_way_and_keep_clear(
    view: FlowView, monkeypatch
) -> None:
    """Most links drawn across a view 75 % down the flow are links back to the main menu from further down.
    Routed first (the view's links), only a few of them search their own way across the flow; the others
    follow those, and none of them is left crossing a card or a port."""
    scene = view.flow_scene()
    order = routing_order(scene, monkeypatch)
    searched: list[str] = []
    plain = routing._route_lazily

    def counted(*args, **kwargs):
        searched.append("across")
        return plain(*args, **kwargs)

    monkeypatch.setattr(routing, "_route_lazily", counted)
    nodes = scene.nodes_rect()
    view.centerOn(nodes.right() - 500, nodes.top() + nodes.height() * 0.75)
    seen = view.visible_scene_rect()
    in_view = keys_in(scene, seen) & scene.router.pending
    back = {key for key in in_view if scene.link_items[key].target_id == "menu_0"}
    assert len(back) > 20, "links back to the main menu cross the view"
    while in_view - set(order):
        scene.router._work()
    assert set(order[: len(in_view)]) == in_view, "the links in view are routed first"
    assert all(scene.link_items[key].route is not None for key in back)
    assert len(searched) <= len(back) / 4, "the others follow the ways found before them"
    crossing = [
        problem for problem in trespasses(scene) if any(problem.startswith(f"{key}: ") for key in in_view)
    ]
    assert crossing == []
    scene.router.route_pending()  # the rest, so no slice runs after the test
    assert not scene.router.pending and trespasses(scene) == []
