"""The document's edits of dynamic flows: each is one undo step, and links follow the exits they change."""

from __future__ import annotations

import pytest

from ivr_studio.flow.logic import Assignment, Case, DecideConfig, HolidaySource, SetConfig, Variable
from ivr_studio.ui.document import FlowDocument


@pytest.fixture
def account(examples_dir) -> FlowDocument:
    document = FlowDocument()
    document.open(examples_dir / "account-line.ivrflow")
    return document


def test_removing_a_case_unlinks_its_exit_and_undo_brings_both_back(account):
    flow = account.flow
    assert flow.node("vip_check").links["case:vip"] == "mark_vip"
    account.set_config("vip_check", DecideConfig((), zone="Europe/Berlin"))
    assert flow.node("vip_check").exit_names() == ["otherwise"]
    assert "case:vip" not in flow.node("vip_check").links
    account.undo_stack.undo()
    assert flow.node("vip_check").config.cases[0].id == "vip"
    assert flow.node("vip_check").links["case:vip"] == "mark_vip"
    account.undo_stack.redo()
    assert "case:vip" not in flow.node("vip_check").links


def test_clearing_the_holiday_source_drops_the_holiday_exit(account):
    node = account.flow.node("hours")
    assert node.links["holiday"] == "holiday"
    without = node.config.__class__(node.config.zone, node.config.week, node.config.closed, None)
    account.set_config("hours", without)
    assert node.exit_names() == ["open", "closed"] and "holiday" not in node.links
    account.undo_stack.undo()
    assert node.links["holiday"] == "holiday" and node.config.holidays == HolidaySource(
        country="DE", subdivision="BE"
    )


def test_a_set_declares_the_variables_it_assigns_in_the_same_step(account):
    flow = account.flow
    config = SetConfig((Assignment("tier", "vip"), Assignment("greeted", "yes")))
    account.set_config("mark_vip", config, declare=["tier", "greeted"])
    assert list(flow.variables) == ["account", "tier", "greeted"]
    assert flow.node("mark_vip").config == config
    account.undo_stack.undo()
    assert list(flow.variables) == ["account", "tier"]
    assert flow.node("mark_vip").config.assignments == (Assignment("tier", "vip"),)


def test_capture_on_and_off_is_one_step_each(account):
    flow = account.flow
    menu = flow.node("account_menu")
    assert menu.links["captured"] == "balance"
    account.set_capture("account_menu", "")
    assert menu.capture == "" and "captured" not in menu.exit_names() and "captured" not in menu.links
    account.undo_stack.undo()
    assert menu.capture == "account" and menu.links["captured"] == "balance"
    account.set_capture("account_menu", "pin")
    assert "pin" in flow.variables and menu.capture == "pin"
    account.undo_stack.undo()
    assert "pin" not in flow.variables and menu.capture == "account"


def test_variables_and_environment_names_are_undoable(account):
    flow = account.flow
    account.set_variables([Variable("account", "", 12), Variable("tier", "gold", 10)])
    assert flow.variables["tier"].default == "gold"
    account.set_env(["ACME_API_TOKEN", "ACME_REGION"])
    assert flow.env == ("ACME_API_TOKEN", "ACME_REGION")
    account.undo_stack.undo()
    account.undo_stack.undo()
    assert flow.variables["tier"].default == "standard" and flow.env == ("ACME_API_TOKEN",)
    count = account.undo_stack.count()
    account.set_env(["ACME_API_TOKEN"])  # no change: no step
    account.set_config("vip_check", flow.node("vip_check").config)
    assert account.undo_stack.count() == count


def test_a_reordered_case_keeps_its_link(account):
    node = account.flow.node("vip_check")
    gold = Case("gold", "{{ vars.tier }}", "equals", "gold")
    account.set_config("vip_check", DecideConfig((*node.config.cases, gold), node.config.zone))
    account.set_link("vip_check", "case:gold", "agent")
    account.set_config("vip_check", DecideConfig((gold, node.config.cases[0]), node.config.zone))
    assert node.exit_names() == ["case:gold", "case:vip", "otherwise"]
    assert node.links["case:gold"] == "agent" and node.links["case:vip"] == "mark_vip"
