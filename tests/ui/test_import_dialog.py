"""File ▸ Import: a Studio flow or TwiML documents open as a new unsaved flow, and the report is shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ivr_studio.interop.report import PLACEHOLDER
from ivr_studio.ui.import_dialog import ImportReportDialog
from ivr_studio.ui.main_window import MainWindow

STUDIO = Path(__file__).resolve().parents[1] / "interop" / "studio" / "support.json"


def test_import_a_studio_flow_from_the_file_menu(window: MainWindow, qtbot, monkeypatch, tmp_path: Path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(STUDIO), ""))
    window.actions_["action_import_studio"].trigger()
    dialog = window.import_report
    assert isinstance(dialog, ImportReportDialog) and dialog.isVisible()
    assert set(window.scene.node_items) == set(window.document.flow.nodes)
    assert "main_menu" in window.scene.node_items and window.document.flow.start == "welcome"
    assert window.document.is_dirty() and window.document.path is None  # saved only when the user says so
    rows = [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]
    assert rows[0].text(0) == PLACEHOLDER and rows[0].text(1) == "widget lookup"
    assert any(r.text(1) == "widget menu_keys" and "folded" in r.text(4) for r in rows)
    assert "1 placeholder," in dialog.summary.text()
    dialog.tree.itemDoubleClicked.emit(rows[0], 0)
    assert window.scene.selected_node_ids() == ["lookup"]
    dialog.grab().save(str(tmp_path / "import-report.png"))
    assert (tmp_path / "import-report.png").stat().st_size > 5000
    dialog.close()


def test_import_twiml_documents_and_a_bad_file(window: MainWindow, qtbot, monkeypatch, tmp_path: Path):
    doc = tmp_path / "welcome.xml"
    doc.write_text("<Response><Say>Hello</Say><Gather action='welcome.xml'/></Response>")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(doc)], ""))
    window.actions_["action_import_twiml"].trigger()
    assert window.document.flow.node("welcome").text == "Hello"
    window.import_report.close()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text: shown.append(text))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    monkeypatch.setattr(window, "maybe_save", lambda: True)
    window.actions_["action_import_studio"].trigger()
    assert shown and "bad.json" in shown[0] and "Nothing was imported" in shown[0]
    assert window.document.flow.node("welcome").text == "Hello"  # the open flow is untouched
