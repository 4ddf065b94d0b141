"""The Decide node's editor: its ordered cases, each a condition with its own exit (and port).

Each case compares a value (a template: ``{{ call.from }}``, ``{{ vars.tier }}``,
``{{ steps.balance.body.status }}``) with an operator — the full set of Twilio Studio's *Split Based On*
(:data:`ivr_studio.flow.logic.OPERATORS`) — and, unless the operator is unary, a right-hand value; a
label names the case on the card. Cases are tried top to bottom, so ↑ ↓ reorder them; ✕ removes one (and
its link, in the same undo step); "+ Add case" adds one with a port of its own. Operands are checked as
they are typed (a regular expression must compile, a number be a number, a time be HH:MM).
"""

from __future__ import annotations

import dataclasses
import re

from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.flow.logic import (
    CASE_ID,
    OPERATORS,
    UNARY_OPERATORS,
    Case,
    DecideConfig,
    date_problem,
    decide_number,
    regex_problem,
)
from ivr_studio.ui.inspector.config_editor import ConfigEditor, moved, small_button, without
from ivr_studio.ui.inspector.fields import ChoiceField, LineField
from ivr_studio.ui.inspector.template_field import TemplateLine
from ivr_studio.ui.zone_picker import ZoneField

#: What the right-hand value is, per operator (its placeholder).
OPERAND_HINTS = {
    "one_of": "a, b, c",
    "none_of": "a, b, c",
    "regex": r"^\+49",
    "less_than": "a number",
    "greater_than": "a number",
    "before_time": "HH:MM",
    "after_time": "HH:MM",
    "before_date": "YYYY-MM-DD",
    "after_date": "YYYY-MM-DD",
}


def operand_problem(op: str, operand: str) -> str | None:
    """Why ``operand`` cannot be compared with ``op`` (the validator's IVR022), or None."""
    if op in UNARY_OPERATORS:
        return None
    if op == "regex":
        if "{{" not in operand and (problem := regex_problem(operand)) is not None:
            return f"the pattern {problem}"
    elif op in ("less_than", "greater_than") and "{{" not in operand:
        if decide_number(operand) is None:  # the handler's rule: "1e9", "inf" or "٣" are not numbers
            return "not a number (digits 0-9)" if operand.strip() else "give a number to compare with"
    elif op in ("before_time", "after_time") and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", operand):
        return "not a time of day HH:MM"
    elif op in ("before_date", "after_date") and "{{" not in operand and date_problem(operand):
        return "not a date YYYY-MM-DD"
    elif op in ("one_of", "none_of", "contains", "not_contains", "starts_with", "not_starts_with") and not (
        operand.strip()
    ):
        return "nothing to compare with"
    return None


def new_case_id(config: DecideConfig) -> str:
    taken = {c.id for c in config.cases}
    n = 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"


class CasesEditor(ConfigEditor):
    """Edits a Decide node's :class:`DecideConfig` (one undo step per change)."""

    def shape_of(self, config: DecideConfig) -> tuple:
        return tuple((c.id, c.op in UNARY_OPERATORS) for c in config.cases)

    def __init__(self, document, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(document, node_id, parent)
        self.setObjectName("casesEditor")
        config: DecideConfig = self.config()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.rows: list[dict] = []
        if not config.cases:
            hint = QLabel("No case yet: every call takes “otherwise”. Add a case to split the calls.", self)
            hint.setWordWrap(True)
            outer.addWidget(hint)
        for i, case in enumerate(config.cases):
            outer.addWidget(self._case_frame(i, case, len(config.cases)))
        add = QPushButton("+ Add case", self)
        add.setObjectName("addCase")
        add.setToolTip("Add a condition with its own exit")
        add.clicked.connect(self.add_case)
        outer.addWidget(add)
        form = QFormLayout()
        self.zone = ZoneField()
        self.zone.setToolTip("The time zone of “now” for cases that compare the time of day")
        self.zone.committed.connect(lambda zone: self.commit(dataclasses.replace(self.config(), zone=zone)))
        form.addRow("Time zone", self.zone)
        outer.addLayout(form)
        self.sync()

    def _case_frame(self, index: int, case: Case, count: int) -> QWidget:
        frame = QFrame(self)
        frame.setObjectName(f"case_{case.id}")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setSpacing(3)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"<b>{index + 1}.</b>", frame))
        label = LineField(placeholder="name on the card (optional)", keep_empty=True)
        label.line.setMaxLength(100)
        label.committed.connect(lambda text, k=index: self._change(k, label=(text or "").strip()))
        top.addWidget(label, 1)
        for text, tip, step, enabled in (
            ("↑", "Try this case earlier", -1, index > 0),
            ("↓", "Try this case later", 1, index < count - 1),
        ):
            top.addWidget(small_button(text, tip, frame, lambda k=index, s=step: self._move(k, s), enabled))
        top.addWidget(
            small_button("✕", "Remove this case (and its link)", frame, lambda k=index: self._remove(k))
        )
        grid.addLayout(top, 0, 0, 1, 2)
        value = TemplateLine(self.document, self.node_id, f"config.cases[{index}].value", "{{ call.from }}")
        value.setToolTip("The value to test: a template, e.g. {{ call.from }} or {{ vars.tier }}")
        value.committed.connect(lambda text, k=index: self._change(k, value=text))
        grid.addWidget(QLabel("If", frame), 1, 0)
        grid.addWidget(value, 1, 1)
        op = ChoiceField([(words, key) for key, words in OPERATORS.items()])
        op.setToolTip("How the value is compared (Twilio Studio's Split Based On conditions)")
        op.committed.connect(lambda key, k=index: self._set_op(k, key))
        grid.addWidget(op, 2, 1)
        operand = None
        if case.op not in UNARY_OPERATORS:
            operand = TemplateLine(
                self.document,
                self.node_id,
                f"config.cases[{index}].operand",
                OPERAND_HINTS.get(case.op, "a value"),
                extra_check=lambda text, k=index: operand_problem(self.config().cases[k].op, text),
            )
            operand.committed.connect(lambda text, k=index: self._change(k, operand=text))
            grid.addWidget(operand, 3, 1)
        grid.setColumnStretch(1, 1)
        self.rows.append({"label": label, "value": value, "op": op, "operand": operand})
        return frame

    def show_config(self, config: DecideConfig) -> None:
        for row, case in zip(self.rows, config.cases, strict=True):
            row["label"].set_value(case.label)
            row["value"].set_value(case.value)
            row["op"].set_value(case.op)
            if row["operand"] is not None:
                row["operand"].line.setPlaceholderText(OPERAND_HINTS.get(case.op, "a value"))
                row["operand"].set_value(case.operand)
        self.zone.set_value(config.zone)

    # ------------------------------------------------------------------ edits
    def _cases(self, cases: tuple[Case, ...]) -> None:
        self.commit(dataclasses.replace(self.config(), cases=cases))

    def _change(self, index: int, **values: str) -> None:
        cases = list(self.config().cases)
        if index < len(cases):
            cases[index] = dataclasses.replace(cases[index], **values)
            self._cases(tuple(cases))

    def _set_op(self, index: int, op: str) -> None:
        """Change a case's operator; a unary one (is empty …) drops the right-hand value."""
        if op in UNARY_OPERATORS:
            self._change(index, op=op, operand="")
        else:
            self._change(index, op=op)

    def _move(self, index: int, step: int) -> None:
        self._cases(moved(self.config().cases, index, step))

    def _remove(self, index: int) -> None:
        self._cases(without(self.config().cases, index))

    def add_case(self) -> str:
        """Add a case (its exit and port appear at once); returns its id."""
        config: DecideConfig = self.config()
        case_id = new_case_id(config)
        assert CASE_ID.match(case_id)
        self._cases((*config.cases, Case(case_id, "", "equals")))
        return case_id
