"""Render the SVG icons in resources/icons to the PNG sizes desktops ask for (hicolor/<size>/<name>.png).

Run after changing an SVG: QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
"""

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = ("ivr-studio", "ivrflow-document")


def main() -> None:
    app = QGuiApplication(sys.argv)  # noqa: F841 - Qt needs an application object to paint
    root = Path(__file__).resolve().parent.parent / "resources" / "icons"
    for name in ICONS:
        renderer = QSvgRenderer(str(root / f"{name}.svg"))
        for size in SIZES:
            image = QImage(size, size, QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter)
            painter.end()
            out = root / "hicolor" / f"{size}x{size}"
            out.mkdir(parents=True, exist_ok=True)
            image.save(str(out / f"{name}.png"))


if __name__ == "__main__":
    main()
