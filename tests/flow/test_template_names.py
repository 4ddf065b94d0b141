"""What the editor completes and flags in a template: the names a node can read, and the validator's
own messages for a template as it is typed."""

from __future__ import annotations

from ivr_studio.flow import load_flow
from ivr_studio.flow.calendars import holiday_countries, holiday_subdivisions
from ivr_studio.flow.template_names import readable_names, template_messages


def test_the_names_a_template_can_read_come_from_the_flow(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    names = readable_names(flow)
    assert names[:2] == ["vars.account", "vars.tier"]
    assert {"call.from", "call.digits", "now", "language"} <= set(names)
    assert "steps.balance.status" in names
    assert {"steps.balance.body.amount", "steps.balance.body.currency"} <= set(names)
    assert "steps.hours.state" in names
    assert "env.ACME_API_TOKEN" in names
    assert not any(n.startswith("steps.vip_check") for n in names)  # a Decide keeps no result


def test_a_template_is_checked_at_its_node_as_it_is_typed(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    assert template_messages(flow, "say_balance", "Your balance is {{ steps.balance.body.amount }}") == []
    assert template_messages(flow, "say_balance", "{{ vars.account ") == [
        "Template error: expected '}}', found end of file"
    ]
    unknown = template_messages(flow, "say_balance", "{{ vars.nickname }}")
    assert unknown == ["{{ vars.nickname }}: no variable nickname is declared or set anywhere"]
    # the balance look-up runs after the menu that captures the account, never before the welcome
    assert template_messages(flow, "welcome", "{{ vars.account }}") == [
        "{{ vars.account }} is never set on any path from the start to 'Welcome'"
    ]
    assert template_messages(flow, "say_balance", "{{ steps.balance.body.owner }}") == [
        "{{ steps.balance.body.owner }}: 'Balance look-up' does not keep owner (add it to its keep list)"
    ]
    assert template_messages(flow, "say_balance", "{{ env.SECRET }}") == [
        "{{ env.SECRET }}: declare SECRET among the flow's environment variables"
    ]
    assert template_messages(flow, "say_balance", "plain text, no template") == []


def test_holiday_countries_and_their_subdivisions():
    countries = dict(holiday_countries())
    assert countries["DE"] == "Germany" and countries["US"] == "United States"
    assert len(countries) > 100
    assert ("BE", "Berlin") in holiday_subdivisions("DE")
    assert holiday_subdivisions("XX") == []


def test_the_call_fields_offered_are_the_ones_templates_read():
    from ivr_studio.flow import template_names, templates

    assert template_names.CALL_FIELDS == templates.CALL_FIELDS
