"""The Variables panel: the flow's call variables and the environment variables its templates read.

Call variables are declared with a default (what a call starts with) and a maximum length (a longer value
is cut, so the call's state cookie has a known worst case); the table also says which nodes set each one
(a Set node, a menu's capture). Environment variables are the handler's secrets and settings a template
may read as ``{{ env.NAME }}``: declared here by name, their values never enter the flow file. Every edit
goes through the document as one undo step; a bad entry is named under the table and not applied.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.flow import events as ev
from ivr_studio.flow.logic import ENV_PATTERN, NAME_PATTERN, SetConfig, Variable
from ivr_studio.ui.canvas.style import ERROR_COLOUR
from ivr_studio.ui.document import FlowDocument

MAX_LENGTH_LIMIT = 1000
COLUMNS = ("Name", "Default", "Max length", "Set by")


def setters(document: FlowDocument) -> dict[str, list[str]]:
    """Variable name → titles of the nodes that set it (Set nodes, menus that capture into it)."""
    out: dict[str, list[str]] = {}
    for node in document.flow:
        names = [a.name for a in node.config.assignments] if isinstance(node.config, SetConfig) else []
        if node.capture:
            names.append(node.capture)
        for name in dict.fromkeys(names):
            out.setdefault(name, []).append(node.title)
    return out


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class VariablesPanel(QWidget):
    """Edits ``Flow.variables`` and ``Flow.env`` through the document."""

    def __init__(self, document: FlowDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variablesPanel")
        self.document = document
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        columns = QHBoxLayout()  # the bottom dock is wide and short: variables left, environment right
        outer.addLayout(columns, 1)
        layout = QVBoxLayout()
        columns.addLayout(layout, 3)
        intro = QLabel("Call variables: each call starts with the default; longer values are cut.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("variablesTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._variable_edited)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        add = QPushButton("+ Variable", self)
        add.setObjectName("addVariable")
        add.clicked.connect(self.add_variable)
        remove = QPushButton("Remove", self)
        remove.setObjectName("removeVariable")
        remove.clicked.connect(self.remove_variable)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        env_layout = QVBoxLayout()
        columns.addLayout(env_layout, 2)
        env_intro = QLabel(
            "Environment variables the handler reads as {{ env.NAME }} (values stay out of the file):", self
        )
        env_intro.setWordWrap(True)
        env_layout.addWidget(env_intro)
        self.env = QListWidget(self)
        self.env.setObjectName("envList")
        self.env.itemChanged.connect(self._env_edited)
        env_layout.addWidget(self.env, 1)
        env_buttons = QHBoxLayout()
        add_env = QPushButton("+ Environment variable", self)
        add_env.setObjectName("addEnv")
        add_env.clicked.connect(self.add_env)
        remove_env = QPushButton("Remove", self)
        remove_env.setObjectName("removeEnv")
        remove_env.clicked.connect(self.remove_env)
        env_buttons.addWidget(add_env)
        env_buttons.addWidget(remove_env)
        env_buttons.addStretch(1)
        env_layout.addLayout(env_buttons)
        self.problem = QLabel(self)
        self.problem.setObjectName("variablesProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.problem.hide()
        outer.addWidget(self.problem)
        document.flow_events.connect(self._on_event)
        document.flowReplaced.connect(self.sync)
        self.sync()

    # ------------------------------------------------------------------ model → view
    def _on_event(self, event: ev.FlowEvent) -> None:
        if isinstance(event, ev.FlowChanged) and event.field in ("variables", "env"):
            self.sync()
        elif (
            isinstance(event, ev.NodeChanged)
            and event.field in ("config", "capture", "title")
            or isinstance(event, (ev.NodeAdded, ev.NodeRemoved))
        ):
            self._sync_setters()

    def sync(self) -> None:
        """Show the flow's variables and environment names."""
        flow = self.document.flow
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(flow.variables))
            for row, variable in enumerate(flow.variables.values()):
                for col, text in enumerate((variable.name, variable.default, str(variable.max_length))):
                    item = QTableWidgetItem(text)
                    if col == 2:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, col, item)
                used = QTableWidgetItem()
                used.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, 3, used)
        self._sync_setters()
        with QSignalBlocker(self.env):
            self.env.clear()
            for name in flow.env:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.env.addItem(item)

    def _sync_setters(self) -> None:
        by = setters(self.document)
        with QSignalBlocker(self.table):
            for row, name in enumerate(self.document.flow.variables):
                item = self.table.item(row, 3)
                if item is not None:
                    titles = by.get(name, [])
                    item.setText(", ".join(titles) if titles else "—")
                    item.setToolTip(
                        "Set by: " + ", ".join(titles) if titles else "Only its default: nothing sets it"
                    )

    def show_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))

    # ------------------------------------------------------------------ view → model
    def _row_variable(self, row: int) -> Variable | str:
        """The variable a table row now describes, or why it cannot be one."""
        texts = [(self.table.item(row, col).text() if self.table.item(row, col) else "") for col in range(3)]
        name, default, max_text = texts[0].strip(), texts[1], texts[2].strip()
        if not NAME_PATTERN.match(name):
            return f"“{_cut(name)}” is not a variable name (letters, digits, _; not starting with a digit)"
        if not max_text.isdigit() or not 1 <= int(max_text) <= MAX_LENGTH_LIMIT:
            return f"{name}: the maximum length must be a whole number from 1 to {MAX_LENGTH_LIMIT}"
        if len(default) > int(max_text):
            return f"{name}: the default is {len(default)} characters, longer than the maximum ({max_text})"
        return Variable(name, default, int(max_text))

    def _variable_edited(self, item: QTableWidgetItem) -> None:
        row = item.row()
        variable = self._row_variable(row)
        if isinstance(variable, str):
            self.show_problem(variable)
            self.sync()
            return
        current = list(self.document.flow.variables.values())
        if row >= len(current):
            return
        if any(v.name == variable.name for i, v in enumerate(current) if i != row):
            self.show_problem(f"{variable.name} is declared already")
            self.sync()
            return
        self.show_problem(None)
        current[row] = variable
        self.document.set_variables(current)

    def add_variable(self) -> str:
        """Declare a new variable (``var1``, ``var2`` …) and start editing its name; returns the name."""
        taken = set(self.document.flow.variables)
        n = 1
        while f"var{n}" in taken:
            n += 1
        name = f"var{n}"
        self.document.set_variables([*self.document.flow.variables.values(), Variable(name)])
        row = list(self.document.flow.variables).index(name)
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))
        return name

    def remove_variable(self) -> None:
        row = self.table.currentRow()
        variables = list(self.document.flow.variables.values())
        if 0 <= row < len(variables):
            self.show_problem(None)
            self.document.set_variables(variables[:row] + variables[row + 1 :])

    def _env_edited(self, item: QListWidgetItem) -> None:
        row = self.env.row(item)
        name = item.text().strip().upper()
        names = list(self.document.flow.env)
        if not ENV_PATTERN.match(name):
            self.show_problem(f"“{_cut(name)}” is not an environment variable name (A–Z, 0–9, _)")
            self.sync()
            return
        if name in (n for i, n in enumerate(names) if i != row):
            self.show_problem(f"{name} is declared already")
            self.sync()
            return
        self.show_problem(None)
        if row < len(names):
            names[row] = name
            self.document.set_env(names)
        self.sync()

    def add_env(self) -> str:
        """Declare a new environment variable name and start editing it; returns the name."""
        taken = set(self.document.flow.env)
        n = 1
        while f"SETTING_{n}" in taken:
            n += 1
        name = f"SETTING_{n}"
        self.document.set_env([*self.document.flow.env, name])
        self.env.setCurrentRow(len(self.document.flow.env) - 1)
        self.env.editItem(self.env.currentItem())
        return name

    def remove_env(self) -> None:
        row = self.env.currentRow()
        names = list(self.document.flow.env)
        if 0 <= row < len(names):
            self.show_problem(None)
            self.document.set_env(names[:row] + names[row + 1 :])
