"""The test-call panel plays the people around a caller who waits in a queue or a conference: one button
takes the queued call (an agent's ``<Dial><Queue>``) or ends the conference, and Save as test keeps it as a
script step. Live calls on the wall clock against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel
from ivr_studio.ui.call.scenario_writer import caller_steps

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)


def _app(menu: str) -> Callable:
    def app(environ: dict, start_response: Callable) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/xml")])
        body = menu if environ["PATH_INFO"] == "/voice" else "<Hangup/>"
        return [f"<Response>{body}</Response>".encode()]

    return app


@pytest.fixture
def panel(qtbot, document):
    p = CallPanel(document, controller=CallController(settings=FAST, audio=False))
    qtbot.addWidget(p)
    p.resize(900, 420)
    yield p
    p.controller.shutdown()


def _statuses(panel: CallPanel, kind: str) -> list[str]:
    return [e["status"] for e in panel.controller.record.trace if e["event"] == kind]


@pytest.mark.parametrize(
    ("menu", "label", "kind", "after"),
    [
        ('<Enqueue waitUrl="" action="/done">support</Enqueue>', "Agent takes the call", "queue", "dequeued"),
        (
            '<Dial action="/done"><Conference waitUrl="">team</Conference></Dial>',
            "End the conference",
            "conference",
            "ended",
        ),
    ],
)
def test_one_button_plays_the_people_around_a_waiting_caller(
    qtbot, panel, serve_wsgi, menu, label, kind, after
):
    base = serve_wsgi(_app(menu))
    panel.target.setCurrentIndex(1)
    panel.url.setText(f"{base}/voice")
    assert panel.around_button.isHidden()
    panel.call_button.click()
    qtbot.waitUntil(lambda: not panel.keys_sign.isHidden())
    wide_during_a_call = panel.top.minimumSize().width()
    qtbot.waitUntil(lambda: not panel.around_button.isHidden())
    assert panel.around_button.text() == label
    # the button stands where the keyboard sign stood: the top row is no wider than during any call
    assert panel.keys_sign.isHidden()
    assert panel.top.minimumSize().width() <= wide_during_a_call
    panel.around_button.click()
    qtbot.waitUntil(lambda: after in _statuses(panel, kind))
    [(t, step)] = panel.controller.record.around
    assert step == ({"dequeue": True, "duration": 5.0} if kind == "queue" else {"conference": "end"})
    panel.hangup_button.click()
    qtbot.waitUntil(lambda: panel.controller.record.ended)
    assert panel.around_button.isHidden()  # nothing to act on once the call is over


def test_saved_steps_keep_what_the_people_around_the_caller_did():
    trace = [{"t": 1.0, "event": "dtmf", "key": "4", "accepted": True}]
    steps = caller_steps(trace, around=[(12.5, {"dequeue": True, "duration": 5.0})])
    assert steps == [{"wait": 1.0}, {"press": "4"}, {"wait": 11.5}, {"dequeue": True, "duration": 5.0}]
