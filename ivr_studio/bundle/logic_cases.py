"""Test cases for every exit of every logic node, for a bundle's generated test suite.

For each exit the generator finds a way to take it: an instant for an Hours node's ``open``, ``closed``
and ``holiday`` (searched in the coming year with the node's own schedule, closed dates and holiday
source — recomputed here, not asked of the handler); a value for each Decide case and for ``otherwise``
(for cases whose value is a single ``{{ … }}`` read and whose operand is plain text); a stub answer for a
Look up's ``ok`` and ``failed``; nothing for a Set's ``next``. Every case also carries a call state in
which each declared variable and each Look up's kept values hold something, so templates render.

An exit no case can be found for is listed in ``UNCOVERED`` with the reason, so the suite says what it
does not test instead of passing quietly.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ivr_studio.bundle.handler.logic import compare
from ivr_studio.flow.logic import WEEKDAYS, DecideConfig, HoursConfig, LookupConfig, SetConfig
from ivr_studio.flow.model import Flow, Node

SEARCH_FROM = date(2027, 1, 4)  # a Monday, so the search is the same whenever a bundle is exported
SEARCH_DAYS = 400
_READ = re.compile(r"^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)+)\s*\}\}\s*$")


def _nested(paths: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in paths:
        target = out
        parts = path.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


def base_state(flow: Flow) -> dict[str, Any]:
    """Variables and look-up results in which every template of the flow has something to read."""
    variables = {v.name: v.default or "1" for v in flow.variables.values()}
    steps: dict[str, Any] = {}
    for node in flow:
        if isinstance(node.config, LookupConfig):
            steps[node.id] = {
                "status": 200,
                **({"body": _nested(node.config.keep, "1")} if node.config.keep else {}),
            }
        elif isinstance(node.config, HoursConfig):
            steps[node.id] = {"state": "open"}
    return {"vars": variables, "steps": steps}


# ---------------------------------------------------------------------------------------------- Hours
def _holidays(cfg: HoursConfig, base_dir: Any) -> set[date]:
    days: set[date] = set()
    source = cfg.holidays
    if source is None:
        return days
    if source.country:
        import holidays

        try:
            table = holidays.country_holidays(
                source.country,
                subdiv=source.subdivision or None,
                years=range(SEARCH_FROM.year, SEARCH_FROM.year + 2),
            )
        except (NotImplementedError, ValueError):
            return days
        days |= set(table)
    if source.ical and base_dir is not None:
        import icalendar
        import recurring_ical_events

        from ivr_studio.flow.calendars import CalendarError, read_calendar

        try:
            calendar = icalendar.Calendar.from_ical(read_calendar(base_dir / source.ical))
        except CalendarError:
            return days
        end = SEARCH_FROM + timedelta(days=SEARCH_DAYS)
        for event in recurring_ical_events.of(calendar).between(SEARCH_FROM, end):
            start = event.get("DTSTART").dt
            if not isinstance(start, datetime):  # all-day events only: a timed one covers part of a day
                stop = event.get("DTEND").dt if event.get("DTEND") is not None else start + timedelta(days=1)
                day = start
                while day < stop:
                    days.add(day)
                    day += timedelta(days=1)
    return days


def hours_instants(cfg: HoursConfig, base_dir: Any = None) -> dict[str, datetime]:
    """An instant (aware) at which each exit of the Hours node is taken, where one exists."""
    zone = ZoneInfo(cfg.zone)
    holidays = _holidays(cfg, base_dir)
    closed = [(date.fromisoformat(c.start), date.fromisoformat(c.end)) for c in cfg.closed]
    found: dict[str, datetime] = {}
    for offset in range(SEARCH_DAYS):
        day = SEARCH_FROM + timedelta(days=offset)
        noon = datetime.combine(day, time(12, 0), zone)
        if any(a <= day <= b for a, b in closed):
            found.setdefault("closed", noon)
            continue
        if day in holidays:
            found.setdefault("holiday", noon)
            continue
        intervals = sorted(i.minutes for i in cfg.week.get(WEEKDAYS[day.weekday()], ()))
        for start, end in intervals:
            if start < end:
                found.setdefault("open", datetime.combine(day, time(start // 60, start % 60), zone))
        minute = next((m for m in range(0, 1440, 30) if not any(a <= m < b for a, b in intervals)), None)
        if minute is not None:
            found.setdefault("closed", datetime.combine(day, time(minute // 60, minute % 60), zone))
        if len(found) == 3:
            break
    return found


# ---------------------------------------------------------------------------------------------- Decide
def _candidates(op: str, operand: str) -> list[str]:
    o = operand.strip()
    items = [x.strip() for x in operand.split(",") if x.strip()]
    out = {
        "equals": [o],
        "one_of": items[:1],
        "starts_with": [o + "1"],
        "contains": ["x" + o + "x"],
        "is_not_empty": ["1"],
        "is_empty": [""],
    }.get(op, [])
    number = None
    with contextlib.suppress(ValueError):
        number = float(o)
    if number is not None and op == "less_than":
        out = [f"{number - 1:g}"]
    if number is not None and op == "greater_than":
        out = [f"{number + 1:g}"]
    if op in ("before_time", "after_time") and re.fullmatch(r"\d\d:\d\d", o):
        minutes = int(o[:2]) * 60 + int(o[3:])
        minutes = minutes - 1 if op == "before_time" else minutes
        out = [f"{max(minutes, 0) // 60:02d}:{max(minutes, 0) % 60:02d}"]
    return out + ["", "1", "zz-nothing", "-1", "99999999", "00:00", "23:59"]


def _assign(how: dict[str, Any], read: str, value: str) -> bool:
    """Put ``value`` where ``read`` (``call.from``, ``vars.x``, ``steps.n.body.p``) will find it."""
    parts = read.split(".")
    if parts[0] == "call" and len(parts) == 2 and parts[1] in ("from", "to", "digits", "speech"):
        param = {"from": "From", "to": "To", "digits": "Digits", "speech": "SpeechResult"}[parts[1]]
        how.setdefault("params", {})[param] = value
        return True
    if parts[0] == "vars" and len(parts) == 2:
        how["state"]["vars"][parts[1]] = value
        return True
    if parts[0] == "steps" and len(parts) >= 3:
        target = how["state"]["steps"].setdefault(parts[1], {})
        for part in parts[2:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
        return True
    return False


def _decide_exit(cfg: DecideConfig, values: dict[str, str], now: datetime) -> str:
    from ivr_studio.bundle.handler.logic import Call

    call = Call(lambda: {}, {}, {}, now, None, 0.0)  # type: ignore[arg-type]
    zone = ZoneInfo(cfg.zone)
    for case in cfg.cases:
        match = _READ.match(case.value)
        value = values.get(match.group(1), "") if match else ""
        if compare(case.op, value, case.operand, call, zone):
            return case.exit_name
    return "otherwise"


def decide_cases(flow: Flow, node: Node) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str]]]:
    cfg = node.config
    assert isinstance(cfg, DecideConfig)
    now = datetime.combine(SEARCH_FROM, time(12, 0), ZoneInfo(cfg.zone))
    reads = {c.id: _READ.match(c.value) for c in cfg.cases}
    names = sorted({m.group(1) for m in reads.values() if m})
    cases, uncovered = [], []
    for case in cfg.cases:
        match = reads[case.id]
        if not match or "{{" in case.operand or "{%" in case.operand:
            uncovered.append(
                (case.exit_name, "its value is not one {{ … }} read, or its operand is a template")
            )
            continue
        for candidate in _candidates(case.op, case.operand):
            values = {name: "zz-nothing" for name in names} | {match.group(1): candidate}
            if _decide_exit(cfg, values, now) == case.exit_name:
                how = {"state": base_state(flow), "clock": now.isoformat()}
                if all(_assign(how, name, value) for name, value in values.items()):
                    cases.append((case.exit_name, how))
                    break
        else:
            uncovered.append((case.exit_name, "no value found that takes it before the cases above it"))
    for candidate in ["zz-nothing", "", "0", "-1", "99999999"]:
        values = dict.fromkeys(names, candidate)
        if _decide_exit(cfg, values, now) == "otherwise":
            how = {"state": base_state(flow), "clock": now.isoformat()}
            if all(_assign(how, name, value) for name, value in values.items()):
                cases.append(("otherwise", how))
                break
    else:
        uncovered.append(("otherwise", "no value found that no case takes"))
    return cases, uncovered


# ---------------------------------------------------------------------------------------------- all
def logic_cases(
    flow: Flow, base_dir: Any = None
) -> tuple[list[tuple[str, str, dict[str, Any]]], list[tuple[str, str, str]]]:
    """(node, exit, how) for every exit a case was found for; (node, exit, why) for the others."""
    cases: list[tuple[str, str, dict[str, Any]]] = []
    uncovered: list[tuple[str, str, str]] = []
    for node in flow:
        cfg = node.config
        if isinstance(cfg, HoursConfig):
            try:
                instants = hours_instants(cfg, base_dir)
            except Exception:  # an unknown zone: the validator reports it (IVR023)
                instants = {}
            for exit_name in ("open", "closed", "holiday"):
                if exit_name in instants:
                    cases.append(
                        (
                            node.id,
                            exit_name,
                            {"state": base_state(flow), "clock": instants[exit_name].isoformat()},
                        )
                    )
                elif exit_name != "holiday" or cfg.holidays is not None:
                    uncovered.append((node.id, exit_name, "no such moment in the coming year"))
        elif isinstance(cfg, DecideConfig):
            found, missing = decide_cases(flow, node)
            cases += [(node.id, e, how) for e, how in found]
            uncovered += [(node.id, e, why) for e, why in missing]
        elif isinstance(cfg, SetConfig):
            cases.append((node.id, "next", {"state": base_state(flow)}))
        elif isinstance(cfg, LookupConfig):
            body = _nested(cfg.keep, "1")
            cases.append((node.id, "ok", {"state": base_state(flow), "stubs": [{"url": "*", "json": body}]}))
            cases.append(
                (node.id, "failed", {"state": base_state(flow), "stubs": [{"url": "*", "status": 503}]})
            )
    return cases, uncovered
