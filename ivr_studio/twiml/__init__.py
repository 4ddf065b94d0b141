"""TwiML documents: build, parse (safely), attribute tables and Twilio's warning rules. Knows nothing else."""

from ivr_studio.twiml.build import document, response, to_bytes, verb
from ivr_studio.twiml.diagnostics import Diagnostic, Severity
from ivr_studio.twiml.parse import ParsedDocument, parse_twiml
from ivr_studio.twiml.rules import VerbAttributes, read_verb

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
