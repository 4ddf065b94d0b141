"""A guard against a reference-counting bug of some PySide6 builds on Python < 3.12.

PySide6-Essentials 6.12.0 on CPython 3.11 returns ``None`` (and ``True``/``False``) from wrapped C++ calls
without taking a new reference, as if these objects were immortal, which they only became in Python 3.12.
Every ``QObject.setObjectName()``, ``QWidget.resize()`` or ``Signal.emit()`` then steals one reference, and
after a few thousand calls the interpreter aborts ("deallocating None"), at the latest when it exits.
6.11.x does not do this.

:func:`guard` probes for the bug and, only when it is present, gives these three singletons a huge extra
reference count — which is exactly what Python 3.12 does for them — so the editor and its tests run.
Remove this module once the project no longer allows an affected PySide6 build.
"""

from __future__ import annotations

import ctypes
import sys

_EXTRA = 1 << 40
_applied = False


def leaks_singletons() -> bool:
    """True when calling a void Qt method loses a reference to ``None``."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(16):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 8


def guard() -> bool:
    """Apply the workaround if (and only if) this PySide6 build needs it; returns whether it did."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or not leaks_singletons():
        return _applied
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _EXTRA
    _applied = True
    return True
