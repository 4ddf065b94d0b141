"""The validator's rules for dynamic flows fire on the flows they describe; the example is clean."""

from __future__ import annotations

import pytest

from ivr_studio.flow import Flow, Node, NodeKind, load_flow
from ivr_studio.flow.logic import (
    Assignment,
    Case,
    DecideConfig,
    HolidaySource,
    HoursConfig,
    Interval,
    LookupConfig,
    SetConfig,
    Variable,
)
from ivr_studio.flow.validate import validate_flow


def codes(flow: Flow, base_dir=None) -> list[tuple[str, str | None]]:
    return [(d.code, d.node_id) for d in validate_flow(flow, base_dir)]


def chain(*nodes: Node) -> Flow:
    """Nodes linked one after another by their first exit, ending in a hang-up."""
    f = Flow("Dynamic")
    for n in nodes:
        f.add_node(n)
    f.add_node(Node("end", NodeKind.HANGUP))
    ids = [n.id for n in nodes] + ["end"]
    for src, dst in zip(ids, ids[1:], strict=False):
        node = f.node(src)
        for exit_name in node.exit_names():
            f.set_link(src, exit_name, dst)
    f.set_start(ids[0])
    return f


def open_hours(**kw) -> HoursConfig:
    return HoursConfig("Europe/Berlin", {"mon": (Interval("09:00", "17:00"),)}, **kw)


def test_the_example_has_no_problems(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    assert validate_flow(flow, examples_dir) == []


def test_template_syntax_error():
    f = chain(Node("hi", NodeKind.SAY, text="Hello {{ call.from "))
    (d,) = [d for d in validate_flow(f) if d.code == "IVR020"]
    assert d.node_id == "hi" and d.path == "text" and d.is_error


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{{ nobody.knows }}", "is not something a template can read"),
        ("{{ call.colour }}", "the call has"),
        ("{{ env.SECRET }}", "declare SECRET"),
        ("{{ vars.ghost }}", "no variable ghost"),
        ("{{ steps.hi.status }}", "not a Look up or Hours node"),
    ],
)
def test_unknown_values_are_errors(text, fragment):
    f = chain(Node("hi", NodeKind.SAY, text=text))
    messages = [d.message for d in validate_flow(f) if d.code == "IVR021"]
    assert any(fragment in m for m in messages), messages


def test_a_variable_set_only_after_the_node_is_never_set_before_it():
    f = chain(
        Node("hi", NodeKind.SAY, text="Your tier is {{ vars.tier }}"),
        Node("s", NodeKind.SET, config=SetConfig((Assignment("tier", "gold"),))),
    )
    f.set_variables([Variable("tier")])
    assert ("IVR021", "hi") in codes(f)
    f.set_variables([Variable("tier", default="standard")])  # a default makes it always set
    assert ("IVR021", "hi") not in codes(f)


def test_a_variable_set_on_the_way_is_fine():
    f = chain(
        Node(
            "s",
            NodeKind.SET,
            config=SetConfig((Assignment("tier", "gold"), Assignment("x", "{{ vars.tier }}"))),
        ),
        Node("hi", NodeKind.SAY, text="Your tier is {{ vars.tier }}"),
    )
    f.set_variables([Variable("tier"), Variable("x")])
    assert [c for c in codes(f) if c[0] == "IVR021"] == []


def test_in_a_loop_what_the_next_round_sets_is_known_but_a_node_never_runs_before_itself():
    """hi → s → hi: from the second round on, s has set the tier hi reads. x only ever follows itself:
    what x reads, x alone sets, and nothing sets it before x first runs."""
    f = chain(
        Node("hi", NodeKind.SAY, text="Your tier is {{ vars.tier }}"),
        Node("s", NodeKind.SET, config=SetConfig((Assignment("tier", "gold"),))),
    )
    f.set_link("s", "next", "hi")
    f.add_node(Node("x", NodeKind.SET, config=SetConfig((Assignment("count", "{{ vars.count }}1"),))))
    f.set_link("x", "next", "x")
    f.set_variables([Variable("tier"), Variable("count")])
    problems = [(d.node_id, d.message) for d in validate_flow(f) if d.code == "IVR021"]
    assert [node for node, _ in problems] == ["x"], problems
    assert "never set on any path" in problems[0][1]


def test_a_lookup_value_must_be_kept_and_run_before():
    lookup = Node("l", NodeKind.LOOKUP, config=LookupConfig(url="https://x.example/", keep=("amount",)))
    f = chain(lookup, Node("hi", NodeKind.SAY, text="{{ steps.l.body.amount }} {{ steps.l.body.owner }}"))
    messages = [d.message for d in validate_flow(f) if d.code == "IVR021"]
    assert len(messages) == 1 and "does not keep owner" in messages[0]


def test_decide_operands_are_checked():
    cases = (
        Case("a", "{{ call.from }}", "regex", "([0-9"),
        Case("b", "{{ call.from }}", "less_than", "ten"),
        Case("c", "", "before_time", "25:00"),
    )
    f = chain(Node("d", NodeKind.DECIDE, config=DecideConfig(cases)))
    paths = sorted(d.path for d in validate_flow(f) if d.code == "IVR022")
    assert paths == ["config.cases[0].operand", "config.cases[1].operand", "config.cases[2].operand"]


def test_a_case_that_leads_nowhere():
    f = chain(Node("d", NodeKind.DECIDE, config=DecideConfig((Case("a", "x", "equals", "x"),))))
    f.set_link("d", "case:a", None)
    assert ("IVR003", "d") in codes(f)


def test_time_zones_and_schedules():
    bad_zone = HoursConfig("Mars/Olympus", {"mon": (Interval("09:00", "17:00"),)})
    assert ("IVR023", "h") in codes(chain(Node("h", NodeKind.HOURS, config=bad_zone)))
    overlap = HoursConfig("UTC", {"mon": (Interval("09:00", "13:00"), Interval("12:00", "17:00"))})
    assert ("IVR024", "h") in codes(chain(Node("h", NodeKind.HOURS, config=overlap)))
    backwards = HoursConfig("UTC", {"mon": (Interval("17:00", "09:00"),)})
    found = [
        d for d in validate_flow(chain(Node("h", NodeKind.HOURS, config=backwards))) if d.code == "IVR024"
    ]
    assert any(d.is_error for d in found) and any(not d.is_error for d in found)  # backwards, never open


def test_holiday_sources(tmp_path):
    unknown = open_hours(holidays=HolidaySource(country="XX"))
    assert ("IVR030", "h") in codes(chain(Node("h", NodeKind.HOURS, config=unknown)))
    (tmp_path / "bad.ics").write_text("not a calendar")
    ical = open_hours(holidays=HolidaySource(ical="bad.ics"))
    assert ("IVR030", "h") in codes(chain(Node("h", NodeKind.HOURS, config=ical)), tmp_path)
    missing = open_hours(holidays=HolidaySource(ical="missing.ics"))
    assert ("IVR030", "h") in codes(chain(Node("h", NodeKind.HOURS, config=missing)), tmp_path)


def test_a_lookup_needs_its_failed_exit_and_a_url():
    f = chain(Node("l", NodeKind.LOOKUP, config=LookupConfig(url="")))
    f.set_link("l", "failed", None)
    found = codes(f)
    assert ("IVR025", "l") in found and ("IVR031", "l") in found


def test_lookups_in_a_row_that_outlast_the_webhook():
    nodes = [
        Node(f"l{i}", NodeKind.LOOKUP, config=LookupConfig(url="https://x.example/", timeout=8.0))
        for i in range(2)
    ]
    assert ("IVR026", "l0") in codes(chain(*nodes))
    short = [
        Node(f"l{i}", NodeKind.LOOKUP, config=LookupConfig(url="https://x.example/", timeout=5.0))
        for i in range(2)
    ]
    assert "IVR026" not in [c for c, _ in codes(chain(*short))]


def test_a_logic_loop_with_no_caller_input():
    f = chain(Node("a", NodeKind.SET), Node("b", NodeKind.SET))
    f.set_link("b", "next", "a")
    assert ("IVR027", "a") in codes(f)


def test_set_and_capture_into_undeclared_variables():
    f = chain(Node("s", NodeKind.SET, config=SetConfig((Assignment("ghost", "1"),))))
    assert ("IVR031", "s") in codes(f)
    menu = Node("m", NodeKind.GATHER, capture="account")
    assert ("IVR031", "m") in codes(chain(menu))


def test_the_state_must_fit_its_cookie():
    f = chain(Node("hi", NodeKind.SAY, text="hi"))
    f.set_variables([Variable(f"v{i}", max_length=1000) for i in range(3)])
    assert ("IVR029", None) in codes(f)
    f.set_variables([Variable(f"v{i}", max_length=100) for i in range(3)])
    assert ("IVR029", None) not in codes(f)
    # 900 characters in all: fine in ASCII, but a caller's Japanese takes 3 bytes (an emoji 4) each
    f.set_variables([Variable(f"v{i}", max_length=300) for i in range(3)])
    assert ("IVR029", None) in codes(f)


def test_a_regex_nested_too_deep_is_an_error_naming_the_node_and_case_not_a_crash():
    deep = "(" * 600 + "x" + ")" * 600  # Python's compiler recurses once per group: RecursionError
    cases = (
        Case("plain", "{{ call.from }}", "regex", r"^\+49"),
        Case("deep", "{{ call.from }}", "regex", deep, label="Germany"),
        Case("long", "{{ call.from }}", "regex", "a" * 1500),
    )
    f = chain(Node("d", NodeKind.DECIDE, title="Route", config=DecideConfig(cases)))
    found = [d for d in validate_flow(f) if d.code == "IVR022"]
    assert [(d.node_id, d.path, d.severity.value) for d in found] == [
        ("d", "config.cases[1].operand", "error"),
        ("d", "config.cases[2].operand", "error"),
    ]
    assert "'Route', case 2 (Germany)" in found[0].message and "nests its groups 600 deep" in found[0].message
    assert "case 3 (long)" in found[1].message and "1,500 characters" in found[1].message
    assert len(found[0].message) < 300  # the pattern is cut, not echoed


def test_the_new_operators_check_their_operands():
    cases = (
        Case("a", "{{ vars.due }}", "before_date", "2026-13-01"),
        Case("b", "", "after_date", "25/12/2026"),
        Case("c", "{{ call.from }}", "not_starts_with", ""),
        Case("d", "", "after_date", "2026-12-24"),
        Case("e", "{{ call.from }}", "not_starts_with", "+1"),
        Case("f", "{{ vars.due }}", "before_date", "{{ vars.limit }}"),
    )
    f = chain(Node("d", NodeKind.DECIDE, config=DecideConfig(cases)))
    f.set_variables([Variable("due"), Variable("limit")])
    paths = sorted(d.path for d in validate_flow(f) if d.code == "IVR022")
    assert paths == ["config.cases[0].operand", "config.cases[1].operand", "config.cases[2].operand"]


def test_a_regex_that_can_backtrack_exponentially_is_a_warning():
    cases = (
        Case("slow", "{{ call.speech }}", "regex", r"^(\w+\s?)+$", label="words"),
        Case("nested", "{{ call.from }}", "regex", r"(\d*)*"),
        Case("fine", "{{ call.from }}", "regex", r"^(\+1|1)?\d{10}$"),
        Case("alt", "{{ call.from }}", "regex", r"^\+(49|44)+"),
        Case("cls", "{{ call.from }}", "regex", r"[(a+)]+"),
    )
    f = chain(Node("d", NodeKind.DECIDE, title="Route", config=DecideConfig(cases)))
    found = [d for d in validate_flow(f) if d.code == "IVR036"]
    assert [(d.path, d.severity.value) for d in found] == [
        ("config.cases[0].operand", "warning"),
        ("config.cases[1].operand", "warning"),
    ]
    assert "'Route', case 1 (words)" in found[0].message and "exponential time" in found[0].message


@pytest.mark.parametrize("operand", ["٣", "３", "1_0", "nan", "inf", "1e400"])
def test_a_decide_number_is_written_with_ascii_digits(operand):
    """``float()`` takes all of these; a number compared with the caller's value must be 0-9 (and . or -)."""
    f = chain(Node("d", NodeKind.DECIDE, config=DecideConfig((Case("a", "{{ call.from }}", "less_than", operand),))))
    assert [d.path for d in validate_flow(f) if d.code == "IVR022"] == ["config.cases[0].operand"]


@pytest.mark.parametrize("operand", ["10", "-3.5", ".5", " 42 "])
def test_plain_decide_numbers_pass(operand):
    f = chain(Node("d", NodeKind.DECIDE, config=DecideConfig((Case("a", "{{ call.from }}", "less_than", operand),))))
    assert [d for d in validate_flow(f) if d.code == "IVR022"] == []
