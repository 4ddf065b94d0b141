"""The Look up node's editor: the back-end request and what of its answer the call keeps.

Method, URL (a template: ``https://api.example.com/accounts/{{ vars.account }}``), query parameters and
headers (name → template; a secret comes from the handler's environment, ``Bearer {{ env.API_TOKEN }}``),
a body (none, a JSON template, or form fields), the timeout (at most 10 s; every Look up in a row shares
Twilio's 15-second webhook budget) and the answer's values to keep (``balance``, ``account.tier``): only
those travel on with the call as ``{{ steps.<node>.body.… }}``. Every template is checked as it is typed.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QWidget,
)

from ivr_studio.flow.logic import BODY_KINDS, MAX_LOOKUP_TIMEOUT, METHODS, LookupConfig
from ivr_studio.twiml.values import BadValue
from ivr_studio.ui.inspector.config_editor import ConfigEditor, small_button, without
from ivr_studio.ui.inspector.fields import ChoiceField, LineField
from ivr_studio.ui.inspector.template_field import TemplateLine, TemplateText
from ivr_studio.ui.wheel_guard import DoubleSpinBox

Pairs = tuple[tuple[str, str], ...]
BODY_LABELS = {"none": "No body", "json": "JSON", "form": "Form fields"}
_KEEP = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")


def parse_keep(text: str) -> tuple[str, ...]:
    """``balance, account.tier`` → the paths; BadValue naming the first that is not a path."""
    paths = tuple(p.strip() for p in text.split(",") if p.strip())
    for p in paths:
        if not _KEEP.fullmatch(p) or len(p) > 200:
            raise BadValue(f"“{p[:40]}” is not a path like balance or account.tier")
    if len(paths) > 20:
        raise BadValue(f"{len(paths)} values; keep at most 20")
    return paths


def json_problem(text: str) -> str | None:
    """Why a JSON body template can never render to JSON (checked with its templates blanked), or None."""
    if not text.strip():
        return None
    blanked = re.sub(r"\{\{.*?\}\}", "0", re.sub(r"\{%.*?%\}", "", text, flags=re.S), flags=re.S)
    try:
        json.loads(blanked)
    except ValueError as exc:
        return f"not JSON: {str(exc)[:80]}"
    return None


class PairsEditor(QWidget):
    """Rows of ``name: template`` (query parameters, headers, form fields), each edit one new tuple."""

    def __init__(
        self,
        editor: LookupEditor,
        what: str,
        pairs: Pairs,
        change: Callable[[Pairs], None],
        header_names: bool = False,
    ) -> None:
        super().__init__(editor)
        self.setObjectName(f"pairs_{what}")
        self.change, self.header_names = change, header_names
        self.pairs = pairs
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        self.rows: list[tuple[LineField, TemplateLine]] = []
        singular = what[:-1] if what.endswith("s") else what
        for i, _pair in enumerate(pairs):
            name = LineField(parse=self._check_name, placeholder="name", keep_empty=True)
            name.line.setMaxLength(100)
            name.line.setObjectName(f"{what}_name_{i}")
            name.committed.connect(lambda text, k=i: self._rename(k, text or ""))
            value = TemplateLine(
                editor.document, editor.node_id, f"config.{what}.{i}", "value or {{ template }}"
            )
            value.line.setObjectName(f"{what}_value_{i}")
            value.committed.connect(lambda text, k=i: self._revalue(k, text))
            remove = small_button(
                "✕", f"Remove this {singular}", self, lambda k=i: self.change(without(self.pairs, k))
            )
            grid.addWidget(name, 2 * i, 0)
            grid.addWidget(remove, 2 * i, 1)
            grid.addWidget(value, 2 * i + 1, 0, 1, 2)
            self.rows.append((name, value))
        if not pairs:
            none = QLabel("<i>none</i>", self)
            none.setEnabled(False)
            grid.addWidget(none, 0, 0)
        grid.setColumnStretch(0, 1)
        add = small_button("+", f"Add a {singular}", self, self._add, name=f"add_{what}")
        grid.addWidget(add, max(2 * len(pairs), 1) if pairs else 0, 1)

    def _check_name(self, text: str) -> str:
        if not text or any(c in text for c in "\r\n:"):
            raise BadValue("a name is required (no line breaks or colons)")
        if self.header_names and not _HEADER_NAME.fullmatch(text):
            raise BadValue(f"“{text[:40]}” is not a header name")
        return text

    def show_pairs(self, pairs: Pairs) -> None:
        self.pairs = pairs
        for (name, value), (k, v) in zip(self.rows, pairs, strict=True):
            name.set_value(k)
            if not name.line.hasFocus():
                name.line.setCursorPosition(0)
            value.set_value(v)

    def _rename(self, index: int, text: str) -> None:
        text = text.strip()
        try:
            self._check_name(text)
        except BadValue:
            return
        if any(k == text for i, (k, _v) in enumerate(self.pairs) if i != index):
            self.rows[index][0].flag(f"“{text[:40]}” is there already")
            return
        pairs = list(self.pairs)
        pairs[index] = (text, pairs[index][1])
        self.change(tuple(pairs))

    def _revalue(self, index: int, text: str) -> None:
        pairs = list(self.pairs)
        pairs[index] = (pairs[index][0], text)
        self.change(tuple(pairs))

    def _add(self) -> None:
        taken = {k for k, _v in self.pairs}
        n = 1
        while f"name{n}" in taken:
            n += 1
        self.change((*self.pairs, (f"name{n}", "")))


class LookupEditor(ConfigEditor):
    """Edits a Look up node's :class:`LookupConfig` (one undo step per change)."""

    def shape_of(self, config: LookupConfig) -> tuple:
        return (len(config.query), len(config.headers), config.body_kind, len(config.form))

    def __init__(self, document, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(document, node_id, parent)
        self.setObjectName("lookupEditor")
        config: LookupConfig = self.config()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.method = ChoiceField([(m, m) for m in METHODS])
        self.method.committed.connect(lambda m: self._replace(method=m))
        form.addRow("Method", self.method)
        self.url = TemplateLine(
            document, node_id, "config.url", "https://api.example.com/{{ vars.account }}", self._url_problem
        )
        self.url.line.setObjectName("lookupUrl")
        self.url.committed.connect(lambda text: self._replace(url=text.strip()))
        form.addRow("URL", self.url)
        self.query = PairsEditor(self, "query", config.query, lambda p: self._replace(query=p))
        form.addRow("Query", self.query)
        self.headers = PairsEditor(self, "headers", config.headers, lambda p: self._replace(headers=p), True)
        self.headers.setToolTip("Secrets come from the handler's environment: Bearer {{ env.API_TOKEN }}")
        form.addRow("Headers", self.headers)
        self.body_kind = ChoiceField([(BODY_LABELS[k], k) for k in BODY_KINDS])
        self.body_kind.setObjectName("lookupBodyKind")
        self.body_kind.committed.connect(self._set_body_kind)
        form.addRow("Body", self.body_kind)
        self.body: TemplateText | None = None
        self.form_fields: PairsEditor | None = None
        if config.body_kind == "json":
            self.body = TemplateText(
                document,
                node_id,
                "config.json",
                '{"account": "{{ vars.account }}"}',
                4,
                extra_check=json_problem,
            )
            self.body.area.setObjectName("lookupJson")
            self.body.committed.connect(lambda text: self._replace(body=text))
            form.addRow("", self.body)
        elif config.body_kind == "form":
            self.form_fields = PairsEditor(self, "form", config.form, lambda p: self._replace(form=p))
            form.addRow("", self.form_fields)
        spin = DoubleSpinBox()
        spin.setObjectName("lookupTimeout")
        spin.setRange(0.5, MAX_LOOKUP_TIMEOUT)
        spin.setSingleStep(0.5)
        spin.setDecimals(1)
        spin.setSuffix(" s")
        spin.setKeyboardTracking(False)
        spin.setToolTip("How long to wait for the back-end; Look ups in a row share Twilio's 15 s")
        spin.valueChanged.connect(lambda value: self._replace(timeout=round(float(value), 1)))
        self.timeout = spin
        form.addRow("Timeout", spin)
        self.keep = LineField(parse=parse_keep, placeholder="e.g. balance, account.tier", keep_empty=True)
        self.keep.line.setObjectName("lookupKeep")
        self.keep.setToolTip(f"Values of the JSON answer the call keeps, as {{{{ steps.{node_id}.body.… }}}}")
        self.keep.committed.connect(self._set_keep)
        form.addRow("Keep", self.keep)
        note = QLabel(
            f"<small>The answer is <code>steps.{node_id}.status</code> and "
            f"<code>steps.{node_id}.body.…</code> (kept values only).</small>",
            self,
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.sync()

    @staticmethod
    def _url_problem(text: str) -> str | None:
        stripped = text.strip()
        if stripped and not stripped.startswith(("http://", "https://", "{{")):
            return "the URL must start with http:// or https://"
        return None

    def show_config(self, config: LookupConfig) -> None:
        self.method.set_value(config.method)
        self.url.set_value(config.url)
        self.query.show_pairs(config.query)
        self.headers.show_pairs(config.headers)
        self.body_kind.set_value(config.body_kind)
        if self.body is not None:
            self.body.set_value(config.body)
        if self.form_fields is not None:
            self.form_fields.show_pairs(config.form)
        with QSignalBlocker(self.timeout):
            self.timeout.setValue(config.timeout)
        self.keep.set_value(", ".join(config.keep))

    def _replace(self, **values: object) -> None:
        self.commit(dataclasses.replace(self.config(), **values))

    def _set_body_kind(self, kind: str) -> None:
        config: LookupConfig = self.config()
        if kind == config.body_kind:
            return
        if kind == "json":
            self._replace(body_kind=kind, body=config.body or "{}", form=())
        elif kind == "form":
            self._replace(body_kind=kind, body="", form=config.form or (("name1", ""),))
        else:
            self._replace(body_kind=kind, body="", form=())

    def _set_keep(self, text: object) -> None:
        try:
            paths = parse_keep(str(text or ""))
        except BadValue:
            return  # flagged under the field
        self._replace(keep=paths)
