""".ivrflow files: stable text, strict reading with precise errors, atomic saving with a backup."""

from __future__ import annotations

import json
import os

import pytest

from ivr_studio.flow import Branch, Flow, FlowFileError, Node, NodeKind, Prompt, load_flow, save_flow
from ivr_studio.flow.ivrflow import dumps, flow_to_dict, loads


def sample() -> Flow:
    f = Flow("Sample")
    f.add_node(
        Node(
            "menu",
            NodeKind.GATHER,
            "Menu",
            (10, 20.5),
            attributes={"numDigits": 1, "input": "dtmf speech"},
            prompts=[
                Prompt("say", "Press one", {"voice": "alice"}),
                Prompt("pause", attributes={"length": 2}),
            ],
            branches=[Branch("b1", "1", ["sales"])],
        )
    )
    f.add_node(Node("bye", NodeKind.HANGUP))
    f.set_link("menu", "branch:b1", "bye")
    return f


def test_round_trip_is_lossless_and_text_is_stable(tmp_path):
    path = tmp_path / "s.ivrflow"
    save_flow(sample(), path)
    text = path.read_text(encoding="utf-8")
    loaded = load_flow(path)
    assert dumps(loaded) == text
    assert flow_to_dict(loaded) == flow_to_dict(sample())
    assert '"format": "ivrflow"' in text and '"position": [10, 20.5]' in text
    assert text.endswith("\n")


def test_examples_are_saved_in_canonical_form(examples_dir):
    for path in sorted(examples_dir.glob("*.ivrflow")):
        assert dumps(load_flow(path)) == path.read_text(encoding="utf-8"), path.name


def test_save_keeps_previous_file_as_bak(tmp_path):
    path = tmp_path / "s.ivrflow"
    save_flow(sample(), path)
    first = path.read_text()
    f = sample()
    f.set_name("Renamed")
    save_flow(f, path)
    assert (tmp_path / "s.ivrflow.bak").read_text() == first
    assert load_flow(path).name == "Renamed"


def test_failed_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "s.ivrflow"
    save_flow(sample(), path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="No space"):
        save_flow(Flow("other"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def bad(doc) -> str:
    with pytest.raises(FlowFileError) as info:
        loads(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(info.value)


def good_doc() -> dict:
    return flow_to_dict(sample())


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="other"), "$.format"),
        (lambda d: d.update(version="1"), "$.version: expected a whole number"),
        (lambda d: d["nodes"][0].update(kind="menu"), "$.nodes[0].kind: 'menu' is not a node kind"),
        (lambda d: d["nodes"][0].update(position=[1]), "$.nodes[0].position"),
        (lambda d: d["nodes"][0].update(position=[1, "x"]), "$.nodes[0].position[1]: expected a number"),
        (lambda d: d["nodes"][0]["attributes"].update(timeout=[5]), "$.nodes[0].attributes.timeout"),
        (lambda d: d["nodes"][0]["branches"][0].update(phrases="sales"), "$.nodes[0].branches[0].phrases"),
        (lambda d: d["nodes"][0]["links"].update({"branch:zz": "bye"}), "has no exit 'branch:zz'"),
        (
            lambda d: d["nodes"][0]["links"].update({"branch:b1": "ghost"}),
            "$.nodes[0].links.branch:b1: links to 'ghost'",
        ),
        (lambda d: d["nodes"][1].update(id="menu"), "$.nodes[1].id: node id 'menu' is used twice"),
        (lambda d: d.update(start="ghost"), "$.start"),
        (lambda d: d["nodes"][0].update(colour="red"), "unknown field 'colour'"),
        (lambda d: d["nodes"][0].update(max_attempts=0), "$.nodes[0].max_attempts: must be from 1 to 100, not 0"),
        (lambda d: d["nodes"][1].update(branches=[{"id": "b1"}]), "only menus"),
        (
            lambda d: d["nodes"][0]["attributes"].update(numDigits=True) or d["nodes"][0].update(title=3),
            "$.nodes[0].title",
        ),
    ],
)
def test_structural_errors_name_the_json_path(mutate, expected):
    d = good_doc()
    mutate(d)
    assert expected in bad(d)


def test_newer_version_gets_a_clear_error():
    d = good_doc()
    d["version"] = 99
    assert "newer IVR Studio" in bad(d)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "ivrflow", "vers', "is not valid JSON: Unterminated string starting at (line 1, "),
        ("[1, 2]", "expected a JSON object"),
        ("", "is not valid JSON"),
        ("[" * 100000, "nested too deeply"),
    ],
)
def test_hostile_json(text, expected):
    assert expected in bad(text)


def test_non_utf8_file_names_the_file(tmp_path):
    path = tmp_path / "latin1.ivrflow"
    path.write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(FlowFileError) as info:
        load_flow(path)
    assert str(path) in str(info.value) and "not UTF-8" in str(info.value)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(FlowFileError, match="no such file"):
        load_flow(tmp_path / "nope.ivrflow")
