"""Test calls of dynamic flows from the panel, on the real clock: "Call at" picks the branch an Hours node
takes, a back-end stub answers the Look up, the timeline shows each logic step, the call's variables are
shown beside it, and "Save call as test" writes ``at:``, ``tz:`` and the stubs so ``ivr-studio test``
replays it green (in a subprocess). The full path builds the flow in the editor first, through the UI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import QPoint, QRectF, QSizeF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel
from ivr_studio.ui.inspector.assignments_editor import AssignmentsEditor
from ivr_studio.ui.inspector.request_editor import LookupEditor
from ivr_studio.ui.inspector.schedule_editor import HoursEditor

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
REPO = Path(__file__).resolve().parents[3]


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def type_into(line: QLineEdit, text: str) -> None:
    line.setFocus()
    line.selectAll()
    QTest.keyClick(line, Qt.Key.Key_Backspace)
    QTest.keyClicks(line, text)
    QTest.keyClick(line, Qt.Key.Key_Return)


def editor(window, kind: type):
    settle()
    found = [e for e in window.inspector.editors if isinstance(e, kind)]
    assert len(found) == 1, window.inspector.editors
    return found[0]


def drop_on_empty(qtbot, window, node_id: str, exit_name: str, typed: str) -> str:
    """Drag from ``node_id``'s ``exit_name`` port to empty canvas and quick-add ``typed``; the new node's id."""
    view, scene = window.view, window.scene
    src = scene.node_items[node_id]
    view.centerOn(src)
    port = view.mapFromScene(src.exit_port_pos(exit_name))
    view.resetTransform()
    view.scale(0.5, 0.5)
    view.centerOn(src)
    port = view.mapFromScene(src.exit_port_pos(exit_name))
    for offset in (QPoint(150, 0), QPoint(150, 130), QPoint(150, -130), QPoint(40, 180), QPoint(40, -180)):
        empty = port + offset
        room = QRectF(view.mapToScene(empty), QSizeF(300, 220)).translated(-20, -20)  # where the card goes
        if not [i for i in scene.items(room) if i.__class__.__name__ == "NodeItem"]:
            break
    else:
        raise AssertionError("no room on the canvas")
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, port)
    QTest.mouseMove(view.viewport(), empty)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, empty)
    assert view.quick_add.isVisible()
    QTest.keyClicks(view.quick_add.search, typed)
    QTest.keyClick(view.quick_add.search, Qt.Key.Key_Return)
    settle()
    return window.document.flow.node(node_id).links[exit_name]


def drag_link(window, node_id: str, exit_name: str, target: str) -> None:
    view, scene = window.view, window.scene
    src, dst = scene.node_items[node_id], scene.node_items[target]
    view.resetTransform()
    view.scale(0.5, 0.5)  # both cards on screen
    view.centerOn((src.sceneBoundingRect().center() + dst.sceneBoundingRect().center()) / 2)
    assert view.viewport().rect().contains(view.mapFromScene(dst.sceneBoundingRect().center()))
    port = view.mapFromScene(src.exit_port_pos(exit_name))
    to = None
    box = dst.sceneBoundingRect()
    for fx in (0.5, 0.3, 0.7, 0.15, 0.85):
        for fy in (0.2, 0.5, 0.8, 0.1):
            at = view.mapFromScene(box.left() + box.width() * fx, box.top() + box.height() * fy)
            cards = [i for i in view.items(at) if i.__class__.__name__ == "NodeItem"]
            if cards and cards[0] is dst:
                to = at
                break
        if to is not None:
            break
    assert to is not None, "the target card is covered"
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, port)
    QTest.mouseMove(view.viewport(), (port + to) / 2)
    QTest.mouseMove(view.viewport(), to)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, to)
    assert window.document.flow.node(node_id).links[exit_name] == target


def select(window, node_id: str) -> None:
    window.scene.clearSelection()
    window.scene.node_items[node_id].setSelected(True)
    settle()


def nodes_reached(panel: CallPanel) -> list[str]:
    trace = panel.controller.record.trace if panel.controller.record else []
    return [e["node"] for e in trace if e["event"] == "request" and e.get("node")]


def call_and_wait(qtbot, panel: CallPanel) -> None:
    with qtbot.waitSignal(panel.controller.callEnded):
        panel.call_button.click()


def replay(scenario: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    return subprocess.run(
        [sys.executable, "-m", "ivr_studio", "test", str(scenario)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=scenario.parent,
    )


@pytest.fixture
def built(qtbot, window, tmp_path, monkeypatch):
    """The starter flow grown in the editor: Start → Hours (Mon 09:00–17:00 in Berlin) → open: Set
    (vars.greeted = "yes") → Look up (https://crm.example/tier?from=…, keeps tier) → ok: the main menu;
    closed (and failed): Hang up. Saved to a file; the panel calls quickly and without audio."""
    window.call_panel.controller.settings = FAST
    window.resize(1600, 1000)
    settle()
    hours = drop_on_empty(qtbot, window, "start", "next", "hours")
    select(window, hours)
    schedule = editor(window, HoursEditor)
    type_into(schedule.zone.combo.lineEdit(), "Europe/Berlin")
    schedule = editor(window, HoursEditor)
    schedule.findChild(object, "addInterval_mon").click()  # 09:00–17:00
    hangup = drop_on_empty(qtbot, window, hours, "closed", "hang")
    setter = drop_on_empty(qtbot, window, hours, "open", "set")
    select(window, setter)
    assign = editor(window, AssignmentsEditor)
    if not window.document.flow.node(setter).config.assignments:
        assign.add_assignment()
    assign = editor(window, AssignmentsEditor)
    type_into(assign.findChild(QComboBox, "assignName_0").lineEdit(), "greeted")
    type_into(assign.findChild(QLineEdit, "assignValue_0"), "yes")
    lookup = drop_on_empty(qtbot, window, setter, "next", "look")
    select(window, lookup)
    look = editor(window, LookupEditor)
    type_into(look.findChild(QLineEdit, "lookupUrl"), "https://crm.example/tier")
    look.findChild(object, "add_query").click()
    look = editor(window, LookupEditor)
    type_into(look.findChild(QLineEdit, "query_name_0"), "from")
    type_into(look.findChild(QLineEdit, "query_value_0"), "{{ call.from }}")
    look = editor(window, LookupEditor)
    type_into(look.keep.line, "tier")
    drag_link(window, lookup, "ok", "main_menu")
    drag_link(window, lookup, "failed", hangup)
    flow = window.document.flow
    assert flow.node(hours).config.week["mon"][0].start == "09:00"
    assert flow.node(hours).config.zone == "Europe/Berlin"
    assert [(a.name, a.value) for a in flow.node(setter).config.assignments] == [("greeted", "yes")]
    assert flow.node(lookup).config.keep == ("tier",)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        "ivr_studio.ui.main_window.QFileDialog.getSaveFileName",
        lambda *_a, **_k: (str(tmp_path / "dynamic.ivrflow"), ""),
    )
    assert window.save_as()
    return {"hours": hours, "set": setter, "lookup": lookup, "hangup": hangup, "path": tmp_path}


def test_the_full_path_built_called_at_a_time_with_a_stub_saved_and_replayed(qtbot, window, built):
    panel: CallPanel = window.call_panel
    panel.dynamic.call_at.set_at("2026-12-21T10:00", "Europe/Berlin")  # a Monday morning
    panel.show_section("backend")
    stubs = panel.dynamic.stubs
    assert stubs.stub_lookups() == 1  # the Look up's URL, as a pattern
    stubs.table.item(0, 3).setText('{"tier": "gold"}')
    stubs.go_out.setChecked(False)  # nothing leaves the machine
    assert panel.sections["when"][0].text() == "At Mon 21 Dec 2026 10:00 ▾"

    panel.call_button.click()
    qtbot.waitUntil(lambda: "main_menu" in nodes_reached(panel))
    # the Look up's answer follows the request that walked it, as an event of its own: its row shows what
    # was asked once that event is in
    qtbot.waitUntil(lambda: any("GET https://crm" in text for _k, text in panel.timeline.rows()))
    rows = panel.timeline.rows()
    logic = [(kind, text) for kind, text in rows if kind.startswith("◆")]
    assert logic[0] == ("◆ Hours", "“Hours” → open: Mon 2026-12-21 10:00 CET: open (09:00–17:00)")
    assert logic[1] == ("◆ Set", "“Set variables” → next: set greeted")
    assert logic[2][0] == "◆ Look up" and "GET https://crm.example/tier?from=" in logic[2][1]
    assert logic[2][1].endswith('→ 200 {"tier": "gold"} (stub, 0 ms)')
    tier = f"steps.{built['lookup']}.body.tier"
    qtbot.waitUntil(lambda: panel.dynamic.variables.values().get(tier) == "gold")
    shown = panel.dynamic.variables.values()
    assert shown["vars.greeted"] == "yes"
    assert shown[f"steps.{built['lookup']}.status"] == "200"
    assert panel.sections["variables"][1].isVisibleTo(panel)
    with qtbot.waitSignal(panel.controller.callEnded):
        panel.hangup_button.click()

    scenario = panel.save_as_test(built["path"] / "monday.test.yaml")
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert (data["at"], data["tz"]) == ("2026-12-21T10:00", "Europe/Berlin")
    assert data["backend"][0]["json"] == {"tier": "gold"}
    assert data["backend"][-1] == {"url": "*", "fail": "connection"}  # no request went out, none will
    assert "main_menu" in data["calls"][0]["expect_node"]
    done = replay(scenario)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 0 failed" in done.stdout

    # the same flow on a Monday evening: closed, and the saved test says so
    panel.dynamic.call_at.set_at("2026-12-21T20:00", "Europe/Berlin")
    call_and_wait(qtbot, panel)
    assert nodes_reached(panel)[-1] == "(hangup)" or built["hangup"] in nodes_reached(panel)
    assert ("◆ Hours", "“Hours” → closed: Mon 2026-12-21 20:00 CET: outside the opening hours") in (
        panel.timeline.rows()
    )
    evening = panel.save_as_test(built["path"] / "evening.test.yaml")
    assert yaml.safe_load(evening.read_text(encoding="utf-8"))["at"] == "2026-12-21T20:00"
    done = replay(evening)
    assert done.returncode == 0, done.stdout + done.stderr


def test_without_a_stub_and_with_requests_kept_in_the_look_up_fails(qtbot, window, built):
    panel: CallPanel = window.call_panel
    panel.dynamic.call_at.set_at("2026-12-21T10:00", "Europe/Berlin")
    panel.dynamic.stubs.go_out.setChecked(False)
    assert panel.sections["backend"][0].text() == "Back-end: offline ▾"
    call_and_wait(qtbot, panel)
    answer = [text for kind, text in panel.timeline.rows() if kind == "◆ Look up"]
    assert answer and "→ failed: GET https://crm.example/tier" in answer[0]
    assert "no stub answers" in answer[0]
    assert built["hangup"] in nodes_reached(panel) or "(hangup)" in nodes_reached(panel)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 600)])
def test_the_panel_with_its_dynamic_parts_at_a_laptops_size(qtbot, settings, tmp_path, examples_dir, size):
    """The account line (Hours, Decide, Set, Look up) called on a Monday morning with a stub, at 1366×768
    and 1024×600 with "Call at" and "Back-end" unfolded: the canvas keeps room, every part of the panel
    is on screen, and the pictures are kept under the test output (``IVR_STUDIO_SHOTS`` to keep them)."""
    import shutil

    from ivr_studio.ui.main_window import MainWindow

    shutil.copy(examples_dir / "account-line.ivrflow", tmp_path / "account-line.ivrflow")
    window = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(settings=FAST, audio=False, provider=object()),
    )
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.open_path(tmp_path / "account-line.ivrflow")
        dock = window.docks["Test call"]
        dock.show()
        dock.raise_()
        panel: CallPanel = window.call_panel
        qtbot.waitUntil(panel.isVisible)
        panel.dynamic.call_at.set_at("2026-12-21T10:00", "Europe/Berlin")
        panel.show_section("when")
        panel.show_section("backend")
        panel.dynamic.stubs.stub_lookups()
        panel.dynamic.stubs.table.item(0, 3).setText('{"amount": "12.50", "currency": "EUR"}')
        panel.call_button.click()
        qtbot.waitUntil(lambda: "account_menu" in nodes_reached(panel))
        for key in "123456":
            panel.keypad.buttons[key].click()
        qtbot.waitUntil(lambda: "say_balance" in nodes_reached(panel))
        qtbot.waitUntil(lambda: panel.dynamic.variables.values().get("steps.balance.body.amount") == "12.50")
        for part in (panel.dynamic.call_at, panel.dynamic.stubs, panel.dynamic.variables, panel.timeline):
            assert part.isVisible() and part.width() > 150 and part.height() > 20, part.objectName()
            corner = part.mapTo(window, part.rect().bottomRight())
            assert window.rect().contains(corner), part.objectName()
        canvas = window.view.viewport().size()
        assert canvas.height() >= (200 if size[1] >= 768 else 120), canvas
        out = tmp_path / f"dynamic-panel-{size[0]}x{size[1]}.png"
        assert window.grab().save(str(out)) and out.stat().st_size > 20_000
        shots = os.environ.get("IVR_STUDIO_SHOTS")
        if shots:
            shutil.copy(out, Path(shots) / out.name)
        with qtbot.waitSignal(panel.controller.callEnded):
            panel.hangup_button.click()
    finally:
        window.call_panel.controller.shutdown()
        window.document.replace(window.document.flow, window.document.path)
        window.close()
