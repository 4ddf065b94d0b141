"""The logic nodes, evaluated by the handler: pure functions of a node's configuration and the call.

Each evaluator is built once, when the app boots, from the node's configuration in the routing data (its
templates compiled, its time zone and holidays loaded), and then, per request, picks an exit:

- :class:`Hours` → ``open`` / ``closed`` / ``holiday`` for the handler's "now" in the node's time zone
  (closed dates first, then the country's public holidays or the iCalendar file's events, then the weekly
  schedule);
- :class:`Decide` → the first ``case:<id>`` whose condition holds, else ``otherwise``;
- :class:`SetVariables` → ``next``, after assigning the call's variables (each cut to its maximum length);
- :class:`Lookup` → ``ok`` for a 2xx answer with a readable body, else ``failed`` (another status, a
  timeout, a refused connection, JSON that does not parse); the status and the ``keep`` values of the
  body become ``steps.<node>``.

Each returns an :class:`Outcome`: the exit, a one-line ``detail`` for traces and logs (which case matched,
which interval applied, what the back-end answered), and for a Look up the record of its request.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from .backend import Backend, BackendRequest
from .templates import Template, TemplateError, has_template

KEPT_VALUE_CHARS = 200
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: How many days' iCalendar events an Hours node keeps (the events of a day never change once loaded).
_CALENDAR_DAYS_KEPT = 8


class LogicError(ValueError):
    """A logic node's configuration cannot be used (at boot) or evaluated (per request)."""


@dataclass
class Outcome:
    exit: str
    detail: str = ""
    lookup: dict[str, Any] | None = None
    notice: bool = False  # the detail is worth a warning in the log (a placeholder was reached)


@dataclass
class Call:
    """What a logic node sees of the call: its values for templates, its state, the time, the back-end."""

    values: Callable[[], dict[str, Any]]  # the template values as they are now
    vars: dict[str, str]
    steps: dict[str, dict[str, Any]]
    now: datetime  # aware
    backend: Backend
    budget: float  # seconds left for back-end requests in this webhook request
    limits: Mapping[str, int] = field(default_factory=dict)  # variable → max length
    #: Whether outcomes need their ``detail`` (for the trace of a local test call): the deployed handler
    #: logs only each hop's exit, so it skips formatting what no one reads.
    explain: bool = True


def _zone(name: Any, where: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise LogicError(f"{where}: {str(name)[:40]!r} is not a time zone") from None


def _template(text: Any, where: str) -> Template | str:
    if not isinstance(text, str):
        raise LogicError(f"{where} must be text")
    return Template(text, where) if has_template(text) else text


def _render(value: Template | str, call: Call) -> str:
    return value.render(call.values()) if isinstance(value, Template) else value


def _minutes(text: str) -> int:
    hours, minutes = str(text).split(":")
    return int(hours) * 60 + int(minutes)


# ---------------------------------------------------------------------------------------------- Hours
class Hours:
    def __init__(self, node_id: str, config: Mapping[str, Any], calendar_text: str | None = None) -> None:
        where = f"node {node_id!r}"
        self.node_id = node_id
        self.zone = _zone(config.get("zone", "UTC"), where)
        self.week: dict[int, list[tuple[int, int]]] = {}
        try:
            for day, intervals in (config.get("week") or {}).items():
                self.week[WEEKDAYS.index(day)] = sorted((_minutes(a), _minutes(b)) for a, b in intervals)
            self.closed = [
                (
                    date.fromisoformat(c["start"]),
                    date.fromisoformat(c.get("end", c["start"])),
                    c.get("label", ""),
                )
                for c in config.get("closed") or []
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise LogicError(f"{where}: the schedule is malformed") from None
        source = config.get("holidays") or {}
        self.country = None
        if source.get("country"):
            import holidays

            try:
                self.country = holidays.country_holidays(
                    source["country"], subdiv=source.get("subdivision") or None
                )
            except (NotImplementedError, ValueError) as exc:
                raise LogicError(f"{where}: {str(exc)[:100]}") from None
        self.calendar = None
        self._events: dict[date, list[Any]] = {}
        if calendar_text:
            import icalendar

            try:
                self.calendar = icalendar.Calendar.from_ical(calendar_text)
            except Exception as exc:  # icalendar raises several kinds for malformed files
                raise LogicError(f"{where}: the iCalendar file does not parse ({str(exc)[:80]})") from None

    def _holiday(self, local: datetime) -> str | None:
        if self.country is not None and local.date() in self.country:
            return str(self.country.get(local.date()))
        if self.calendar is not None:
            for event in self._events_on(local.date()):
                start, end = event.get("DTSTART"), event.get("DTEND")
                start_v = start.dt if start is not None else None
                if isinstance(start_v, datetime):
                    end_v = end.dt if end is not None else start_v + timedelta(hours=1)
                    if start_v.tzinfo is None:
                        start_v, end_v = start_v.replace(tzinfo=self.zone), end_v.replace(tzinfo=self.zone)
                    if not start_v <= local < end_v:
                        continue
                return str(event.get("SUMMARY") or "calendar event")
        return None

    def _events_on(self, day: date) -> list[Any]:
        """The calendar's events on ``day``, expanded once (recurrences) and kept for a few days."""
        events = self._events.get(day)
        if events is None:
            import recurring_ical_events

            events = list(recurring_ical_events.of(self.calendar).at(day))
            if len(self._events) >= _CALENDAR_DAYS_KEPT:
                self._events.pop(next(iter(self._events)))
            self._events[day] = events
        return events

    def evaluate(self, call: Call) -> Outcome:
        local = call.now.astimezone(self.zone)
        today = local.date()
        stamp = (
            f"{_DAY_NAMES[local.weekday()]} {today.isoformat()} "
            f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
            if call.explain
            else ""
        )
        for start, end, label in self.closed:
            if start <= today <= end:
                return self._done(call, "closed", f"{stamp}: closed ({label or start.isoformat()})")
        holiday = self._holiday(local)
        if holiday is not None:
            return self._done(call, "holiday", f"{stamp}: holiday ({holiday})")
        now = local.hour * 60 + local.minute
        for start, end in self.week.get(local.weekday(), []):
            if start <= now < end:
                if not call.explain:
                    return self._done(call, "open", "")
                span = f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"
                return self._done(call, "open", f"{stamp}: open ({span})")
        return self._done(call, "closed", f"{stamp}: outside the opening hours")

    def _done(self, call: Call, exit_name: str, detail: str) -> Outcome:
        call.steps[self.node_id] = {"state": exit_name}
        return Outcome(exit_name, detail)


# ---------------------------------------------------------------------------------------------- Decide
#: A number as ``less_than``/``greater_than`` take it: an optional sign, then ASCII digits with at most one
#: decimal point (30 digits at most on either side of it).
_PLAIN_NUMBER = re.compile(r"\A[+-]?([0-9]{1,30}(\.[0-9]{0,30})?|\.[0-9]{1,30})\Z")


def plain_number(text: str) -> Decimal | None:
    """The number ``text`` is, or None when it is not one: after spaces, tabs and line breaks at either end,
    an optional ``+`` or ``-`` and the ASCII digits 0-9 with at most one decimal point ("12", "-3.5", ".5").
    Not "٣", "３", "1_0", "1e9", "inf" or "nan", which ``float()`` would take. The editor's copy of this rule
    is ``ivr_studio.flow.logic.decide_number`` (this handler runs without IVR Studio installed); the tests
    hold both to one table. Compared exactly, as decimals."""
    stripped = text.strip(" \t\r\n")
    return Decimal(stripped) if _PLAIN_NUMBER.match(stripped) else None


def _time_of(text: str, call: Call, zone: zoneinfo.ZoneInfo) -> int | None:
    text = text.strip()
    if not text:
        local = call.now.astimezone(zone)
        return local.hour * 60 + local.minute
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        return _minutes(text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(zone)
    return when.hour * 60 + when.minute


#: Bounds of a Decide ``regex`` pattern (the same as the editor's, ivr_studio.flow.logic): Python's
#: compiler recurses once per nested group, so a few hundred of them would crash it.
MAX_REGEX_CHARS = 1000
MAX_REGEX_NESTING = 30


def pattern_of(text: str) -> re.Pattern[str]:
    """``text`` compiled as a Decide ``regex``, or LogicError saying why it cannot be (never a crash)."""
    depth = deepest = 0
    escaped = False
    for ch in text:
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
        raise LogicError(f"bad regular expression: groups nested more than {MAX_REGEX_NESTING} deep")
    if len(text) > MAX_REGEX_CHARS:
        raise LogicError(f"bad regular expression: longer than {MAX_REGEX_CHARS} characters")
    try:
        return re.compile(text)
    except re.error as exc:
        raise LogicError(f"bad regular expression: {exc}") from None
    except (RecursionError, OverflowError, MemoryError):
        raise LogicError("bad regular expression: too complex to compile") from None


def _date_of(text: str, call: Call, zone: zoneinfo.ZoneInfo) -> date | None:
    """The calendar date of ``text`` (YYYY-MM-DD, or an ISO date and time, taken in ``zone`` when it has
    an offset); today in ``zone`` when ``text`` is empty; None when it is not a date."""
    text = text.strip()
    if not text:
        return call.now.astimezone(zone).date()
    try:
        when = datetime.fromisoformat(text[:40])
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(zone)
    return when.date()


def compare(op: str, value: str, operand: str, call: Call, zone: zoneinfo.ZoneInfo) -> bool:
    """Whether ``value op operand`` holds (Twilio Studio's Split Based On conditions)."""
    v, o = value.strip(), operand.strip()
    if op == "equals":
        return v == o
    if op == "not_equals":
        return v != o
    if op in ("one_of", "none_of"):
        found = v in [x.strip() for x in operand.split(",")]
        return found if op == "one_of" else not found
    if op == "is_empty":
        return not v
    if op == "is_not_empty":
        return bool(v)
    if op == "regex":
        return pattern_of(operand).search(value[:1000]) is not None
    if op == "contains":
        return o in v
    if op == "not_contains":
        return o not in v
    if op == "starts_with":
        return v.startswith(o)
    if op == "not_starts_with":
        return not v.startswith(o)
    if op in ("less_than", "greater_than"):
        a, b = plain_number(value), plain_number(operand)
        if a is None or b is None:
            return False
        return a < b if op == "less_than" else a > b
    if op in ("before_time", "after_time"):
        at, limit = _time_of(value, call, zone), _time_of(operand, call, zone)
        if at is None or limit is None:
            return False
        return at < limit if op == "before_time" else at >= limit
    if op in ("before_date", "after_date"):
        day, limit_day = _date_of(value, call, zone), _date_of(operand, call, zone)
        if day is None or limit_day is None:
            return False
        return day < limit_day if op == "before_date" else day > limit_day
    raise LogicError(f"{op!r} is not an operator")


def _prepared(op: str, operand: str) -> Callable[[str], bool] | None:
    """A test of the value alone for a plain-text operand, worked out once at boot (the list of
    ``one_of``, the compiled ``regex``); None where :func:`compare` does it per request."""
    if op in ("one_of", "none_of"):
        items = frozenset(x.strip() for x in operand.split(","))
        if op == "one_of":
            return lambda v: v.strip() in items
        return lambda v: v.strip() not in items
    if op == "regex":
        pattern = pattern_of(operand)
        return lambda v: pattern.search(v[:1000]) is not None
    return None


class Decide:
    def __init__(self, node_id: str, config: Mapping[str, Any]) -> None:
        where = f"node {node_id!r}"
        self.zone = _zone(config.get("zone", "UTC"), where)
        self.cases = []
        for i, c in enumerate(config.get("cases") or []):
            cw = f"{where} case {i + 1}"
            op = str(c["op"])
            operand = _template(c.get("operand", ""), f"{cw} operand")
            test = None
            if op == "regex" and isinstance(operand, str):
                try:
                    pattern_of(operand)
                except LogicError as exc:
                    raise LogicError(f"{cw}: {exc}") from None
            if isinstance(operand, str):
                test = _prepared(op, operand)
            self.cases.append((str(c["id"]), op, _template(c.get("value", ""), f"{cw} value"), operand, test))

    def evaluate(self, call: Call) -> Outcome:
        for case_id, op, value, operand, test in self.cases:
            left, right = _render(value, call), _render(operand, call)
            held = test(left) if test is not None else compare(op, left, right, call, self.zone)
            if held:
                detail = f"{left[:40]!r} {op} {right[:40]!r}" if call.explain else ""
                return Outcome(f"case:{case_id}", detail)
        return Outcome("otherwise", "no case held")


# ---------------------------------------------------------------------------------------------- Set
class SetVariables:
    def __init__(self, node_id: str, config: Mapping[str, Any]) -> None:
        where = f"node {node_id!r}"
        self.assignments = [
            (str(a["name"]), _template(a.get("value", ""), f"{where} {a['name']}"))
            for a in config.get("assign") or []
        ]

    def evaluate(self, call: Call) -> Outcome:
        for name, value in self.assignments:
            text = _render(value, call)
            call.vars[name] = text[: call.limits.get(name, 64)]
        if not call.explain:
            return Outcome("next")
        names = ", ".join(name for name, _ in self.assignments)
        return Outcome("next", f"set {names}" if names else "nothing to set")


# ---------------------------------------------------------------------------------------------- Look up
def _kept(body: Any, keep: list[str]) -> dict[str, Any]:
    """Only the ``keep`` paths of a JSON body, nested as they were, scalars cut to KEPT_VALUE_CHARS."""
    out: dict[str, Any] = {}
    for path in keep:
        value: Any = body
        parts = path.split(".")
        for part in parts:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                value = None
                break
        if value is None:
            continue
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        if isinstance(value, str):
            value = value[:KEPT_VALUE_CHARS]
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


class Lookup:
    def __init__(self, node_id: str, config: Mapping[str, Any]) -> None:
        where = f"node {node_id!r}"
        self.node_id = node_id
        self.method = str(config.get("method", "GET")).upper()
        self.url = _template(config.get("url", ""), f"{where} url")
        self.query = [(k, _template(v, f"{where} query {k}")) for k, v in (config.get("query") or {}).items()]
        self.headers = [
            (k, _template(v, f"{where} header {k}")) for k, v in (config.get("headers") or {}).items()
        ]
        self.json = _template(config["json"], f"{where} json") if "json" in config else None
        self.form = [(k, _template(v, f"{where} form {k}")) for k, v in (config.get("form") or {}).items()]
        self.timeout = float(config.get("timeout", 5.0))
        self.keep = [str(k) for k in config.get("keep") or []]

    def _request(self, call: Call, timeout: float) -> BackendRequest:
        url = _render(self.url, call).strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise LogicError(f"{url[:80]!r} is not an http(s) URL")
        if self.query:
            extra = urlencode([(k, _render(v, call)) for k, v in self.query])
            url = urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))
        headers = {k: _render(v, call) for k, v in self.headers}
        if any("\r" in v or "\n" in v for v in headers.values()):
            raise LogicError("a header value holds a line break")
        body = None
        if self.json is not None:
            text = _render(self.json, call)
            try:
                json.loads(text)
            except ValueError:
                raise LogicError("the JSON body does not render to JSON") from None
            body = text.encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        elif self.form:
            body = urlencode([(k, _render(v, call)) for k, v in self.form]).encode("ascii")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return BackendRequest(self.method, url, headers, body, timeout)

    def evaluate(self, call: Call) -> Outcome:
        timeout = min(self.timeout, call.budget)
        record: dict[str, Any] = {"node": self.node_id, "method": self.method}
        try:
            request = self._request(call, timeout)
        except (LogicError, TemplateError) as exc:
            call.steps[self.node_id] = {"status": 0}
            record.update(url=None, status=None, error=str(exc)[:200], ms=0.0)
            return Outcome("failed", str(exc)[:120], record)
        record["url"] = request.url[:300]
        if timeout <= 0:
            answer_error, status, body, elapsed = "no time left in this webhook request", None, b"", 0.0
            stubbed = False
        else:
            answer = call.backend.fetch(request)
            answer_error, status, body, elapsed, stubbed = (
                answer.error,
                answer.status,
                answer.body,
                answer.elapsed,
                answer.stubbed,
            )
        call.budget -= elapsed
        record.update(status=status, ms=round(elapsed * 1000, 1), stubbed=stubbed)
        exit_name, detail, kept = "failed", "", {}
        if answer_error is not None:
            detail = answer_error
        elif status is None or not 200 <= status < 300:
            detail = f"HTTP {status}"
        else:
            text = body.decode("utf-8", "replace")
            try:
                parsed = json.loads(text) if text.strip() else {}
            except ValueError:
                detail = "the body is not JSON"
                if self.keep:
                    parsed = None
                else:
                    parsed, detail = {}, ""
            if parsed is not None:
                exit_name, kept = "ok", _kept(parsed, self.keep)
                detail = f"HTTP {status}"
        record["body"] = body[:300].decode("utf-8", "replace")
        record["outcome"] = exit_name
        if answer_error:
            record["error"] = answer_error[:200]
        call.steps[self.node_id] = {"status": status or 0, **({"body": kept} if kept else {})}
        return Outcome(exit_name, detail, record)


#: Builds the evaluator of each logic kind from (node id, config, calendar text).
# ---------------------------------------------------------------------------------------------- Placeholder
class Placeholder:
    """A widget of another tool (a Studio Run Function …) that the handler cannot run.

    IVR Studio's choice, not Twilio's: a call that reaches it ends there (its exit ``end`` leads nowhere,
    so the call hangs up), unless the flow names a transition to ``follow``, when the call goes on as if
    the widget had ended with it. Either way the step's log line says so, at warning level.
    """

    def __init__(self, node_id: str, config: Mapping[str, Any]) -> None:
        self.node_id = node_id
        self.type = str(config.get("type", "widget"))[:60]
        self.follow = str(config.get("follow", ""))
        self.event = str(config.get("event", self.follow))[:60]

    def evaluate(self, call: Call) -> Outcome:
        said = f"placeholder {self.node_id!r}: Studio's {self.type} widget is not run here"
        if self.follow:
            return Outcome(self.follow, f"{said}; the call follows {self.event!r}", notice=True)
        return Outcome("end", f"{said}; it ends the call", notice=True)


EVALUATORS: dict[str, Callable[..., Any]] = {
    "hours": lambda node_id, config, calendar=None: Hours(node_id, config, calendar),
    "decide": lambda node_id, config, calendar=None: Decide(node_id, config),
    "set": lambda node_id, config, calendar=None: SetVariables(node_id, config),
    "lookup": lambda node_id, config, calendar=None: Lookup(node_id, config),
    "placeholder": lambda node_id, config, calendar=None: Placeholder(node_id, config),
}
