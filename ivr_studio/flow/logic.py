"""What the logic nodes hold: small frozen configurations that read and write their own file form.

A logic node is evaluated by the exported handler (server side, within one webhook request) and only picks
an exit; the call then goes on at the next node that answers with TwiML. Four kinds:

- **Hours** (:class:`HoursConfig`): a weekly schedule of open intervals in an IANA time zone, closed dates
  and date ranges, and optionally a country's public holidays (the ``holidays`` package) or an iCalendar
  file's events. Exits ``open``, ``closed``, ``holiday`` (which falls back to ``closed`` when not linked).
- **Decide** (:class:`DecideConfig`): ordered cases, each comparing a template's value with an operator
  (:data:`OPERATORS`, the set of Twilio Studio's *Split Based On*) and having its own exit ``case:<id>``;
  the first case that holds wins, else ``otherwise``.
- **Set** (:class:`SetConfig`): assigns variables from templates, in order; exit ``next``.
- **Look up** (:class:`LookupConfig`): one HTTP request to a back-end (method, URL, query, headers and
  a JSON or form body, all templates; a timeout of at most 10 s); exits ``ok`` (2xx) and ``failed``
  (anything else, a timeout, bad JSON). Only the response values named in ``keep`` travel on with the call.

Every configuration has ``from_dict(data, path)`` (strict: unknown fields, wrong types and bad values
raise :class:`ConfigError` naming the JSON path) and ``to_dict()`` (defaults left out, fixed key order), so
editors can build them, change them with :func:`dataclasses.replace`, and hand them to
``Flow.set_node_field(node_id, "config", config)``, which emits one ``NodeChanged`` event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from ivr_studio.twiml.values import is_plain_number

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$")
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
ENV_PATTERN = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
CASE_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

#: Decide's operators: Twilio Studio's "Split Based On" conditions, so Studio flows map onto Decide.
OPERATORS: dict[str, str] = {
    "equals": "is equal to",
    "not_equals": "is not equal to",
    "one_of": "matches any of",
    "none_of": "does not match any of",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "regex": "matches the regex",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "not_starts_with": "does not start with",
    "less_than": "is less than",
    "greater_than": "is greater than",
    "before_time": "is before the time",
    "after_time": "is after the time",
    "before_date": "is before the date",
    "after_date": "is after the date",
}
#: Operators that compare with nothing.
UNARY_OPERATORS = frozenset({"is_empty", "is_not_empty"})
#: Bounds of a ``regex`` operand: Python compiles a pattern recursively, and a few hundred nested groups
#: raise RecursionError (a crash, not an error message), so a pattern is refused past these.
MAX_REGEX_CHARS = 1000
MAX_REGEX_NESTING = 30
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
BODY_KINDS = ("none", "json", "form")
MAX_LOOKUP_TIMEOUT = 10.0
DEFAULT_LOOKUP_TIMEOUT = 5.0


class ConfigError(ValueError):
    """A logic node's configuration is malformed; ``path`` is the JSON path of the bad value."""

    def __init__(self, problem: str, path: str) -> None:
        self.problem = problem
        self.path = path
        super().__init__(f"{path}: {problem}")


# ---------------------------------------------------------------------------------------------- helpers
def _cut(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _obj(value: Any, path: str, allowed: set[str], required: set[str] = frozenset()) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError("expected an object", path)
    for k in value:
        if k not in allowed:
            raise ConfigError(f"unknown field {_cut(k)} (expected one of {', '.join(sorted(allowed))})", path)
    for k in required:
        if k not in value:
            raise ConfigError(f"missing field {k!r}", path)
    return value


def _str(value: Any, path: str, limit: int = 4000) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"expected text, found {_cut(value)}", path)
    if len(value) > limit:
        raise ConfigError(f"is {len(value):,} characters; the limit is {limit:,}", path)
    return value


def _list(value: Any, path: str, limit: int = 200) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"expected a list, found {_cut(value)}", path)
    if len(value) > limit:
        raise ConfigError(f"has {len(value):,} entries; the limit is {limit}", path)
    return value


def time_minutes(text: str) -> int:
    """``"09:30"`` → 570; ``"24:00"`` → 1440."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _time(value: Any, path: str) -> str:
    text = _str(value, path, 5)
    if not _TIME.match(text):
        raise ConfigError(f"{_cut(text)} is not a time of day HH:MM (00:00 to 24:00)", path)
    return text


def _date(value: Any, path: str) -> str:
    text = _str(value, path, 10)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{_cut(text)} is not a date YYYY-MM-DD", path) from None
    if len(text) != 10:
        raise ConfigError(f"{_cut(text)} is not a date YYYY-MM-DD", path)
    return text


def _pairs(value: Any, path: str) -> tuple[tuple[str, str], ...]:
    """``{"name": "template", …}`` in file order."""
    if not isinstance(value, dict):
        raise ConfigError("expected an object of name → template", path)
    if len(value) > 50:
        raise ConfigError(f"has {len(value)} entries; the limit is 50", path)
    out = []
    for k, v in value.items():
        if not k or len(k) > 100 or any(c in k for c in "\r\n:"):
            raise ConfigError(f"{_cut(k)} is not a valid name", path)
        out.append((k, _str(v, f"{path}.{k}")))
    return tuple(out)


# ---------------------------------------------------------------------------------------------- Hours
@dataclass(frozen=True)
class Interval:
    """An open interval of one day, ``start`` to ``end`` (HH:MM; ``end`` may be 24:00)."""

    start: str
    end: str

    @property
    def minutes(self) -> tuple[int, int]:
        return time_minutes(self.start), time_minutes(self.end)


@dataclass(frozen=True)
class ClosedDates:
    """Dates the line is closed, ``start`` to ``end`` inclusive (one day when they are equal)."""

    start: str
    end: str
    label: str = ""


@dataclass(frozen=True)
class HolidaySource:
    """Public holidays of ``country`` (ISO 3166 code, optional ``subdivision``), or events of an iCalendar
    file ``ical`` (a path relative to the flow file, inside its folder: its text is carried into exported
    bundles, so a flow cannot point at files elsewhere). At most one of the two."""

    country: str = ""
    subdivision: str = ""
    ical: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (("country", self.country), ("subdivision", self.subdivision), ("ical", self.ical))
            if v
        }


@dataclass(frozen=True)
class HoursConfig:
    """A weekly schedule in a time zone, closed dates, and an optional holiday source."""

    zone: str = "UTC"
    week: Mapping[str, tuple[Interval, ...]] = field(default_factory=dict)
    closed: tuple[ClosedDates, ...] = ()
    holidays: HolidaySource | None = None

    def shows_exit(self, name: str) -> bool:
        """Whether the optional exit ``name`` can be taken: ``holiday`` needs a holiday source."""
        return name != "holiday" or bool(self.holidays is not None and self.holidays.to_dict())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"zone": self.zone}
        week = {d: [[i.start, i.end] for i in self.week[d]] for d in WEEKDAYS if self.week.get(d)}
        if week:
            out["week"] = week
        if self.closed:
            out["closed"] = [
                {"start": c.start, "end": c.end, **({"label": c.label} if c.label else {})}
                for c in self.closed
            ]
        if self.holidays is not None and self.holidays.to_dict():
            out["holidays"] = self.holidays.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str) -> HoursConfig:
        d = _obj(data, path, {"zone", "week", "closed", "holidays"})
        zone = _str(d.get("zone", "UTC"), f"{path}.zone", 64)
        week_raw = _obj(d.get("week", {}), f"{path}.week", set(WEEKDAYS))
        week: dict[str, tuple[Interval, ...]] = {}
        for day, intervals in week_raw.items():
            items = []
            for i, pair in enumerate(_list(intervals, f"{path}.week.{day}", 24)):
                where = f"{path}.week.{day}[{i}]"
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ConfigError('expected ["HH:MM", "HH:MM"]', where)
                items.append(Interval(_time(pair[0], f"{where}[0]"), _time(pair[1], f"{where}[1]")))
            week[day] = tuple(items)
        closed = []
        for i, c in enumerate(_list(d.get("closed", []), f"{path}.closed", 500)):
            where = f"{path}.closed[{i}]"
            c = _obj(c, where, {"start", "end", "label"}, {"start"})
            start = _date(c["start"], f"{where}.start")
            end = _date(c.get("end", start), f"{where}.end")
            if end < start:
                raise ConfigError(f"ends ({end}) before it starts ({start})", where)
            closed.append(ClosedDates(start, end, _str(c.get("label", ""), f"{where}.label", 100)))
        holidays = None
        if "holidays" in d:
            h = _obj(d["holidays"], f"{path}.holidays", {"country", "subdivision", "ical"})
            holidays = HolidaySource(
                _str(h.get("country", ""), f"{path}.holidays.country", 8),
                _str(h.get("subdivision", ""), f"{path}.holidays.subdivision", 16),
                _str(h.get("ical", ""), f"{path}.holidays.ical", 1000),
            )
            if holidays.country and holidays.ical:
                raise ConfigError("give either a country or an iCalendar file, not both", f"{path}.holidays")
            ical = PurePosixPath(holidays.ical.replace("\\", "/"))
            if holidays.ical and (ical.is_absolute() or ".." in ical.parts or ":" in holidays.ical):
                raise ConfigError(
                    f"{_cut(holidays.ical)} must be a file in the flow's folder (a relative path without ..)",
                    f"{path}.holidays.ical",
                )
        return cls(zone, week, tuple(closed), holidays)


# ---------------------------------------------------------------------------------------------- Decide
def decide_number(text: str) -> Decimal | None:
    """The number ``less_than``/``greater_than`` compare ``text`` as, or None when it is not one.

    The rule (the exported handler keeps its own copy, ``plain_number`` in
    ``ivr_studio/bundle/handler/logic.py``, because it runs without IVR Studio installed; a shared table of
    cases checks that the two agree): after spaces, tabs and line breaks at either end, an optional ``+`` or
    ``-``, then the ASCII digits 0-9 with at most one decimal point and at least one digit ("12", "-3.5",
    ".5", "5."), at most 30 digits before the point and 30 after. Nothing else is a number — not "٣" or "３"
    (other scripts' digits), "1_0", "1e9", "inf", "nan", "0x10" or "1,5", all of which ``float()`` takes or
    some locale writes. Numbers compare exactly (as decimals, not floating point).
    """
    if not is_plain_number(text):
        return None
    return Decimal(text.strip(" \t\r\n"))


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a Decide ``regex`` operand (too long, groups nested too deep, not a
    regular expression), or None. Never raises: a compile that recurses too deep is a reason too."""
    depth = deepest = 0
    escaped = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(depth - 1, 0)
    if deepest > MAX_REGEX_NESTING:
        return f"nests its groups {deepest} deep; at most {MAX_REGEX_NESTING} levels are allowed"
    if len(pattern) > MAX_REGEX_CHARS:
        return f"is {len(pattern):,} characters; a pattern may have at most {MAX_REGEX_CHARS:,}"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"is not a regular expression: {exc}"
    except (RecursionError, OverflowError, MemoryError):
        return "is too complex to compile"
    return None


def regex_risk(pattern: str) -> str | None:
    """Why matching ``pattern`` may take exponential time (a group repeated without bound that itself
    repeats without bound inside, as in ``(a+)+`` or ``(\\d*)*``: Python's matcher backtracks through every
    split of the value), or None. A heuristic: it reads the pattern's text, not its meaning."""
    stack: list[bool] = []  # per open group: whether something inside it repeats without bound
    inner = False  # the same, for the group just closed
    in_class = escaped = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            stack.append(False)
        elif ch == ")" and stack:
            inner = stack.pop()
            nxt = pattern[i + 1 : i + 2]
            unbounded = nxt in ("+", "*") or (nxt == "{" and re.match(r"\{\d*,\}", pattern[i + 1 :]))
            if inner and unbounded:
                return "repeats a group that itself repeats without bound, which can take exponential time"
            if stack:
                stack[-1] = stack[-1] or inner or bool(unbounded)
        elif stack and (ch in "+*" or (ch == "{" and re.match(r"\{\d*,\}", pattern[i:]))):
            stack[-1] = True
        i += 1
    return None


def date_problem(text: str) -> str | None:
    """Why ``text`` is not a date YYYY-MM-DD (a ``before_date``/``after_date`` operand), or None."""
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return "is not a date YYYY-MM-DD"
    return None if len(text.strip()) == 10 else "is not a date YYYY-MM-DD"


@dataclass(frozen=True)
class Case:
    """One condition of a Decide node: ``value`` (a template) ``op`` ``operand``; its exit is ``case:<id>``.

    For ``one_of``/``none_of`` the operand is a comma-separated list; for ``before_time``/``after_time`` a
    time of day HH:MM (compared with the value, or with the current time in the flow's zone when the value
    is empty); for ``before_date``/``after_date`` a date YYYY-MM-DD (compared with the value's date — a
    date or an ISO date and time —, or with today in the node's zone when the value is empty; on the date
    itself neither holds); for ``less_than``/``greater_than`` a number (:func:`decide_number` says which
    texts are numbers); for ``regex`` a pattern of at most :data:`MAX_REGEX_CHARS` characters and
    :data:`MAX_REGEX_NESTING` nested groups.
    """

    id: str
    value: str
    op: str
    operand: str = ""
    label: str = ""

    @property
    def exit_name(self) -> str:
        return f"case:{self.id}"

    def describe(self) -> str:
        if self.label:
            return self.label
        words = OPERATORS.get(self.op, self.op)
        return (
            f"{self.value} {words}" if self.op in UNARY_OPERATORS else f"{self.value} {words} {self.operand}"
        )


@dataclass(frozen=True)
class DecideConfig:
    """Ordered cases; the first that holds picks its exit, else ``otherwise``."""

    cases: tuple[Case, ...] = ()
    zone: str = "UTC"  # the zone of "now" for before_time/after_time without a value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.zone != "UTC":
            out["zone"] = self.zone
        out["cases"] = [
            {
                "id": c.id,
                "value": c.value,
                "op": c.op,
                **({"operand": c.operand} if c.operand else {}),
                **({"label": c.label} if c.label else {}),
            }
            for c in self.cases
        ]
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str) -> DecideConfig:
        d = _obj(data, path, {"cases", "zone"})
        cases: list[Case] = []
        for i, c in enumerate(_list(d.get("cases", []), f"{path}.cases", 100)):
            where = f"{path}.cases[{i}]"
            c = _obj(c, where, {"id", "value", "op", "operand", "label"}, {"id", "op"})
            cid = _str(c["id"], f"{where}.id", 32)
            if not CASE_ID.match(cid) or any(x.id == cid for x in cases):
                raise ConfigError(f"case id {_cut(cid)} is invalid or used twice", f"{where}.id")
            op = _str(c["op"], f"{where}.op", 20)
            if op not in OPERATORS:
                raise ConfigError(f"{_cut(op)} is not an operator ({', '.join(OPERATORS)})", f"{where}.op")
            cases.append(
                Case(
                    cid,
                    _str(c.get("value", ""), f"{where}.value"),
                    op,
                    _str(c.get("operand", ""), f"{where}.operand"),
                    _str(c.get("label", ""), f"{where}.label", 100),
                )
            )
        return cls(tuple(cases), _str(d.get("zone", "UTC"), f"{path}.zone", 64))


# ---------------------------------------------------------------------------------------------- Set
@dataclass(frozen=True)
class Assignment:
    """``vars.<name>`` becomes the rendered ``value`` template."""

    name: str
    value: str


@dataclass(frozen=True)
class SetConfig:
    assignments: tuple[Assignment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"assign": [{"name": a.name, "value": a.value} for a in self.assignments]}

    @classmethod
    def from_dict(cls, data: Any, path: str) -> SetConfig:
        d = _obj(data, path, {"assign"})
        out = []
        for i, a in enumerate(_list(d.get("assign", []), f"{path}.assign", 100)):
            where = f"{path}.assign[{i}]"
            a = _obj(a, where, {"name", "value"}, {"name"})
            name = _str(a["name"], f"{where}.name", 40)
            if not NAME_PATTERN.match(name):
                raise ConfigError(
                    f"{_cut(name)} is not a variable name (letters, digits, _)", f"{where}.name"
                )
            out.append(Assignment(name, _str(a.get("value", ""), f"{where}.value")))
        return cls(tuple(out))


# ---------------------------------------------------------------------------------------------- Look up
@dataclass(frozen=True)
class LookupConfig:
    """One back-end request; its status and the ``keep`` paths of its JSON body become ``steps.<node>``."""

    url: str = ""
    method: str = "GET"
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body_kind: str = "none"
    body: str = ""  # the JSON body template (body_kind "json")
    form: tuple[tuple[str, str], ...] = ()  # the form fields (body_kind "form")
    timeout: float = DEFAULT_LOOKUP_TIMEOUT
    keep: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"method": self.method, "url": self.url}
        if self.query:
            out["query"] = dict(self.query)
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.body_kind == "json":
            out["json"] = self.body
        elif self.body_kind == "form":
            out["form"] = dict(self.form)
        if self.timeout != DEFAULT_LOOKUP_TIMEOUT:
            out["timeout"] = self.timeout
        if self.keep:
            out["keep"] = list(self.keep)
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str) -> LookupConfig:
        d = _obj(
            data, path, {"method", "url", "query", "headers", "json", "form", "timeout", "keep"}, {"url"}
        )
        method = _str(d.get("method", "GET"), f"{path}.method", 10).upper()
        if method not in METHODS:
            raise ConfigError(f"{_cut(method)} is not one of {', '.join(METHODS)}", f"{path}.method")
        if "json" in d and "form" in d:
            raise ConfigError("give a json body or form fields, not both", path)
        timeout = d.get("timeout", DEFAULT_LOOKUP_TIMEOUT)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 < timeout <= MAX_LOOKUP_TIMEOUT
        ):
            raise ConfigError(
                f"must be a number of seconds above 0, at most {MAX_LOOKUP_TIMEOUT:g}", f"{path}.timeout"
            )
        keep = []
        for i, k in enumerate(_list(d.get("keep", []), f"{path}.keep", 20)):
            k = _str(k, f"{path}.keep[{i}]", 200)
            if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", k):
                raise ConfigError(
                    f"{_cut(k)} is not a path like balance or account.tier", f"{path}.keep[{i}]"
                )
            keep.append(k)
        body_kind = "json" if "json" in d else "form" if "form" in d else "none"
        return cls(
            _str(d.get("url", ""), f"{path}.url", 2000),
            method,
            _pairs(d.get("query", {}), f"{path}.query"),
            _pairs(d.get("headers", {}), f"{path}.headers"),
            body_kind,
            _str(d.get("json", ""), f"{path}.json") if body_kind == "json" else "",
            _pairs(d.get("form", {}), f"{path}.form") if body_kind == "form" else (),
            float(timeout),
            tuple(keep),
        )

    def templates(self) -> list[tuple[str, str]]:
        """Every template of the request, as (where, text)."""
        out = [("url", self.url)]
        out += [(f"query.{k}", v) for k, v in self.query]
        out += [(f"headers.{k}", v) for k, v in self.headers]
        if self.body_kind == "json":
            out.append(("json", self.body))
        out += [(f"form.{k}", v) for k, v in self.form]
        return out


Config = HoursConfig | DecideConfig | SetConfig | LookupConfig


# ---------------------------------------------------------------------------------------------- variables
@dataclass(frozen=True)
class Variable:
    """A declared call variable: its default (a call starts with it) and the longest value it may hold.

    Values are cut to ``max_length`` characters when set, so the call's state cookie has a known worst case.
    """

    name: str
    default: str = ""
    max_length: int = 64

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.default:
            out["default"] = self.default
        if self.max_length != 64:
            out["max_length"] = self.max_length
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str) -> Variable:
        d = _obj(data, path, {"name", "default", "max_length"}, {"name"})
        name = _str(d["name"], f"{path}.name", 40)
        if not NAME_PATTERN.match(name):
            raise ConfigError(f"{_cut(name)} is not a variable name (letters, digits, _)", f"{path}.name")
        max_length = d.get("max_length", 64)
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= 1000:
            raise ConfigError("must be a whole number from 1 to 1000", f"{path}.max_length")
        default = _str(d.get("default", ""), f"{path}.default", 1000)
        if len(default) > max_length:
            raise ConfigError(f"is longer than max_length ({max_length})", f"{path}.default")
        return cls(name, default, max_length)
