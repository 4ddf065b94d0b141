"""IVR Studio's rule for what ``ivr-studio map`` saw at a node (:mod:`ivr_studio.flow.map_flags`).

=======  ========  ===========================================================================
code     severity  rule
=======  ========  ===========================================================================
IVR034   warning   the mapped app answered with an error here, ended the call without a
                   goodbye, or was not explored past a <Dial> or <Record>
=======  ========  ===========================================================================
"""

from __future__ import annotations

from ivr_studio.flow.model import Node
from ivr_studio.twiml.diagnostics import Diagnostic, warning

_FIXES = {
    "error": "Fix the app at that URL, then map it again",
    "dead_end": "Make the app say goodbye or hang up there, then map it again",
    "stopped": "Test what follows with a call of your own (or map without --stop-before-dial-record)",
}


def map_flags(node: Node) -> list[Diagnostic]:
    """IVR034: one warning per flag, naming the node and the URL (and error) the map observed."""
    return [
        warning(
            "IVR034",
            f"'{node.title}' — {flag.label}: {flag.describe()}",
            path="flags",
            fix=_FIXES.get(flag.kind, ""),
        )
        for flag in node.flags
    ]
