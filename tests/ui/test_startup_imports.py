"""Start-up stays light: when the editor's window first paints with an example open, none of the heavy
modules the first frame does not need have been imported — the graph library and the validator, the call
engine, the audio and speech code, the exporter and the handler app. They load right after, and the work
that needs them (checking the flow, probing the audio devices) still happens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "support-line.ivrflow"

#: Modules the first frame must not wait for (third-party packages by their top-level name).
NOT_AT_FIRST_FRAME = (
    "networkx",
    "numpy",
    "lxml",
    "flask",
    "werkzeug",
    "twilio",
    "yaml",
    "sounddevice",
    "vosk",
    "pocketsphinx",
    "soxr",
    "miniaudio",
    "webrtcvad",
    "espeakng_loader",
    "ivr_studio.flow.validate",
    "ivr_studio.flow.layout",
    "ivr_studio.flow.graph",
    "ivr_studio.runtime.engine",
    "ivr_studio.runtime.live",
    "ivr_studio.voice.devices",
    "ivr_studio.voice.models",
    "ivr_studio.voice.dtmf",
    "ivr_studio.bundle.export",
    "ivr_studio.bundle.handler",
    "ivr_studio.bundle.coverage",
    "ivr_studio.ui.models_dialog",
    "ivr_studio.ui.export_dialog",
)

CHILD = r"""
import json, sys, tempfile
from pathlib import Path
from ivr_studio.ui.app import make_app
app = make_app()
from PySide6.QtCore import QEvent, QObject, QSettings
from ivr_studio.ui.main_window import MainWindow

first = {}
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "modules" not in first:
            first["modules"] = sorted(sys.modules)
        return False

tmp = Path(tempfile.mkdtemp())
window = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat), recovery_dir=tmp / "r")
watch = FirstPaint()
window.view.viewport().installEventFilter(watch)
window.open_path(sys.argv[1])
window.show()
while "modules" not in first:
    app.processEvents()
while window.problems.checking or window.call_panel.strip.devices.text() == "Audio: …":
    app.processEvents()
window.warm_up.join(60)
import os
print(json.dumps({
    "modules": first["modules"],
    "problems": window.problems_label.text(),
    "audio": window.call_panel.strip.devices.text(),
    "nodes": len(window.document.flow),
    "engine_after": "ivr_studio.runtime.engine" in sys.modules,
}))
sys.stdout.flush()
os._exit(0)  # PortAudio's own exit is not what this test is about
"""


def first_frame() -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(EXAMPLE)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_first_frame_does_not_wait_for_heavy_modules() -> None:
    seen = first_frame()
    loaded = set(seen["modules"])
    assert seen["nodes"] == 12, "the example was open when the window first painted"
    assert "ivr_studio.ui.main_window" in loaded and "PySide6.QtWidgets" in loaded
    early = [m for m in NOT_AT_FIRST_FRAME if m in loaded]
    assert early == [], f"imported before the first frame: {early}"
    # ... and the deferred work still happened right after it
    assert seen["problems"] == "No problems"
    assert seen["engine_after"], "the call engine is loaded in the background for the first call"
    assert seen["audio"] in ("Audio: none", "Audio: headset ▾"), "the audio devices were probed"
