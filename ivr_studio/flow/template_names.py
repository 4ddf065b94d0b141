"""What a template at one node may read, for the editor: the names to complete and the problems to flag.

The inspector's template fields complete what a user types inside ``{{ … }}`` from :func:`readable_names`
(``call.from``, ``vars.account``, ``steps.balance.body.amount``, ``env.API_TOKEN``, ``now`` …, all of them
known to the flow) and check a template as it is typed with :func:`template_messages` — the very rules the
validator applies (IVR020 syntax, IVR021 unknown or unset values), so the message under the field is the
one the Problems panel shows once the text is committed.
"""

from __future__ import annotations

from ivr_studio.flow.logic import HoursConfig, LookupConfig, SetConfig
from ivr_studio.flow.model import Flow

#: What a template may read about the call (as :data:`ivr_studio.flow.templates.CALL_FIELDS`, which this
#: module does not import: it loads the Liquid engine, which the editor's first frame does not need).
CALL_FIELDS = ("from", "to", "sid", "digits", "speech")

#: What each namespace's names mean, shown beside a completion.
HINTS = {
    "call": "the call",
    "vars": "a call variable",
    "steps": "an earlier logic step's result",
    "env": "an environment variable of the handler",
}


def variable_names(flow: Flow) -> list[str]:
    """The flow's call variables: the declared ones, then those only a Set or a capture names."""
    names = list(flow.variables)
    for node in flow:
        extra = [a.name for a in node.config.assignments] if isinstance(node.config, SetConfig) else []
        if node.capture:
            extra.append(node.capture)
        names += [n for n in extra if n not in names]
    return names


def step_names(flow: Flow) -> list[str]:
    """``steps.<node>.…`` values: a Look up's status and kept body paths, an Hours node's state."""
    out: list[str] = []
    for node in flow:
        if isinstance(node.config, LookupConfig):
            out.append(f"steps.{node.id}.status")
            out += [f"steps.{node.id}.body.{path}" for path in node.config.keep]
        elif isinstance(node.config, HoursConfig):
            out.append(f"steps.{node.id}.state")
    return out


def readable_names(flow: Flow) -> list[str]:
    """Every dotted name a template in ``flow`` can read, in the order a user looks for them."""
    names = [f"vars.{n}" for n in variable_names(flow)]
    names += [f"call.{f}" for f in CALL_FIELDS]
    names += step_names(flow)
    names += [f"env.{n}" for n in flow.env]
    names += ["now", "language"]
    return names


def template_messages(flow: Flow, node_id: str, text: str, where: str = "") -> list[str]:
    """What the validator would say about ``text`` as a template of node ``node_id`` (empty: nothing).

    Syntax first (IVR020); a template that parses is checked for what it reads (IVR021) against the flow
    as it is, with ``text`` in place of the node's committed value.
    """
    from ivr_studio.flow.rules.dynamic import read_problems_at
    from ivr_studio.flow.templates import analyse

    info = analyse(text)
    if info.error:
        return [f"Template error: {info.error}"]
    if not info.reads or node_id not in flow.nodes:
        return []
    return [d.message for d in read_problems_at(flow, node_id, where, info.reads)]
