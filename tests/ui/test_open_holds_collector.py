"""Opening a flow holds Python's cyclic garbage collector back until the canvas has painted it.

A big flow's open makes hundreds of thousands of objects that all stay; the collector's full passes over
them took a quarter of the 2,000-menu open. It must come back afterwards, though: a collector left off
would let every reference cycle pile up for the rest of the session.
"""

from __future__ import annotations

import gc
import json

from ivr_studio.ui import collector


def menus_without_positions(n: int) -> dict:
    """``n`` menus in a tree, each choice leading to the next level, as a script writes them."""
    nodes = [
        {
            "id": f"menu_{i}",
            "kind": "gather",
            "title": f"Menu {i}",
            "branches": [{"id": f"b{k}", "keys": str(k)} for k in (1, 2, 3)],
            "links": {f"branch:b{k}": f"menu_{3 * i + k}" for k in (1, 2, 3) if 3 * i + k < n},
        }
        for i in range(n)
    ]
    return {"format": "ivrflow", "version": 1, "name": "Menus", "start": "menu_0", "nodes": nodes}


def test_the_collector_is_held_through_the_open_and_let_go_after_the_first_paint(window, qtbot, tmp_path):
    path = tmp_path / "menus.ivrflow"
    path.write_text(json.dumps(menus_without_positions(60)), encoding="utf-8")
    assert collector.paced()  # the editor's collector runs on the GUI thread's timer
    seen_during_open = []
    window.document.flowReplaced.connect(lambda: seen_during_open.append(collector.held()))
    many = [[i] for i in range(gc.get_threshold()[0] * 2)]  # enough new objects for a pass to be due

    assert window.open_path(path)

    assert seen_during_open == [True]  # the scene was built with the collector held back
    assert collector.held() and collector.collect_due() is None  # no pass, though one is due
    qtbot.waitUntil(lambda: not collector.held(), timeout=collector.LONGEST_HOLD_MS // 2)  # painted, let go
    assert not gc.isenabled(), "the automatic collector stays off: passes run on the GUI thread"
    del many


def test_a_file_that_cannot_be_opened_lets_the_collector_go_at_once(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("ivr_studio.ui.main_window.QMessageBox.critical", lambda *a: shown.append(a[1]))
    path = tmp_path / "broken.ivrflow"
    path.write_text("{ not json", encoding="utf-8")

    assert not window.open_path(path)

    assert shown == ["Could not open the flow"]
    assert not collector.held()
