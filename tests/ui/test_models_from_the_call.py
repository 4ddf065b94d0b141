"""Getting a speech model from where it is missed: the test-call panel's notice and the Call menu.

Set ``IVR_SHOTS=/some/dir`` to choose where the panel's pictures go (default /tmp/ivr-shots).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_server import SPANISH
from PySide6.QtCore import Qt

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.models_dialog import ModelsDialog

SHOTS = Path(os.environ.get("IVR_SHOTS", "/tmp/ivr-shots"))
FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
NOTICE = "No speech model is installed for es-US. Install one with: ivr-studio models download es-US"

SPANISH_FLOW = {
    "format": "ivrflow",
    "version": 1,
    "name": "Mesa de ayuda",
    "start": "menu",
    "nodes": [
        {
            "id": "menu",
            "kind": "gather",
            "title": "Menú",
            "attributes": {"input": "speech", "language": "es-US", "hints": "ventas, soporte", "timeout": 8},
            "prompts": [
                {"kind": "say", "text": "Diga ventas o soporte.", "attributes": {"language": "es-US"}}
            ],
            "branches": [{"id": "sales", "phrases": ["ventas"]}],
            "max_attempts": 1,
            "links": {"branch:sales": "bye"},
        },
        {"id": "bye", "kind": "say", "title": "Adiós", "text": "Adiós."},
    ],
}

pytestmark = pytest.mark.usefixtures("models_dir")  # never the user's own models folder


@pytest.fixture
def panel(qtbot, tmp_path) -> Iterator[CallPanel]:
    flow_file = tmp_path / "mesa.ivrflow"
    flow_file.write_text(json.dumps(SPANISH_FLOW), encoding="utf-8")
    document = FlowDocument()
    document.open(flow_file)
    p = CallPanel(document, controller=CallController(settings=FAST, audio=False))
    qtbot.addWidget(p)
    p.resize(900, 420)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.controller.shutdown()
    for dialog in p.findChildren(ModelsDialog):
        dialog.shutdown()
        dialog.close()


def test_only_a_missing_model_notice_offers_get_model(qtbot, panel, model_site):
    strip = panel.strip
    panel.show_missing_model("es-US", NOTICE)
    assert strip.notice.isVisible() and strip.notice_action.isVisible()
    assert strip.notice_action.text() == "Get model…" and "es-US" in strip.notice_action.toolTip()
    assert "Choose Get model… to install one" in strip.notice.text() and strip.notice.toolTip() == NOTICE
    panel.show_notice("The microphone could not be opened: device busy")
    assert strip.notice.isVisible() and not strip.notice_action.isVisible()
    assert (
        strip.notice.text() == "The microphone could not be opened: device busy"
        and not strip.notice.toolTip()
    )
    panel.show_missing_model("es-US", NOTICE)

    qtbot.mouseClick(strip.notice_action, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(ModelsDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.current_row().name == SPANISH, "opened on the missing language's row"
    assert dialog.message.text().startswith("Speech prompts in es-US need a speech model. Choose Download")
    assert dialog.manager.root == panel.controller.provider.models.root, "the models the call uses"

    qtbot.mouseClick(strip.notice_action, Qt.MouseButton.LeftButton)
    assert panel.findChildren(ModelsDialog) == [dialog], "one dialog, shown again"


def test_a_call_that_misses_a_model_leads_to_it(qtbot, panel, model_site, models_dir):
    panel.start_call()
    qtbot.waitUntil(lambda: panel.strip.notice_action.isVisible())
    assert panel.strip.notice.text().startswith(
        "No speech model is installed for es-US: what the caller says"
    )
    assert panel.strip.notice.toolTip().startswith(
        "No speech model is installed for es-US. Install one with:"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert panel.grab().save(str(SHOTS / "call-panel-missing-model.png"))
    with qtbot.waitSignal(panel.controller.callEnded):
        panel.hangup_button.click()

    qtbot.mouseClick(panel.strip.notice_action, Qt.MouseButton.LeftButton)
    dialog = panel.findChild(ModelsDialog)
    with qtbot.waitSignal(dialog.downloadEnded) as ended:
        qtbot.mouseClick(dialog.download_button, Qt.MouseButton.LeftButton)
    assert ended.args == ["installed"]
    assert (models_dir / "es-ES" / SPANISH / "am" / "final.mdl").is_file()
    assert panel.controller.provider.models.find("es-US") is not None
    assert (
        panel.strip.notice.text()
        == "A speech model for es-US is installed; speech prompts from now on use it."
    )
    assert not panel.strip.notice_action.isVisible()
    assert panel.strip.notice.property("tone") == "info", "good news is not shown in the warning colour"
    strip = panel.strip
    qtbot.waitUntil(lambda: strip.notice.width() > strip.width() - 20)  # the notice takes the button's room
    assert panel.grab().save(str(SHOTS / "call-panel-model-installed.png"))


def test_the_call_menu_opens_speech_models(qtbot, window):
    action = window.actions_["action_speech_models"]
    assert action in window.call_menu.actions()
    action.trigger()
    dialog = window.findChild(ModelsDialog)
    assert dialog is not None and dialog.isVisible() and dialog.parent() is window
    dialog.statusMessage.emit("Installed something")
    assert window.statusBar().currentMessage() == "Installed something"
    dialog.close()
    action.trigger()
    assert window.findChildren(ModelsDialog) == [dialog] and dialog.isVisible()
    dialog.close()
