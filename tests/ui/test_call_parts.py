"""The test-call panel's parts for dynamic flows, without a call: "Call at", the back-end stub editor, the
call's variables view and the logic steps on the timeline (fed trace events as a call produces them)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtGui import QFont

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.call_options import NOTHING_ELSE, CallOptions
from ivr_studio.ui.call.call_time import CallAtSection
from ivr_studio.ui.call.call_variables import CallVariablesView, values_at
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel
from ivr_studio.ui.call.scenario_writer import scenario_for_call
from ivr_studio.ui.call.stub_editor import StubEditor, pattern_for
from ivr_studio.ui.document import FlowDocument


@pytest.fixture
def account(examples_dir, tmp_path) -> FlowDocument:
    shutil.copy(examples_dir / "account-line.ivrflow", tmp_path / "account-line.ivrflow")
    document = FlowDocument()
    document.open(tmp_path / "account-line.ivrflow")
    return document


@pytest.fixture
def panel(qtbot, account):
    p = CallPanel(account, controller=CallController(settings=RuntimeSettings(), audio=False))
    qtbot.addWidget(p)
    p.resize(1366, 300)
    yield p
    p.controller.shutdown()


# ---------------------------------------------------------------------------------------------- Call at
def test_call_at_is_off_by_default_and_then_gives_the_chosen_minute_and_zone(qtbot):
    section = CallAtSection()
    qtbot.addWidget(section)
    assert section.options() == (None, None)
    assert not section.when.isEnabled() and section.offset.text() == "now"
    section.enabled.setChecked(True)
    section.when.setDateTime(QDateTime(QDate(2026, 12, 24), QTime(18, 30)))
    section.zone.set_value("Europe/Berlin")
    section.zone.committed.emit("Europe/Berlin")
    assert section.options() == ("2026-12-24T18:30", "Europe/Berlin")
    assert section.offset.text() == "CET +01:00"
    section.when.setDateTime(QDateTime(QDate(2026, 7, 1), QTime(9, 0)))
    assert section.offset.text() == "CEST +02:00"  # the zone's offset on that date


def test_the_zone_follows_the_flows_hours_until_the_user_picks_one(qtbot, panel, account):
    section = panel.dynamic.call_at
    assert section.zone_name() == "Europe/Berlin"  # the account line's Hours node
    section.zone.combo.setEditText("Asia/Tokyo")
    section.zone.combo.lineEdit().editingFinished.emit()
    assert section.zone_name() == "Asia/Tokyo"
    panel.flow_replaced()  # the same flow reopened: the user's choice stays
    assert section.zone_name() == "Asia/Tokyo"


def test_a_zone_that_does_not_exist_is_flagged_and_not_taken(qtbot):
    section = CallAtSection()
    qtbot.addWidget(section)
    section.enabled.setChecked(True)
    section.zone.combo.setEditText("Mars/Olympus_Mons")
    section.zone.combo.lineEdit().editingFinished.emit()
    assert section.zone_name() == "UTC"
    assert "is not a time zone" in section.zone.message.text()


def test_the_toggle_says_when_the_call_happens_while_folded(qtbot, panel):
    toggle = panel.sections["when"][0]
    assert toggle.text() == "Call at: now ▾"
    panel.dynamic.call_at.set_at("2026-12-24T18:30", "Europe/Berlin")
    assert toggle.text() == "At Thu 24 Dec 2026 18:30 ▾"
    assert panel.dynamic.options().at == "2026-12-24T18:30"


# ---------------------------------------------------------------------------------------------- stubs
def test_stub_rows_become_the_file_form_a_scenario_reads(qtbot):
    editor = StubEditor()
    qtbot.addWidget(editor)
    editor.add_row({"method": "GET", "url": "https://api.example/b/*", "status": 200, "json": {"amount": "1"}})
    editor.add_row({"url": "https://api.example/slow", "delay": 0.5, "fail": "timeout"})
    editor.add_row({"url": "/^https://api\\.example/t$/", "text": "plain words", "status": 503})
    assert editor.stubs() == [
        {"url": "https://api.example/b/*", "method": "GET", "status": 200, "json": {"amount": "1"}},
        {"url": "https://api.example/slow", "status": 200, "json": {}, "delay": 0.5, "fail": "timeout"},
        {"url": "/^https://api\\.example/t$/", "status": 503, "text": "plain words"},
    ]
    editor.table.selectRow(2)
    editor.move(-1)
    assert [s["url"] for s in editor.stubs()][1] == "/^https://api\\.example/t$/"
    editor.table.selectRow(0)
    editor.remove_row()
    assert len(editor.stubs()) == 2


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        (1, "", "Stub 1: url: expected a URL pattern"),
        (2, "700", "Stub 1: status: expected an HTTP status from 100 to 599"),
        (2, "OK", "Stub 1: status: 'OK' is not an HTTP status"),
        (3, '{"amount": 1', "Stub 1: the answer is not JSON"),
        (4, "-1", "Stub 1: delay: expected seconds from 0 to 60"),
        (4, "soon", "Stub 1: delay: 'soon' is not a number of seconds"),
        (1, "/([a-z/", "Stub 1: url: bad regular expression"),
    ],
)
def test_a_bad_stub_is_named_under_the_table(qtbot, column, text, message):
    editor = StubEditor()
    qtbot.addWidget(editor)
    editor.add_row({"url": "https://api.example/x"})
    editor.table.item(0, column).setText(text)
    assert editor.problem() is not None and editor.problem().startswith(message), editor.problem()
    assert editor.message.text() == editor.problem() and not editor.message.isHidden()


def test_stub_each_look_up_turns_url_templates_into_patterns(qtbot, panel):
    assert pattern_for("https://api.example/v1/{{ vars.account }}/balance", False) == (
        "https://api.example/v1/*/balance"
    )
    assert pattern_for("https://api.example/find", True) == "https://api.example/find*"
    stubs = panel.dynamic.stubs
    assert stubs.stub_lookups() == 1
    assert stubs.stubs() == [
        {"url": "https://api.acme-bank.example/v1/accounts/*/balance", "method": "GET", "status": 200, "json": {}}
    ]
    assert stubs.stub_lookups() == 0  # already stubbed
    assert panel.sections["backend"][0].text() == "Back-end: 1 stub ▾"


def test_a_bad_stub_keeps_the_call_from_starting(qtbot, panel):
    stubs = panel.dynamic.stubs
    stubs.add_row({"url": "https://x.example/*"})
    stubs.table.item(0, 2).setText("99")
    panel.call_button.click()
    assert panel.controller.record is None
    assert "Stub 1: status" in panel.strip.notice.text()
    assert panel.sections["backend"][0].isChecked()  # unfolded, showing the problem


def test_options_written_into_a_scenario(qtbot):
    options = CallOptions("2026-12-24T18:30", "Europe/Berlin", ({"url": "https://a.example/*", "status": 200},), False)
    data = scenario_for_call([], "flow.ivrflow", options=options.scenario_options())
    assert list(data)[:4] == ["target", "at", "tz", "backend"]
    assert data["backend"] == [{"url": "https://a.example/*", "status": 200}, NOTHING_ELSE]
    assert CallOptions().scenario_options() == {}  # now, the real back-end: nothing to write
    assert CallOptions(requests_go_out=False).serve_options() == {"backend": []}


# ---------------------------------------------------------------------------------------------- variables
def request(vars_: dict, results: dict | None = None, **extra) -> dict:
    return {"t": 1.0, "event": "request", "vars": vars_, "results": results or {}, **extra}


def test_the_variables_view_shows_what_the_call_holds_and_what_changed(qtbot):
    view = CallVariablesView()
    qtbot.addWidget(view)
    view.set_declared({"account": "", "tier": "standard"})
    assert view.values() == {"vars.account": "", "vars.tier": "standard"}
    assert not view.topLevelItem(0).data(0, 256)  # greyed: not set by the call
    view.feed(request({"account": "123456"}))
    view.feed(request({"account": "123456"}, {"balance": {"status": 200, "body": {"amount": "42.50"}}}))
    assert view.values() == {
        "vars.account": "123456",
        "vars.tier": "standard",
        "steps.balance.body.amount": "42.50",
        "steps.balance.status": "200",
    }
    bold = {view.topLevelItem(i).text(0): view.topLevelItem(i).font(0).bold() for i in range(4)}
    assert bold == {
        "vars.account": False,  # unchanged by the latest answer
        "vars.tier": False,
        "steps.balance.body.amount": True,
        "steps.balance.status": True,
    }
    view.feed({"event": "request", "node": "x"})  # a request that reports nothing changes nothing
    assert view.values()["vars.account"] == "123456"
    view.clear_call()
    assert view.values() == {"vars.account": "", "vars.tier": "standard"}
    assert isinstance(view.font(), QFont)


def test_values_at_a_past_moment_of_the_trace():
    trace = [
        request({}),
        {"t": 2.0, "event": "say", "text": "hi"},
        request({"account": "1"}),
        request({"account": "1", "tier": "vip"}),
    ]
    assert values_at(trace, 1) == {}
    assert values_at(trace, 2) == {"vars.account": "1"}
    assert values_at(trace) == {"vars.account": "1", "vars.tier": "vip"}
    assert values_at([{"event": "request"}]) is None  # a URL's handler says nothing


# ---------------------------------------------------------------------------------------------- timeline
def test_logic_steps_and_look_up_answers_are_rows_named_as_in_the_editor(qtbot, panel):
    panel.timeline.add_event(
        {
            "t": 2.7,
            "event": "request",
            "method": "POST",
            "url": "http://x/node/hours",
            "status": 200,
            "node": "account_menu",
            "logic": [
                {"node": "hours", "kind": "hours", "exit": "open", "detail": "Mon 2026-12-21 10:00 CET: open (08:00–18:00)"},
                {"node": "vip_check", "kind": "decide", "exit": "case:vip", "detail": "'+4930111111' one_of '+4930111111, +4930222222'"},
            ],
        }
    )
    panel.timeline.add_event(
        {"t": 8.4, "event": "request", "method": "POST", "url": "http://x/node/account_menu/result", "status": 200,
         "logic": [{"node": "balance", "kind": "lookup", "exit": "failed", "detail": "HTTP 404"}]}
    )
    panel.timeline.add_event(
        {"t": 8.4, "event": "lookup", "node": "balance", "method": "GET", "url": "https://api/acc/1/balance",
         "status": 404, "ms": 12.0, "outcome": "failed", "body": '{"error": "no such account"}', "stubbed": True}
    )
    rows = panel.timeline.rows()
    assert [kind for kind, _text in rows] == ["POST", "◆ Hours", "◆ Decide", "POST", "◆ Look up"]
    assert rows[1][1] == "“Opening hours” → open: Mon 2026-12-21 10:00 CET: open (08:00–18:00)"
    assert rows[2][1] == "“VIP caller?” → VIP number: matched '+4930111111' one_of '+4930111111, +4930222222'"
    assert rows[4][1] == (
        '“Balance look-up” → failed: GET https://api/acc/1/balance → 404 {"error": "no such account"} (stub, 12 ms)'
    )


def test_the_stub_editor_takes_as_many_rows_as_a_scenario():
    from ivr_studio.bundle.handler import backend
    from ivr_studio.ui.call import stub_editor

    assert stub_editor.MAX_STUB_RULES == backend.MAX_STUB_RULES
