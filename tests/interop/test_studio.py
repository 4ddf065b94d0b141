"""Studio import and export: widgets map onto nodes, the gather → split pattern folds into menus, the export
validates against the vendored flow-definition schema, and a round trip gives the same flow back."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ivr_studio.bundle.serve import wsgi_app_for_target
from ivr_studio.cli import main
from ivr_studio.flow.ivrflow import flow_to_dict, load_flow, save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.interop.report import MAPPED, PLACEHOLDER, WARNING
from ivr_studio.interop.studio_export import export_studio, schema_path
from ivr_studio.interop.studio_import import StudioImportError, import_studio, load_studio
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
    assert lookup.kind == NodeKind.PLACEHOLDER and lookup.title == "lookup"
    assert lookup.config.properties["url"] == "https://example.twil.io/status"
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
    last = trace.of("request")[-1]  # runs up to the placeholder, then ends
    assert (last["node"], last["path"]) == ("(hangup)", ["lookup end"])
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
    assert again.node("lookup").config == flow.node("lookup").config
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


def test_a_phrase_an_earlier_condition_names_stays_with_that_condition():
    """Studio's split takes the first condition that holds: "sales" said to this menu goes to Billing, the
    second condition naming it, never to Sales, whose first condition came before — even though the third
    condition sends "sales" to Sales too."""

    def said(value: str, target: str) -> dict:
        condition = {"friendly_name": value, "arguments": ["{{widgets.g.SpeechResult}}"], "type": "contains"}
        return {"event": "match", "next": target, "conditions": [{**condition, "value": value}]}

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
                    {"event": "keypress"},
                    {"event": "speech", "next": "g_speech"},
                    {"event": "timeout"},
                ],
                "properties": {"say": "Say sales or billing.", "stop_gather": True},
            },
            {
                "name": "g_speech",
                "type": "split-based-on",
                "transitions": [
                    {"event": "noMatch"},
                    said("help", "sales"),
                    said("sales", "billing"),
                    said("sales", "sales"),
                ],
                "properties": {"input": "{{widgets.g.SpeechResult}}"},
            },
            *(
                {
                    "name": name,
                    "type": "say-play",
                    "transitions": [{"event": "audioComplete"}],
                    "properties": {"say": name},
                }
                for name in ("sales", "billing")
            ),
        ]
    }
    flow, _ = import_studio(data)
    g = flow.node("g")
    assert [(b.phrases, g.links.get(b.exit_name)) for b in g.branches] == [
        (["help"], "sales"),
        (["sales"], "billing"),
    ]
