"""A test call's history: where the call was at any moment of its trace, for stepping back through it.

Clicking a row of the timeline picks a moment; :func:`moment_at` says which node the call was in then (the
node of the last request for TwiML up to that row), which request brought it there, and which exits it had
taken so far — what the canvas shows while the user looks back. Pure functions of the trace, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ivr_studio.bundle.coverage import ExitKey, taken_exits


@dataclass(frozen=True)
class Moment:
    """The call as it stood at trace event ``index``."""

    index: int
    t: float
    node: str | None  # the node the call was in (None before the first document arrived)
    request: Mapping[str, Any] | None  # the request for TwiML that brought it there
    taken: frozenset[ExitKey] | None  # the exits taken up to then (None: a call of a URL, no routing)


def _is_twiml_request(event: Mapping[str, Any]) -> bool:
    return event.get("event") == "request" and event.get("purpose", "twiml") == "twiml"


def _real_node(node: object) -> bool:
    return isinstance(node, str) and bool(node) and not node.startswith("(")


def moment_at(trace: Sequence[Mapping[str, Any]], index: int, routing: Mapping[str, Any] | None) -> Moment:
    """The call at event ``index`` of ``trace`` (clamped to the trace)."""
    index = max(0, min(index, len(trace) - 1)) if trace else 0
    upto = trace[: index + 1]
    request = next((e for e in reversed(upto) if _is_twiml_request(e)), None)
    node = next(
        (e["node"] for e in reversed(upto) if _is_twiml_request(e) and _real_node(e.get("node"))), None
    )
    taken = frozenset(taken_exits(routing, upto)) if routing is not None else None
    t = float(upto[-1].get("t", 0.0)) if upto else 0.0
    return Moment(index, t, node, request, taken)


def state_of(cookies: Mapping[str, Mapping[str, str]]) -> Any:
    """The IVR Studio handler's call state (attempts, variables) among a call's cookies, or None."""
    from ivr_studio.bundle.handler.state import COOKIE_NAME, StateRefused, peek

    for jar in cookies.values():
        value = jar.get(COOKIE_NAME)
        if value:
            try:
                return peek(value)
            except StateRefused:
                return None
    return None
