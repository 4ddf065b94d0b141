"""From a node, evaluate logic nodes until one that answers with TwiML: the heart of a dynamic request.

A request that reaches a logic node (the start, a menu's branch, a prompt's ``next``) walks on within the
same webhook request: each logic node picks an exit, until the walk reaches a verb node (whose TwiML is
the answer) or an exit that leads nowhere (the call hangs up). The walk is bounded, as Twilio Studio
bounds an execution (1,000 steps, 10 repeats of one widget): at most :data:`MAX_LOGIC_STEPS` logic steps
and :data:`MAX_NODE_REPEATS` visits of one node per request, and back-end requests share what is left of
Twilio's 15-second webhook budget. A walk that breaks a bound, or a template that cannot be rendered,
ends in the apology (and one log line saying why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .data import Flow
from .logic import Call, LogicError, Outcome
from .templates import TemplateError

MAX_LOGIC_STEPS = 100
MAX_NODE_REPEATS = 10
WEBHOOK_BUDGET_SECONDS = 15.0
MARGIN_SECONDS = 1.0


class Hop(NamedTuple):
    node: str
    exit: str
    detail: str = ""
    notice: bool = False  # the detail belongs in the step's log line (a placeholder was reached)


@dataclass
class Walk:
    """Where a walk ended (``node``: a verb node, or None to hang up), the hops it took, and why it failed."""

    node: str | None
    hops: list[Hop] = field(default_factory=list)
    lookups: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def walk(flow: Flow, node_id: str | None, evaluators: dict[str, Any], call: Call) -> Walk:
    """Evaluate logic nodes from ``node_id`` on until a verb node, a dead end or a bound."""
    result = Walk(node_id)
    seen: dict[str, int] = {}
    while result.node is not None and result.node in evaluators:
        current = result.node
        seen[current] = seen.get(current, 0) + 1
        if len(result.hops) >= MAX_LOGIC_STEPS or seen[current] > MAX_NODE_REPEATS:
            result.error = (
                f"logic loop: {current!r} ran {seen[current]} times in one request without the caller"
            )
            return result
        try:
            outcome: Outcome = evaluators[current].evaluate(call)
        except (TemplateError, LogicError) as exc:
            result.error = f"{current}: {str(exc)[:200]}"
            return result
        result.hops.append(Hop(current, outcome.exit, outcome.detail, outcome.notice))
        if outcome.lookup is not None:
            result.lookups.append(outcome.lookup)
        result.node = flow.nodes[current].exits.get(outcome.exit)
    return result
