"""A link that reaches far out of view is stroked only where it can be seen, and looks the same: the pieces
kept are the same curve, nothing visible is dropped, and the canvas paints the same pixels as the whole
path would."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from ivr_studio.ui.canvas.curves import (
    MARGIN,
    _sub_cubic,
    link_segments,
    loop_segments,
    visible_segments,
)
from ivr_studio.ui.canvas.link_item import LinkItem
from ivr_studio.ui.canvas.style import current_theme


def point(seg: tuple, t: float) -> tuple[float, float]:
    """The point of a segment at parameter ``t``."""
    if seg[0] == "L":
        return seg[1] + (seg[3] - seg[1]) * t, seg[2] + (seg[4] - seg[2]) * t
    _, x0, y0, x1, y1, x2, y2, x3, y3 = seg
    u = 1 - t
    return (
        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
    )


def samples(segments: list[tuple], step: float = 1.0) -> list[tuple[float, float]]:
    """Points along the segments, about ``step`` apart or closer."""
    out = []
    for seg in segments:
        xs, ys = seg[1::2], seg[2::2]
        count = int(3 * (max(xs) - min(xs) + max(ys) - min(ys)) / step) + 2
        out += [point(seg, k / count) for k in range(count + 1)]
    return out


def test_a_piece_of_a_cubic_is_the_same_curve() -> None:
    rng = random.Random(7)
    for _ in range(200):
        seg = ("C", *(rng.uniform(-5000, 5000) for _ in range(8)))
        t0 = rng.uniform(0, 0.9)
        t1 = rng.uniform(t0 + 0.01, 1.0)
        piece = _sub_cubic(seg, t0, t1)
        for s in (0.0, 0.25, 0.5, 0.9, 1.0):
            px, py = point(piece, s)
            ox, oy = point(seg, t0 + (t1 - t0) * s)
            assert math.isclose(px, ox, abs_tol=1e-6) and math.isclose(py, oy, abs_tol=1e-6)


def test_every_visible_point_of_a_long_link_is_kept_and_little_else() -> None:
    rng = random.Random(3)
    for _ in range(60):
        sx, sy = rng.uniform(0, 3000), rng.uniform(-80_000, 80_000)
        ex, ey = rng.uniform(-100, 2000), rng.uniform(-2000, 2000)
        if rng.random() < 0.5:
            above = min(sy, ey) - rng.uniform(14, 60)
            segments = loop_segments(sx, sy, ex, ey, above)
        else:
            segments = link_segments(sx, sy, ex + 3000, ey)
        left, top = rng.uniform(-500, 1500), rng.uniform(-3000, 1000)
        right, bottom = left + 1400, top + 900
        runs = visible_segments(segments, left, top, right, bottom)
        kept = np.array([p for run in runs for p in samples(run)] or [(math.inf, math.inf)])
        inside = [(x, y) for x, y in samples(segments, 40.0) if left <= x <= right and top <= y <= bottom]
        for x, y in inside[:: max(1, len(inside) // 100)]:
            assert np.hypot(kept[:, 0] - x, kept[:, 1] - y).min() < 2.0, (x, y)
        for run in runs:  # consecutive pieces of a run join up
            for a, b in zip(run, run[1:], strict=False):
                assert (a[-2], a[-1]) == (b[1], b[2])
        # what is kept stays near the rectangle: the long cubics were cut, not kept whole
        for run in runs:
            for seg in run:
                if seg[0] == "C" and seg[2] == seg[4] and seg[6] == seg[8]:
                    assert min(seg[2], seg[8]) >= top - MARGIN - 1e-6
                    assert max(seg[2], seg[8]) <= bottom + MARGIN + 1e-6


def test_a_link_wholly_out_of_view_keeps_nothing() -> None:
    segments = loop_segments(3000.0, 90_000.0, 10.0, 95_000.0, 89_900.0)
    assert visible_segments(segments, 0, 0, 1400, 900) == []


def pixels(image: QImage) -> np.ndarray:
    """The image's red, green and blue, as signed numbers (height × width × 3)."""
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[:, :, :3].astype(int)


def render(scene: QGraphicsScene, source: QRectF, size: tuple[int, int]) -> QImage:
    image = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scene.render(painter, QRectF(0, 0, *size), source)
    painter.end()
    return image


@pytest.mark.parametrize("kind", ["branch", "no_input"])
def test_the_canvas_paints_a_cut_link_as_the_whole_one(qapp, kind: str) -> None:
    """A loop from 60,000 units down back to a card at the top, seen through a screen-sized window where it
    comes in: the pixels are those of stroking the whole path (a dashed "no input" link is drawn whole, so
    its dashes do not shift)."""
    theme = current_theme()
    scene = QGraphicsScene()
    link = LinkItem("far", "exit", kind, "menu_0", theme)
    link.set_ends(QPointF(2400.0, 60_000.0), QPointF(-6.5, 120.0), 40.0)
    scene.addItem(link)
    source = QRectF(-300.0, -200.0, 2000.0, 1250.0)  # 70 %: 1400 × 875 pixels
    cut = render(scene, source, (1400, 875))
    if kind == "branch":
        assert link._seen is not None and link._seen[1].elementCount() < link.path().elementCount()

    whole = QImage(1400, 875, QImage.Format.Format_ARGB32_Premultiplied)
    whole.fill(QColor("white"))
    painter = QPainter(whole)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(0.7, 0.7)
    painter.translate(300.0, 200.0)
    pen, colour = link._resting_look()
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(link.path())
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(link._arrow)
    painter.end()

    a, b = pixels(cut), pixels(whole)
    drawn = int((b != 255).any(axis=2).sum())
    differ = int((np.abs(a - b) > 8).any(axis=2).sum())
    assert drawn > 1000  # the link does cross the window
    assert differ <= drawn // 200, f"{differ} of {drawn} pixels differ"
