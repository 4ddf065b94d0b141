"""Hostile input to the test-call panel's dynamic parts: back-end stub cells (huge, deeply nested, not
numbers), the "Call at" picker (dates out of range, zones that do not exist, a time the clocks skip), a
saved test whose stubs hold YAML's special characters, and a webhook whose report headers (``X-IVR-Steps``,
``X-IVR-Vars``) are malformed, huge or nested without end. Each ends in a one-line message or a call that
goes on, never a traceback or an unbounded trace."""

from __future__ import annotations

import json

import pytest
import yaml
from hostile_servers import http_response, raw_server
from PySide6.QtCore import QDate, QDateTime, QTime

from ivr_studio.files import load_yaml
from ivr_studio.ui.call.call_options import CallOptions
from ivr_studio.ui.call.call_time import LAST_DATE, CallAtSection
from ivr_studio.ui.call.scenario_writer import scenario_for_call, scenario_yaml
from ivr_studio.ui.call.stub_editor import CELL_LIMIT, StubEditor

MAX_MESSAGE = 400


@pytest.fixture
def stubs(qtbot):
    editor = StubEditor()
    qtbot.addWidget(editor)
    editor.add_row({"url": "https://api.example/x"})
    return editor


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        (3, "[" * 100_000, "nested too deeply"),
        (3, '{"a": ' * 40 + "1" + "}" * 40, "nested too deeply"),
        (3, '{"n": 1e999}', "the answer is not JSON"),
        (3, '{"n": NaN}', "the answer is not JSON"),
        (3, '{"a": 1, "a": 2}', "the answer is not JSON"),
        (3, '"' + "x" * (CELL_LIMIT + 10), "the answer is not JSON"),  # cut at the cell's limit: unterminated
        (3, "é" * CELL_LIMIT, "over 262,144 bytes"),  # as much text as a cell keeps, twice the bytes
        (2, "9" * 5000, "status"),
        (4, "nan", "delay: expected seconds from 0 to 60"),
        (4, "1e309", "delay: expected seconds from 0 to 60"),
        (1, "/" + "(" * 500 + "/", "bad regular expression"),
        (1, "h" * 3000, "url: expected a URL pattern"),
    ],
)
def test_hostile_stub_cells_are_one_short_line(stubs, column, text, message):
    stubs.table.item(0, column).setText(text)
    problem = stubs.problem()
    assert problem is not None and message in problem, problem
    assert len(problem) <= MAX_MESSAGE and "\n" not in problem
    assert text[:300] not in problem or len(text) < 40  # a long value is never echoed whole


def test_more_rows_than_a_scenario_takes_are_refused_at_the_limit(stubs):
    for i in range(600):
        stubs.add_row({"url": f"https://api.example/{i}"})
    assert stubs.table.rowCount() == 500
    assert stubs.message.text() == "At most 500 stubs" or stubs.problem() is None


def test_yaml_special_characters_in_stubs_survive_the_saved_test(stubs):
    tricky = ["*alias", "&anchor", "--- ", "{{ vars.x }}", "a: b", "'quoted'\n\"both\"", "𝄞 unicode", "~", "null"]
    stubs.table.item(0, 3).setText(json.dumps({"v": tricky, "yes": "no"}))
    stubs.table.item(0, 1).setText("https://api.example/*?q=*&x=:y")
    options = CallOptions("2026-12-24T18:30", "Europe/Berlin", tuple(stubs.stubs()), False)
    text = scenario_yaml(scenario_for_call([], "flow.ivrflow", options=options.scenario_options()))
    data = load_yaml(text, "saved.test.yaml")  # the bounded loader ivr-studio test reads it with
    assert data["backend"][0]["json"] == {"v": tricky, "yes": "no"}
    assert data["backend"][0]["url"] == "https://api.example/*?q=*&x=:y"
    assert yaml.safe_load(text)["at"] == "2026-12-24T18:30"


def test_the_picker_keeps_dates_in_its_range_and_a_skipped_hour_is_shown(qtbot):
    section = CallAtSection()
    qtbot.addWidget(section)
    section.set_at("9999-12-31T23:59", "Europe/Berlin")
    assert section.when.date() == LAST_DATE
    at, tz = section.options()
    assert at.startswith("2099-12-31") and tz == "Europe/Berlin"
    section.when.setDateTime(QDateTime(QDate(2026, 3, 29), QTime(2, 30)))  # the clocks skip 02:00–03:00
    assert section.options()[0] == "2026-03-29T02:30"
    assert section.offset.text().startswith(("CET", "CEST"))


@pytest.mark.parametrize("zone", ["../../etc/passwd", "Z" * 10_000, "Europe/Berlin/../../x", "", "\x00"])
def test_zones_that_are_not_zones_are_flagged_and_not_taken(qtbot, zone):
    section = CallAtSection()
    qtbot.addWidget(section)
    section.enabled.setChecked(True)
    section.zone.combo.setEditText(zone)
    section.zone.combo.lineEdit().editingFinished.emit()
    assert section.zone_name() == "UTC"
    message = section.zone.message.text()
    assert len(message) <= MAX_MESSAGE and zone[:100] not in message or len(zone) < 60


REPORTS = [
    b"X-IVR-Steps: " + b"[" * 7000 + b"\r\n" + b"X-IVR-Vars: " + b'{"vars":' * 2000 + b"\r\n",
    b"X-IVR-Steps: not json\r\nX-IVR-Vars: [1, 2]\r\n",
    b'X-IVR-Vars: {"vars": {"a": "' + b"x" * 7000 + b'"}, "steps": "no"}\r\n',
    b"X-IVR-Steps: " + json.dumps([{"node": "n" * 300, "exit": 1}] * 30).encode() + b"\r\n",
]


@pytest.mark.parametrize("headers", REPORTS, ids=["nested", "wrong-shape", "long-value", "long-steps"])
def test_a_webhooks_malformed_reports_leave_the_call_and_its_trace_bounded(hostile, headers):
    with raw_server(http_response(extra=headers)) as base:
        run = hostile.run("call", f"{base}/voice", "--trace", "trace.jsonl", seconds=30)
    run.succeeds(changed=["trace.jsonl"])
    assert "Hello there" in run.stdout
    lines = hostile.path("trace.jsonl").read_text(encoding="utf-8").splitlines()
    request = next(json.loads(line) for line in lines if '"request"' in line)
    assert len(json.dumps(request)) < 12_000
    for step in request.get("logic", []):
        assert all(len(str(v)) <= 200 for v in step.values())
    assert all(len(v) <= 400 for v in request.get("vars", {}).values())


def test_a_stub_regex_nested_hundreds_deep_is_a_one_line_error(hostile):
    """The panel's stubs and a scenario's go through the same parser: a regular expression of groups nested
    too deep for Python's parser is refused like any other bad one, not with a RecursionError."""
    from test_hostile_dynamic import sandboxed

    hostile.write("stubs.yaml", "- {url: '/" + "(" * 1500 + "/'}\n")
    hostile.run(*sandboxed(hostile), "--backend", "stubs.yaml").fails(2, "bad regular expression: nested too deeply")
