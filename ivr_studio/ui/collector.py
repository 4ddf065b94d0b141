"""Holding back Python's cyclic garbage collector while a flow is opened and first drawn.

Opening a big flow makes hundreds of thousands of objects that all stay (the model, the cards and links
with their Qt wrappers, the first frame's paths) and almost none that become garbage. The cyclic collector
runs whenever enough new objects have piled up, and each of its full passes walks every object made so far:
opening the 2,000-menu flow ran three of them, 0.25–0.35 s of its 1.2 s. So the open holds the collector
back (:func:`hold`) and lets it go (:func:`release`) on the event-loop turn after the canvas has painted, or
after :data:`LONGEST_HOLD_MS` when nothing paints (a hidden window). Meanwhile objects are still freed as soon as
nothing refers to them — nearly all are; only reference cycles wait for the collector's next pass.
"""

from __future__ import annotations

import gc

#: The longest the collector is held back when no paint lets it go, in milliseconds.
LONGEST_HOLD_MS = 3_000

_held = False


def hold() -> None:
    """Stop the cyclic collector until :func:`release` (unless it was already off: then nothing changes)."""
    global _held
    if not _held and gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Start the collector again if :func:`hold` stopped it; otherwise do nothing."""
    global _held
    if _held:
        _held = False
        gc.enable()


def held() -> bool:
    """True while :func:`hold` keeps the collector stopped."""
    return _held
