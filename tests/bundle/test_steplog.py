"""The handler's JSON log lines reach its own stderr handler, and any handler added later, alike."""

from __future__ import annotations

import io
import json
import logging

import pytest
from handler_helpers import CALL, app_for, clinic_flow

from ivr_studio.bundle.handler import steplog


@pytest.fixture
def bare_logging(monkeypatch):
    """A function that leaves the ``ivr_handler`` logger and the root logger with no handlers, as in a
    fresh gunicorn worker (called in the test itself: pytest adds its own handlers when the test starts)."""

    def bare() -> None:
        monkeypatch.setattr(steplog.log, "handlers", [])
        monkeypatch.setattr(logging.root, "handlers", [])
        monkeypatch.setattr(steplog, "_own", None)
        steplog.log.setLevel(logging.NOTSET)

    yield bare
    steplog.log.setLevel(logging.NOTSET)


def test_each_step_is_one_json_line_on_the_installed_stream(bare_logging):
    bare_logging()
    stream = io.StringIO()
    steplog.install_stderr_handler(stream)
    client = app_for(clinic_flow()).test_client()
    client.post("/voice", data=CALL)
    client.post("/node/menu/result", data={**CALL, "Digits": "9"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    steps = [line for line in lines if line["event"] == "step"]
    assert [(s["route"], s["outcome"]) for s in steps] == [("voice", "start"), ("result", "no_match")]
    assert all(s["call_sid"] == CALL["CallSid"] and s["level"] == "info" for s in steps)


def test_a_handler_added_later_sees_the_lines_too(bare_logging):
    bare_logging()
    stream = io.StringIO()
    steplog.install_stderr_handler(stream)
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    steplog.log.addHandler(Keep())
    app_for(clinic_flow()).test_client().post("/node/menu/result", data={**CALL, "Digits": "1"})
    assert seen and stream.getvalue().splitlines() == seen
    assert json.loads(seen[-1])["outcome"] == "branch:appointments"


def test_nothing_is_installed_when_logging_is_set_up_already(bare_logging, monkeypatch):
    bare_logging()
    monkeypatch.setattr(logging.root, "handlers", [logging.NullHandler()])
    steplog.install_stderr_handler(io.StringIO())
    assert steplog.log.handlers == [] and steplog._own is None
