"""The mouse wheel scrolls the inspector; it changes a spin box or combo box only once the field has focus."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from ivr_studio.ui.inspector.panel import InspectorPanel


def wheel(widget: QWidget, notches: int = -1) -> None:
    """Turn the wheel over the middle of ``widget`` (negative: towards the user, i.e. scroll down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def inspector(qtbot, document, node_id: str) -> InspectorPanel:
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.resize(420, 300)  # short: the form scrolls
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_node(node_id)
    return panel


def test_wheel_over_an_unfocused_spin_box_scrolls_the_form_and_keeps_the_value(qtbot, document) -> None:
    panel = inspector(qtbot, document, "main_menu")
    attempts = panel.fields["max_attempts"].spin
    before = attempts.value()
    panel.ensureWidgetVisible(attempts)
    scroll = panel.verticalScrollBar()
    scroll.setValue(scroll.value() - 40)  # leave room to scroll down further
    position = scroll.value()

    wheel(attempts, -1)

    assert attempts.value() == before, "Max attempts changed under the wheel while scrolling"
    assert document.flow.node("main_menu").max_attempts == before
    assert document.undo_stack.count() == 0
    assert scroll.value() > position, "the wheel scrolls the inspector instead"


def test_wheel_over_an_unfocused_combo_box_keeps_the_choice(qtbot, document) -> None:
    panel = inspector(qtbot, document, "main_menu")
    combo = panel.fields["attributes.input"].combo
    panel.ensureWidgetVisible(combo)
    chosen = combo.currentIndex()
    wheel(combo, -1)
    wheel(combo, 1)
    wheel(combo, 1)
    assert combo.currentIndex() == chosen
    assert document.undo_stack.count() == 0


def test_wheel_changes_a_field_that_has_focus(qtbot, document) -> None:
    panel = inspector(qtbot, document, "main_menu")
    attempts = panel.fields["max_attempts"].spin
    panel.ensureWidgetVisible(attempts)
    before = attempts.value()
    attempts.setFocus()
    qtbot.waitUntil(attempts.hasFocus)
    wheel(attempts, 1)
    assert attempts.value() == before + 1
    assert document.flow.node("main_menu").max_attempts == before + 1


def test_the_wheel_does_not_give_focus(qtbot, document) -> None:
    panel = inspector(qtbot, document, "main_menu")
    spin = panel.fields["max_attempts"].spin
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus, (
        "Qt's default, WheelFocus, lets the wheel take focus"
    )
