"""What a map flagged (an error, a dead end) is a badge on the card — colour and words — and a problem
in the Problems list that takes the user to the card."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from ivr_studio.explore.flowmap import map_to_flow
from ivr_studio.explore.mapper import MapOptions, Mapper
from ivr_studio.flow.ivrflow import save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.runtime import WsgiTransport
from ivr_studio.ui.canvas.map_flag_badge import FLAG_STYLES, badge_rects
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.style import ERROR_COLOUR
from ivr_studio.ui.document import FlowDocument

MENU = b'<Response><Gather numDigits="1" action="/pick"><Say>Press 1 or 2.</Say></Gather></Response>'


def app(environ, start_response):
    if environ["PATH_INFO"] == "/voice":
        body, status = MENU, "200 OK"
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = environ["wsgi.input"].read(length)
        if b"Digits=1" in form:
            body, status = b"<Response><Say>Bye</Say><Hangup/></Response>", "200 OK"
        else:
            body, status = b"database down", "500 Internal Server Error"
    start_response(status, [("Content-Type", "text/xml")])
    return [body]


def mapped(tmp_path: Path) -> Path:
    options = MapOptions(max_states=5, keys="12")
    flow, _ = map_to_flow(Mapper(WsgiTransport(app), "http://menu.local/voice", options).run())
    path = tmp_path / "map.ivrflow"
    save_flow(flow, path)
    return path


def _reddish_pixels(scene: FlowScene, node_id: str) -> int:
    """Pixels of the error badge's red in the strip above the card, rendered as the canvas draws it."""
    card = scene.node_items[node_id]
    strip = QRectF(card.x(), card.y() - 24, card.width, 24)
    image = QImage(int(strip.width()) * 2, int(strip.height()) * 2, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), strip)
    painter.end()
    red = QColor(ERROR_COLOUR)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if abs(c.red() - red.red()) + abs(c.green() - red.green()) + abs(c.blue() - red.blue()) < 30:
                count += 1
    return count


def test_a_mapped_error_node_wears_its_badge(qtbot, tmp_path: Path):
    document = FlowDocument()
    document.open(mapped(tmp_path))
    error = next(n for n in document.flow if n.flags)
    assert error.kind == NodeKind.HANGUP and [f.kind for f in error.flags] == ["error"]
    assert error.flags[0].url == "http://menu.local/pick" and "HTTP 500" in error.flags[0].detail
    scene = FlowScene(document)
    card = scene.node_items[error.id]
    assert card.flags == error.flags
    ((rect, _flag),) = badge_rects(card.width, card.flags)
    assert card.boundingRect().contains(rect)  # drawn inside what the card repaints
    assert FLAG_STYLES["error"][2] == "⚠ error"  # words, not colour alone
    assert _reddish_pixels(scene, error.id) > 150
    plain = next(n for n in document.flow if not n.flags)
    assert _reddish_pixels(scene, plain.id) == 0


def test_the_problems_list_names_the_flag_and_takes_the_user_to_the_card(qtbot, window, tmp_path: Path):
    assert window.open_path(mapped(tmp_path))
    window.problems.refresh()
    flagged = [d for d in window.problems.diagnostics if d.code == "IVR034"]
    error = next(n for n in window.document.flow if n.flags)
    assert [d.node_id for d in flagged] == [error.id]
    assert "http://menu.local/pick with an error: HTTP 500" in flagged[0].message
    row = next(
        window.problems.tree.topLevelItem(i)
        for i in range(window.problems.tree.topLevelItemCount())
        if window.problems.tree.topLevelItem(i).text(2) == "IVR034"
    )
    window.problems.tree.itemClicked.emit(row, 0)
    assert window.scene.selected_node_ids() == [error.id]
    centre = window.scene.node_items[error.id].sceneBoundingRect().center()
    assert window.view.visible_scene_rect().contains(QPointF(centre))


def _flagged_flow(document: FlowDocument) -> None:
    """A flagged menu a little higher than the cards on either side, and a link between those cards that
    must go over it: its shortest way round runs level with the other cards' input ports, just above the
    menu's top edge, where the badges are."""
    from ivr_studio.flow.map_flags import MapFlag
    from ivr_studio.flow.model import Flow, Node
    from ivr_studio.ui.document import new_node

    left = Node("left", NodeKind.SAY, "First", (0.0, -91.0), text="Hello")
    menu = new_node(NodeKind.GATHER, "menu", (340.0, -60.0))
    menu.flags = (MapFlag("error", "http://menu.local/pick", "HTTP 500"), MapFlag("dead_end", "http://x/y"))
    right = Node("right", NodeKind.SAY, "Right", (720.0, -91.0), text="Again")
    left.links["next"] = "right"
    menu.links[menu.branches[0].exit_name] = "left"
    menu.links["no_input"] = "menu"
    right.links["next"] = "left"
    document.replace(Flow("badges", [left, menu, right], start="right"), None)


def test_links_keep_off_the_map_flag_badges(qtbot):
    document = FlowDocument()
    _flagged_flow(document)
    scene = FlowScene(document)
    card = scene.node_items["menu"]
    badges = [
        card.mapRectToScene(rect).adjusted(-1, -1, 1, 1) for rect, _ in badge_rects(card.width, card.flags)
    ]
    assert len(badges) == 2
    for key, link in scene.link_items.items():
        path = link.mapToScene(link.path())
        through = [
            (p.x(), p.y())
            for p in (path.pointAtPercent(i / 600) for i in range(601))
            if any(b.contains(p) for b in badges)
        ]
        assert not through, f"{key} runs through a badge at {through[0]}"
    assert scene.link_items[("left", "next")].route, "it went round the menu (the test's premise)"
    # a loop's plain arc (shown before a big flow's links are routed) passes above the badges too
    start, end, above = FlowScene._ends(card, card, "max_attempts")
    assert above is not None and above + 2 < min(b.top() for b in badges)
