"""Studio import and export: widgets map onto nodes, the gather → split pattern folds into menus, the export
validates against the vendored flow-definition schema, and a round trip gives the same flow back."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr_studio.bundle.serve import wsgi_app_for_target
from ivr_studio.cli import main
from ivr_studio.flow.ivrflow import flow_to_dict, load_flow, save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Branch, Flow, Node, Prompt
from ivr_studio.interop.report import MAPPED, PLACEHOLDER, WARNING
from ivr_studio.interop.studio_export import export_studio, schema_path
from ivr_studio.interop.studio_import import PLACEHOLDER_MARKER, StudioImportError, import_studio, load_studio
from ivr_studio.runtime import CallEngine, VirtualClock, WsgiTransport
from ivr_studio.runtime.script import parse_script, run_virtual

HERE = Path(__file__).parent
EXAMPLES = HERE.parents[1] / "resources" / "examples"
SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def test_the_vendored_schema_is_a_valid_draft_7_schema_and_says_where_it_comes_from():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "https://schemas.twilio.com/studio/draft/2019-09/flow-definition"
    assert "not Twilio's text" in SCHEMA["$comment"]


def test_a_studio_flow_with_every_voice_widget_imports():
    flow, report = load_studio(HERE / "studio" / "support.json")
    assert flow.name == "Acme support (Studio)" and flow.start == "welcome"
    welcome = flow.node("welcome")
    assert (welcome.kind, welcome.text, welcome.position) == (NodeKind.SAY, "Welcome to Acme.", (40.0, 200.0))
    assert welcome.attributes == {"voice": "Polly.Joanna", "language": "en-US", "loop": 1}
    assert welcome.links == {"next": "main_menu"}
    menu = flow.node("main_menu")
    assert menu.kind == NodeKind.GATHER
    assert menu.attributes == {
        "timeout": 5,
        "finishOnKey": "#",
        "numDigits": 1,
        "speechTimeout": "auto",
        "language": "en-US",
        "speechModel": "phone_call",
        "hints": "sales, support",
        "profanityFilter": True,
        "input": "dtmf speech",
    }
    assert [(p.kind, p.text, p.attributes) for p in menu.prompts] == [
        (
            "say",
            "For sales press 1 or say sales. For support press 2.",
            {"voice": "Polly.Joanna", "language": "en-US", "loop": 1},
        )
    ]
    branches = {(b.keys, tuple(b.phrases)): menu.links[b.exit_name] for b in menu.branches}
    assert branches == {
        ("1", ("sales",)): "to_sales",  # the key and the phrase that lead to one widget are one branch
        ("2", ()): "voicemail",
        ("3", ()): "voicemail",
        ("", ("order status",)): "lookup",
    }
    assert menu.links["no_match"] == "sorry" and menu.links["no_input"] == "main_menu"
    dial = flow.node("to_sales")
    assert (dial.kind, dial.text, dial.attributes, dial.links) == (
        NodeKind.DIAL,
        "+15551230000",
        {"timeout": 30},
        {"next": "goodbye"},
    )
    record = flow.node("voicemail")
    assert record.attributes == {
        "maxLength": 120,
        "timeout": 5,
        "finishOnKey": "#",
        "playBeep": True,
        "trim": "trim-silence",
        "transcribe": True,
    }
    assert record.links == {"next": "goodbye", "empty": "goodbye"}
    hold = flow.node("hold")
    assert hold.kind == NodeKind.PAUSE and hold.attributes == {"length": 2}
    lookup = flow.node("lookup")
    assert lookup.kind == NodeKind.HANGUP and lookup.title == "run-function: lookup"
    assert lookup.notes.startswith(PLACEHOLDER_MARKER)
    assert (
        json.loads(lookup.notes[len(PLACEHOLDER_MARKER) :])["properties"]["url"]
        == "https://example.twil.io/status"
    )
    assert [e.source for e in report.of(PLACEHOLDER)] == ["widget lookup"]
    folded = [e for e in report.of(MAPPED) if "folded" in e.note]
    assert {e.source for e in folded} == {"widget menu_keys", "widget menu_speech"}
    warnings = " ".join(e.note for e in report.of(WARNING))
    assert "caller_id is a Liquid expression" in warnings
    assert flow.node("goodbye").text == "Thank you for calling {{vars.company}}. Goodbye."


def test_the_imported_studio_flow_runs_in_the_local_runtime(tmp_path: Path):
    flow, _ = load_studio(HERE / "studio" / "support.json")
    path = tmp_path / "support.ivrflow"
    save_flow(flow, path)
    app, url = wsgi_app_for_target(path)

    def call(steps):
        engine = CallEngine(url, WsgiTransport(app), clock=VirtualClock())
        run_virtual(engine, parse_script({"steps": steps}), max_duration=300)
        return engine.trace

    trace = call([{"wait_for": "listening"}, {"press": "1"}, {"dial_outcome": "answered"}])
    assert trace.of("dial")[0]["number"] == "+15551230000"
    assert trace.of("say")[-1]["text"].startswith("Thank you for calling")
    trace = call([{"wait_for": "listening"}, {"say": "what is my order status"}])
    assert [e["node"] for e in trace.of("request")][-1] == "lookup"  # runs up to the placeholder, then ends
    assert trace.of("call_end")[0]["status"] == "completed"


def test_a_gather_whose_keypress_goes_straight_to_a_widget_sends_any_key_there():
    data = {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingCall", "next": "g"}],
                "properties": {},
            },
            {
                "name": "g",
                "type": "gather-input-on-call",
                "transitions": [
                    {"event": "keypress", "next": "thanks"},
                    {"event": "speech"},
                    {"event": "timeout"},
                ],
                "properties": {
                    "play": "https://example.com/menu.mp3",
                    "stop_gather": False,
                    "number_of_digits": "4",
                },
            },
            {
                "name": "thanks",
                "type": "say-play",
                "transitions": [{"event": "audioComplete"}],
                "properties": {"say": "Thanks"},
            },
        ]
    }
    flow, _ = import_studio(data)
    g = flow.node("g")
    assert g.branches == [] and g.links == {"no_match": "thanks"}
    assert g.attributes == {"finishOnKey": "", "numDigits": 4}
    assert [(p.kind, p.text) for p in g.prompts] == [("play", "https://example.com/menu.mp3")]
    assert flow.node("thanks").position != (0.0, 0.0) or flow.node("g").position != (0.0, 0.0)  # laid out


def test_a_split_that_is_not_a_menus_becomes_a_decide_unless_its_operator_is_missing():
    data = {
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
    flow, report = import_studio(data)
    check = flow.node("check")
    assert flow.start == "check" and check.kind == NodeKind.DECIDE
    assert [(c.value, c.op, c.operand, c.label) for c in check.config.cases] == [
        ("{{call.from}}", "starts_with", "+44", "vip")
    ]
    assert check.links == {"case:c1": "check"} and not report.of(PLACEHOLDER)
    data["states"][1]["transitions"][1]["conditions"][0]["type"] = "does_not_start_with"
    flow, report = import_studio(data)
    assert flow.node("check").kind == NodeKind.HANGUP
    assert "no operator for 'does_not_start_with'" in report.of(PLACEHOLDER)[0].note


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.ivrflow")))
def test_every_example_exports_valid_studio_json_and_comes_back_the_same(example: str):
    flow = load_flow(EXAMPLES / example)
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    again, report = import_studio(json.loads(json.dumps(definition)))
    assert flow_to_dict(again) == flow_to_dict(flow)
    assert not report.of(WARNING)


def _choices(flow: Flow, node: Node) -> dict[tuple[str, str], str]:
    """What each key and phrase of a menu leads to (only the input modes the menu listens to)."""
    modes = str(node.attributes.get("input", "dtmf")).split()
    ends = {NodeKind.HANGUP, NodeKind.REJECT}
    out = {}
    for b in node.branches:
        target = node.links.get(b.exit_name)
        if target is None or flow.node(target).kind in ends:
            continue
        if b.keys and "dtmf" in modes:
            out[("key", b.keys)] = target
        if "speech" in modes:
            out.update({("phrase", p): target for p in b.phrases})
    return out


def _widget_equivalent(flow: Flow, again: Flow) -> None:
    """What Studio's widgets carry survives an import that ignores IVR Studio's notes: every node that has
    a widget keeps its kind, text, attributes (a menu's input mode follows its transitions), first prompt,
    choices and the links into other widgets."""
    ends = {NodeKind.HANGUP, NodeKind.REJECT}
    for node in flow:
        if node.kind in ends:
            assert node.id not in again.nodes
            continue
        twin = again.node(node.id)
        if node.kind == NodeKind.HOURS:  # no Studio widget: a split whose no match is "open"
            assert twin.kind == NodeKind.DECIDE and not twin.config.cases
            open_target = node.links.get("open")
            if open_target and flow.node(open_target).kind not in ends:
                assert twin.links.get("otherwise") == open_target
            continue
        if node.kind == NodeKind.DECIDE:
            assert [(c.value, c.op, c.operand) for c in twin.config.cases] == [
                (c.value, c.op, c.operand) for c in node.config.cases
            ], node.id
        if node.kind in (NodeKind.SET,):
            assert twin.config == node.config, node.id
        if node.kind == NodeKind.LOOKUP:
            a, b = node.config, twin.config
            assert (b.url, b.method, b.body_kind, b.body) == (a.url, a.method, a.body_kind, a.body), node.id
        # Numbers, URLs and queue names are exported trimmed, as the bundle's TwiML writes them.
        trimmed = node.kind in (NodeKind.DIAL, NodeKind.REDIRECT, NodeKind.ENQUEUE)
        assert (twin.kind, twin.text) == (node.kind, node.text.strip() if trimmed else node.text), node.id
        if node.kind == NodeKind.GATHER:
            assert {k: v for k, v in twin.attributes.items() if k != "input"} == {
                k: v for k, v in node.attributes.items() if k != "input"
            }, node.id
            assert twin.prompts[:1] == node.prompts[:1], node.id
            assert _choices(again, twin) == _choices(flow, node), node.id
        else:
            assert twin.attributes == node.attributes, node.id
        if node.kind == NodeKind.DECIDE:  # Studio has no case ids: cases pair up by position
            for mine, theirs in zip(node.config.cases, twin.config.cases, strict=True):
                target = node.links.get(mine.exit_name)
                if target is not None and flow.node(target).kind not in ends:
                    assert twin.links.get(theirs.exit_name) == target, (node.id, mine.id)
        failed = ("failed",) if node.kind in (NodeKind.LOOKUP, NodeKind.ENQUEUE) else ()
        for exit_name in ("next", "empty", "no_input", "otherwise", "ok", *failed):
            target = node.links.get(exit_name)
            if target is not None and flow.node(target).kind not in ends:
                assert twin.links.get(exit_name) == target, (node.id, exit_name)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.ivrflow")))
def test_every_example_survives_an_import_from_the_widgets_alone(example: str):
    flow = load_flow(EXAMPLES / example)
    definition = export_studio(flow)
    definition["description"] = "edited in Studio"
    again, _ = import_studio(definition)
    _widget_equivalent(flow, again)


def test_a_definition_changed_in_studio_is_imported_from_its_widgets():
    flow = load_flow(EXAMPLES / "support-line.ivrflow")
    definition = export_studio(flow)
    definition["states"][1]["properties"]["say"] = "Welcome to Acme, changed in Studio."
    again, report = import_studio(definition)
    assert again.node("welcome").text == "Welcome to Acme, changed in Studio."
    assert any("changed in Studio" in e.note for e in report.of(WARNING))


def test_placeholders_are_written_back_as_the_original_widgets(tmp_path: Path):
    flow, _ = load_studio(HERE / "studio" / "support.json")
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    widgets = {s["name"]: s for s in definition["states"]}
    assert widgets["lookup"]["type"] == "run-function"
    assert widgets["lookup"]["transitions"] == [
        {"next": "goodbye", "event": "success"},
        {"next": "sorry", "event": "fail"},
    ]
    speech = next(s for s in definition["states"] if s["name"].startswith("main_menu_speech"))
    assert {
        "next": "lookup",
        "event": "match",
        "conditions": [
            {
                "friendly_name": "If value contains order status",
                "arguments": ["{{widgets.main_menu.SpeechResult}}"],
                "type": "contains",
                "value": "order status",
            }
        ],
    } in speech["transitions"]
    definition["description"] = "x"
    again, report = import_studio(definition)
    assert again.node("lookup").notes == flow.node("lookup").notes
    assert report.of(PLACEHOLDER)


def test_cli_export_studio_and_import_it_back(tmp_path: Path, capsys):
    out = tmp_path / "flow.json"
    assert main(["export", "--studio", str(EXAMPLES / "transfer-voicemail.ivrflow"), "-o", str(out)]) == 0
    VALIDATOR.validate(json.loads(out.read_text()))
    back = tmp_path / "back.ivrflow"
    assert main(["import", "studio", str(out), "-o", str(back)]) == 0
    assert flow_to_dict(load_flow(back)) == flow_to_dict(load_flow(EXAMPLES / "transfer-voicemail.ivrflow"))
    assert (
        main(
            [
                "export",
                "--studio",
                str(EXAMPLES / "transfer-voicemail.ivrflow"),
                "-o",
                str(tmp_path / "x.txt"),
            ]
        )
        == 2
    )


def test_bad_definitions_name_the_json_path():
    for data, message in (
        ([], "a Studio flow definition is a JSON object"),
        ({"states": {}}, "$.states: expected a list"),
        ({"states": [{"name": "a"}]}, "$.states[0].type: expected text"),
        (
            {"states": [{"name": "a", "type": "say-play"}, {"name": "a", "type": "say-play"}]},
            "'a' is used twice",
        ),
        (
            {"states": [{"name": "a", "type": "x", "transitions": [{"event": "e", "next": 3}]}]},
            "transitions[0].next",
        ),
        ({"states": [{"name": "a", "type": "x", "properties": []}]}, "$.states[0].properties"),
    ):
        with pytest.raises(StudioImportError) as exc:
            import_studio(data)
        assert message in str(exc.value)


# ------------------------------------------------------------------------------------------ round trip
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    str.strip
)
IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,10}", fullmatch=True)


@st.composite
def flows(draw) -> Flow:
    flow = Flow(draw(TEXT))
    ids = draw(st.lists(IDS, min_size=1, max_size=8, unique=True))
    kinds = [k for k in NodeKind]
    for node_id in ids:
        kind = draw(st.sampled_from(kinds))
        node = Node(
            node_id,
            kind,
            draw(TEXT),
            (draw(st.integers(-3000, 3000)), draw(st.integers(-3000, 3000))),
            notes=draw(st.one_of(st.just(""), TEXT)),
        )
        if kind in (NodeKind.SAY, NodeKind.PLAY, NodeKind.DIAL, NodeKind.REDIRECT, NodeKind.ENQUEUE):
            node.text = draw(TEXT)
        if kind == NodeKind.SAY:
            node.attributes = draw(
                st.fixed_dictionaries(
                    {},
                    optional={"voice": st.sampled_from(["alice", "Polly.Joanna"]), "loop": st.integers(0, 3)},
                )
            )
        if kind == NodeKind.PAUSE:
            node.attributes = {"length": draw(st.integers(1, 9))}
        if kind == NodeKind.GATHER:
            node.attributes = draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "timeout": st.integers(1, 30),
                        "numDigits": st.integers(1, 4),
                        "finishOnKey": st.sampled_from(["#", "*", ""]),
                        "input": st.sampled_from(["dtmf", "speech", "dtmf speech"]),
                        "speechTimeout": st.sampled_from(["auto", 2]),
                        "hints": st.just("sales, support"),
                        "bargeIn": st.booleans(),
                    },
                )
            )
            node.prompts = draw(st.lists(st.builds(lambda t: Prompt("say", t), TEXT), max_size=2))
            node.max_attempts = draw(st.integers(1, 5))
            for i in range(draw(st.integers(0, 3))):
                node.branches.append(
                    Branch(
                        f"b{i}",
                        draw(st.from_regex(r"[0-9]{0,2}", fullmatch=True)),
                        draw(
                            st.lists(
                                st.sampled_from(["sales", "help me", "billing"]), max_size=2, unique=True
                            )
                        ),
                    )
                )
        if kind == NodeKind.DIAL:
            node.attributes = draw(
                st.fixed_dictionaries(
                    {}, optional={"timeout": st.integers(5, 60), "callerId": st.just("+15550001111")}
                )
            )
        if kind == NodeKind.RECORD:
            node.attributes = draw(
                st.fixed_dictionaries(
                    {}, optional={"maxLength": st.integers(1, 300), "playBeep": st.booleans()}
                )
            )
        flow.add_node(node)
    for node in flow:
        for exit_name in node.exit_names():
            if draw(st.booleans()):
                node.links[exit_name] = draw(st.sampled_from(ids))
    flow.start = draw(st.sampled_from(ids))
    return flow


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_any_flow_survives_export_and_import(flow: Flow):
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    again, _ = import_studio(json.loads(json.dumps(definition)))
    assert flow_to_dict(again) == flow_to_dict(flow)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_any_flow_survives_an_import_from_the_widgets_alone(flow: Flow):
    definition = export_studio(flow)
    definition["description"] = "edited in Studio"
    again, _ = import_studio(json.loads(json.dumps(definition)))
    _widget_equivalent(flow, again)


def test_enqueue_call_becomes_a_queue_and_goes_back_to_studio():
    data = {
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "transitions": [{"event": "incomingCall", "next": "queue"}],
                "properties": {"offset": {"x": 0, "y": 0}},
            },
            {
                "name": "queue",
                "type": "enqueue-call",
                "transitions": [
                    {"event": "callComplete", "next": "bye"},
                    {"event": "failedToEnqueue", "next": "sorry"},
                    {"event": "callFailure", "next": "sorry"},
                ],
                "properties": {
                    "queue_name": "support",
                    "wait_url": "https://example.com/hold",
                    "wait_url_method": "GET",
                    "offset": {"x": 0, "y": 200},
                },
            },
            {
                "name": "bye",
                "type": "say-play",
                "transitions": [{"event": "audioComplete"}],
                "properties": {"say": "Bye.", "offset": {"x": 0, "y": 400}},
            },
            {
                "name": "sorry",
                "type": "say-play",
                "transitions": [{"event": "audioComplete"}],
                "properties": {"say": "Sorry.", "offset": {"x": 300, "y": 400}},
            },
        ]
    }
    flow, report = import_studio(data)
    queue = flow.node("queue")
    assert (queue.kind, queue.text) == (NodeKind.ENQUEUE, "support")
    assert queue.attributes == {"waitUrl": "https://example.com/hold", "waitUrlMethod": "GET"}
    assert queue.links == {"next": "bye", "failed": "sorry"}
    assert not report.of(PLACEHOLDER)
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    widget = next(s for s in definition["states"] if s["name"] == "queue")
    assert widget["type"] == "enqueue-call" and widget["properties"]["queue_name"] == "support"
    assert {"event": "failedToEnqueue", "next": "sorry"} in widget["transitions"]


def test_the_flows_rest_resource_is_accepted_with_its_definition_as_an_object_or_a_string():
    definition = json.loads((HERE / "studio" / "support.json").read_text())
    for wrapped in (definition, json.dumps(definition)):
        flow, _ = import_studio({"sid": "FW" + "0" * 32, "friendly_name": "Support", "definition": wrapped})
        assert flow.start == "welcome" and "main_menu" in flow.nodes
    with pytest.raises(StudioImportError, match=r"\$\.definition"):
        import_studio({"definition": "{not json"})


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
