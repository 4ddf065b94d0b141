"""What an IVR Studio handler reports about a call with each answer: the one place that reads it.

The handler of an exported flow names, on every answer, the logic nodes it went through (``X-IVR-Path``:
``"hours open, vip case:gold"``). Serving a local test call (``IVR_TRACE_LOOKUPS=1``, or the editor's and
``ivr-studio call``'s in-process handler) it also reports what the call's trace and the editor show:

- ``X-IVR-Steps``: each logic step with its kind and what decided it (a JSON list);
- ``X-IVR-Lookups``: each back-end request and its answer (a JSON list);
- ``X-IVR-Vars``: the call's state after the request — its variables, the kept results of its Look ups
  and each menu's failed attempts (``{"vars": {...}, "steps": {...}, "attempts": {...}}``).

A deployed handler sends none of the last three: back-end URLs, answers and variables may hold personal
data. :func:`read_report` parses the headers of one answer (everything from the answering side is
untrusted: each header is cut, its nesting bounded, each value checked), :func:`trace_fields` turns the
report into the fields of the trace's ``request`` event (``path``, ``logic``, ``lookups``, ``vars``,
``results``, ``menu_attempts`` — not ``attempts``, which counts a retried request's connections), and :func:`values_of` reads the call's state back from such an event — for
the test-call panel's variables, the call debugger and scripted-call traces alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: What a handler's report headers may hold: this many characters, nested this deep.
REPORT_CHARS = 8000
REPORT_DEPTH = 12
MAX_HOPS = 200
MAX_LOOKUPS = 50
MAX_NAMES = 200
NAME_CHARS = 64
VALUE_CHARS = 400


@dataclass(frozen=True)
class CallValues:
    """The call's state as the handler reported it after one request."""

    vars: dict[str, str] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)  # steps.<node>: what Look ups (and Hours) kept
    attempts: dict[str, int] = field(default_factory=dict)  # menu → failed attempts so far


@dataclass(frozen=True)
class HandlerReport:
    """What one answer said about the call: logic hops, their details, back-end requests, the state."""

    path: tuple[str, ...] = ()  # "node exit" per logic hop
    logic: tuple[dict[str, str], ...] = ()  # node, kind, exit, detail per hop (local calls)
    lookups: tuple[dict[str, Any], ...] = ()  # back-end requests (local calls)
    values: CallValues | None = None  # the call's state after the request (local calls)


def _shallow(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` nests at most :data:`REPORT_DEPTH` deep (a trace writer must never recurse far)."""
    if depth > REPORT_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_shallow(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_shallow(v, depth + 1) for v in value)
    return True


def _json(header: str) -> Any:
    """A report header's JSON, or None when it is unreadable or nested too deeply."""
    try:
        data = json.loads(header[:REPORT_CHARS])
    except (ValueError, RecursionError):
        return None
    return data if _shallow(data) else None


def _path(header: str) -> tuple[str, ...]:
    return tuple(hop.strip()[:200] for hop in header[:REPORT_CHARS].split(",") if hop.strip())[:MAX_HOPS]


def _logic(header: str) -> tuple[dict[str, str], ...]:
    data = _json(header)
    if not isinstance(data, list):
        return ()
    keys = ("node", "kind", "exit", "detail")
    return tuple(
        {k: str(d[k])[:200] for k in keys if isinstance(d.get(k), (str, int, float))}
        for d in data[:MAX_HOPS]
        if isinstance(d, dict)
    )


def _lookups(header: str) -> tuple[dict[str, Any], ...]:
    data = _json(header)
    return tuple(d for d in data if isinstance(d, dict))[:MAX_LOOKUPS] if isinstance(data, list) else ()


def _values(data: Any) -> CallValues | None:
    """The call's state from a parsed ``X-IVR-Vars`` (or a trace event's fields); None when unusable.
    Variables are text (cut); results are whatever JSON the handler kept (bounded by the header's size);
    attempts are whole numbers."""
    if not isinstance(data, Mapping) or not isinstance(data.get("vars", {}), Mapping):
        return None
    variables = {str(k)[:NAME_CHARS]: str(v)[:VALUE_CHARS] for k, v in list(data.get("vars", {}).items())[:MAX_NAMES]}
    results = data.get("steps", data.get("results", {}))
    attempts = data.get("attempts", {})
    return CallValues(
        variables,
        dict(results) if isinstance(results, Mapping) else {},
        {
            str(k)[:NAME_CHARS]: v
            for k, v in (list(attempts.items())[:MAX_NAMES] if isinstance(attempts, Mapping) else [])
            if isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 100
        },
    )


def read_report(header: Callable[[str], str | None]) -> HandlerReport:
    """The report of one answer, from its headers (``header(name)``: the value, or None)."""
    path, logic, lookups, values = (header(name) for name in ("x-ivr-path", "x-ivr-steps", "x-ivr-lookups", "x-ivr-vars"))
    return HandlerReport(
        _path(path) if path else (),
        _logic(logic) if logic else (),
        _lookups(lookups) if lookups else (),
        _values(_json(values)) if values else None,
    )


def trace_fields(report: HandlerReport) -> dict[str, Any]:
    """The fields a ``request`` trace event carries for ``report`` (only those it has)."""
    out: dict[str, Any] = {}
    if report.path:
        out["path"] = list(report.path)
    if report.logic:
        out["logic"] = [dict(step) for step in report.logic]
    if report.lookups:
        out["lookups"] = [dict(lookup) for lookup in report.lookups]
    if report.values is not None:
        out["vars"] = dict(report.values.vars)
        out["results"] = dict(report.values.results)
        if report.values.attempts:
            out["menu_attempts"] = dict(report.values.attempts)
    return out


def values_of(event: Mapping[str, Any]) -> CallValues | None:
    """The call's state a ``request`` trace event carries (see :func:`trace_fields`); None without one."""
    if event.get("event") != "request" or not isinstance(event.get("vars"), Mapping):
        return None
    return _values({**event, "attempts": event.get("menu_attempts", {})})


def latest_values(trace: Sequence[Mapping[str, Any]], upto: int | None = None) -> CallValues | None:
    """The call's state after the last request (among ``trace[: upto + 1]``) that reported it; None when
    none did (a call of a URL or of a deployed handler, or before the first answer)."""
    end = len(trace) if upto is None else min(len(trace), upto + 1)
    for event in reversed(trace[:end]):
        values = values_of(event)
        if values is not None:
            return values
    return None
