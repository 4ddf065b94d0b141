"""State that stays right: recovery remembers the absolute file, New and Open end the previous call, and
"Save as test…" is only offered for a call of the flow that is open."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from silent_speech import SilentRecognizers

from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui import autosave
from ivr_studio.ui.autosave import find_recoveries
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.main_window import MainWindow

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)


def test_a_flow_opened_by_a_relative_path_is_recovered_and_saved_from_another_folder(
    qtbot, settings, tmp_path, monkeypatch, support_line
) -> None:
    work = tmp_path / "project" / "work"
    work.mkdir(parents=True)
    shutil.copy(support_line, work / "my.ivrflow")
    elsewhere = tmp_path / "elsewhere" / "work"
    elsewhere.mkdir(parents=True)
    (elsewhere / "my.ivrflow").write_text("not this one", encoding="utf-8")
    recovery = tmp_path / "recovery"

    monkeypatch.chdir(tmp_path / "project")
    crashed = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=60_000)
    qtbot.addWidget(crashed)
    assert crashed.open_path("work/my.ivrflow")
    crashed.document.set_field("welcome", "title", "Recovered greeting")
    written = crashed.autosaver.autosave()
    crashed.autosaver.stop()  # the editor crashes here
    meta = json.loads(written.with_suffix(".json").read_text(encoding="utf-8"))
    assert Path(meta["original"]).is_absolute()

    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.setattr(autosave, "_process_alive", lambda pid: False)
    asked: list[str] = []

    def recover(_parent, _title, text, *_args, **_kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", recover)
    fresh = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=60_000)
    qtbot.addWidget(fresh)
    assert fresh.offer_recovery()
    # there is a my.ivrflow here too: the question says which folder's file the changes belong to
    assert len(asked) == 1 and str(work) in asked[0] and "my.ivrflow" in asked[0]
    assert fresh.document.path == work / "my.ivrflow"
    assert fresh.save(), "saving the recovered flow works from another folder"
    assert load_flow(work / "my.ivrflow").node("welcome").title == "Recovered greeting"
    assert (elsewhere / "my.ivrflow").read_text(encoding="utf-8") == "not this one"
    fresh.close()


def test_a_relative_recovery_from_an_earlier_version_is_not_saved_over_a_file_in_todays_folder(
    tmp_path, monkeypatch, support_line
) -> None:
    recovery = tmp_path / "recovery"
    recovery.mkdir()
    shutil.copy(support_line, recovery / "my-0123456789.ivrflow")
    (recovery / "my-0123456789.json").write_text(
        json.dumps({"original": "work/my.ivrflow", "pid": 999_999_999}), encoding="utf-8"
    )
    monkeypatch.setattr(autosave, "_process_alive", lambda pid: False)
    (found,) = find_recoveries(recovery)
    assert found.original is None, "where a relative path pointed is unknown: save it with Save As"


def test_recovery_files_live_in_the_one_application_data_folder(monkeypatch, tmp_path) -> None:
    from ivr_studio.paths import user_data_dir
    from ivr_studio.voice.models import default_models_dir

    monkeypatch.delenv("IVR_STUDIO_MODELS_DIR", raising=False)
    assert autosave.default_recovery_dir().parent == user_data_dir() == default_models_dir().parent
    assert user_data_dir().name == "ivr-studio"


def window_with_calls(qtbot, settings, tmp_path) -> MainWindow:
    w = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(settings=FAST, audio=False, provider=SilentRecognizers()),
    )
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_new_ends_the_running_call_and_clears_the_panel(qtbot, settings, tmp_path, support_line) -> None:
    w = window_with_calls(qtbot, settings, tmp_path)
    assert w.open_path(support_line)
    panel = w.call_panel
    panel.start_call()
    qtbot.waitUntil(lambda: w.scene._active is not None)
    assert panel.timeline.topLevelItemCount() > 0

    w.new_flow()
    qtbot.waitUntil(lambda: not panel.controller.running)
    assert panel.controller.record is None
    assert panel.timeline.topLevelItemCount() == 0
    assert w.scene._active is None
    assert not panel.save_button.isEnabled()
    assert not w.actions_["action_save_call_as_test"].isEnabled()
    assert panel.hangup_button.isEnabled() is False
    assert panel.controller.wait(5)
    w.close()


def test_save_as_test_is_not_offered_for_a_call_of_the_previous_flow(
    qtbot, settings, tmp_path, support_line, examples_dir, monkeypatch
) -> None:
    w = window_with_calls(qtbot, settings, tmp_path)
    assert w.open_path(support_line)
    panel = w.call_panel
    panel.start_call()
    qtbot.waitUntil(lambda: panel.controller.running)
    with qtbot.waitSignal(panel.controller.callEnded):
        panel.controller.hang_up()
    assert panel.save_button.isEnabled()
    assert w.actions_["action_save_call_as_test"].isEnabled()

    assert w.open_path(examples_dir / "transfer-voicemail.ivrflow")
    assert not panel.save_button.isEnabled()
    assert not w.actions_["action_save_call_as_test"].isEnabled()
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(tmp_path / "t.yaml"), "")
    )
    assert panel.save_as_test(tmp_path / "old.test.yaml") is None
    assert not (tmp_path / "old.test.yaml").exists()
    w.close()
