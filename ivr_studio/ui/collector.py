"""Python's cyclic garbage collector in the editor: run on the GUI thread only, and held back while a flow is
opened and first drawn.

A Qt object must be destroyed in the thread it lives in. Python's collector runs whenever enough new
objects have piled up, in whichever thread made the last of them: in the editor that can be the call
engine's, the audio's or a local web server's thread, and a reference cycle holding a Qt object (a closed
window with its panel, a dialog, a timer) is then destroyed there; Qt crashes later, in the GUI thread's
event loop. So the editor turns the automatic collector off and runs the same passes from a timer on the GUI
thread (:func:`pace`): a pass over a generation when its count has passed its threshold, a full pass only
when the objects that reached the oldest generation since the last full pass are a quarter of those it held
then, as CPython decides.

Opening a big flow makes hundreds of thousands of objects that all stay (the model, the cards and links
with their Qt wrappers, the first frame's paths) and almost none that become garbage. The collector's full
passes each walk every object made so far: opening the 2,000-menu flow ran three of them, 0.25–0.35 s of its
1.2 s. So the open holds the collector back (:func:`hold`) and lets it go (:func:`release`) on the event-loop
turn after the canvas has painted, or after :data:`LONGEST_HOLD_MS` when nothing paints (a hidden window).
Meanwhile objects are still freed as soon as nothing refers to them — nearly all are; only reference cycles
wait for the collector's next pass.
"""

from __future__ import annotations

import gc

#: The longest the collector is held back when no paint lets it go, in milliseconds.
LONGEST_HOLD_MS = 3_000
#: How often the GUI thread looks whether a pass is due, in milliseconds.
PACE_MS = 100

_held = False
_timer = None  # the QTimer of pace(), once it is installed
#: objects in the oldest generation just after the last full pass (CPython's "long-lived total")
_long_lived = 0
#: the oldest generation's count when it was last weighed against _long_lived
_weighed_at = 0


def pace(app) -> None:
    """Run the cyclic collector from a timer of ``app`` (the QApplication) on the GUI thread instead of in
    whatever thread allocates; once per process (later calls change nothing)."""
    global _timer, _long_lived
    if _timer is not None:
        return
    from PySide6.QtCore import QTimer

    gc.disable()
    _long_lived = len(gc.get_objects(generation=2))
    _timer = QTimer(app)
    _timer.setObjectName("guiThreadCollector")
    _timer.setInterval(PACE_MS)
    _timer.timeout.connect(collect_due)
    _timer.start()


def paced() -> bool:
    """True once :func:`pace` runs the collector on the GUI thread."""
    return _timer is not None


def collect_due() -> int | None:
    """Run the pass that is due, if any (what the automatic collector would have run by now); returns its
    generation, or None when none was due or the collector is held back."""
    global _long_lived, _weighed_at
    if _held:
        return None
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if thresholds[0] == 0 or counts[0] <= thresholds[0]:  # (set_threshold(0) switches collection off)
        return None
    # the oldest generation is weighed (a walk over it) at most once per threshold[2] passes of the middle one
    if counts[2] > thresholds[2] and counts[2] >= _weighed_at + thresholds[2]:
        _weighed_at = counts[2]
        if len(gc.get_objects(generation=2)) - _long_lived > _long_lived / 4:
            gc.collect(2)
            _long_lived, _weighed_at = len(gc.get_objects(generation=2)), 0
            return 2
    if counts[1] > thresholds[1]:
        gc.collect(1)
        return 1
    gc.collect(0)
    return 0


def hold() -> None:
    """Hold the cyclic collector back until :func:`release` (unless it was already off and not paced by us:
    then nothing changes)."""
    global _held
    if _held:
        return
    if _timer is not None:
        _held = True
    elif gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Let the collector go again if :func:`hold` held it; otherwise do nothing."""
    global _held
    if _held:
        _held = False
        if _timer is None:
            gc.enable()


def held() -> bool:
    """True while :func:`hold` keeps the collector back."""
    return _held
