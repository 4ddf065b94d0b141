"""Everything that imports Qt: main window, canvas, inspector, undo commands, panels.

Importing this package applies :func:`ivr_studio.ui.qt_compat.guard` (a no-op on sound PySide6 builds).
"""

from ivr_studio.ui.qt_compat import guard as _guard_qt

_guard_qt()
