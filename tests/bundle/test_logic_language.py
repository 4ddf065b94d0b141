"""Templates in logic nodes (Set, Decide, Look up) render ``money`` and ``datetime`` in the flow's language,
by the prompts' rule, not always in US English: a German flow that keeps "1234 Euro und 50 Cent" in a
variable speaks German. Through the exported handler, as the editor's test calls and a deployment run it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from handler_helpers import CALL, all_documents, app_for, post, routing_data, twiml

from ivr_studio.bundle.export import export_bundle
from ivr_studio.bundle.routing import flow_language
from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt
from ivr_studio.flow.logic import Assignment, Case, DecideConfig, SetConfig, Variable

CHRISTMAS_EVE = datetime(2026, 12, 24, 17, 30, tzinfo=UTC)


def flow_with_a_set(language: str | None) -> Flow:
    """Set keeps the balance as words, Decide compares a rendered date, the menu speaks the words."""
    attrs = {"input": "dtmf", **({"language": language} if language else {})}
    f = Flow("Konto")
    f.add_node(
        Node(
            "words",
            NodeKind.SET,
            config=SetConfig(
                (
                    Assignment("said", "{{ vars.balance | money: 'EUR' }}"),
                    Assignment("day", "{{ now | datetime: 'date' }}"),
                )
            ),
        )
    )
    f.add_node(
        Node(
            "which",
            NodeKind.DECIDE,
            config=DecideConfig((Case("german", "{{ now | datetime: 'date' }}", "starts_with", "Donnerstag"),)),
        )
    )
    f.add_node(
        Node(
            "menu",
            NodeKind.GATHER,
            attributes=attrs,
            prompts=[Prompt("say", "{{ vars.said }} / {{ vars.day }}")],
            branches=[Branch("agent", "0")],
        )
    )
    f.add_node(Node("agent", NodeKind.SAY, text="Einen Moment.", attributes=dict(attrs) if language else {}))
    f.add_node(Node("other", NodeKind.SAY, text="English.", attributes=dict(attrs) if language else {}))
    f.start = "words"
    f.set_link("words", "next", "which")
    f.set_link("which", "case:german", "menu")
    f.set_link("which", "otherwise", "other")
    f.set_link("menu", "branch:agent", "agent")
    f.set_variables([Variable("balance", default="1234.5"), Variable("said"), Variable("day")])
    return f


def answer(flow: Flow):
    client = app_for(flow, clock=lambda: CHRISTMAS_EVE).test_client()
    return twiml(post(client, "/voice", **CALL))


def test_a_german_flows_logic_nodes_render_amounts_and_dates_in_german():
    root = answer(flow_with_a_set("de-DE"))
    say = root.find("Gather/Say")
    assert say is not None, "Decide matched the German weekday and went to the menu"
    assert say.text == "1234 Euro und 50 Cent / Donnerstag, 24. Dezember 2026"


def test_a_flow_without_a_language_stays_us_english():
    root = answer(flow_with_a_set(None))
    assert root.find("Gather") is None and root.find("Say").text == "English."


def test_the_flow_language_is_the_one_most_prompts_speak():
    f = flow_with_a_set("de-DE")
    assert flow_language(f) == "de-DE"
    f.node("other").attributes["language"] = "fr-FR"
    f.node("agent").attributes["language"] = "fr-FR"
    # two French Says against the German menu and its prompt: a tie, and the first in the flow wins
    assert flow_language(f) == "de-DE"
    f.node("menu").prompts[0].attributes["language"] = "fr-FR"
    assert flow_language(f) == "fr-FR"
    assert flow_language(Flow("empty")) == "en-US"


def test_the_exported_bundle_carries_the_language(tmp_path):
    export_bundle(flow_with_a_set("de-DE"), tmp_path / "out")
    routing = json.loads((tmp_path / "out" / "routing.json").read_text())
    assert routing["language"] == "de-DE"
    export_bundle(flow_with_a_set(None), tmp_path / "plain")
    assert "language" not in json.loads((tmp_path / "plain" / "routing.json").read_text())


@pytest.mark.parametrize("bad", ["", "german", "de_DE", 42, "x" * 100])
def test_a_bad_language_in_routing_json_is_refused_at_start(bad):
    from ivr_studio.bundle.handler.data import BundleError, BundleSource, load_flow

    routing = routing_data(flow_with_a_set("de-DE")) | {"language": bad}
    with pytest.raises(BundleError, match="is not a language tag"):
        load_flow(BundleSource(routing, all_documents(flow_with_a_set("de-DE"))))
