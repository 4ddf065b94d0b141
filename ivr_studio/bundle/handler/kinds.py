"""What the handler does for each kind of node: the handler's one registry keyed by kind.

A *verb* node answers with its TwiML document; those that report back to the app (a menu, a transfer, a
recording) also have a ``result`` rule that picks the exit from Twilio's request. A *logic* node has an
evaluator (built from its configuration when the app boots, see :mod:`.logic`) that picks an exit within
the request that reaches it (see :mod:`.walk`). Every kind the flow
model knows has an entry here (a test checks it), so the handler can never meet a kind it does not
understand; the routing data of a kind not listed is refused when the app boots.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .data import Node
from .logic import EVALUATORS
from .retries import Step, dial_result, gather_result, queue_result, record_result


@dataclass(frozen=True)
class Answer:
    """What a ``/node/<id>/result`` request brings: Twilio's parameters and the call's retry state."""

    params: Mapping[str, str]
    attempt: int = 1
    no_input: bool = False
    min_confidence: float = 0.0


ResultRule = Callable[[Node, Answer], Step]


def _gather(node: Node, answer: Answer) -> Step:
    p = answer.params
    return gather_result(
        node,
        answer.attempt,
        digits=p.get("Digits"),
        speech=p.get("SpeechResult"),
        confidence=p.get("Confidence"),
        no_input=answer.no_input,
        min_confidence=answer.min_confidence,
    )


def _dial(node: Node, answer: Answer) -> Step:
    return dial_result(node, answer.params.get("DialCallStatus"))


def _record(node: Node, answer: Answer) -> Step:
    return record_result(node)


def _enqueue(node: Node, answer: Answer) -> Step:
    return queue_result(node, answer.params.get("QueueResult"))


@dataclass(frozen=True)
class KindRule:
    """The handler's rule for one kind: its family and, for verbs that report back, how to route the result."""

    family: str = "verb"  # "verb" | "logic"
    result: ResultRule | None = None
    evaluator: Callable[..., Any] | None = None  # logic kinds: (node id, config, calendar) -> evaluator


KINDS: dict[str, KindRule] = {
    "gather": KindRule(result=_gather),
    "say": KindRule(),
    "play": KindRule(),
    "pause": KindRule(),
    "dial": KindRule(result=_dial),
    "record": KindRule(result=_record),
    "redirect": KindRule(),
    "hangup": KindRule(),
    "reject": KindRule(),
    "enqueue": KindRule(result=_enqueue),
    "hours": KindRule("logic", evaluator=EVALUATORS["hours"]),
    "decide": KindRule("logic", evaluator=EVALUATORS["decide"]),
    "set": KindRule("logic", evaluator=EVALUATORS["set"]),
    "lookup": KindRule("logic", evaluator=EVALUATORS["lookup"]),
    "placeholder": KindRule("logic", evaluator=EVALUATORS["placeholder"]),
}
