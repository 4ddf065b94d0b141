"""The finishing touches: the Problems message column, a wrapping TwiML preview, telling recent files apart,
the record beep in the timeline, an idle status strip without empty boxes, and absolute folders in hints
and dialogs."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QPlainTextEdit
from silent_speech import SilentRecognizers

from ivr_studio.ui.call.status_strip import StatusStrip
from ivr_studio.ui.call.timeline import CallTimeline, describe
from ivr_studio.ui.problems import ProblemsPanel
from ivr_studio.ui.recent import add_recent, folder_label, menu_label
from ivr_studio.ui.twiml_preview import TwimlPreview


def test_problems_message_column_takes_the_free_width(qtbot, document) -> None:
    document.set_attribute("main_menu", "hints", "x" * 150)
    panel = ProblemsPanel(document)
    qtbot.addWidget(panel)
    panel.resize(1200, 200)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    tree = panel.tree
    header = tree.header()
    free = tree.viewport().width()
    assert header.sectionSize(0) + header.sectionSize(1) + header.sectionSize(2) >= free - 2
    assert header.sectionSize(0) > free * 0.6, "the message gets most of the width"
    panel.resize(1600, 200)
    qtbot.waitUntil(lambda: header.sectionSize(0) > 1000)


def test_twiml_preview_wraps_long_lines(qtbot, document) -> None:
    document.set_field("welcome", "text", "A very long greeting " * 20)
    preview = TwimlPreview(document)
    qtbot.addWidget(preview)
    preview.resize(400, 300)
    preview.show()
    qtbot.waitExposed(preview)
    preview.show_node("welcome")
    text = preview.text
    assert text.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    assert not text.horizontalScrollBar().isVisible()
    block = text.document().findBlock(text.toPlainText().index("A very long"))
    assert block.layout().lineCount() > 1, "the long line is wrapped"


def test_open_recent_tells_two_files_of_the_same_name_apart(window, tmp_path, support_line) -> None:
    a = tmp_path / "acme" / "support.ivrflow"
    b = tmp_path / "globex" / "support.ivrflow"
    for path in (a, b):
        path.parent.mkdir()
        shutil.copy(support_line, path)
        add_recent(window.settings, path)
    window.refresh_recent_menu()
    labels = [action.text() for action in window.recent_menu.actions()]
    assert labels[0] != labels[1]
    assert "globex" in labels[0] and "acme" in labels[1]
    assert all("support.ivrflow" in label for label in labels)


def test_recent_labels_shorten_home_and_long_paths() -> None:
    home = Path.home()
    assert folder_label(home / "work") == "~/work"
    long = home / "projects" / "clients" / "acme-corporation" / "phone" / "menus" / "2026" / "spring"
    label = folder_label(long)
    assert len(label) <= 48 and label.startswith("~/") and label.endswith("2026/spring")
    assert menu_label(0, Path("/srv/R&D/a.ivrflow")) == "&1 a.ivrflow — /srv/R&&D"


def test_the_record_beep_is_shown_as_beep() -> None:
    beep = {"t": 3.0, "event": "play", "url": None, "loop": 1, "duration": 0.5, "digits": None}
    assert describe(beep) == ("Play", "beep")
    timeline = CallTimeline()
    timeline.add_event(beep)
    assert "None" not in timeline.rows()[0][1]
    timeline.deleteLater()


def test_an_idle_status_strip_has_no_unlabelled_empty_boxes(qtbot) -> None:
    strip = StatusStrip()
    qtbot.addWidget(strip)
    strip.set_devices("Audio: none", available=False)
    strip.show()
    qtbot.waitExposed(strip)
    assert not strip.countdown.isVisible() and not strip.level.isVisible()
    assert not strip.mic_label.isVisible(), "no microphone to speak of"
    strip.set_countdown("timeout", 2.0, 5.0)
    assert strip.countdown.isVisible() and "timeout" in strip.countdown.format()
    strip.set_countdown(None)
    assert not strip.countdown.isVisible()
    strip.set_devices("Audio: headset ▾", available=True)
    strip.set_microphone(True)
    assert strip.level.isVisible() and strip.mic_label.isVisible()
    strip.set_microphone(False)
    assert not strip.level.isVisible()


def test_export_defaults_next_to_the_flow_file_as_an_absolute_folder(
    window, tmp_path, monkeypatch, support_line
) -> None:
    (tmp_path / "work").mkdir()
    shutil.copy(support_line, tmp_path / "work" / "acme.ivrflow")
    monkeypatch.chdir(tmp_path)
    assert window.open_path("work/acme.ivrflow")
    folder = window.default_export_folder()
    assert folder == tmp_path / "work" / "acme-bundle" and folder.is_absolute()
    window.new_flow()
    assert window.default_export_folder().is_absolute()


def test_saved_as_test_hint_names_the_folder(qtbot, tmp_path, monkeypatch, support_line) -> None:
    from ivr_studio.runtime.settings import RuntimeSettings
    from ivr_studio.ui.call.controller import CallController
    from ivr_studio.ui.call.panel import CallPanel
    from ivr_studio.ui.document import FlowDocument

    (tmp_path / "work").mkdir()
    shutil.copy(support_line, tmp_path / "work" / "acme.ivrflow")
    monkeypatch.chdir(tmp_path)
    document = FlowDocument()
    document.open("work/acme.ivrflow")
    fast = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
    panel = CallPanel(
        document, controller=CallController(settings=fast, audio=False, provider=SilentRecognizers())
    )
    qtbot.addWidget(panel)
    try:
        panel.start_call()
        qtbot.waitUntil(lambda: panel.controller.running)
        with qtbot.waitSignal(panel.controller.callEnded):
            panel.controller.hang_up()
        saved = panel.save_as_test("work/acme-call.test.yaml")
        assert saved == tmp_path / "work" / "acme-call.test.yaml"
        notice = panel.strip.notice.text()
        assert str(tmp_path / "work") in notice
        assert f"ivr-studio test {tmp_path / 'work' / 'acme-call.test.yaml'}" in notice
    finally:
        panel.controller.shutdown()
