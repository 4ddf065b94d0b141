"""Editing in the inspector changes the model through undoable commands; the inspector follows the model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from ivr_studio.ui.inspector.panel import InspectorPanel


def make_panel(qtbot, document, node_id: str) -> InspectorPanel:
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.resize(480, 900)
    panel.show()
    panel.show_node(node_id)
    return panel


def commit_line(qtbot, field, text: str) -> None:
    field.line.setFocus()
    field.line.selectAll()
    QTest.keyClicks(field.line, text)
    QTest.keyClick(field.line, Qt.Key.Key_Return)


def test_title_edit_is_one_undo_step(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    commit_line(qtbot, panel.fields["title"], "Front desk")
    assert document.flow.node("main_menu").title == "Front desk"
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert panel.fields["title"].line.text() == "Main menu"


def test_gather_attributes_have_typed_editors(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    f = panel.fields
    timeout = f["attributes.timeout"].spin
    assert timeout.value() == 5 and timeout.minimum() == -1
    timeout.setValue(9)
    assert document.flow.node("main_menu").attributes["timeout"] == 9
    timeout.setValue(timeout.minimum())  # "Default (5)" removes the attribute
    assert "timeout" not in document.flow.node("main_menu").attributes

    finish = f["attributes.finishOnKey"].combo
    labels = [finish.itemText(i) for i in range(finish.count())]
    assert any("Off" in label for label in labels) and "#" in labels and "A" not in labels
    off = next(i for i, label in enumerate(labels) if "Off" in label)
    finish.activated.emit(off)
    assert document.flow.node("main_menu").attributes["finishOnKey"] == ""

    inputs = f["attributes.input"].combo
    speech = inputs.findData("speech")
    inputs.activated.emit(speech)
    assert document.flow.node("main_menu").attributes["input"] == "speech"

    language = f["attributes.language"].combo
    assert language.findData("en-GB") > 0 and language.findData("xx-XX") < 0

    model = f["attributes.speechModel"].combo
    assert model.findText("phone_call") >= 0 and model.isEditable()


def test_speech_timeout_accepts_auto_or_seconds_only(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    field = panel.fields["attributes.speechTimeout"]
    edit = field.combo.lineEdit()
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, "x7")  # the validator refuses "x"
    assert edit.text() == "7"
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert document.flow.node("main_menu").attributes["speechTimeout"] == 7


def test_bad_hints_are_flagged_inline_with_the_validators_message(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    field = panel.fields["attributes.hints"]
    commit_line(qtbot, field, "ok, " + "x" * 120)
    assert field.message.isVisible()
    assert "longer than 100 characters" in field.message.text()


def test_branch_table_edits_keys_phrases_and_targets(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    editor = panel.branches
    bid, keys, phrases, target = editor.branch_fields[0]
    assert bid == "sales" and keys.line.text() == "1" and phrases.line.text() == "sales, buy, pricing"
    commit_line(qtbot, phrases, "sales,  shop ,")
    assert document.flow.node("main_menu").branch("sales").phrases == ["sales", "shop"]
    target.combo.activated.emit(target.combo.findData("goodbye"))
    assert document.flow.node("main_menu").links["branch:sales"] == "goodbye"
    keys.line.setFocus()
    keys.line.selectAll()
    QTest.keyClicks(keys.line, "5a#")  # letters are not keypad keys
    QTest.keyClick(keys.line, Qt.Key.Key_Return)
    assert document.flow.node("main_menu").branch("sales").keys == "5#"


def test_adding_and_removing_choices_rebuilds_the_table(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "support_menu")
    qtbot.mouseClick(panel.branches.findChild(QPushButton, "addBranch"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.branches.branch_fields) == 3)
    assert document.flow.node("support_menu").branches[-1].keys == "3"
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: len(panel.branches.branch_fields) == 2)


def test_prompt_list_add_edit_reorder_remove(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    qtbot.mouseClick(panel.prompts.findChild(QPushButton, "addPrompt_pause"), Qt.MouseButton.LeftButton)
    prompts = document.flow.node("main_menu").prompts
    assert [p.kind for p in prompts] == ["say", "pause"] and prompts[1].attributes == {"length": 1}
    qtbot.waitUntil(lambda: len(panel.prompts.rows) == 2)
    panel.prompts.rows[1]["length"].spin.setValue(3)
    assert document.flow.node("main_menu").prompts[1].attributes["length"] == 3
    text = panel.prompts.rows[0]["text"].area
    text.setFocus()
    text.moveCursor(text.textCursor().MoveOperation.End)
    count = document.undo_stack.count()
    QTest.keyClicks(text, " Bye")
    assert document.flow.node("main_menu").prompts[0].text.endswith("press 9. Bye")
    assert document.undo_stack.count() == count + 1, "typing is one undo step"
    panel.prompts._move(1, -1)
    assert [p.kind for p in document.flow.node("main_menu").prompts] == ["pause", "say"]
    panel.prompts._remove(0)
    assert [p.kind for p in document.flow.node("main_menu").prompts] == ["say"]


def test_other_kinds_show_their_text_and_attributes(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "to_sales")
    assert panel.fields["text"].line.text() == "+14155550101"
    assert {"attributes.timeout", "attributes.record", "attributes.hangupOnStar"} <= set(panel.fields)
    record = panel.fields["attributes.record"].combo
    record.activated.emit(record.findData("record-from-answer"))
    assert document.flow.node("to_sales").attributes["record"] == "record-from-answer"
    panel.show_node("welcome")
    say = panel.fields["text"].area
    assert say.toPlainText() == "Welcome to Acme."
    commit_voice = panel.fields["attributes.voice"]
    edit = commit_voice.combo.lineEdit()
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, "robot")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert commit_voice.message.isVisible() and "is not a voice" in commit_voice.message.text()


def test_model_changes_show_in_the_inspector(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    document.flow.set_attribute("main_menu", "numDigits", 2)
    assert panel.fields["attributes.numDigits"].spin.value() == 2
    document.flow.set_node_field("main_menu", "max_attempts", 5)
    assert panel.fields["max_attempts"].spin.value() == 5
    document.remove_nodes(["main_menu"])
    qtbot.waitUntil(lambda: panel.node_id is None and panel.fields == {})


def test_no_stray_widget_is_painted_over_the_heading_when_the_kind_changes(qtbot, document) -> None:
    """Say → Hang up used to leave the 'Where the call goes next' box (Hang up has no exits) at the
    top-left corner of the form, painted over the heading."""
    from PySide6.QtWidgets import QWidget

    from ivr_studio.flow.kinds import NodeKind

    panel = make_panel(qtbot, document, "welcome")
    for kind in NodeKind:
        node_id = document.add_node(kind, (0.0, 0.0))
        panel.show_node(node_id)
        qtbot.wait(1)  # deleteLater runs
        body = panel.widget()
        layout = body.layout()
        strays = [
            w
            for w in body.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if w.isVisible() and layout.indexOf(w) < 0
        ]
        assert not strays, f"{kind}: widgets outside the form's layout: {[type(w).__name__ for w in strays]}"
        heading = layout.itemAt(0).widget()
        assert heading.geometry().top() >= 0 and heading.title().startswith(
            document.flow.node(node_id).spec.label
        )


def test_a_widget_a_section_makes_but_does_not_place_is_not_painted(qtbot, document, monkeypatch) -> None:
    """The way the stray label came about: a section builds a widget in the form (here a Hang up's exits box,
    which has no exits to show) and returns nothing. Such a widget must not be painted at the form's
    top-left corner, over the heading."""
    from PySide6.QtWidgets import QLabel, QWidget

    from ivr_studio.flow.kinds import NodeKind
    from ivr_studio.ui.inspector import panel as inspector_panel

    def exits_box_with_no_exits(panel, node, body: QWidget) -> None:
        QLabel("Where the call goes next", body)  # made in the form, never placed in its layout

    sections = dict(inspector_panel.SECTIONS)
    sections[NodeKind.HANGUP] = [*sections[NodeKind.HANGUP], exits_box_with_no_exits]
    monkeypatch.setattr(inspector_panel, "SECTIONS", sections)
    panel = make_panel(qtbot, document, "welcome")
    panel.show_node(document.add_node(NodeKind.HANGUP, (0.0, 0.0)))
    qtbot.wait(1)  # deleteLater runs
    body = panel.widget()
    painted = [
        w.text()
        for w in body.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if w.isVisible() and body.layout().indexOf(w) < 0
    ]
    assert painted == []


def _visible_in(panel, widget) -> bool:
    top_left = widget.mapTo(panel.viewport(), widget.rect().topLeft())
    bottom = top_left.y() + widget.height()
    return top_left.y() >= 0 and bottom <= panel.viewport().height()


def test_add_choice_keeps_the_new_row_in_view(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    panel.resize(420, 360)
    add = panel.branches.findChild(QPushButton, "addBranch")
    panel.ensureWidgetVisible(add)
    for _ in range(3):
        qtbot.mouseClick(panel.branches.findChild(QPushButton, "addBranch"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: len(panel.branches.branch_fields) == len(document.flow.node("main_menu").branches)
        )
        new_id = document.flow.node("main_menu").branches[-1].id
        keys = next(row[1] for row in panel.branches.branch_fields if row[0] == new_id)
        assert _visible_in(panel, keys), "the new choice's row is scrolled out of view"
        assert keys.line.hasFocus(), "the new choice's key field is ready for typing"


def test_rebuilding_the_form_keeps_the_scroll_position(qtbot, document) -> None:
    panel = make_panel(qtbot, document, "main_menu")
    panel.resize(420, 360)
    notes = panel.fields["notes"]
    panel.ensureWidgetVisible(notes)
    position = panel.verticalScrollBar().value()
    assert position > 0
    # a choice removed elsewhere (undo, another panel) rebuilds the form
    node = document.flow.node("main_menu")
    document.remove_branch("main_menu", node.branches[-1].id)
    qtbot.waitUntil(lambda: len(panel.branches.branch_fields) == len(node.branches))
    assert abs(panel.verticalScrollBar().value() - position) < 40


def test_every_examples_form_fits_the_inspector_on_a_laptop_screen(qtbot, window, examples_dir) -> None:
    """At 1366x768 the inspector dock is 250 px wide and its form does not scroll sideways: a form wider than
    that had its right part cut off (a menu's choices lost their "Goes to" and ✕, the prompt buttons their
    last one). Every node of every bundled example must fit, and a form that fits shows each field whole."""
    from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    inspector = window.inspector
    too_wide = []
    for path in sorted(examples_dir.glob("*.ivrflow")):
        window.document.replace(window.document.flow, window.document.path)  # no "save changes?" question
        assert window.open_path(path)
        for node in window.document.flow:
            window.reveal_node(node.id)
            QApplication.processEvents()
            assert inspector.node_id == node.id
            form = inspector.widget()
            if form.minimumSizeHint().width() > inspector.viewport().width():
                too_wide.append(
                    (path.stem, node.id, form.minimumSizeHint().width(), inspector.viewport().width())
                )
                continue
            right = inspector.viewport().width()
            fields = [w for kind in (QLineEdit, QComboBox, QPushButton) for w in form.findChildren(kind)]
            for field in fields:
                if field.isVisible():
                    edge = field.mapTo(inspector.viewport(), field.rect().topRight()).x()
                    assert edge <= right, (path.stem, node.id, type(field).__name__, edge, right)
    assert not too_wide, too_wide
    heading = inspector.widget().layout().itemAt(0).widget()
    assert f"({window.document.flow.node(inspector.node_id).spec.verb})" in heading.toolTip()


def test_a_narrow_inspector_puts_fields_under_their_labels_so_their_values_can_be_read(
    qtbot, document
) -> None:
    """On a 1024x600 screen the inspector starts 266 px wide: beside "Number or SIP address" the title and
    the number were 64 px boxes ("ales team", "+1415555"). A field too narrow to be read beside its label
    goes under it, and every field of the form stays inside the inspector."""
    from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

    panel = make_panel(qtbot, document, "to_sales")
    panel.resize(250, 700)  # the dock's 266 px less its frame
    QApplication.processEvents()
    right = panel.viewport().width()
    for key, text in (("title", "Sales team"), ("text", "+14155550101")):
        line = panel.fields[key].line
        assert line.text() == text
        assert line.width() >= line.fontMetrics().horizontalAdvance(text) + 12, (key, line.width())
    for field in [*panel.widget().findChildren(QLineEdit), *panel.widget().findChildren(QComboBox)]:
        if field.isVisible():
            assert field.mapTo(panel.viewport(), field.rect().topRight()).x() <= right


def test_a_narrow_inspector_gives_a_prompts_text_room_for_a_phrase_per_line(qtbot, document) -> None:
    """The text a caller hears is what a menu's author writes most: at the 1024x600 screen's 266 px, it was
    a 128 px box of two or three words a line. It goes under its label, as wide as the inspector."""
    from PySide6.QtWidgets import QApplication

    panel = make_panel(qtbot, document, "main_menu")
    panel.resize(250, 700)
    QApplication.processEvents()
    area = panel.prompts.rows[0]["text"].editor
    phrase = "Thanks for calling Acme."
    assert area.viewport().width() >= area.fontMetrics().horizontalAdvance(phrase), area.viewport().width()
    assert area.mapTo(panel.viewport(), area.rect().topRight()).x() <= panel.viewport().width()
