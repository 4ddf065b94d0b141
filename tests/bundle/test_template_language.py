"""Liquid filters speak dates and amounts in the language of the Gather a prompt is spoken in (de-DE here),
through the handler, as a caller would hear them."""

from __future__ import annotations

from datetime import UTC, datetime

from handler_helpers import CALL, app_for, post, twiml

from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt
from ivr_studio.flow.logic import Variable

CHRISTMAS_EVE = datetime(2026, 12, 24, 17, 30, tzinfo=UTC)


def german_menu(text: str, language: str = "de-DE") -> Flow:
    """A German menu whose prompt holds ``text``; the amounts are declared variables' defaults."""
    f = Flow("Konto")
    f.add_node(
        Node(
            "menu",
            NodeKind.GATHER,
            attributes={"input": "dtmf", "language": language},
            prompts=[Prompt("say", text)],
            branches=[Branch("agent", "0")],
        )
    )
    f.add_node(Node("agent", NodeKind.SAY, text="Einen Moment."))
    f.set_link("menu", "branch:agent", "agent")
    f.set_variables(
        [
            Variable("balance", default="1234.5"),
            Variable("one", default="1.01"),
            Variable("debt", default="-3"),
            Variable("due", default="2027-01-04"),
        ]
    )
    return f


def spoken(flow: Flow) -> str:
    client = app_for(flow, clock=lambda: CHRISTMAS_EVE).test_client()
    root = twiml(post(client, "/node/menu", **CALL))
    say = root.find("Gather/Say")
    assert say is not None, "the prompt is spoken inside the Gather"
    return say.text or ""


def test_dates_are_spoken_in_german():
    assert spoken(german_menu("{{ now | datetime: 'date' }}")) == "Donnerstag, 24. Dezember 2026"
    assert spoken(german_menu("{{ vars.due | datetime: 'date' }}")) == "Montag, 4. Januar 2027"
    assert spoken(german_menu("{{ now | datetime: 'time' }}")) == "17:30"  # 24-hour clock, no AM/PM
    assert spoken(german_menu("{{ now | datetime }}")) == "Donnerstag, 24. Dezember 2026, 17:30"


def test_amounts_are_spoken_in_german():
    assert spoken(german_menu("{{ vars.balance | money: 'EUR' }}")) == "1234 Euro und 50 Cent"
    assert spoken(german_menu("{{ vars.one | money: 'EUR' }}")) == "1 Euro und 1 Cent"
    assert spoken(german_menu("{{ vars.balance | money: 'USD' }}")) == "1234 Dollar und 50 Cent"
    assert spoken(german_menu("{{ vars.debt | money: 'EUR' }}")) == "minus 3 Euro"
    # a currency without German names: the amount with a decimal comma, as German is read
    assert spoken(german_menu("{{ vars.balance | money: 'CHF' }}")) == "1234,50 CHF"


def test_the_same_prompt_in_an_english_menu_stays_english():
    text = "{{ now | datetime: 'date' }}; {{ vars.balance | money: 'CHF' }}; {{ vars.debt | money: 'EUR' }}"
    assert spoken(german_menu(text, "en-US")) == "Thursday, 24 December 2026; 1234.50 CHF; minus 3 euros"


def test_a_time_zone_says_the_time_where_the_business_is():
    # 17:30 UTC on Christmas Eve is 18:30 in Berlin and 12:30 in New York; just before midnight UTC it is
    # already the next day in Berlin
    assert spoken(german_menu("{{ now | datetime: 'time', 'Europe/Berlin' }}")) == "18:30"
    assert spoken(german_menu("{{ now | datetime: 'time', 'America/New_York' }}", "en-US")) == "12:30 PM"
    late = "{{ '2026-12-24T23:30:00' | datetime: 'date', 'Europe/Berlin' }}"
    assert spoken(german_menu(late)) == "Freitag, 25. Dezember 2026"
    assert spoken(german_menu("{{ vars.due | datetime: 'date', 'Asia/Tokyo' }}")) == "Montag, 4. Januar 2027"


def test_an_unknown_time_zone_is_a_clear_template_error():
    import pytest

    from ivr_studio.bundle.handler.templates import Template, TemplateError

    template = Template("{{ now | datetime: 'time', 'Mars/Olympus' }}", "node menu, prompt 1")
    with pytest.raises(
        TemplateError, match=r"^node menu, prompt 1: datetime: 'Mars/Olympus' is not a time zone$"
    ):
        template.render({"now": CHRISTMAS_EVE.isoformat(), "language": "en-US"})
