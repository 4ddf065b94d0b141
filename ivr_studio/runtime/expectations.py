"""A scenario call's expectations: what its trace must (and must not) show, checked once the call is over.

=========================  =========================================================================================
``expect_say``             ``<Say>`` texts in order: a substring, or ``/regex/flags``
``expect_request``         requests in order: ``path``, ``url``, ``method`` and ``params`` (each given one must match)
``expect_not_request``     requests that must never be made, matched the same way
``expect_node``            the nodes requests reached (``X-IVR-Node``), in order
``expect_trace``           any trace events in order: ``event`` (the kind) and fields that must be equal; a mapping
                           value matches a mapping field that contains it (``params: {Digits: "1"}``)
``expect_end``             how the call ended (``completed``, ``busy`` …)
=========================  =========================================================================================

Ordered expectations match in order, other events may come between. :func:`check_expectations` refuses
malformed expectations before any call runs (a typo in a field name would otherwise test nothing);
:func:`check_call` lists every mismatch of a finished call, each with the trace around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ivr_studio.files import cut, names
from ivr_studio.runtime.script_steps import text_matcher
from ivr_studio.runtime.trace import EVENT_FIELDS, TraceEvent, format_event

EXPECT_KEYS = (
    "expect_say",
    "expect_request",
    "expect_not_request",
    "expect_node",
    "expect_trace",
    "expect_end",
)
REQUEST_KEYS = ("path", "url", "method", "params")


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_expectations(spec: dict[str, Any]) -> None:
    """Refuse malformed expectations of one call (ValueError naming the expectation and the problem)."""
    for pattern in as_list(spec.get("expect_say")):
        if not isinstance(pattern, str | int | float) or isinstance(pattern, bool):
            raise ValueError(f"expect_say items are texts or /regex/, not {cut(pattern)}")
        text_matcher(str(pattern))
    for key in ("expect_request", "expect_not_request"):
        for item in as_list(spec.get(key)):
            if not isinstance(item, dict) or not item:
                raise ValueError(f"{key} items are mappings of {', '.join(REQUEST_KEYS)}, not {cut(item)}")
            unknown = set(item) - set(REQUEST_KEYS)
            if unknown:
                raise ValueError(f"{key}: unknown key(s) {names(unknown)} (use {', '.join(REQUEST_KEYS)})")
            if "params" in item and not isinstance(item["params"], dict):
                raise ValueError(
                    f"{key}: params is a mapping of parameter names to values, not {cut(item['params'])}"
                )
    for item in as_list(spec.get("expect_trace")):
        if not isinstance(item, dict) or not isinstance(item.get("event"), str):
            raise ValueError(f"expect_trace items are mappings with an event kind, not {cut(item)}")
        kind = item["event"]
        if kind not in EVENT_FIELDS:
            raise ValueError(
                f"expect_trace: {cut(kind)} is not a trace event (one of {', '.join(EVENT_FIELDS)})"
            )
        unknown = set(item) - {"event", "t", *EVENT_FIELDS[kind]}
        if unknown:
            raise ValueError(
                f"expect_trace: a {kind} event has no field(s) {names(unknown)} "
                f"(it has t, {', '.join(EVENT_FIELDS[kind])})"
            )


def _context(trace: list[TraceEvent], index: int, around: int = 4) -> str:
    low, high = max(0, index - around), min(len(trace), index + around + 1)
    lines = [("  > " if i == index else "    ") + format_event(trace[i]) for i in range(low, high)]
    return "\n".join(lines) if lines else "    (empty trace)"


def _missing(trace: list[TraceEvent], position: int, kind: str, description: str) -> str:
    """The failure for an expected event not found from ``position`` on: what came instead, in context."""
    seen = [format_event(e).strip() for e in trace[position:] if e["event"] == kind]
    shown = "\n".join(f"      {s}" for s in seen) or "      (none)"
    where = _context(trace, min(position, len(trace) - 1)) if trace else "    (empty trace)"
    after = trace[position - 1]["t"] if position else 0
    return (
        f"expected {description} after t={after:.2f}s; {kind} events from there:\n{shown}\n"
        f"  trace around that point:\n{where}"
    )


def _check_ordered(
    trace: list[TraceEvent],
    kind: str,
    items: list[Any],
    describe: Callable[[Any], str],
    matches: Callable[[Any, TraceEvent], bool],
) -> list[str]:
    position = 0
    for item in items:
        found = next(
            (i for i in range(position, len(trace)) if trace[i]["event"] == kind and matches(item, trace[i])),
            None,
        )
        if found is None:
            return [_missing(trace, position, kind, describe(item))]
        position = found + 1
    return []


def request_matches(item: dict, event: TraceEvent) -> bool:
    """A request event matches every key ``item`` gives (path, url, method, params)."""
    if "path" in item and urlsplit(event["url"]).path != item["path"]:
        return False
    if "url" in item and event["url"] != item["url"]:
        return False
    if "method" in item and event["method"] != str(item["method"]).upper():
        return False
    params = event.get("params") or {}
    return all(
        params.get(str(k)) == ("" if v is None else str(v)) for k, v in (item.get("params") or {}).items()
    )


def _same(expected: Any, actual: Any) -> bool:
    """``expected`` as written in YAML against a trace value: mappings match a mapping containing them,
    numbers match numerically, everything else must be equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _same(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return abs(expected - actual) < 1e-9
    return expected == actual


def trace_matches(item: dict, event: TraceEvent) -> bool:
    """A trace event of ``item``'s kind whose fields equal the ones ``item`` gives."""
    return all(_same(v, event.get(k)) for k, v in item.items() if k != "event")


def _describe(item: dict) -> str:
    fields = ", ".join(f"{k}={v!r}" for k, v in item.items() if k != "event")
    text = f"a {item['event']} event" + (f" with {fields}" if fields else "")
    return text if len(text) <= 300 else text[:299] + "…"


def check_call(trace: list[TraceEvent], spec: dict, status: str | None) -> list[str]:
    """Every mismatch between a finished call's trace and the call's expectations."""
    failures: list[str] = []
    says = [(p, text_matcher(p)) for p in map(str, as_list(spec.get("expect_say")))]
    failures += _check_ordered(
        trace,
        "say",
        says,
        lambda s: f"a <Say> matching {cut(s[0])}",
        lambda s, e: "leg" not in e and s[1](e["text"]),  # what the caller heard, not a callee's whisper
    )
    requests = as_list(spec.get("expect_request"))
    failures += _check_ordered(trace, "request", requests, lambda r: f"a request {r}", request_matches)
    for item in as_list(spec.get("expect_not_request")):
        made = [i for i, e in enumerate(trace) if e["event"] == "request" and request_matches(item, e)]
        if made:
            failures.append(
                f"expected no request {item}; the call made {len(made)}, the first at t={trace[made[0]]['t']:.2f}s:\n"
                + _context(trace, made[0])
            )
    nodes = [str(n) for n in as_list(spec.get("expect_node"))]
    failures += _check_ordered(
        trace, "request", nodes, lambda n: f"node {cut(n)}", lambda n, e: e.get("node") == n
    )
    position = 0  # expect_trace items are in order, whatever their kinds
    for item in as_list(spec.get("expect_trace")):
        found = next(
            (
                i
                for i in range(position, len(trace))
                if trace[i]["event"] == item["event"] and trace_matches(item, trace[i])
            ),
            None,
        )
        if found is None:
            failures.append(_missing(trace, position, item["event"], _describe(item)))
            break
        position = found + 1
    if "expect_end" in spec and status != str(spec["expect_end"]):
        ends = [i for i, e in enumerate(trace) if e["event"] == "call_end"]
        failures.append(
            f"expected the call to end as {cut(spec['expect_end'])}, it ended as {cut(status)}\n"
            + _context(trace, ends[-1] if ends else len(trace) - 1)
        )
    return failures
