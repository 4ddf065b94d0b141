"""Fuzzing the loaders: random bytes and random structured mutations of valid files must end in a clear
error or a success, never in any other exception.

Covered: the ``.ivrflow`` loader (and what runs on a loaded flow: validation and export's documents), the
script and scenario loaders, and the TwiML parser. These run in process, where hypothesis can shrink a
failure to its smallest input; the example count is ``IVR_STUDIO_FUZZ_EXAMPLES`` (``make fuzz`` runs
thousands, ``make test`` a few dozen so the suite stays fast).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from hostile_flows import tiny_flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr_studio.bundle.documents import all_documents
from ivr_studio.files import InputFileError, StructuredDataError, load_json, load_yaml
from ivr_studio.flow.ivrflow import FlowFileError, dumps, loads
from ivr_studio.flow.validate import validate_flow
from ivr_studio.runtime.scenario import ScenarioError, read_scenario
from ivr_studio.runtime.script import ScriptError, parse_script
from ivr_studio.twiml.parse import parse_twiml

EXAMPLES = int(os.environ.get("IVR_STUDIO_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Values an attacker would try: control characters, huge and odd numbers, deep nesting, odd keys.
odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40
) | st.sampled_from(["", "\n", "evil\n", "<x", "xmlns:foo", "a b", "🙂", "\x00", "../..", "$", "NaN", "1e999"])
odd_number = st.integers(min_value=-(10**40), max_value=10**40) | st.floats(allow_nan=False, allow_infinity=False)
json_value = st.recursive(
    st.none() | st.booleans() | odd_number | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a decoded JSON document."""
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


def _replaced(document: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = new
    return copy


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with one to three of its values (or keys' values) replaced by odd ones."""
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        document = _replaced(document, path, draw(json_value))
    return document


def _load_flow_and_use_it(raw: bytes | str) -> None:
    """Load; on success validate, build every document and save: each may refuse, none may crash."""
    try:
        flow = loads(raw)
    except FlowFileError:
        return
    validate_flow(flow)
    all_documents(flow)
    assert loads(dumps(flow)) is not None  # what was loaded saves, and loads again


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_as_a_flow_file(raw):
    _load_flow_and_use_it(raw)


@FUZZ
@given(mutated(tiny_flow()))
def test_mutated_flow_files(document):
    _load_flow_and_use_it(json.dumps(document))


@FUZZ
@given(st.text(max_size=300))
def test_random_text_as_yaml_and_json(text):
    for load in (load_yaml, load_json):
        with contextlib.suppress(StructuredDataError):
            load(text, "fuzz")


SCRIPT = {"steps": [{"wait_for": "listening"}, {"press": "12#", "gap": 0.3}, {"say": "sales", "confidence": 0.9},
                    {"wait": 2.5}, {"dial_outcome": "busy", "ring": 1}, {"hangup": True}]}


@FUZZ
@given(mutated(SCRIPT) | json_value)
def test_mutated_scripts(document):
    with contextlib.suppress(ScriptError):
        parse_script(document)


SCENARIO = {
    "target": "menu.ivrflow",
    "settings": {"type_ahead": True, "partial_interval": 0.5},
    "calls": [
        {"name": "sales", "max_duration": 60, "steps": [{"press": "1"}], "expect_say": ["Hello", "/x/i"],
         "expect_node": ["menu"], "expect_request": [{"path": "/voice", "params": {"Digits": "1"}}],
         "expect_end": "completed"}
    ],
}


@FUZZ
@given(mutated(SCENARIO))
def test_mutated_scenario_files(tmp_path_factory, document):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "menu.tests.yaml"
    path.write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
    with contextlib.suppress(ScenarioError, InputFileError):
        read_scenario(path)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_as_twiml(raw):
    parsed = parse_twiml(raw)
    assert parsed.ok or parsed.fatal is not None


VERBS = ["Say", "Play", "Pause", "Gather", "Dial", "Record", "Redirect", "Hangup", "Reject", "Number", "x"]
ATTRS = ["timeout", "numDigits", "input", "action", "method", "loop", "length", "finishOnKey", "bad name"]


@st.composite
def twiml_documents(draw: st.DrawFn) -> str:
    """Documents shaped like TwiML with odd verbs, attributes, values and nesting."""

    def element(depth: int) -> str:
        tag = draw(st.sampled_from(VERBS))
        attrs = "".join(
            f' {draw(st.sampled_from(ATTRS[:-1]))}="{draw(odd_text).replace(chr(34), "").replace("&", "").replace("<", "")}"'
            for _ in range(draw(st.integers(0, 3)))
        )
        inner = draw(st.sampled_from(["", "text", "+15005550006", "http://x/y"]))
        if depth < 2 and draw(st.booleans()):
            inner += "".join(element(depth + 1) for _ in range(draw(st.integers(0, 2))))
        return f"<{tag}{attrs}>{inner}</{tag}>"

    root = draw(st.sampled_from(["Response", "Response", "response", "Reply"]))
    body = "".join(element(0) for _ in range(draw(st.integers(0, 4))))
    return f'<?xml version="1.0" encoding="UTF-8"?><{root}>{body}</{root}>'


@FUZZ
@given(twiml_documents())
def test_mutated_twiml(document):
    parsed = parse_twiml(document)
    assert parsed.ok or parsed.fatal is not None
    for verb in parsed.verbs():
        assert isinstance(verb.tag, str)
