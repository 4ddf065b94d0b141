"""IVR Studio's rule for placeholder nodes (a widget of another tool kept as it was).

=======  ========  ===========================================================================
code     severity  rule
=======  ========  ===========================================================================
IVR032   warning   a placeholder: IVR Studio cannot run the widget; a test call ends there or
                   follows the chosen transition, and a deployed handler does the same
IVR035   warning   a placeholder's linked transitions no local call takes: no generated test
                   and no test call can reach what they lead to
=======  ========  ===========================================================================
"""

from __future__ import annotations

from ivr_studio.flow.model import Node
from ivr_studio.flow.placeholder import PlaceholderConfig
from ivr_studio.twiml.diagnostics import Diagnostic, warning


def placeholder(node: Node) -> list[Diagnostic]:
    """IVR032: say what the placeholder stands for and what a call does when it reaches it."""
    config = node.config
    if not isinstance(config, PlaceholderConfig):
        return []
    transition = config.transition(config.follow) if config.follow else None
    if transition is None:
        does = "a call that reaches it ends there"
        fix = "Replace it with nodes that do the same, or choose a transition a test call follows"
    else:
        does = f"a call that reaches it goes on as if it ended with '{transition.label()}'"
        fix = "Replace it with nodes that do the same before deploying this flow anywhere but Studio"
    out = [
        warning(
            "IVR032",
            f"'{node.title}' is {config.describe()}, which IVR Studio cannot run: {does}",
            path="config",
            fix=fix,
        )
    ]
    untested = [t.label() for t in config.transitions if t.exit_name in node.links and t is not transition]
    if untested:
        taken = f"follows '{transition.label()}'" if transition is not None else "ends there"
        shown = ", ".join(f"'{label}'" for label in untested[:5]) + (" …" if len(untested) > 5 else "")
        out.append(
            warning(
                "IVR035",
                f"'{node.title}': {shown} cannot be tested here — a local call that reaches it {taken}, so "
                "the bundle's generated tests and test calls never take "
                + ("them" if len(untested) > 1 else "it"),
                path="config.follow",
                fix="Choose the transition to follow in the inspector to test its path, one at a time",
            )
        )
    return out
