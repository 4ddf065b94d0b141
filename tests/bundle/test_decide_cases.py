"""Generated bundle tests reach every Decide exit, whatever its cases read: a filtered value, a value
built from two variables, an operand that is itself a template, the time of day. An exit no call can
take is the validator's warning (IVR033), not a skipped test."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from test_bundle_export import RUN_ISOLATED

from ivr_studio.bundle.export import export_bundle
from ivr_studio.bundle.logic_cases import TEST_CALL, decide_cases
from ivr_studio.bundle.templates import flow_tests
from ivr_studio.flow import Flow, Node, NodeKind
from ivr_studio.flow.logic import Case, DecideConfig, Variable
from ivr_studio.flow.rules.dynamic import unreachable_exits
from ivr_studio.flow.validate import validate_flow

CASES = (
    Case("germany", "{{ call.from | slice: 0, 3 }}", "equals", "+49"),
    Case("over", "{{ vars.spent }}", "greater_than", "{{ vars.budget }}"),
    Case("combo", "{{ vars.tier }}-{{ vars.lang }}", "equals", "gold-de"),
    Case("again", "{{ call.from | slice: 0, 3 }}", "equals", "+49"),  # never: "germany" takes these
    Case("night", "", "after_time", "22:00"),
)


def decide_flow() -> Flow:
    flow = Flow("Decisions")
    flow.set_variables([Variable(name, max_length=10) for name in ("spent", "budget", "tier", "lang")])
    flow.add_node(Node("route", NodeKind.DECIDE, config=DecideConfig(CASES, zone="Europe/Berlin")))
    for case in CASES:
        flow.add_node(Node(f"to_{case.id}", NodeKind.SAY, text=f"Case {case.id}."))
        flow.set_link("route", case.exit_name, f"to_{case.id}")
    flow.add_node(Node("to_otherwise", NodeKind.SAY, text="Otherwise."))
    flow.set_link("route", "otherwise", "to_otherwise")
    return flow


def test_every_reachable_exit_gets_a_case_and_the_unreachable_one_a_warning():
    flow = decide_flow()
    found, uncovered = decide_cases(flow, flow.node("route"))
    exits = {e for e, _ in found}
    assert exits == {"case:germany", "case:over", "case:combo", "case:night", "otherwise"}
    assert uncovered == [], "the unreachable case is the validator's, not a skipped test"
    germany = dict(found)["case:germany"]
    assert germany["params"]["From"].startswith("+49")
    over = dict(found)["case:over"]["state"]["vars"]
    assert float(over["spent"]) > float(over["budget"])
    assert unreachable_exits(flow.node("route").config) == {
        "case:again": "case '{{ call.from | slice: 0, 3 }} is equal to +49' before it has the same condition"
    }
    warnings = [d for d in validate_flow(flow) if d.code == "IVR033"]
    assert len(warnings) == 1 and "'again' can never be taken" in warnings[0].message


def test_is_empty_and_is_not_empty_leave_nothing_for_later_cases():
    cfg = DecideConfig(
        (
            Case("none", "{{ vars.tier }}", "is_empty"),
            Case("some", "{{ vars.tier }}", "is_not_empty"),
            Case("gold", "{{ vars.tier }}", "equals", "gold"),
        )
    )
    assert set(unreachable_exits(cfg)) == {"case:gold", "otherwise"}


def test_the_generated_call_is_the_one_the_search_assumed():
    texts = [v for v in vars(flow_tests).values() if isinstance(v, str)]
    line = next(x for text in texts for x in text.splitlines() if x.startswith("CALL = "))
    generated = eval(line.removeprefix("CALL = "), {})  # noqa: S307 - our own template's literal
    assert {k: generated[k] for k in TEST_CALL} == TEST_CALL


@pytest.mark.slow
def test_the_generated_suite_runs_every_decide_exit_and_catches_a_changed_case(tmp_path):
    bundle = export_bundle(decide_flow(), tmp_path / "b")
    suite = (bundle / "tests" / "test_flow.py").read_text()
    for exit_name in ("case:germany", "case:over", "case:combo", "case:night", "otherwise"):
        assert f"('route', '{exit_name}'," in suite, exit_name
    assert "UNCOVERED = []" in suite
    env = {**os.environ, "PYTHONPATH": str(bundle)}

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", RUN_ISOLATED],
            cwd=bundle,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    result = run()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    routing = json.loads((bundle / "routing.json").read_text())
    routing["nodes"]["route"]["config"]["cases"][2]["operand"] = (
        "gold-fr"  # the handler now decides otherwise
    )
    (bundle / "routing.json").write_text(json.dumps(routing))
    result = run()
    assert result.returncode != 0
    assert "test_every_exit_of_every_logic_node[route-case:combo" in result.stdout


def test_the_new_operators_are_decided_by_the_handler_and_each_exit_gets_a_test(tmp_path):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from ivr_studio.bundle.handler.logic import Call, compare

    now = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)  # already the 25th in Berlin
    call = Call(lambda: {}, {}, {}, now, None, 0.0)  # type: ignore[arg-type]
    berlin = ZoneInfo("Europe/Berlin")
    assert compare("not_starts_with", "+4930", "+49", call, berlin) is False
    assert compare("not_starts_with", "+1555", "+49", call, berlin) is True
    assert compare("before_date", "2026-12-24", "2026-12-25", call, berlin) is True
    assert compare("before_date", "2026-12-25T08:00:00+01:00", "2026-12-25", call, berlin) is False
    assert compare("after_date", "2026-12-26", "2026-12-25", call, berlin) is True
    assert compare("after_date", "2026-12-25", "2026-12-25", call, berlin) is False  # the day itself
    assert compare("after_date", "", "2026-12-24", call, berlin) is True  # today, in the node's zone
    assert compare("after_date", "", "2026-12-24", call, ZoneInfo("UTC")) is False
    assert compare("before_date", "next week", "2026-12-25", call, berlin) is False  # not a date
    cases = (
        Case("foreign", "{{ call.from }}", "not_starts_with", "+49"),
        Case("early", "{{ vars.due }}", "before_date", "2027-03-01"),
        Case("xmas", "", "after_date", "2027-12-24"),
    )
    flow = Flow("Dates")
    flow.set_variables([Variable("due", default="2027-01-04", max_length=30)])
    flow.add_node(Node("route", NodeKind.DECIDE, config=DecideConfig(cases, zone="Europe/Berlin")))
    for case in cases:
        flow.add_node(Node(f"to_{case.id}", NodeKind.SAY, text=f"Case {case.id}."))
        flow.set_link("route", case.exit_name, f"to_{case.id}")
    flow.add_node(Node("to_otherwise", NodeKind.SAY, text="Otherwise."))
    flow.set_link("route", "otherwise", "to_otherwise")
    assert not [d for d in validate_flow(flow) if d.is_error]
    found, uncovered = decide_cases(flow, flow.node("route"))
    assert {e for e, _ in found} == {"case:foreign", "case:early", "case:xmas", "otherwise"}
    assert uncovered == []
    bundle = export_bundle(flow, tmp_path / "b")
    suite = (bundle / "tests" / "test_flow.py").read_text()
    for exit_name in ("case:foreign", "case:early", "case:xmas", "otherwise"):
        assert f"('route', '{exit_name}'," in suite, exit_name
    env = {**os.environ, "PYTHONPATH": str(bundle)}
    result = subprocess.run(
        [sys.executable, "-c", RUN_ISOLATED], cwd=bundle, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_a_pattern_a_caller_renders_is_bounded_per_request():
    from datetime import UTC, datetime

    from ivr_studio.bundle.handler.logic import Call, Decide, LogicError

    decide = Decide(
        "route", {"cases": [{"id": "m", "op": "regex", "value": "x", "operand": "{{ call.speech }}"}]}
    )
    for speech, ok in (("x", True), ("(" * 600 + ")" * 600, False), ("([", False)):
        values = {"call": {"speech": speech}}
        call = Call(lambda v=values: v, {}, {}, datetime(2027, 1, 4, tzinfo=UTC), None, 0.0)  # type: ignore[arg-type]
        if ok:
            assert decide.evaluate(call).exit == "case:m"
        else:
            with pytest.raises(LogicError, match="bad regular expression"):
                decide.evaluate(call)
    with pytest.raises(LogicError, match="case 1: bad regular expression: groups nested more than 30 deep"):
        Decide("route", {"cases": [{"id": "m", "op": "regex", "value": "x", "operand": "(" * 40 + ")" * 40}]})


def number_flow(op: str, operand: str) -> Flow:
    flow = Flow("Numbers")
    flow.add_node(
        Node("route", NodeKind.DECIDE, config=DecideConfig((Case("n", "{{ call.digits }}", op, operand),)))
    )
    for target in ("to_n", "to_otherwise"):
        flow.add_node(Node(target, NodeKind.SAY, text="Done."))
    flow.set_link("route", "case:n", "to_n")
    flow.set_link("route", "otherwise", "to_otherwise")
    return flow


@pytest.mark.parametrize(
    ("op", "operand", "boundary"),
    [
        ("greater_than", "1" * 30, "1" * 29 + "2"),  # float() wrote it 1.11111e+29: not a number, no case
        ("less_than", "1" * 30, "1" * 29 + "0"),
        ("greater_than", "12345678901234567891", "12345678901234567892"),  # past float's 17 digits
        ("greater_than", "9" * 30, "9" * 30 + ".1"),  # one more would be 31 digits, too many
        ("greater_than", "0.123456789012345678901", "1.123456789012345678901"),
        ("less_than", "-2.5", "-3.5"),
    ],
)
def test_a_number_case_is_tested_just_past_its_operand_with_every_digit(op, operand, boundary):
    """Handler numbers are decimals of up to 30 digits either side of the point, compared exactly: the
    generated test for ``less_than``/``greater_than`` sends the number next to the operand, in full."""
    flow = number_flow(op, operand)
    found, uncovered = decide_cases(flow, flow.node("route"))
    assert uncovered == []
    assert dict(found)["case:n"]["params"]["Digits"] == boundary
    assert "otherwise" in dict(found)
