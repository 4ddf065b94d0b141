"""TwiML documents: build, parse (safely), attribute tables and Twilio's warning rules. Knows nothing else.

Importing the package loads none of them: each name is imported when it is first used, so code that needs one
small module (the editor's start-up, say) does not pay for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivr_studio import lazy

if TYPE_CHECKING:
    from ivr_studio.twiml.build import document, response, to_bytes, verb
    from ivr_studio.twiml.diagnostics import Diagnostic, Severity
    from ivr_studio.twiml.parse import ParsedDocument, parse_twiml
    from ivr_studio.twiml.rules import VerbAttributes, read_verb

#: Each public name and the module it lives in; imported on first use (PEP 562).
_EXPORTS = {
    "document": "ivr_studio.twiml.build",
    "response": "ivr_studio.twiml.build",
    "to_bytes": "ivr_studio.twiml.build",
    "verb": "ivr_studio.twiml.build",
    "Diagnostic": "ivr_studio.twiml.diagnostics",
    "Severity": "ivr_studio.twiml.diagnostics",
    "ParsedDocument": "ivr_studio.twiml.parse",
    "parse_twiml": "ivr_studio.twiml.parse",
    "VerbAttributes": "ivr_studio.twiml.rules",
    "read_verb": "ivr_studio.twiml.rules",
}

__all__ = [
    "Diagnostic",
    "ParsedDocument",
    "Severity",
    "VerbAttributes",
    "document",
    "parse_twiml",
    "read_verb",
    "response",
    "to_bytes",
    "verb",
]


__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS)
