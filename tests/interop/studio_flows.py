"""Hypothesis strategies for flows that can go to Studio and back: every kind of node, logic nodes with real
configurations (Decide cases with every operator Studio has, Set assignments, Look up requests, Hours
schedules), and placeholders of Studio widgets IVR Studio cannot run."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.logic import (
    OPERATORS,
    UNARY_OPERATORS,
    Assignment,
    Case,
    ClosedDates,
    DecideConfig,
    HoursConfig,
    Interval,
    LookupConfig,
    SetConfig,
)
from ivr_studio.flow.model import Branch, Flow, Node, Prompt
from ivr_studio.flow.placeholder import PlaceholderConfig
from ivr_studio.interop.studio_widgets import WIDGET_EVENTS

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    str.strip
)
IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,10}", fullmatch=True)
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
#: Values a logic node reads: plain text, and templates with the names Studio has a counterpart for.
VALUES = st.one_of(
    st.sampled_from(
        [
            "{{call.from}}",
            "{{ call.to }}",
            "{{vars.tier}}",
            "{{steps.balance.body.account.tier}}",
            "{{steps.balance.status}}",
            "gold",
            "",
        ]
    ),
    TEXT.filter(lambda t: "{" not in t and "}" not in t),
)
URLS = st.sampled_from(
    [
        "https://api.example.com/balance",
        "https://api.example.com/accounts/{{vars.account}}",
        "https://api.example.com/v1/lookup?source=ivr",
    ]
)
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=3, unique_by=lambda p: p[0]).map(tuple)


@st.composite
def decide_configs(draw) -> DecideConfig:
    cases = []
    for i in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(sorted(OPERATORS)))
        operand = "" if op in UNARY_OPERATORS else draw(VALUES)
        cases.append(Case(f"c{i + 1}", draw(VALUES), op, operand, draw(st.one_of(st.just(""), TEXT))))
    return DecideConfig(tuple(cases), draw(st.sampled_from(["UTC", "Europe/Berlin"])))


@st.composite
def set_configs(draw) -> SetConfig:
    names = draw(st.lists(NAMES, max_size=3, unique=True))
    return SetConfig(tuple(Assignment(n, draw(VALUES)) for n in names))


@st.composite
def lookup_configs(draw) -> LookupConfig:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]))
    body_kind = "none" if method == "GET" else draw(st.sampled_from(["none", "json", "form"]))
    return LookupConfig(
        url=draw(URLS),
        method=method,
        query=draw(PAIRS),
        headers=draw(st.lists(st.tuples(st.just("X-Api-Key"), VALUES), max_size=1).map(tuple)),
        body_kind=body_kind,
        body=draw(st.sampled_from(['{"from": "{{call.from}}"}', "{}"])) if body_kind == "json" else "",
        form=draw(PAIRS) if body_kind == "form" else (),
        timeout=draw(st.sampled_from([5.0, 2.5])),
        keep=draw(st.lists(st.sampled_from(["balance", "account.tier"]), max_size=2, unique=True).map(tuple)),
    )


@st.composite
def hours_configs(draw) -> HoursConfig:
    days = draw(st.lists(st.sampled_from(["mon", "tue", "sat"]), max_size=3, unique=True))
    closed = draw(st.lists(st.just(ClosedDates("2026-12-25", "2026-12-26", "Christmas")), max_size=1))
    return HoursConfig(
        draw(st.sampled_from(["UTC", "America/New_York"])),
        {d: (Interval("09:00", "17:00"),) for d in days},
        tuple(closed),
    )


#: Widget types with no local meaning (an import keeps them as placeholders).
KEPT_TYPES = ("run-function", "send-to-flex", "capture-payments", "send-message", "run-subflow")


@st.composite
def placeholder_configs(draw) -> PlaceholderConfig:
    """A kept widget with its type's transitions (some repeated, as a split's matches are) and plain JSON
    properties; sometimes a transition a local call follows."""
    type_ = draw(st.sampled_from(KEPT_TYPES))
    events = list(WIDGET_EVENTS[type_])
    events = draw(st.lists(st.sampled_from(events), min_size=1, max_size=4))
    properties = draw(
        st.dictionaries(
            NAMES,
            st.one_of(TEXT, st.integers(-5, 5), st.booleans(), st.lists(TEXT, max_size=2)),
            max_size=3,
        )
    )
    config = PlaceholderConfig.from_widget(
        {"type": type_, "properties": properties, "transitions": [{"event": e} for e in events]}
    )
    if draw(st.booleans()):
        config = replace(config, follow=draw(st.sampled_from(config.transitions)).exit_name)
    return config


CONFIGS = {
    NodeKind.DECIDE: decide_configs(),
    NodeKind.SET: set_configs(),
    NodeKind.LOOKUP: lookup_configs(),
    NodeKind.HOURS: hours_configs(),
    NodeKind.PLACEHOLDER: placeholder_configs(),
}


def _verb_content(draw, node: Node) -> None:
    kind = node.kind
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
                    draw(st.lists(st.sampled_from(["sales", "help me", "billing"]), max_size=2, unique=True)),
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
            st.fixed_dictionaries({}, optional={"maxLength": st.integers(1, 300), "playBeep": st.booleans()})
        )


@st.composite
def flows(draw, kinds: tuple[NodeKind, ...] = tuple(NodeKind), min_logic: int = 0) -> Flow:
    """A flow of 1-8 nodes of ``kinds`` (at least ``min_logic`` of them logic nodes), randomly linked."""
    flow = Flow(draw(TEXT))
    ids = draw(st.lists(IDS, min_size=max(1, min_logic), max_size=8, unique=True))
    logic = [k for k in kinds if k in CONFIGS]
    for i, node_id in enumerate(ids):
        kind = draw(st.sampled_from(logic if i < min_logic else list(kinds)))
        node = Node(
            node_id,
            kind,
            draw(TEXT),
            (draw(st.integers(-3000, 3000)), draw(st.integers(-3000, 3000))),
            notes=draw(st.one_of(st.just(""), TEXT)),
        )
        if kind in CONFIGS:
            node.config = draw(CONFIGS[kind])
        else:
            _verb_content(draw, node)
        flow.add_node(node)
    for node in flow:
        for exit_name in node.exit_names():
            if draw(st.booleans()):
                node.links[exit_name] = draw(st.sampled_from(ids))
    flow.start = draw(st.sampled_from(ids))
    return flow
