"""Spin boxes and combo boxes that change their value with the mouse wheel only when they have focus.

Qt's own editors take every wheel event that passes over them, so scrolling a long form (the inspector)
silently changes whichever field happens to slide under the pointer. These editors do not take focus from
the wheel; without focus they hand the wheel to the scroll area they sit in, which scrolls. Once the user
has clicked or tabbed into a field, the wheel steps its value as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QComboBox, QDoubleSpinBox, QSpinBox, QWidget


def scroll_instead(widget: QWidget, event: QWheelEvent) -> None:
    """Give ``event`` to the viewport of the scroll area around ``widget`` (none: let it propagate)."""
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    if area is None:
        event.ignore()
        return
    viewport = area.viewport()
    at = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
    moved = QWheelEvent(
        at,
        event.globalPosition(),
        event.pixelDelta(),
        event.angleDelta(),
        event.buttons(),
        event.modifiers(),
        event.phase(),
        event.inverted(),
        event.source(),
    )
    QApplication.sendEvent(viewport, moved)
    event.accept()


class _WheelOnlyWithFocus:
    """Mixed in before a Qt editor class: the wheel changes the value only while the editor has focus."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # the Qt editor class that follows in the MRO
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            scroll_instead(self, event)


class SpinBox(_WheelOnlyWithFocus, QSpinBox):
    """A QSpinBox whose value the wheel changes only while it has focus."""


class ComboBox(_WheelOnlyWithFocus, QComboBox):
    """A QComboBox whose choice the wheel changes only while it has focus."""


class DoubleSpinBox(_WheelOnlyWithFocus, QDoubleSpinBox):
    """A QDoubleSpinBox whose value the wheel changes only while it has focus."""
