"""The inspector calls a Decide case's number operand what the validator (IVR022) and the exported handler
call it: "1e9", "inf" and other scripts' digits are not numbers there, so they are not here either."""

from __future__ import annotations

import pytest

from ivr_studio.flow.logic import decide_number
from ivr_studio.ui.inspector.cases_editor import operand_problem


@pytest.mark.parametrize("operand", ["1e9", "inf", " inf ", "nan", "٣", "３", "1_0", "0x10", "1,5"])
@pytest.mark.parametrize("op", ["less_than", "greater_than"])
def test_what_the_handler_does_not_compare_as_a_number_is_flagged(op, operand):
    assert decide_number(operand) is None
    assert operand_problem(op, operand) == "not a number (digits 0-9)"


@pytest.mark.parametrize("operand", ["12", "-3.5", ".5", " 42 ", "{{ vars.limit }}"])
def test_plain_numbers_and_templates_are_taken(operand):
    assert operand_problem("less_than", operand) is None


def test_an_empty_operand_asks_for_a_number():
    assert operand_problem("greater_than", "  ") == "give a number to compare with"
