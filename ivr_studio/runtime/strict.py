"""Strict TwiML (setting ``strict_twiml``): a document with any schema or value warning fails as a whole.

Twilio only warns about unknown verbs and attributes (12200), bad attribute values (13xxx) and verbs the
local runtime cannot run, and goes on (spec §1.3, §1.5, §5.3). Authors who want sloppy TwiML caught before
production turn this on: the first such problem in a document ends the call as an application error with
that code, through the fallback URL like any document failure (§5.2). The whole document is checked when it
arrives, so nothing of a bad document runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from ivr_studio.runtime import codes
from ivr_studio.runtime.verbs.registry import ACTIVITIES
from ivr_studio.twiml.diagnostics import Diagnostic, error
from ivr_studio.twiml.rules import read_verb


def is_twiml_warning(d: Diagnostic) -> bool:
    """A schema (12200) or verb value (13xxx) warning: what strict TwiML refuses."""
    return not d.is_error and (d.code == "12200" or (len(d.code) == 5 and d.code.startswith("13")))


def strict_problem(parse_diagnostics: Iterable[Diagnostic], verbs: list[etree._Element]) -> Diagnostic | None:
    """The first problem that fails the document under strict TwiML, as an error; None when it is clean."""
    for d in parse_diagnostics:
        if is_twiml_warning(d):
            return _fatal(d.code, d.message)
    for verb in verbs:
        if verb.tag not in ACTIVITIES:
            return _fatal(codes.UNSUPPORTED_VERB, f"<{verb.tag}> is not supported by the local runtime")
        nested = list(verb) if verb.tag in ("Gather", "Dial") else []
        for el in (verb, *nested):
            found = next((d for d in read_verb(el).diagnostics if is_twiml_warning(d)), None)
            if found is not None:
                return _fatal(found.code, found.message)
    return None


def _fatal(code: str, message: str) -> Diagnostic:
    return error(code, f"{message} (strict_twiml: the document fails)")
