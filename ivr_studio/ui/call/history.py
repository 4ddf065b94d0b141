"""A test call's history: where the call was at any moment of its trace, for stepping back through it.

Clicking a row of the timeline picks a moment; :func:`moment_at` says which node the call was in then (the
node of the last request for TwiML up to that row), which request brought it there, which exits it had
taken so far — what the canvas shows while the user looks back — and the call's state then (its
variables, as the handler reported them; see the runtime's ``handler_report``). Pure functions of the
trace, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ivr_studio.bundle.coverage import ExitKey, taken_exits
from ivr_studio.runtime.handler_report import CallValues, latest_values


@dataclass(frozen=True)
class Moment:
    """The call as it stood at trace event ``index``."""

    index: int
    t: float
    node: str | None  # the node the call was in (None before the first document arrived)
    request: Mapping[str, Any] | None  # the request for TwiML that brought it there
    taken: frozenset[ExitKey] | None  # the exits taken up to then (None: a call of a URL, no routing)
    #: the back-end requests the handler made answering that request (``lookup`` events)
    lookups: tuple[Mapping[str, Any], ...] = ()
    #: the response to that request (a runtime.debugger.Arrival), None when none arrived
    arrival: Any = None
    #: the call's state as it stood then (variables, kept results, menu attempts), when reported
    values: CallValues | None = None


def _is_twiml_request(event: Mapping[str, Any]) -> bool:
    return event.get("event") == "request" and event.get("purpose", "twiml") == "twiml"


def _real_node(node: object) -> bool:
    return isinstance(node, str) and bool(node) and not node.startswith("(")


def last_twiml_request(trace: Sequence[Mapping[str, Any]]) -> int:
    """The index of the trace's last request for TwiML, -1 when there is none."""
    return next((i for i in range(len(trace) - 1, -1, -1) if _is_twiml_request(trace[i])), -1)


def moment_at(
    trace: Sequence[Mapping[str, Any]],
    index: int,
    routing: Mapping[str, Any] | None,
    arrivals: Sequence[tuple[int, Any]] = (),
) -> Moment:
    """The call at event ``index`` of ``trace`` (clamped to the trace). ``arrivals`` are the responses that
    arrived, each with the trace index of the request it answered (``CallRecord.arrivals``)."""
    index = max(0, min(index, len(trace) - 1)) if trace else 0
    upto = trace[: index + 1]
    at = last_twiml_request(upto)
    request = upto[at] if at >= 0 else None
    node = next(
        (e["node"] for e in reversed(upto) if _is_twiml_request(e) and _real_node(e.get("node"))), None
    )
    taken = frozenset(taken_exits(routing, upto)) if routing is not None else None
    t = float(upto[-1].get("t", 0.0)) if upto else 0.0
    lookups: list[Mapping[str, Any]] = []
    if at >= 0:  # a request's lookups follow it in the trace (even past the row picked)
        for event in trace[at + 1 :]:
            if event.get("event") != "lookup":
                break
            lookups.append(event)
    arrival = None
    for answered, candidate in arrivals:
        if answered > at:
            break
        arrival = candidate if answered == at else None
    values = latest_values(trace, at) if at >= 0 else None
    return Moment(index, t, node, request, taken, tuple(lookups), arrival, values)
