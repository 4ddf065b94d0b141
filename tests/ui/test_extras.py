"""Export dialog, TwiML highlighting, quick-add by double-click, palette, theme contrast and the CLI entry."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest

from ivr_studio.cli import build_parser
from ivr_studio.flow.kinds import NodeKind, spec_of
from ivr_studio.ui.canvas.palette import NodePalette
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.style import contrast_text, current_theme, luminance
from ivr_studio.ui.canvas.view import FlowView
from ivr_studio.ui.export_dialog import ExportDialog


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_export_runs_in_the_background_and_says_where_it_went(qtbot, document, tmp_path: Path) -> None:
    dialog = ExportDialog(document.flow, tmp_path / "bundle")
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result_path is not None)
    assert (tmp_path / "bundle" / "twiml" / "main_menu.xml").exists()
    assert str(tmp_path / "bundle") in dialog.status.text()
    assert dialog.open_button.isEnabled() and dialog.progress.value() == dialog.progress.maximum()


def test_export_failure_is_reported_and_the_folder_untouched(qtbot, document, tmp_path: Path) -> None:
    busy = tmp_path / "not-a-bundle"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep me")
    dialog = ExportDialog(document.flow, busy)
    qtbot.addWidget(dialog)
    dialog.start()
    qtbot.waitUntil(lambda: "failed" in dialog.status.text())
    assert "not empty" in dialog.status.text()
    assert sorted(p.name for p in busy.iterdir()) == ["mine.txt"]
    assert dialog.export_button.isEnabled()


def test_twiml_preview_is_highlighted(qtbot, document) -> None:
    from ivr_studio.ui.twiml_preview import TwimlPreview

    preview = TwimlPreview(document)
    qtbot.addWidget(preview)
    preview.show_node("welcome")
    assert "<Say" in preview.text.toPlainText() and preview.text.isReadOnly()
    block = preview.text.document().findBlock(preview.text.toPlainText().index("<Say"))
    formats = block.layout().formats()
    assert formats, "tags and attributes are coloured"


def test_double_click_on_empty_canvas_opens_quick_add(qtbot, document) -> None:
    view = FlowView(FlowScene(document))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.centerOn(QPointF(-3000, -3000))
    before = set(document.flow.nodes)
    empty = view.mapFromScene(QPointF(-3000, -3000))
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, empty)
    assert view.quick_add.isVisible()
    QTest.keyClicks(view.quick_add.search, "voicemail")
    QTest.keyClick(view.quick_add.search, Qt.Key.Key_Return)
    added = [document.flow.node(n) for n in set(document.flow.nodes) - before]
    assert len(added) == 1 and added[0].kind == NodeKind.RECORD
    assert abs(added[0].position[0] + 3000) <= 40 and abs(added[0].position[1] + 3000) <= 40


def test_double_click_on_a_title_renames_inline(qtbot, document) -> None:
    view = FlowView(FlowScene(document))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    item = view.flow_scene().node_items["welcome"]
    view.centerOn(item)
    title = view.mapFromScene(item.mapToScene(QPointF(80, 14)))
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, title)
    assert view.rename_edit.isVisible()
    view.rename_edit.selectAll()
    QTest.keyClicks(view.rename_edit, "Hello caller")
    QTest.keyClick(view.rename_edit, Qt.Key.Key_Return)
    assert document.flow.node("welcome").title == "Hello caller"
    assert document.undo_stack.count() == 1


def test_palette_lists_every_kind_and_double_click_asks_to_add(qtbot) -> None:
    palette = NodePalette()
    qtbot.addWidget(palette)
    assert palette.count() == len([k for k in NodeKind if spec_of(k).addable])  # a placeholder is not added
    with qtbot.waitSignal(palette.addRequested) as signal:
        palette.itemDoubleClicked.emit(palette.item(0))
    assert signal.args == ["gather"]
    assert palette.mimeData([palette.item(1)]).data("application/x-ivr-studio-node-kind").data() == b"say"


def test_node_colours_stay_legible_in_light_and_dark_palettes() -> None:
    light = QPalette(QColor("#efefef"))
    dark = QPalette(QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    for palette in (light, dark):
        theme = current_theme(palette)
        for kind in NodeKind:
            assert contrast(theme.header(kind), theme.header_text(kind)) >= 3.0, kind
        assert contrast(theme.card, theme.text) >= 4.5
    assert current_theme(dark).dark and not current_theme(light).dark
    assert contrast_text(QColor("#ffffff")).lightness() < 50


def test_cli_has_an_open_command() -> None:
    args = build_parser().parse_args(["open", "flow.ivrflow"])
    assert args.command == "open" and args.file == Path("flow.ivrflow") and callable(args.func)
    assert build_parser().parse_args(["open"]).file is None


def test_view_hint_shows_on_a_new_flow_only(qtbot) -> None:
    from ivr_studio.ui.document import FlowDocument

    doc = FlowDocument()
    view = FlowView(FlowScene(doc))
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    qtbot.waitExposed(view)
    with_hint = view.grab().toImage()
    doc.add_node("say", (600, 600))
    without_hint = view.grab().toImage()
    strip = [QPoint(x, with_hint.height() - 60) for x in range(100, 700, 3)]
    assert any(with_hint.pixel(p) != without_hint.pixel(p) for p in strip)
