"""Studio's logic widgets: Split Based On → Decide, Set Variables → Set, Make HTTP Request → Look up, and
back; Liquid names are rewritten both ways, and a flow that needs them runs in the local runtime."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest

from ivr_studio.bundle.serve import wsgi_app_for_target
from ivr_studio.flow.ivrflow import save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.logic import Case, DecideConfig, LookupConfig
from ivr_studio.flow.model import Flow, Node, Prompt
from ivr_studio.interop.report import PLACEHOLDER
from ivr_studio.interop.studio_export import export_studio, schema_path
from ivr_studio.interop.studio_import import import_studio
from ivr_studio.interop.studio_logic import lookup_from_request, request_from_lookup
from ivr_studio.runtime import CallEngine, VirtualClock, WsgiTransport
from ivr_studio.runtime.params import CallIdentity
from ivr_studio.runtime.script import parse_script, run_virtual

VALIDATOR = jsonschema.Draft7Validator(json.loads(schema_path().read_text(encoding="utf-8")))


def split_flow() -> dict:
    """A trigger and a Split Based On (not a menu's) on the caller's number."""
    return {
        "description": "",
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingCall", "next": "check"}],
                "properties": {"offset": {"x": 0, "y": 0}},
            },
            {
                "name": "check",
                "type": "split-based-on",
                "transitions": [
                    {"event": "noMatch"},
                    {
                        "event": "match",
                        "next": "check",
                        "conditions": [
                            {
                                "friendly_name": "vip",
                                "arguments": ["{{trigger.call.From}}"],
                                "type": "starts_with",
                                "value": "+44",
                            }
                        ],
                    },
                ],
                "properties": {"input": "{{trigger.call.From}}", "offset": {"x": 0, "y": 200}},
            },
        ],
    }


def test_a_split_that_is_not_a_menus_becomes_a_decide_unless_its_operator_is_missing():
    data = split_flow()
    flow, report = import_studio(data)
    check = flow.node("check")
    assert flow.start == "check" and check.kind == NodeKind.DECIDE
    assert [(c.value, c.op, c.operand, c.label) for c in check.config.cases] == [
        ("{{call.from}}", "starts_with", "+44", "vip")
    ]
    assert check.links == {"case:c1": "check"} and not report.of(PLACEHOLDER)
    data["states"][1]["transitions"][1]["conditions"][0]["type"] = "ends_with"  # not a Studio condition
    flow, report = import_studio(data)
    kept = flow.node("check")
    assert kept.kind == NodeKind.PLACEHOLDER and kept.config.type == "split-based-on"
    assert kept.links == {"on:match": "check"}  # the split's own transitions are its exits
    assert "no operator for 'ends_with'" in report.of(PLACEHOLDER)[0].note


def test_set_variables_and_http_request_become_set_and_look_up():
    data = {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingCall", "next": "remember"}],
                "properties": {"offset": {"x": 0, "y": 0}},
            },
            {
                "name": "remember",
                "type": "set-variables",
                "transitions": [{"event": "next", "next": "balance"}],
                "properties": {
                    "variables": [{"key": "caller", "value": "{{trigger.call.From}}"}],
                    "offset": {"x": 0, "y": 200},
                },
            },
            {
                "name": "balance",
                "type": "make-http-request",
                "transitions": [{"event": "success", "next": "say"}, {"event": "failed", "next": "sorry"}],
                "properties": {
                    "method": "POST",
                    "url": "https://api.example.com/balance",
                    "content_type": "application/json;charset=utf-8",
                    "body": '{"from": "{{flow.variables.caller}}"}',
                    "offset": {"x": 0, "y": 400},
                },
            },
            {
                "name": "say",
                "type": "say-play",
                "transitions": [{"event": "audioComplete"}],
                "properties": {
                    "say": "Your balance is {{widgets.balance.parsed.account.balance}}.",
                    "offset": {"x": 0, "y": 600},
                },
            },
            {
                "name": "sorry",
                "type": "say-play",
                "transitions": [{"event": "audioComplete"}],
                "properties": {"say": "Sorry.", "offset": {"x": 300, "y": 600}},
            },
        ]
    }
    flow, report = import_studio(data)
    remember, balance = flow.node("remember"), flow.node("balance")
    assert remember.kind == NodeKind.SET and [(a.name, a.value) for a in remember.config.assignments] == [
        ("caller", "{{call.from}}")
    ]
    assert remember.links == {"next": "balance"} and "caller" in flow.variables
    assert balance.kind == NodeKind.LOOKUP and balance.links == {"ok": "say", "failed": "sorry"}
    c = balance.config
    assert (c.method, c.url, c.body_kind, c.body) == (
        "POST",
        "https://api.example.com/balance",
        "json",
        '{"from": "{{vars.caller}}"}',
    )
    assert c.keep == ("account.balance",)  # the values the flow reads travel on with the call
    assert flow.node("say").text == "Your balance is {{steps.balance.body.account.balance}}."
    assert not report.of(PLACEHOLDER)
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    widgets = {s["name"]: s for s in definition["states"]}
    assert widgets["remember"]["properties"]["variables"] == [
        {"key": "caller", "value": "{{trigger.call.From}}"}
    ]
    assert widgets["balance"]["properties"]["body"] == '{"from": "{{flow.variables.caller}}"}'
    definition["description"] = "edited in Studio"
    again, _ = import_studio(definition)
    assert again.node("balance").config == balance.config and again.node("remember").config == remember.config


def _definition(*states: dict) -> dict:
    trigger = {
        "name": "Trigger",
        "type": "trigger",
        "transitions": [{"event": "incomingCall", "next": states[0]["name"]}],
        "properties": {"offset": {"x": 0, "y": 0}},
    }
    return {"states": [trigger, *states]}


def _say(name: str, text: str, nxt: str | None = None) -> dict:
    return {
        "name": name,
        "type": "say-play",
        "transitions": [{"event": "audioComplete", **({"next": nxt} if nxt else {})}],
        "properties": {"say": text, "offset": {"x": 0, "y": 400}},
    }


def test_a_decides_value_and_operand_are_written_with_studios_names_and_read_back():
    flow = Flow("Decide")
    case = Case("rich", "{{ steps.balance.body.amount }}", "greater_than", "{{vars.limit}}", "over the limit")
    flow.add_node(Node("check", NodeKind.DECIDE, config=DecideConfig((case,))))
    flow.add_node(Node("yes", NodeKind.SAY, text="Over."))
    flow.set_link("check", "case:rich", "yes")
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    (split,) = [s for s in definition["states"] if s["name"] == "check"]
    assert split["properties"]["input"] == "{{ widgets.balance.parsed.amount }}"
    (match,) = [t for t in split["transitions"] if t["event"] == "match"]
    assert match["conditions"] == [
        {
            "friendly_name": "over the limit",
            "arguments": ["{{ widgets.balance.parsed.amount }}"],
            "type": "greater_than",
            "value": "{{flow.variables.limit}}",
        }
    ]
    assert match["next"] == "yes"
    definition["description"] = "edited in Studio"
    again, _ = import_studio(definition)
    (back,) = again.node("check").config.cases
    assert (back.value, back.op, back.operand, back.label) == (case.value, case.op, case.operand, case.label)
    assert again.node("check").links == {back.exit_name: "yes"}


def test_a_look_ups_query_goes_into_the_url_for_a_post_and_into_parameters_for_a_get():
    post = LookupConfig(
        "https://api.example.com/pay",
        "POST",
        query=(("source", "ivr"),),
        body_kind="form",
        form=(("a", "1"),),
    )
    get = LookupConfig("https://api.example.com/pay", "GET", query=(("caller", "{{call.from}}"),))
    assert request_from_lookup(post) == {
        "method": "POST",
        "url": "https://api.example.com/pay?source=ivr",
        "parameters": [{"key": "a", "value": "1"}],
        "content_type": "application/x-www-form-urlencoded;charset=utf-8",
    }
    assert request_from_lookup(get) == {
        "method": "GET",
        "url": "https://api.example.com/pay",
        "parameters": [{"key": "caller", "value": "{{trigger.call.From}}"}],
    }
    bare = LookupConfig("https://api.example.com/ping", "POST")
    state = {"name": "ping", "type": "make-http-request", "properties": request_from_lookup(bare)}
    assert lookup_from_request(state, {}) == bare  # no parameters and no body is no body, not an empty form


def test_a_split_with_no_match_after_a_menu_stays_a_decide_of_its_own():
    flow = Flow("Menu then decide")
    flow.add_node(Node("menu", NodeKind.GATHER, prompts=[Prompt("say", "Press a key.")]))
    flow.add_node(Node("route", NodeKind.DECIDE))
    flow.add_node(Node("bye", NodeKind.SAY, text="Bye."))
    flow.set_link("menu", "no_match", "route")
    flow.set_link("route", "otherwise", "bye")
    definition = export_studio(flow)
    definition["description"] = "edited in Studio"
    again, _ = import_studio(definition)
    assert again.node("route").kind == NodeKind.DECIDE
    assert again.node("menu").links == {"no_match": "route"} and again.node("route").links == {
        "otherwise": "bye"
    }


def test_an_imported_studio_flow_with_logic_widgets_runs_locally_against_a_real_back_end(tmp_path: Path):
    """Set Variables → Make HTTP Request (to a back-end on 127.0.0.1) → Split Based On its answer → Say,
    imported from Studio and called in process: each widget does on the call what it does in Studio."""
    seen: list[dict] = []

    class Backend(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"account": {"balance": "42", "tier": "gold"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    data = _definition(
        {
            "name": "remember",
            "type": "set-variables",
            "transitions": [{"event": "next", "next": "balance"}],
            "properties": {"variables": [{"key": "caller", "value": "{{trigger.call.From}}"}]},
        },
        {
            "name": "balance",
            "type": "make-http-request",
            "transitions": [{"event": "success", "next": "tier"}, {"event": "failed", "next": "sorry"}],
            "properties": {
                "method": "POST",
                "url": f"{base}/balance",
                "content_type": "application/json;charset=utf-8",
                "body": '{"from": "{{flow.variables.caller}}"}',
            },
        },
        {
            "name": "tier",
            "type": "split-based-on",
            "transitions": [
                {"event": "noMatch", "next": "plain"},
                {
                    "event": "match",
                    "next": "gold",
                    "conditions": [
                        {
                            "friendly_name": "gold",
                            "arguments": ["{{widgets.balance.parsed.account.tier}}"],
                            "type": "equal_to",
                            "value": "gold",
                        }
                    ],
                },
            ],
            "properties": {"input": "{{widgets.balance.parsed.account.tier}}"},
        },
        _say("gold", "Gold member, your balance is {{widgets.balance.parsed.account.balance}}."),
        _say("plain", "Your balance is {{widgets.balance.parsed.account.balance}}."),
        _say("sorry", "Sorry."),
    )
    flow, report = import_studio(data)
    assert not report.of(PLACEHOLDER)
    path = tmp_path / "imported.ivrflow"
    save_flow(flow, path)
    try:
        app, url = wsgi_app_for_target(path)
        engine = CallEngine(
            url, WsgiTransport(app), clock=VirtualClock(), identity=CallIdentity("+15005550006")
        )
        run_virtual(engine, parse_script({"steps": [{"wait_for": "hangup"}]}), max_duration=60)
    finally:
        server.shutdown()
    assert seen == [{"from": "+15005550006"}]
    assert [e["text"] for e in engine.trace.of("say")] == ["Gold member, your balance is 42."]


@pytest.mark.parametrize(
    ("studio", "local", "operand"),
    [("does_not_start_with", "not_starts_with", "+44"), ("is_before_date", "before_date", "2027-01-01"),
     ("is_after_date", "after_date", "2026-12-24")],
)
def test_splits_on_dates_and_not_starting_with_become_decide_and_go_back(studio, local, operand):
    data = split_flow()
    condition = data["states"][1]["transitions"][1]["conditions"][0]
    condition.update(type=studio, value=operand)
    flow, report = import_studio(data)
    check = flow.node("check")
    assert check.kind == NodeKind.DECIDE and not report.of(PLACEHOLDER)
    assert [(c.op, c.operand) for c in check.config.cases] == [(local, operand)]
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    split = next(s for s in definition["states"] if s["name"] == "check")
    match = next(t for t in split["transitions"] if t["event"] == "match")
    assert match["conditions"][0]["type"] == studio and match["conditions"][0]["value"] == operand
