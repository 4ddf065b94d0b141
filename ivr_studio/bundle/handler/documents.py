"""The TwiML the app answers with: each node's exported document, plus canned replies.

A node's document is the same for every call and every attempt (what a call remembers travels in its state
cookie, not in URLs), so the exported bytes are served as they are. Each is parsed once at start-up, so a
broken bundle fails when the app boots. Canned replies are built with the standard library's ElementTree,
so nothing is ever pasted into XML as a string.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from .data import BundleError

#: Pseudo node ids for replies that are not a node's document (never valid node ids: they hold parentheses).
GOODBYE = "(goodbye)"
HANGUP = "(hangup)"
APOLOGY = "(error)"

GOODBYE_TEXT = "Thank you for calling. Goodbye."
APOLOGY_TEXT = "Sorry, something went wrong. Let's start again."
UNAVAILABLE_TEXT = "Sorry, this line is not available right now. Please try again later. Goodbye."


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _response(*verbs: ET.Element) -> bytes:
    root = ET.Element("Response")
    root.extend(verbs)
    return _serialise(root)


def _verb(name: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.Element(name, attrs)
    el.text = text
    return el


def goodbye_document() -> bytes:
    return _response(_verb("Say", GOODBYE_TEXT), _verb("Hangup"))


def hangup_document() -> bytes:
    return _response(_verb("Hangup"))


def apology_document(entry_url: str | None) -> bytes:
    """An apology, then back to the start (or, when the start itself is broken, goodbye)."""
    if entry_url is None:
        return _response(_verb("Say", UNAVAILABLE_TEXT), _verb("Hangup"))
    return _response(_verb("Say", APOLOGY_TEXT), _verb("Redirect", entry_url, method="POST"))


class Documents:
    """Each node's TwiML, checked once."""

    def __init__(self, documents: Mapping[str, bytes]):
        self._raw = dict(documents)
        for node_id, body in self._raw.items():
            try:
                root = ET.fromstring(body)
            except ET.ParseError as exc:
                raise BundleError(f"the TwiML of node {node_id!r} is not well-formed XML: {exc}") from None
            if root.tag != "Response":
                raise BundleError(f"the TwiML of node {node_id!r} does not start with <Response>")

    def static(self, node_id: str) -> bytes:
        """The node's document exactly as exported."""
        return self._raw[node_id]
