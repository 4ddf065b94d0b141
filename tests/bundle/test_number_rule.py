"""One rule for the numbers a Decide node's ``less_than``/``greater_than`` compare, held by the editor
(``flow.logic.decide_number``, on the validator's ``twiml.values.is_plain_number``) and by the exported
handler's own copy (``bundle/handler/logic.py``, which runs without IVR Studio installed): one table, run
against all of them, so the editor never calls a value a number that a live call does not (or the other way
round)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ivr_studio.bundle.handler.backend import StubBackend
from ivr_studio.bundle.handler.logic import Call, compare, plain_number
from ivr_studio.flow.logic import decide_number
from ivr_studio.twiml.values import is_plain_number

#: (text, the number it is, or None when it is not one)
NUMBERS: list[tuple[str, Decimal | None]] = [
    ("12", Decimal(12)),
    ("-3.5", Decimal("-3.5")),
    ("+7", Decimal(7)),
    (".5", Decimal("0.5")),
    ("5.", Decimal(5)),
    ("007", Decimal(7)),
    ("-0", Decimal(0)),
    (" 42 ", Decimal(42)),
    ("\t9\r\n", Decimal(9)),
    ("1" * 30, Decimal("1" * 30)),
    ("0." + "1" * 30, Decimal("0." + "1" * 30)),
    ("٣", None),  # an Arabic-Indic three: float() takes it
    ("３", None),  # a full-width three
    ("𝟗", None),  # a mathematical bold nine
    ("²", None),
    ("½", None),
    ("1_0", None),  # float() reads 10
    (" inf ", None),
    ("-inf", None),
    ("Infinity", None),
    ("nan", None),
    ("1e9", None),
    ("1E-2", None),
    ("0x10", None),
    ("1,5", None),
    ("1 000", None),
    ("1.2.3", None),
    ("--1", None),
    ("+-1", None),
    ("+", None),
    ("-", None),
    (".", None),
    ("", None),
    ("   ", None),
    ("3\u2003", None),  # an em space is not a space this rule removes
    ("\u00a05", None),  # nor a no-break space
    ("1" * 31, None),  # too many digits before the point
    ("1." + "1" * 31, None),  # too many after it
]


@pytest.mark.parametrize(("text", "number"), NUMBERS)
def test_the_editor_and_the_handler_read_numbers_alike(text, number):
    assert plain_number(text) == number  # the exported handler, at run time
    assert decide_number(text) == number  # the editor
    assert is_plain_number(text) is (number is not None)  # the validator (IVR022)


def _call() -> Call:
    return Call(lambda: {}, {}, {}, datetime(2026, 12, 21, 9, 0, tzinfo=UTC), StubBackend([]), 14.0)


@pytest.mark.parametrize(
    ("value", "op", "operand", "holds"),
    [
        ("٣", "less_than", "4", False),  # not a number: no comparison holds
        ("٣", "greater_than", "2", False),
        ("３", "less_than", "4", False),
        ("1_0", "greater_than", "9", False),
        (" inf ", "greater_than", "9", False),
        ("-inf", "less_than", "0", False),
        ("1e9", "greater_than", "9", False),
        ("5", "less_than", "1e9", False),  # nor with such an operand
        (" 9 ", "less_than", "10", True),
        ("-3.5", "less_than", "-3", True),
        ("0.1", "less_than", "0.100000000000000000000001", True),  # exact: float() says they are equal
        ("100000000000000000000000000001", "greater_than", "100000000000000000000000000000", True),
    ],
)
def test_the_handler_compares_only_plain_numbers(value, op, operand, holds):
    assert compare(op, value, operand, _call(), ZoneInfo("UTC")) is holds
