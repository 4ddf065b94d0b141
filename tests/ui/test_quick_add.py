"""The quick-add box lists the kind whose name matches before kinds whose description mentions the word, shows
every entry whole (no sideways scrolling) and sits above the overview map."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from ivr_studio.flow.kinds import NodeKind, spec_of
from ivr_studio.ui.canvas.quick_add import rank_kinds
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.view import FlowView


def view_for(qtbot, document) -> FlowView:
    view = FlowView(FlowScene(document))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_names_rank_before_descriptions() -> None:
    assert rank_kinds("say")[0] == NodeKind.SAY  # the menu's description says "say something"
    assert NodeKind.GATHER in rank_kinds("say"), "description matches still count"
    assert rank_kinds("hang")[0] == NodeKind.HANGUP
    assert rank_kinds("voicemail")[0] == NodeKind.RECORD
    assert rank_kinds("menu")[0] == NodeKind.GATHER
    assert rank_kinds("transfer")[0] == NodeKind.DIAL
    assert rank_kinds("") == [k for k in NodeKind if spec_of(k).addable]  # not a placeholder
    assert rank_kinds("zebra") == []


def test_typing_say_then_enter_adds_a_say(qtbot, document) -> None:
    view = view_for(qtbot, document)
    before = set(document.flow.nodes)
    view.open_quick_add(view.mapToScene(view.viewport().rect().center()))
    QTest.keyClicks(view.quick_add.search, "say")
    assert view.quick_add.kinds_shown()[0] == "say"
    QTest.keyClick(view.quick_add.search, Qt.Key.Key_Return)
    (added,) = set(document.flow.nodes) - before
    assert document.flow.node(added).kind == NodeKind.SAY


def test_every_entry_is_shown_whole_without_a_horizontal_scrollbar(qtbot, document) -> None:
    view = view_for(qtbot, document)
    box = view.quick_add
    view.open_quick_add(QPointF(0, 0))
    qtbot.waitUntil(box.isVisible)
    lst = box.list
    assert not lst.horizontalScrollBar().isVisible()
    assert lst.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    first = lst.visualItemRect(lst.item(0))
    assert first.top() >= 0, "the first entry starts inside the list, not above it"
    assert first.right() <= lst.viewport().width()
    # each entry's description fits the row it is drawn in
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(lst.font())
    for i in range(lst.count()):
        text = lst.item(i).data(Qt.ItemDataRole.UserRole + 1)
        assert metrics.horizontalAdvance(text) < lst.viewport().width() - 40, text


def test_the_box_is_drawn_above_the_overview_map(qtbot, document) -> None:
    view = view_for(qtbot, document)
    corner = view.minimap.geometry().center()
    view.open_quick_add(view.mapToScene(view.viewport().mapFrom(view, corner)))
    box = view.quick_add
    assert box.geometry().intersects(view.minimap.geometry())
    assert view.childAt(box.geometry().center()) is not view.minimap
    siblings = view.children()
    assert siblings.index(box) > siblings.index(view.minimap) or box.parent() is not view.minimap.parent()


def test_the_box_is_as_tall_as_its_entries(qtbot, document) -> None:
    view = view_for(qtbot, document)
    box = view.quick_add
    view.open_quick_add(QPointF(0, 0))
    QTest.keyClicks(box.search, "say")
    assert len(box.kinds_shown()) == 2
    qtbot.waitUntil(lambda: not box.list.verticalScrollBar().isVisible())
    assert box.list.visualItemRect(box.list.item(1)).bottom() <= box.list.viewport().height()
