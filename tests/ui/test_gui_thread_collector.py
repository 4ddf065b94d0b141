"""Python's cyclic collector runs on the GUI thread only (``ivr_studio.ui.collector.pace``).

A reference cycle holding a Qt object that the collector destroys in another thread (the call engine's, a
speech model's warm-up, a local web server's request thread) crashes Qt later in the GUI thread's event
loop. In the editor the automatic collector is off and a timer on the GUI thread runs the passes that are
due.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject

from ivr_studio.ui import collector


class Cycle:
    """A Qt object in a reference cycle; notes the thread the collector destroys it in."""

    def __init__(self, deleted_in: list[str]) -> None:
        self.me = self
        self.qt = QObject()
        self.deleted_in = deleted_in

    def __del__(self) -> None:
        self.deleted_in.append(threading.current_thread().name)


def allocate_in_a_thread(n: int) -> list[list[int]]:
    """Make ``n`` new container objects in another thread (kept), enough for the automatic collector to run
    there."""
    kept: list[list[int]] = []
    worker = threading.Thread(target=lambda: kept.extend([i] for i in range(n)), name="busy-worker")
    worker.start()
    worker.join()
    return kept


def test_a_cycle_with_a_qt_object_is_collected_on_the_gui_thread_not_where_objects_were_made(qapp, qtbot):
    collector.pace(qapp)  # as make_app does (a second call changes nothing)
    assert not gc.isenabled() and not collector.held()
    gc.collect()
    deleted_in: list[str] = []
    Cycle(deleted_in)  # garbage at once, but only the collector can free it

    kept = allocate_in_a_thread(gc.get_threshold()[0] * 20)

    assert deleted_in == [], "no pass ran in the worker thread"
    qtbot.waitUntil(lambda: deleted_in != [], timeout=5_000)  # the GUI thread's timer runs the pass due
    assert deleted_in == [threading.main_thread().name]
    del kept


def test_no_pass_runs_while_the_collector_is_held_and_the_due_one_runs_after(qapp):
    collector.pace(qapp)
    deleted_in: list[str] = []
    collector.hold()
    try:
        Cycle(deleted_in)
        many = [[i] for i in range(gc.get_threshold()[0] * 2)]
        assert collector.collect_due() is None and deleted_in == []
    finally:
        collector.release()
    assert collector.collect_due() is not None
    assert deleted_in == [threading.main_thread().name]
    del many
