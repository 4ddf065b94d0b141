"""The main window's size and dock layout, remembered per screen.

A laptop's 1366×768 panel and a 27-inch monitor want different layouts: the docks a user sized on one
would swallow the canvas on the other. So the window geometry and dock state are saved under the size of
the screen the window is on (``layout/1366x768/state`` …), restored from that screen's entry when the
editor starts there, and swapped when the window moves to another screen. A screen seen for the first time
gets a layout in proportion to it: side docks and the bottom dock take a share of the screen, so the canvas
keeps most of it even at 1024×600.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDockWidget, QMainWindow

LEGACY_KEYS = ("window/geometry", "window/state")


@dataclass(frozen=True)
class DefaultLayout:
    """Sizes for a screen seen for the first time (pixels)."""

    window: QSize
    palette_width: int
    inspector_width: int
    bottom_height: int


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, value)))


def default_layout(screen: QSize) -> DefaultLayout:
    """The first layout on a screen of ``screen`` size (its available area)."""
    width, height = screen.width(), screen.height()
    return DefaultLayout(
        window=QSize(min(1400, int(width * 0.94)), min(880, int(height * 0.92))),
        palette_width=_clamp(width * 0.12, 170, 200),
        inspector_width=_clamp(width * 0.26, 250, 420),
        bottom_height=_clamp(height * 0.28, 170, 280),
    )


def screen_key(screen: QScreen | None) -> str:
    """The settings key of a screen: its available size, e.g. ``1366x768``."""
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return "unknown"
    size = screen.availableGeometry().size()
    return f"{size.width()}x{size.height()}"


class LayoutMemory:
    """Saves and restores ``window``'s geometry and docks per screen in ``settings``.

    ``docks`` names the palette, inspector and bottom docks the default layout sizes. The window calls
    :meth:`restore` once its docks exist, :meth:`save` when it closes, and :meth:`screen_changed` when it
    moves to another screen.
    """

    def __init__(self, window: QMainWindow, settings: QSettings, docks: dict[str, QDockWidget]) -> None:
        self.window, self.settings, self.docks = window, settings, docks
        self.key = self.current_key()

    def current_key(self) -> str:
        return screen_key(self.window.screen())

    def _value(self, name: str) -> object:
        return self.settings.value(f"layout/{self.key}/{name}")

    def restore(self) -> bool:
        """Apply this screen's saved layout (or, once, the single layout older versions saved); otherwise
        the default for the screen. True when a saved layout was used."""
        geometry, state = self._value("geometry"), self._value("state")
        if geometry is None and state is None and not self.settings.value("layout/migrated"):
            geometry, state = (self.settings.value(k) for k in LEGACY_KEYS)
            self.settings.setValue("layout/migrated", True)
        if geometry is None and state is None:
            self.apply_default()
            return False
        self.apply_default()  # a base for whatever the saved state does not cover
        if geometry is not None:
            self.window.restoreGeometry(geometry)
        if state is not None:
            self.window.restoreState(state)
        return True

    def apply_default(self) -> None:
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        size = screen.availableGeometry().size() if screen is not None else QSize(1400, 900)
        layout = default_layout(size)
        self.window.resize(layout.window)
        side = [d for d in (self.docks.get("Palette"), self.docks.get("Inspector")) if d is not None]
        widths = [layout.palette_width, layout.inspector_width][: len(side)]
        if side:
            self.window.resizeDocks(side, widths, Qt.Orientation.Horizontal)
        bottom = [
            d
            for d in self.docks.values()
            if self.window.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea
        ]
        if bottom:
            self.window.resizeDocks(bottom[:1], [layout.bottom_height], Qt.Orientation.Vertical)

    def save(self) -> None:
        """Remember the layout for the screen the window is on."""
        self.settings.setValue(f"layout/{self.key}/geometry", self.window.saveGeometry())
        self.settings.setValue(f"layout/{self.key}/state", self.window.saveState())
        self.settings.sync()

    def screen_changed(self) -> None:
        """The window moved to another screen: keep the old screen's layout, and use the new screen's
        docks if it has some (the window keeps the size the user is dragging it at)."""
        new_key = self.current_key()
        if new_key == self.key:
            return
        self.save()
        self.key = new_key
        state = self._value("state")
        if state is not None:
            self.window.restoreState(state)
