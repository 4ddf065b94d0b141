"""Property tests: any valid flow survives save → load unchanged, and exports TwiML that parses cleanly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr_studio.bundle.documents import all_documents
from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt, load_flow, save_flow
from ivr_studio.flow.ivrflow import flow_to_dict
from ivr_studio.twiml import parse_twiml, read_verb

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
SAFE_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(str.strip)
IDS = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)
VOICES = st.sampled_from(["man", "woman", "alice", "Polly.Joanna", "Polly.Lupe-Neural"])
LANGS = st.sampled_from(["en-US", "en-GB", "es-US", "fr-FR", "de-DE", "ko-KR"])


@st.composite
def say_prompt(draw):
    attrs = draw(
        st.fixed_dictionaries({}, optional={"voice": VOICES, "language": LANGS, "loop": st.integers(0, 3)})
    )
    return Prompt("say", draw(SAFE_TEXT), attrs)


PROMPTS = st.lists(
    st.one_of(
        say_prompt(),
        st.builds(lambda n: Prompt("pause", attributes={"length": n}), st.integers(1, 5)),
        st.builds(lambda u: Prompt("play", f"https://cdn.example.com/{u}.mp3"), IDS),
    ),
    max_size=3,
)

GATHER_ATTRS = st.fixed_dictionaries(
    {},
    optional={
        "timeout": st.integers(1, 30),
        "numDigits": st.integers(1, 6),
        "finishOnKey": st.sampled_from(["#", "*", "", "0"]),
        "input": st.sampled_from(["dtmf", "speech", "dtmf speech"]),
        "speechTimeout": st.one_of(st.integers(1, 10), st.just("auto")),
        "language": LANGS,
        "profanityFilter": st.booleans(),
        "bargeIn": st.booleans(),
        "actionOnEmptyResult": st.booleans(),
        "hints": st.sampled_from(["sales, support", "billing"]),
    },
)


@st.composite
def flows(draw) -> Flow:
    flow = Flow(draw(TEXT))
    ids = draw(st.lists(IDS, min_size=1, max_size=8, unique=True))
    for node_id in ids:
        kind = draw(st.sampled_from(list(NodeKind)))
        node = Node(
            node_id,
            kind,
            draw(TEXT),
            (draw(st.integers(-5000, 5000)), draw(st.integers(-5000, 5000))),
            notes=draw(TEXT),
        )
        if kind == NodeKind.GATHER:
            node.attributes = draw(GATHER_ATTRS)
            node.prompts = draw(PROMPTS)
            node.max_attempts = draw(st.integers(1, 5))
            for i in range(draw(st.integers(0, 4))):
                node.branches.append(
                    Branch(
                        f"b{i}",
                        draw(st.from_regex(r"[0-9]{0,3}", fullmatch=True)),
                        draw(st.lists(SAFE_TEXT, max_size=3)),
                    )
                )
        elif kind == NodeKind.SAY:
            node.text = draw(SAFE_TEXT)
            node.attributes = draw(
                st.fixed_dictionaries({}, optional={"voice": VOICES, "loop": st.integers(0, 3)})
            )
        elif kind == NodeKind.PLAY:
            node.text = "https://cdn.example.com/a.wav"
        elif kind == NodeKind.PAUSE:
            node.attributes = {"length": draw(st.integers(1, 9))}
        elif kind == NodeKind.DIAL:
            node.text = draw(st.sampled_from(["+14155550100", "sip:desk@example.com"]))
            node.attributes = draw(st.fixed_dictionaries({}, optional={"timeout": st.integers(1, 60)}))
        elif kind == NodeKind.RECORD:
            node.attributes = draw(
                st.fixed_dictionaries(
                    {}, optional={"maxLength": st.integers(1, 600), "playBeep": st.booleans()}
                )
            )
        elif kind == NodeKind.REDIRECT:
            node.text = "https://example.com/elsewhere"
        elif kind == NodeKind.REJECT:
            node.attributes = draw(
                st.fixed_dictionaries({}, optional={"reason": st.sampled_from(["busy", "rejected"])})
            )
        flow.add_node(node)
    for node in list(flow):
        for exit_name in node.exit_names():
            if draw(st.booleans()):
                flow.set_link(node.id, exit_name, draw(st.sampled_from(ids)))
    flow.set_start(draw(st.sampled_from(ids)))
    return flow


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_save_load_round_trip(flow):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.ivrflow"
        save_flow(flow, path)
        assert flow_to_dict(load_flow(path)) == flow_to_dict(flow)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_exported_twiml_parses_with_no_diagnostics(flow):
    for node_id, body in all_documents(flow).items():
        doc = parse_twiml(body)
        assert doc.ok and doc.diagnostics == [], (node_id, body)
        for verb in doc.verbs():
            problems = [d for d in read_verb(verb).diagnostics if d.code not in ("13334", "13335")]
            assert problems == [], (node_id, body, problems)
