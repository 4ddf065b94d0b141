"""Test cases for every exit of every logic node, for a bundle's generated test suite.

For each exit the generator finds a way to take it: an instant for an Hours node's ``open``, ``closed``
and ``holiday`` (searched in the coming year with the node's own schedule, closed dates and holiday
source — recomputed here, not asked of the handler); a value for each Decide case and for ``otherwise``
(found by running the handler's own Decide on candidate call values, whatever its cases read); a stub
answer for a Look up's ``ok`` and ``failed``; nothing for a Set's ``next``. Every case also carries a call
state in which each declared variable and each Look up's kept values hold something, so templates render.

A placeholder (a Studio widget kept as it was) gets a case for what a local call does there: it ends the
call (``end``) or follows the transition chosen for it. Its other transitions cannot be taken by any local
call: each is listed in ``UNCOVERED`` with that reason, and the validator warns about the linked ones
(IVR035).

An exit no case can be found for is listed in ``UNCOVERED`` with the reason, so the suite says what it
does not test instead of passing quietly; a Decide exit no call can ever take is not listed there but
reported by the validator (IVR033).
"""

from __future__ import annotations

import contextlib
import itertools
import random
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

from ivr_studio.bundle.routing import flow_language
from ivr_studio.flow.logic import WEEKDAYS, DecideConfig, HoursConfig, LookupConfig, SetConfig, decide_number
from ivr_studio.flow.model import Flow, Node
from ivr_studio.flow.placeholder import PlaceholderConfig

SEARCH_FROM = date(2027, 1, 4)  # a Monday, so the search is the same whenever a bundle is exported
SEARCH_DAYS = 400


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
def _next_numbers(number: Decimal, sign: int) -> list[str]:
    """Plain numbers just below (``sign`` -1) or above (1) ``number``, written with every digit: one less
    or more, and one step in the digit after its last (``0.25`` → ``-0.75`` and ``0.249``; ``999…9``, 30
    nines, → ``999…9.1`` only, as one more has 31 digits, too many to be a number). Exact decimals:
    ``float()`` would write a 30-digit operand as ``1e+29``, which the handler does not take as a number."""
    exponent = min(number.as_tuple().exponent, 0)
    assert isinstance(exponent, int)  # a plain number is finite
    with localcontext() as ctx:
        ctx.prec = 80  # exact: a plain number has at most 30 digits before the point and 30 after
        steps = (Decimal(sign), Decimal(sign).scaleb(exponent - 1))
        near = [number + step for step in steps]
    written = [format(n, "f") for n in near]
    return [w for w in dict.fromkeys(written) if decide_number(w) is not None]


def _candidates(op: str, operand: str) -> list[str]:
    o = operand.strip()
    items = [x.strip() for x in operand.split(",") if x.strip()]
    out = {
        "equals": [o],
        "one_of": items[:1],
        "starts_with": [o + "1"],
        "not_starts_with": ["x" + o],
        "contains": ["x" + o + "x"],
        "is_not_empty": ["1"],
        "is_empty": [""],
    }.get(op, [])
    if op in ("less_than", "greater_than") and (number := decide_number(o)) is not None:
        out = _next_numbers(number, -1 if op == "less_than" else 1)
    if op in ("before_time", "after_time") and re.fullmatch(r"\d\d:\d\d", o):
        minutes = int(o[:2]) * 60 + int(o[3:])
        minutes = minutes - 1 if op == "before_time" else minutes
        out = [f"{max(minutes, 0) // 60:02d}:{max(minutes, 0) % 60:02d}"]
    if op in ("before_date", "after_date"):
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(o)
            out = [(day + timedelta(days=-1 if op == "before_date" else 1)).isoformat(), o]
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


#: The call the generated tests post (flow_tests' ``CALL``): what a Decide reads of the call by default.
TEST_CALL = {"CallSid": "CA" + "0" * 32, "From": "+15005550006", "To": "+15005550001"}
#: Most combinations of call values tried for one Decide node (beyond them, a seeded sample).
MAX_TRIES = 4000
_ASSIGNABLE_CALL = ("from", "to", "digits", "speech")


def _assignable(read: tuple[str | int, ...]) -> str | None:
    """The dotted name of a read a test can set (call field, variable, look-up value), else None."""
    parts = [str(p) for p in read]
    if parts[0] == "call" and len(parts) == 2 and parts[1] in _ASSIGNABLE_CALL:
        return ".".join(parts)
    if parts[0] == "vars" and len(parts) == 2:
        return ".".join(parts)
    if parts[0] == "steps" and len(parts) >= 3:
        return ".".join(parts)
    return None


def _values(flow: Flow, how: dict[str, Any], now: datetime) -> tuple[dict[str, Any], dict, dict]:
    """The template values the handler would build for a generated test's request (see Context.call)."""
    params = {**TEST_CALL, **how.get("params", {})}
    variables = {v.name: v.default for v in flow.variables.values()} | how["state"]["vars"]
    steps = how["state"]["steps"]
    values = {
        "call": {
            "from": params.get("From", ""),
            "to": params.get("To", ""),
            "sid": params.get("CallSid", ""),
            "digits": params.get("Digits", ""),
            "speech": params.get("SpeechResult", ""),
        },
        "vars": variables,
        "steps": steps,
        "env": dict.fromkeys(flow.env, "test-value"),
        "now": now.isoformat(),
        "language": flow_language(flow),
    }
    return values, variables, steps


def _pool(cfg: DecideConfig) -> list[str]:
    """Values worth trying: each plain operand's own candidates, then generic ones."""
    pool: list[str] = []
    for case in cfg.cases:
        if "{{" not in case.operand and "{%" not in case.operand:
            pool += _candidates(case.op, case.operand)
            pool += [x.strip() for x in case.operand.split(",") if x.strip()]
            pool += [x for x in re.split(r"[^\w+]+", case.operand) if x]  # "gold-de" → gold, de
    pool += ["zz-nothing", "", "1", "0", "-1", "99999999", "00:00", "23:59"]
    return list(dict.fromkeys(pool))


def _instants(cfg: DecideConfig) -> list[datetime]:
    """Moments of the test day worth trying, for cases that read ``now`` or compare the time of day."""
    zone = ZoneInfo(cfg.zone)
    moments = [time(12, 0), time(0, 0), time(23, 59), time(6, 0), time(18, 0)]
    for case in cfg.cases:
        if case.op in ("before_time", "after_time") and re.fullmatch(r"\d\d:\d\d", case.operand.strip()):
            minutes = int(case.operand[:2]) * 60 + int(case.operand[3:5])
            for m in (minutes - 1, minutes):
                if 0 <= m < 1440:
                    moments.append(time(m // 60, m % 60))
    out = [datetime.combine(SEARCH_FROM, t, zone) for t in dict.fromkeys(moments)]
    for case in cfg.cases:  # "today is before/after the date": a day on each side of it
        if case.op in ("before_date", "after_date") and not case.value.strip():
            with contextlib.suppress(ValueError):
                day = date.fromisoformat(case.operand.strip())
                out += [datetime.combine(day + timedelta(days=d), time(12, 0), zone) for d in (-1, 1)]
    return out


def decide_cases(flow: Flow, node: Node) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str]]]:
    """A request for each exit of a Decide node, found by running the handler's own Decide on candidate
    call values: whatever its cases read (``{{ call.from | slice: 0, 3 }}``, a variable compared with
    another, a look-up value) is set in the test's call state or parameters, and the exit the handler
    really takes is the one recorded. Exits that no call can take (see
    :func:`~ivr_studio.flow.rules.dynamic.unreachable_exits`) are left to the validator's warning."""
    from ivr_studio.bundle.handler.logic import Call, Decide, LogicError
    from ivr_studio.bundle.handler.templates import TemplateError
    from ivr_studio.flow.rules.dynamic import unreachable_exits
    from ivr_studio.flow.templates import analyse

    cfg = node.config
    assert isinstance(cfg, DecideConfig)
    try:
        decide = Decide(node.id, cfg.to_dict())
    except (LogicError, TemplateError, KeyError, ValueError):
        return [], []  # the validator reports why it cannot run

    def reads(case) -> list[str]:
        return sorted(
            {
                name
                for text in (case.value, case.operand)
                for read in analyse(text).reads
                if (name := _assignable(read)) is not None
            }
        )

    names = sorted({name for case in cfg.cases for name in reads(case)})
    reads_now = any(
        read and read[0] == "now" for case in cfg.cases for read in analyse(case.value).reads
    ) or any(case.op in ("before_time", "after_time", "before_date", "after_date") for case in cfg.cases)
    instants = _instants(cfg) if reads_now else _instants(cfg)[:1]
    wanted = [case.exit_name for case in cfg.cases] + ["otherwise"]
    unreachable = unreachable_exits(cfg)
    found: dict[str, dict[str, Any]] = {}

    def attempt(assigned: dict[str, str], now: datetime) -> None:
        how: dict[str, Any] = {"state": base_state(flow), "clock": now.isoformat()}
        if not all(_assign(how, name, value) for name, value in assigned.items()):
            return
        values, variables, steps = _values(flow, how, now)
        call = Call(lambda: values, variables, steps, now, None, 0.0)  # type: ignore[arg-type]
        try:
            exit_name = decide.evaluate(call).exit
        except (LogicError, TemplateError):
            return
        found.setdefault(exit_name, how)

    pool = _pool(cfg)
    filler = dict.fromkeys(names, "zz-nothing")
    rng = random.Random(node.id)  # the same tests every time the bundle is exported

    def tries_for(own: list[str]):
        """Every combination of the pool for the names one case reads (the others hold a filler that
        takes no case), then a seeded sample when there are too many."""
        if len(pool) ** len(own) * len(instants) <= MAX_TRIES:
            for now in instants:
                for combo in itertools.product(pool, repeat=len(own)):
                    yield {**filler, **dict(zip(own, combo, strict=True))}, now
        else:
            for _ in range(MAX_TRIES):
                yield {**filler, **{name: rng.choice(pool) for name in own}}, rng.choice(instants)

    for target, case in [(c.exit_name, c) for c in cfg.cases] + [("otherwise", None)]:
        if target in found or target in unreachable:
            continue
        own = reads(case) if case is not None else names
        # then every name at once: an earlier case that holds for the filler (``does not start with``,
        # ``is not equal to``) takes the call unless its own value is chosen too
        for tries in (own, names) if own != names else (own,):
            for assigned, now in tries_for(tries):
                attempt(assigned, now)
                if target in found:
                    break
            if target in found:
                break
    cases = [(e, found[e]) for e in wanted if e in found]
    uncovered = [
        (e, "no call values found that take it (set them in a test of your own)")
        for e in wanted
        if e not in found and e not in unreachable
    ]
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
        elif isinstance(cfg, PlaceholderConfig):
            followed = cfg.transition(cfg.follow) if cfg.follow else None
            taken = followed.exit_name if followed is not None else "end"
            cases.append((node.id, taken, {"state": base_state(flow)}))
            why = (
                f"a local call follows {followed.label()!r}" if followed is not None else "a local call ends there"
            )
            for t in cfg.transitions:
                if t.exit_name != taken:
                    uncovered.append(
                        (node.id, t.exit_name, f"{cfg.describe()} is not run here: {why} (see IVR035)")
                    )
        elif isinstance(cfg, LookupConfig):
            body = _nested(cfg.keep, "1")
            cases.append((node.id, "ok", {"state": base_state(flow), "stubs": [{"url": "*", "json": body}]}))
            cases.append(
                (node.id, "failed", {"state": base_state(flow), "stubs": [{"url": "*", "status": 503}]})
            )
    return cases, uncovered
