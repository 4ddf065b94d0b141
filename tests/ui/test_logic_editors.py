"""The inspector's editors of dynamic flows: Hours, Decide, Set, Look up and a menu's capture. Each edit is
one undo step through the document, the form follows the model, and exits (ports) follow the edits."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QLineEdit, QPushButton

from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.logic import HolidaySource, Interval
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.assignments_editor import AssignmentsEditor
from ivr_studio.ui.inspector.cases_editor import CasesEditor
from ivr_studio.ui.inspector.panel import InspectorPanel
from ivr_studio.ui.inspector.request_editor import LookupEditor
from ivr_studio.ui.inspector.schedule_editor import HoursEditor

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//IVR Studio tests//EN
BEGIN:VEVENT
UID:closing-1@example
DTSTART;VALUE=DATE:20270310
DTEND;VALUE=DATE:20270311
SUMMARY:Company day
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def account(examples_dir, tmp_path) -> FlowDocument:
    """The account-line example, opened from a copy in a folder of its own."""
    shutil.copy(examples_dir / "account-line.ivrflow", tmp_path / "account-line.ivrflow")
    document = FlowDocument()
    document.open(tmp_path / "account-line.ivrflow")
    return document


def settle() -> None:
    """Let the inspector rebuild a form whose rows changed (it does so on the next event-loop turn)."""
    for _ in range(3):
        QApplication.processEvents()


def inspect(qtbot, document: FlowDocument, node_id: str) -> InspectorPanel:
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.resize(420, 900)
    panel.show()
    panel.show_node(node_id)
    return panel


def editor(panel: InspectorPanel, kind: type):
    found = [e for e in panel.editors if isinstance(e, kind)]
    assert len(found) == 1, panel.editors
    return found[0]


def type_into(line: QLineEdit, text: str) -> None:
    line.setFocus()
    line.selectAll()
    QTest.keyClick(line, Qt.Key.Key_Backspace)
    QTest.keyClicks(line, text)
    QTest.keyClick(line, Qt.Key.Key_Return)


def undo_steps(document: FlowDocument) -> int:
    return document.undo_stack.index()


# ---------------------------------------------------------------------------------------------- Hours
def test_hours_intervals_are_added_edited_and_removed_one_step_each(qtbot, account):
    panel = inspect(qtbot, account, "hours")
    hours = editor(panel, HoursEditor)
    config = lambda: account.flow.node("hours").config  # noqa: E731
    assert "sun" not in config().week
    hours.findChild(object, "addInterval_sun").click()
    assert config().week["sun"] == (Interval("09:00", "17:00"),)
    assert undo_steps(account) == 1
    settle()
    hours = editor(panel, HoursEditor)
    type_into(hours.findChild(QLineEdit, "time_sun_0_end"), "13:30")
    assert config().week["sun"] == (Interval("09:00", "13:30"),)
    # a second interval on the same day, after the first
    hours.findChild(object, "addInterval_sun").click()
    assert config().week["sun"] == (Interval("09:00", "13:30"), Interval("14:30", "15:30"))
    settle()
    hours = editor(panel, HoursEditor)
    bad = hours.findChild(QLineEdit, "time_sun_1_start")
    type_into(bad, "25:00")  # the field refuses what cannot become a time; an unfinished time never commits
    assert config().week["sun"] == (Interval("09:00", "13:30"), Interval("14:30", "15:30"))
    assert undo_steps(account) == 3
    account.undo_stack.undo()
    account.undo_stack.undo()
    account.undo_stack.undo()
    assert "sun" not in config().week


def test_overlapping_intervals_are_named_under_the_schedule(qtbot, account):
    panel = inspect(qtbot, account, "hours")
    hours = editor(panel, HoursEditor)
    assert hours.week_problem.isHidden()
    type_into(hours.findChild(QLineEdit, "time_mon_0_end"), "07:00")
    assert account.flow.node("hours").config.week["mon"] == (Interval("08:00", "07:00"),)
    assert (
        hours.week_problem.isVisible()
        and "Mon: an interval ends before it starts" in hours.week_problem.text()
    )


def test_copy_monday_fills_the_working_week(qtbot, account):
    panel = inspect(qtbot, account, "hours")
    hours = editor(panel, HoursEditor)
    type_into(hours.findChild(QLineEdit, "time_mon_0_start"), "07:30")
    hours.findChild(object, "copyMonday").click()
    week = account.flow.node("hours").config.week
    assert {d: week[d] for d in ("tue", "wed", "thu", "fri")} == {
        d: (Interval("07:30", "18:00"),) for d in ("tue", "wed", "thu", "fri")
    }
    assert week["sat"] == (Interval("09:00", "13:00"),)


def test_the_time_zone_is_searched_and_only_a_real_zone_is_taken(qtbot, account):
    panel = inspect(qtbot, account, "hours")
    zone = editor(panel, HoursEditor).zone
    line = zone.combo.lineEdit()
    type_into(line, "Mars/Olympus_Mons")
    assert account.flow.node("hours").config.zone == "Europe/Berlin"
    assert zone.message.isVisible() and "is not a time zone" in zone.message.text()
    completer = zone.combo.completer()
    completer.setCompletionPrefix("tokyo")
    assert completer.currentCompletion() == "Asia/Tokyo"
    type_into(line, "Asia/Tokyo")
    assert account.flow.node("hours").config.zone == "Asia/Tokyo"
    assert not zone.message.isVisible()


def test_closed_dates_are_ranges_with_labels(qtbot, account):
    panel = inspect(qtbot, account, "hours")
    hours = editor(panel, HoursEditor)
    hours.findChild(object, "addClosed").click()
    settle()
    hours = editor(panel, HoursEditor)
    closed = lambda: account.flow.node("hours").config.closed  # noqa: E731
    assert len(closed()) == 2
    start = hours.findChild(QDateEdit, "closed_1_start")
    start.setDate(QDate(2190, 8, 2))  # after the end (today): the end moves with the start
    assert closed()[1].start == "2190-08-02" and closed()[1].end == "2190-08-02"
    hours.findChild(QDateEdit, "closed_1_end").setDate(QDate(2190, 8, 13))
    type_into(hours.findChild(QLineEdit, "closed_1_label"), "summer break")
    assert (closed()[1].start, closed()[1].end, closed()[1].label) == (
        "2190-08-02",
        "2190-08-13",
        "summer break",
    )
    hours.findChild(QDateEdit, "closed_1_end").setDate(QDate(2190, 7, 1))  # before its start
    assert closed()[1].start == closed()[1].end == "2190-07-01"
    assert undo_steps(account) == 5


def test_a_holiday_source_gives_the_node_its_holiday_port(qtbot, account):
    scene = FlowScene(account)
    panel = inspect(qtbot, account, "hours")
    item = scene.node_items["hours"]
    assert [r.name for r in item.rows] == ["open", "closed", "holiday"]
    source = editor(panel, HoursEditor).source
    source.combo.activated.emit(source.combo.findData("none"))
    assert account.flow.node("hours").config.holidays is None
    assert [r.name for r in item.rows] == ["open", "closed"]  # the port went at once
    assert ("hours", "holiday") not in scene.link_items
    settle()
    source = editor(panel, HoursEditor).source
    source.combo.activated.emit(source.combo.findData("country"))
    settle()
    hours = editor(panel, HoursEditor)
    assert account.flow.node("hours").config.holidays.country  # the user's country, else the US
    country = hours.findChild(QComboBox, "holidayCountry")
    country.activated.emit(country.findData("FR"))
    settle()
    hours = editor(panel, HoursEditor)
    region = hours.findChild(QComboBox, "holidaySubdivision")
    region.activated.emit(region.findData("57"))
    assert account.flow.node("hours").config.holidays == HolidaySource(country="FR", subdivision="57")
    assert [r.name for r in item.rows] == ["open", "closed", "holiday"]
    while account.undo_stack.canUndo():
        account.undo_stack.undo()
    assert account.flow.node("hours").links["holiday"] == "holiday"
    assert ("hours", "holiday") in scene.link_items


def test_an_icalendar_file_must_be_in_the_flows_folder_and_parse(qtbot, account, tmp_path):
    panel = inspect(qtbot, account, "hours")
    hours = editor(panel, HoursEditor)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-other.ics"
    elsewhere.write_text(ICS)
    try:
        assert not hours.choose_calendar(elsewhere)
        assert "is not in the flow's folder" in hours.holiday_problem.text()
    finally:
        elsewhere.unlink()
    (tmp_path / "broken.ics").write_text("this is not a calendar")
    assert not hours.choose_calendar(tmp_path / "broken.ics")
    assert "not an iCalendar file" in hours.holiday_problem.text()
    assert account.flow.node("hours").config.holidays == HolidaySource(country="DE", subdivision="BE")
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "closing.ics").write_text(ICS)
    assert hours.choose_calendar(tmp_path / "calendars" / "closing.ics")
    assert account.flow.node("hours").config.holidays == HolidaySource(ical="calendars/closing.ics")
    settle()
    assert editor(panel, HoursEditor).findChild(QLineEdit, "icalPath").text() == "calendars/closing.ics"


def test_a_calendar_needs_a_saved_flow(qtbot, tmp_path):
    document = FlowDocument()
    node_id = document.add_node(NodeKind.HOURS, (0.0, 0.0))
    panel = inspect(qtbot, document, node_id)
    (tmp_path / "c.ics").write_text(ICS)
    hours = editor(panel, HoursEditor)
    assert not hours.choose_calendar(tmp_path / "c.ics")
    assert hours.holiday_problem.text().startswith("Save the flow first")


# ---------------------------------------------------------------------------------------------- Decide
def test_cases_are_added_edited_reordered_and_removed_with_their_ports(qtbot, account):
    scene = FlowScene(account)
    panel = inspect(qtbot, account, "vip_check")
    item = scene.node_items["vip_check"]
    cases = editor(panel, CasesEditor)
    new_id = cases.add_case()
    assert [r.name for r in item.rows] == ["case:vip", f"case:{new_id}", "otherwise"]
    settle()
    cases = editor(panel, CasesEditor)
    row = cases.rows[1]
    type_into(row["value"].line, "{{ vars.tier }}")
    row["op"].combo.activated.emit(row["op"].combo.findData("regex"))
    settle()
    row = editor(panel, CasesEditor).rows[1]
    type_into(row["operand"].line, "^(gold")
    assert row["operand"].message.isVisible() and "not a regular expression" in row["operand"].message.text()
    type_into(row["operand"].line, "^(gold|platinum)$")
    assert not row["operand"].message.isVisible()
    type_into(row["label"].line, "gold or platinum")
    case = account.flow.node("vip_check").config.cases[1]
    assert (case.value, case.op, case.operand, case.label) == (
        "{{ vars.tier }}",
        "regex",
        "^(gold|platinum)$",
        "gold or platinum",
    )
    assert item.rows[1].label == "gold or platinum"  # the card's row follows the label
    account.set_link("vip_check", f"case:{new_id}", "agent")
    link = scene.link_items[("vip_check", f"case:{new_id}")]
    before = link.path().pointAtPercent(0)
    # ↑ moves it first: its port moves up the card, and the link with it
    settle()
    up = [
        b
        for b in editor(panel, CasesEditor).findChildren(QPushButton)
        if b.toolTip() == "Try this case earlier"
    ]
    up[-1].click()
    assert [r.name for r in item.rows][:2] == [f"case:{new_id}", "case:vip"]
    after = scene.link_items[("vip_check", f"case:{new_id}")].path().pointAtPercent(0)
    assert after.y() < before.y() and after == item.exit_port_pos(f"case:{new_id}")
    settle()
    remove = [b for b in editor(panel, CasesEditor).findChildren(QPushButton) if b.text() == "✕"]
    remove[0].click()
    assert [r.name for r in item.rows] == ["case:vip", "otherwise"]
    assert ("vip_check", f"case:{new_id}") not in scene.link_items
    account.undo_stack.undo()
    assert account.flow.node("vip_check").links[f"case:{new_id}"] == "agent"
    assert ("vip_check", f"case:{new_id}") in scene.link_items


def test_a_long_regex_error_wraps_inside_a_narrow_inspector_and_its_tooltip_holds_all_of_it(qtbot, account):
    """Python's message for a repeated group name quotes the name: one long word that used to widen the form
    past the inspector's edge, cutting off the end of the message."""
    panel = inspect(qtbot, account, "vip_check")
    panel.resize(260, 900)
    row = editor(panel, CasesEditor).rows[0]
    row["op"].combo.activated.emit(row["op"].combo.findData("regex"))
    settle()
    operand = editor(panel, CasesEditor).rows[0]["operand"]
    name = "customer_tier_name_from_the_crm_lookup_response"
    type_into(operand.line, f"(?P<{name}>gold)(?P<{name}>platinum)")
    settle()
    message = operand.message
    assert message.isVisible()
    whole = message.toolTip()
    assert whole == operand.message_text()
    assert f"redefinition of group name '{name}'" in whole and whole.endswith("at position 61")
    assert message.text().replace("\u200b", "") == whole, "the label shows all of it"
    right = message.mapTo(panel.viewport(), message.rect().topRight()).x()
    assert right < panel.viewport().width(), "the message wraps inside the inspector, none of it cut off"
    assert panel.widget().width() <= panel.viewport().width(), "the form is no wider than the inspector"


def test_unary_operators_need_no_right_hand_value(qtbot, account):
    panel = inspect(qtbot, account, "vip_check")
    row = editor(panel, CasesEditor).rows[0]
    row["op"].combo.activated.emit(row["op"].combo.findData("is_empty"))
    settle()
    assert editor(panel, CasesEditor).rows[0]["operand"] is None
    case = account.flow.node("vip_check").config.cases[0]
    assert case.op == "is_empty" and case.operand == ""  # nothing left to compare with
    combo = editor(panel, CasesEditor).rows[0]["op"].combo
    ops = [combo.itemData(i) for i in range(combo.count())]
    assert ops == [
        "equals",
        "not_equals",
        "one_of",
        "none_of",
        "is_empty",
        "is_not_empty",
        "regex",
        "contains",
        "not_contains",
        "starts_with",
        "not_starts_with",
        "less_than",
        "greater_than",
        "before_time",
        "after_time",
        "before_date",
        "after_date",
    ]


# ---------------------------------------------------------------------------------------------- Set
def test_assignments_declare_new_variables_in_the_same_step(qtbot, account):
    panel = inspect(qtbot, account, "mark_vip")
    assign = editor(panel, AssignmentsEditor)
    name = assign.add_assignment()
    assert name == "account" and len(account.flow.node("mark_vip").config.assignments) == 2
    settle()
    assign = editor(panel, AssignmentsEditor)
    type_into(assign.findChild(QComboBox, "assignName_1").lineEdit(), "greeting")
    type_into(assign.findChild(QLineEdit, "assignValue_1"), "Hello {{ vars.tier }}")
    assert "greeting" in account.flow.variables
    assert [(a.name, a.value) for a in account.flow.node("mark_vip").config.assignments] == [
        ("tier", "vip"),
        ("greeting", "Hello {{ vars.tier }}"),
    ]
    account.undo_stack.undo()
    account.undo_stack.undo()
    assert "greeting" not in account.flow.variables
    type_into(assign.findChild(QComboBox, "assignName_1").lineEdit(), "2fast-lane")  # not a name as typed
    assert account.flow.node("mark_vip").config.assignments[1].name == "fastlane"  # what the field let in


# ---------------------------------------------------------------------------------------------- Look up
def test_the_request_editor_edits_every_part_of_the_request(qtbot, account):
    panel = inspect(qtbot, account, "balance")
    look = editor(panel, LookupEditor)
    config = lambda: account.flow.node("balance").config  # noqa: E731
    look.method.combo.activated.emit(look.method.combo.findData("POST"))
    type_into(look.findChild(QLineEdit, "lookupUrl"), "https://api.acme-bank.example/v2/balance")
    look.findChild(object, "add_query").click()
    settle()
    look = editor(panel, LookupEditor)
    type_into(look.findChild(QLineEdit, "query_name_0"), "account")
    type_into(look.findChild(QLineEdit, "query_value_0"), "{{ vars.account }}")
    look.body_kind.combo.activated.emit(look.body_kind.combo.findData("json"))
    settle()
    look = editor(panel, LookupEditor)
    body = look.body
    body.area.setFocus()
    body.area.selectAll()
    QTest.keyClicks(body.area, '{"pin": {{ vars.account }}')
    assert body.message.isVisible() and body.message.text().startswith("not JSON")
    body.area.selectAll()
    QTest.keyClicks(body.area, '{"account": "{{ vars.account }}"}')
    assert not body.message.isVisible()
    assert config().body == "{}"  # typing alone commits nothing: the body is one step when it is left
    QApplication.sendEvent(body.area, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))
    assert config().body == '{"account": "{{ vars.account }}"}'
    settle()
    look.timeout.setValue(2.5)
    type_into(look.keep.line, "amount, currency, owner.name")
    c = config()
    assert (c.method, c.url, c.query, c.body_kind, c.body, c.timeout, c.keep) == (
        "POST",
        "https://api.acme-bank.example/v2/balance",
        (("account", "{{ vars.account }}"),),
        "json",
        '{"account": "{{ vars.account }}"}',
        2.5,
        ("amount", "currency", "owner.name"),
    )
    assert c.headers == (("Authorization", "Bearer {{ env.ACME_API_TOKEN }}"),)
    type_into(look.keep.line, "amount, not a path")
    assert look.keep.message.isVisible() and config().keep == ("amount", "currency", "owner.name")
    assert look.timeout.maximum() == 10.0


def test_a_template_field_flags_what_the_validator_would(qtbot, account):
    panel = inspect(qtbot, account, "balance")
    url = editor(panel, LookupEditor).url
    type_into(url.line, "https://api.example/{{ vars.acount }}")
    assert url.message.isVisible()
    assert url.message.text() == "{{ vars.acount }}: no variable acount is declared or set anywhere"
    type_into(url.line, "https://api.example/{{ vars.account")
    assert url.message.text().startswith("Template error:")
    type_into(url.line, "ftp://api.example/x")
    assert url.message.text() == "the URL must start with http:// or https://"
    type_into(url.line, "https://api.example/{{ vars.account }}")
    assert not url.message.isVisible()


def test_template_fields_complete_the_flows_names(qtbot, account):
    panel = inspect(qtbot, account, "balance")
    url = editor(panel, LookupEditor).url
    line = url.line
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, "https://x.example/{{ acc")
    completer = line.completion.completer
    assert completer.popup().isVisible()
    offered = [completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())]
    assert offered == ["vars.account"]
    QTest.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert line.text() == "https://x.example/{{ vars.account"
    QTest.keyClicks(line, " }} and {{ steps.bal")
    offered = [completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())]
    assert offered == ["steps.balance.status", "steps.balance.body.amount", "steps.balance.body.currency"]
    completer.popup().hide()
    QTest.keyClicks(line, "ance.status }} plain bal")
    assert not completer.popup().isVisible()  # outside {{ }} nothing is completed


# ---------------------------------------------------------------------------------------------- capture
def test_a_menu_captures_into_a_variable(qtbot, account):
    scene = FlowScene(account)
    panel = inspect(qtbot, account, "account_menu")
    capture = panel.fields["capture"]
    assert capture.combo.currentText() == "account"
    type_into(capture.combo.lineEdit(), "")
    assert account.flow.node("account_menu").capture == ""
    assert "captured" not in [r.name for r in scene.node_items["account_menu"].rows]
    type_into(capture.combo.lineEdit(), "pin")
    assert account.flow.node("account_menu").capture == "pin" and "pin" in account.flow.variables
    assert "captured" in [r.name for r in scene.node_items["account_menu"].rows]
    account.undo_stack.undo()
    account.undo_stack.undo()
    assert account.flow.node("account_menu").links["captured"] == "balance"


def test_say_text_is_a_template_field(qtbot, account):
    panel = inspect(qtbot, account, "say_balance")
    text = panel.fields["text"]
    text.area.setFocus()
    text.area.moveCursor(text.area.textCursor().MoveOperation.End)
    QTest.keyClicks(text.area, " {{ vars.nope }}")
    assert text.message.text() == "{{ vars.nope }}: no variable nope is declared or set anywhere"
    assert account.flow.node("say_balance").text.endswith("{{ vars.nope }}")
    assert account.undo_stack.count() == 1  # the typing is one step


def test_logic_cards_look_apart_from_verbs(qtbot, account):
    from PySide6.QtCore import QPointF

    from ivr_studio.flow.kinds import Family
    from ivr_studio.ui.canvas.style import FAMILY_STYLES, card_outline

    scene = FlowScene(account)
    hours, welcome = scene.node_items["hours"], scene.node_items["welcome"]
    assert hours.family == Family.LOGIC and welcome.family == Family.VERB
    logic, verb = FAMILY_STYLES[Family.LOGIC], FAMILY_STYLES[Family.VERB]
    assert logic.dashed and logic.diamond_ports and not verb.dashed and not verb.diamond_ports
    # a logic card's corners are cut, a verb card's rounded: (3, 3) is outside the one, inside the other
    logic_outline = card_outline(Family.LOGIC, hours.width, hours.height)
    verb_outline = card_outline(Family.VERB, hours.width, hours.height)
    assert not logic_outline.contains(QPointF(3, 3)) and verb_outline.contains(QPointF(3, 3))
    assert logic_outline.contains(QPointF(hours.width / 2, hours.height / 2))
