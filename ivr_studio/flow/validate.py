"""The flow validator: Twilio's rules for what we export, plus IVR Studio's graph rules.

This module runs the rules; they live in :mod:`ivr_studio.flow.rules` (one module per concern), and
:data:`NODE_RULES` says which per-node rules run for each kind of node.

Twilio's own warnings keep Twilio's codes (13313, 13335 …) and severities, so what the editor shows is what
Twilio's debugger would say. IVR Studio's rules about the call graph use ``IVR`` codes:

======  ========  ==========================================================================
code    severity  rule
======  ========  ==========================================================================
IVR001  error     the flow has no start node
IVR002  warning   a node cannot be reached from the start
IVR003  error     a menu branch leads nowhere
IVR004  error     two branches of a menu claim the same key
IVR005  error     a branch's key can never be entered (too long for numDigits, contains
                  finishOnKey, or not a keypad key)
IVR006  error/wn  phrases on a keypad-only menu (the branch can never be chosen, or its
                  phrases are ignored)
IVR007  error/wn  keys on a speech-only menu
IVR008  error     one phrase is claimed by two branches
IVR009  warning   a menu with no no-input handling
IVR010  error     a loop the caller can never leave
IVR011  error     a node needs text it does not have (media URL, number, redirect URL)
IVR012  warning   a branch with neither a key nor a phrase
IVR013  warning   hints over Twilio's limits (entries left out of the export)
IVR014  info      the call ends after this node
IVR015  error     an attribute name that is not an XML name (it cannot be exported)
IVR016  warning   a phrase with no letters or digits (an emoji-only phrase matches nothing)
IVR020  …         dynamic flows: templates, variables, logic nodes (see rules/dynamic.py)
…IVR031
IVR032  warning   a placeholder node: a widget IVR Studio cannot run (see rules/kept.py)
IVR033  warning   a Decide case (or otherwise) no call can take (see rules/dynamic.py)
IVR034  warning   a mapped app's error, dead end or unexplored step (see rules/mapped.py)
IVR035  warning   a placeholder's linked transitions no local call takes (see rules/kept.py)
IVR036  warning   a Decide regex that can take exponential time to match (see rules/dynamic.py)
======  ========  ==========================================================================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from ivr_studio.flow.graph import closed_loops, flow_graph, reachable_from_start
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node
from ivr_studio.flow.rules import dynamic, kept, mapped, menu, verbs
from ivr_studio.twiml.diagnostics import Diagnostic, error, warning
from ivr_studio.twiml.diagnostics import Severity as S

NodeRule = Callable[[Node], list[Diagnostic]]

_SEVERITY_ORDER = {S.ERROR: 0, S.WARNING: 1, S.INFO: 2}
_PROMPT = (verbs.attributes, verbs.needs_text, verbs.call_ends_after)

#: The per-node rules of each kind, run in order (every kind is listed, so a new kind is not forgotten).
NODE_RULES: dict[NodeKind, tuple[NodeRule, ...]] = {
    NodeKind.GATHER: (verbs.attributes, menu.menu),
    NodeKind.SAY: (verbs.attributes, verbs.say_text, verbs.needs_text, verbs.call_ends_after),
    NodeKind.PLAY: _PROMPT,
    NodeKind.PAUSE: _PROMPT,
    NodeKind.DIAL: (verbs.attributes, verbs.needs_text),
    NodeKind.RECORD: (verbs.attributes,),
    NodeKind.REDIRECT: (verbs.attributes, verbs.needs_text),
    NodeKind.HANGUP: (verbs.attributes,),
    NodeKind.REJECT: (verbs.attributes,),
    NodeKind.ENQUEUE: (verbs.needs_text, verbs.queue_attributes),
    # logic nodes: their rules need the whole flow (variables, paths), see rules/dynamic.py
    NodeKind.HOURS: (),
    NodeKind.DECIDE: (),
    NodeKind.SET: (),
    NodeKind.LOOKUP: (),
    NodeKind.PLACEHOLDER: (kept.placeholder,),
}


def validate_flow(flow: Flow, base_dir: Path | None = None) -> list[Diagnostic]:
    """Every problem in the flow: errors first, then warnings, then notes, each in flow order.

    ``base_dir`` is the folder of the flow file, for the files it names (an Hours node's iCalendar file);
    without it those files are not checked.
    """
    out: list[Diagnostic] = []
    if flow.start is None:
        out.append(
            error("IVR001", "The flow has no start node", fix="Right-click a node and choose 'Set as start'")
        )
    graph = flow_graph(flow)
    reachable = reachable_from_start(flow, graph)
    for node in flow:
        for rule in NODE_RULES[node.kind]:
            out.extend(d.located(node.id) for d in rule(node))
        if node.flags:
            out.extend(d.located(node.id) for d in mapped.map_flags(node))
        if flow.start is not None and node.id not in reachable:
            out.append(
                warning(
                    "IVR002",
                    f"'{node.title}' cannot be reached from the start",
                    node_id=node.id,
                    fix="Link an exit to it, or delete it",
                )
            )
    for loop in closed_loops(flow, graph):
        names = " → ".join(f"'{flow.node(n).title}'" for n in loop)
        out.append(
            error(
                "IVR010",
                f"Callers who reach {names} can never leave: the loop has no way out and never hangs up",
                node_id=loop[0],
                fix="Link one of these exits to a node outside the loop, or end the call",
            )
        )
    out.extend(dynamic.flow_problems(flow, base_dir))
    order = {node_id: i for i, node_id in enumerate(flow.nodes)}
    out.sort(key=lambda d: (_SEVERITY_ORDER[d.severity], order.get(d.node_id or "", -1)))
    return out


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def summarize(diagnostics: list[Diagnostic]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for d in diagnostics:
        counts[str(d.severity)] += 1
    return {k: counts.get(k, 0) for k in ("error", "warning", "info")}
