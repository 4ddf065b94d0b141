"""The status strip during a call of a URL: it says what is being called, then where the call is — the
document it runs when the server names no nodes — and never "Not in a call" while the call runs. A live call
on the wall clock against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel
from ivr_studio.ui.call.status_strip import document_label

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)

MENU = '<Gather input="dtmf" numDigits="1" timeout="30" action="/sales"><Say>Press 1.</Say></Gather>'
SALES = '<Gather input="dtmf" timeout="30" action="/bye"><Say>Sales.</Say></Gather>'


def _app(environ: dict, start_response: Callable) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/xml")])
    body = {"/voice": MENU, "/sales": SALES}.get(environ["PATH_INFO"], "<Hangup/>")
    return [f"<Response>{body}</Response>".encode()]


@pytest.fixture
def panel(qtbot, document):
    p = CallPanel(document, controller=CallController(settings=FAST, audio=False))
    qtbot.addWidget(p)
    p.resize(900, 420)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.controller.shutdown()


def _listening(panel: CallPanel) -> int:
    return sum(e["event"] == "listening" for e in panel.controller.record.trace)


def test_the_strip_names_the_document_a_url_call_is_at(qtbot, panel, serve_wsgi) -> None:
    base = serve_wsgi(_app)
    url = f"{base}/voice?lang=en"
    panel.target.setCurrentIndex(1)
    panel.url.setText(url)
    label = panel.strip.node_label
    panel.call_button.click()
    assert label.text() == f"Calling {base.removeprefix('http://')}/voice?lang=en…"

    qtbot.waitUntil(lambda: _listening(panel) == 1)
    assert label.text() == "At: /voice?lang=en", "a running call is not 'Not in a call'"
    assert label.toolTip() == url
    panel.keypad.buttons["1"].click()
    qtbot.waitUntil(lambda: _listening(panel) == 2)
    assert label.text() == "At: /sales"

    with qtbot.waitSignal(panel.controller.callEnded):
        panel.controller.hang_up()
    assert label.text() == "Not in a call"

    timeline = panel.timeline
    first_gather = next(
        timeline.topLevelItem(i)
        for i in range(timeline.topLevelItemCount())
        if timeline.topLevelItem(i).text(1) == "Gather"
    )
    timeline.scrollToItem(first_gather)
    rect = timeline.visualItemRect(first_gather)
    qtbot.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert label.text().startswith("At: /voice?lang=en (at ") and label.text().endswith("looking back)")
    panel.debugging.view.back_button.click()
    assert label.text() == "Not in a call"


def test_a_long_document_url_is_cut() -> None:
    assert document_label("http://h:1/voice") == "/voice"
    assert document_label("http://h:1") == "/"
    long = document_label("http://h/" + "a" * 100 + "?x=1")
    assert len(long) == 48 and long.endswith("…") and long.startswith("/aaa")


def test_the_status_bar_names_the_document_a_url_call_is_at(qtbot, window, serve_wsgi) -> None:
    """With the Test call panel closed, the status bar says where the call is, for a URL's call too."""
    base = serve_wsgi(_app)
    panel = window.call_panel
    window.docks["Test call"].close()
    panel.target.setCurrentIndex(1)
    panel.url.setText(f"{base}/voice")
    window.actions_["action_call"].trigger()
    indicator = window.statusBar().findChild(QToolButton, "callIndicator")
    qtbot.waitUntil(lambda: _listening(panel) == 1)
    assert indicator.isVisible() and indicator.text().startswith("● In a call at /voice ·")
    with qtbot.waitSignal(panel.controller.callEnded):
        window.actions_["action_hang_up"].trigger()
    assert not indicator.isVisible()
