"""The validator: each rule fires on the flow it describes, and clean flows stay clean."""

from __future__ import annotations

import pytest

from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt, load_flow
from ivr_studio.flow.validate import has_errors, validate_flow


def menu_flow(attrs: dict | None = None, branches=(), links=None) -> Flow:
    f = Flow()
    f.add_node(Node("m", NodeKind.GATHER, attributes=dict(attrs or {}), prompts=[Prompt("say", "Choose")]))
    f.add_node(Node("end", NodeKind.HANGUP))
    for b in branches:
        f.add_branch("m", b)
        f.set_link("m", b.exit_name, "end")
    f.set_link("m", "no_input", "end")
    for exit_name, target in (links or {}).items():
        f.set_link("m", exit_name, target)
    return f


def found(flow: Flow) -> list[tuple[str, str, str | None]]:
    return [(d.code, str(d.severity), d.node_id) for d in validate_flow(flow)]


def codes(flow: Flow) -> list[str]:
    return [d.code for d in validate_flow(flow)]


def test_examples_have_no_errors(examples_dir):
    for path in examples_dir.glob("*.ivrflow"):
        assert not has_errors(validate_flow(load_flow(path))), path.name


def test_clean_menu_has_no_diagnostics():
    assert codes(menu_flow({"numDigits": 1}, [Branch("b1", "1")])) == []


def test_no_start():
    f = menu_flow()
    f.set_start(None)
    assert ("IVR001", "error", None) in found(f)


def test_unreachable_node():
    f = menu_flow()
    f.add_node(Node("orphan", NodeKind.SAY, text="hi"))
    assert ("IVR002", "warning", "orphan") in found(f)


def test_branch_with_no_target():
    f = menu_flow()
    f.add_branch("m", Branch("b1", "1"))
    d = [x for x in validate_flow(f) if x.code == "IVR003"]
    assert len(d) == 1 and d[0].node_id == "m" and d[0].path == "branches[0]" and d[0].fix


def test_duplicate_keys():
    assert "IVR004" in codes(menu_flow(branches=[Branch("a", "1"), Branch("b", "1")]))


@pytest.mark.parametrize(
    ("attrs", "key"),
    [({"numDigits": 1}, "12"), ({}, "1#"), ({"finishOnKey": "*"}, "*1"), ({}, "1a")],
)
def test_keys_that_can_never_be_entered(attrs, key):
    assert "IVR005" in codes(menu_flow(attrs, [Branch("b", key)]))


def test_hash_key_is_fine_when_terminator_is_off():
    assert "IVR005" not in codes(menu_flow({"finishOnKey": ""}, [Branch("b", "#")]))


def test_phrases_on_dtmf_only_menu():
    assert ("IVR006", "error", "m") in found(menu_flow({}, [Branch("b", "", ["sales"])]))
    assert ("IVR006", "warning", "m") in found(menu_flow({}, [Branch("b", "1", ["sales"])]))


def test_keys_on_speech_only_menu():
    assert ("IVR007", "error", "m") in found(menu_flow({"input": "speech"}, [Branch("b", "1")]))


def test_phrase_claimed_by_two_branches():
    f = menu_flow({"input": "dtmf speech"}, [Branch("a", "1", ["Sales"]), Branch("b", "2", ["sales "])])
    assert "IVR008" in codes(f)


def test_menu_without_no_input_handling():
    f = menu_flow()
    f.set_link("m", "no_input", None)
    assert ("IVR009", "warning", "m") in found(f)
    f.set_link("m", "max_attempts", "end")
    assert "IVR009" not in codes(f)


def test_closed_loop_without_way_out():
    f = Flow()
    f.add_node(Node("a", NodeKind.SAY, text="a"))
    f.add_node(Node("b", NodeKind.SAY, text="b"))
    f.set_link("a", "next", "b")
    f.set_link("b", "next", "a")
    assert ("IVR010", "error", "a") in found(f)


def test_menu_loop_with_max_attempts_unlinked_is_not_closed():
    f = menu_flow()
    f.set_link("m", "no_input", "m")
    f.set_link("m", "no_match", "m")
    assert "IVR010" not in codes(f)
    f.set_link("m", "max_attempts", "m")
    assert "IVR010" in codes(f)


def test_twilio_attribute_warnings_keep_twilio_codes_and_paths():
    f = menu_flow({"timeout": "soon", "finishOnKey": "##", "language": "xx-XX", "bogus": 1})
    by_code = {d.code: d for d in validate_flow(f)}
    assert by_code["13313"].path == "attributes.timeout"
    assert by_code["13310"].path == "attributes.finishOnKey"
    assert by_code["13331"].path == "attributes.language"
    assert by_code["12200"].path == "attributes.bogus"


def test_speech_model_rules():
    assert "13335" in codes(
        menu_flow({"input": "speech", "speechModel": "phone_call", "speechTimeout": "auto"})
    )
    assert "13334" in codes(menu_flow({"input": "speech", "speechModel": "phone_call", "language": "af-ZA"}))
    assert "13334" in codes(menu_flow({"input": "speech", "enhanced": True}))
    assert "13334" in codes(
        menu_flow({"input": "speech", "speechModel": "experimental_utterances", "language": "af-ZA"})
    )
    assert (
        codes(
            menu_flow({"input": "speech", "speechModel": "phone_call", "enhanced": True, "speechTimeout": 2})
        )
        == []
    )


def test_hints_over_the_limit():
    phrases = [f"word{i}" for i in range(510)]
    f = menu_flow({"input": "speech"}, [Branch("b", "", phrases)])
    assert "IVR013" in codes(f)


def test_prompt_attributes_are_checked():
    f = menu_flow()
    f.set_node_field(
        "m", "prompts", [Prompt("say", "hi", {"voice": "robot"}), Prompt("pause", attributes={"length": 0})]
    )
    assert {"13511", "13910"} <= set(codes(f))


def test_missing_text():
    f = Flow()
    f.add_node(Node("d", NodeKind.DIAL))
    assert ("IVR011", "error", "d") in found(f)


def test_errors_sort_before_warnings():
    f = menu_flow({"timeout": "soon"}, [Branch("b", "1")])
    f.set_link("m", "branch:b", None)
    severities = [str(d.severity) for d in validate_flow(f)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
