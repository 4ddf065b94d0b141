"""The call debugger on a call of a URL whose app names no nodes (any TwiML app, not an IVR Studio export):
the pane names the place by the document the call is in (its URL path), shows that document and the verb
that sends each request, and looking back through the timeline works the same (issue #16 item 6)."""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from PySide6.QtCore import Qt
from silent_speech import SilentRecognizers

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel

DOCUMENTS = {
    "/voice": '<Gather numDigits="1" action="/menu/choice"><Say>Press 1 for sales.</Say></Gather>',
    "/menu/choice": "<Say>Connecting you to sales.</Say><Redirect>/sales/queue</Redirect>",
    "/sales/queue": "<Say>Please hold.</Say><Hangup/>",
}


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    inner = DOCUMENTS.get(environ["PATH_INFO"])
    if inner is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "text/xml")])
    return [f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>{inner}</Response>'.encode()]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def panel(qtbot, document):
    settings = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
    controller = CallController(settings=settings, audio=False, provider=SilentRecognizers())
    p = CallPanel(document, controller=controller)
    qtbot.addWidget(p)
    p.resize(1100, 460)
    p.show()
    yield p
    p.controller.shutdown()


def held(panel: CallPanel, url_end: str) -> bool:
    pause = panel.controller.pause
    return pause is not None and pause.request is not None and pause.request.url.endswith(url_end)


def rows(panel: CallPanel) -> dict[str, str]:
    return dict(panel.debugging.view.rows())


def test_stepping_a_url_call_shows_where_it_is_by_document(qtbot, panel, server, shots):
    panel.target.setCurrentIndex(1)
    panel.url.setText(f"{server}/voice")
    view = panel.debugging.view
    panel.debugging.step()  # a call starts, held before its first request
    qtbot.waitUntil(lambda: held(panel, "/voice"))
    first = panel.controller.pause
    assert view.status.text() == f"‖ Paused ({first.t:.1f} s), before it sends POST /voice", "no place yet"
    panel.debugging.step()
    qtbot.waitUntil(
        lambda: any(e["event"] == "listening" for e in panel.controller.record.trace)
    )
    panel.keypad.buttons["1"].click()
    qtbot.waitUntil(lambda: held(panel, "/menu/choice"))
    assert panel.controller.pause.node is None, "the app names no nodes"
    at = f"{panel.controller.pause.t:.1f} s"
    assert (
        view.status.text()
        == f"‖ Paused in /voice ({at}), before it sends POST /menu/choice (its <Gather>'s action)"
    )
    shown = rows(panel)
    assert "—" not in view.status.text() and "—" not in "".join(shown)
    assert shown["Sent by"] == "<Gather> of /voice"
    assert shown["Digits"] == "1"
    assert shown["The document it is in"] == "/voice"
    document = [text for name, text in view.rows() if name == "" and "<Gather" in text]
    assert document == [
        '<Response><Gather numDigits="1" action="/menu/choice"><Say>Press 1 for sales.</Say></Gather></Response>'
    ]
    assert panel.strip.node_label.text() == "At: /voice"
    panel.grab().save(str(shots / "debugger-url-call-held.png"))

    panel.debugging.step()
    qtbot.waitUntil(lambda: held(panel, "/sales/queue"))
    assert "‖ Paused in /menu/choice" in view.status.text() and view.status.text().endswith(
        "(its <Redirect>)"
    )
    assert rows(panel)["Sent by"] == "<Redirect> of /menu/choice"
    panel.debugging.continue_call()
    qtbot.waitUntil(lambda: panel.controller.record.ended)

    # stepping back through the timeline, from the last row up: each moment is placed by its document
    timeline = panel.timeline
    count = timeline.topLevelItemCount()
    timeline.setFocus()
    panel.debugging.look_back(timeline.topLevelItem(count - 1))
    timeline.setCurrentItem(timeline.topLevelItem(count - 1))
    seen: list[tuple[str, str]] = []
    for i in range(count - 1, -1, -1):
        if i < count - 1:
            qtbot.keyClick(timeline, Qt.Key.Key_Up)
        assert timeline.currentItem() is timeline.topLevelItem(i)
        item = timeline.topLevelItem(i)
        seen.append((item.text(1), view.status.text()))
    places = [status.split(" the call was ")[1].split(",")[0] for _what, status in seen]
    assert places == ["in /sales/queue"] * 4 + ["in /menu/choice"] * 3 + ["in /voice"] * 5, seen
    assert "at the start" not in "".join(status for _w, status in seen)
    said_at = next(e["t"] for e in panel.controller.record.trace if e["event"] == "say")
    said = next(
        timeline.topLevelItem(i) for i in range(count) if "Press 1" in timeline.topLevelItem(i).text(2)
    )
    timeline.setCurrentItem(said)  # the user picks the prompt's row
    assert view.status.text() == f"Looking back: at {said_at:.1f} s the call was in /voice, running its <Say>"
    assert panel.strip.node_label.text() == f"At: /voice (at {said_at:.1f} s: looking back)"
    panel.grab().save(str(shots / "debugger-url-call-looking-back.png"))
    view.back_button.click()
    assert not panel.looking_back and "Looking back" not in view.status.text()
