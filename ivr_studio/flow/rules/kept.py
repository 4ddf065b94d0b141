"""IVR Studio's rule for placeholder nodes (a widget of another tool kept as it was).

=======  ========  ===========================================================================
code     severity  rule
=======  ========  ===========================================================================
IVR032   warning   a placeholder: IVR Studio cannot run the widget; a test call ends there or
                   follows the chosen transition, and a deployed handler does the same
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
    return [
        warning(
            "IVR032",
            f"'{node.title}' is {config.describe()}, which IVR Studio cannot run: {does}",
            path="config",
            fix=fix,
        )
    ]
