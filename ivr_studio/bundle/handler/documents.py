"""The TwiML the app answers with: each node's exported document, plus canned replies.

A node's document is the same for every call and every attempt (what a call remembers travels in its state
cookie, not in URLs), so a static document's exported bytes are served as they are. A document whose
element text holds Liquid templates (a Say's text, a Play URL, a Dial's number, a Redirect URL) is parsed
once at start-up, its templates compiled, and rendered per request into a copy of the parsed tree: what a
caller said or a back-end answered lands in element text and is escaped by ElementTree, never parsed as
XML; attributes and action URLs stay static. Canned replies are built the same way, so nothing is ever
pasted into XML as a string.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from .data import BundleError
from .templates import Template, TemplateError, has_template

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


@dataclass
class _Dynamic:
    root: ET.Element
    slots: list[tuple[int, Template, str]]  # (element index in document order, template, language)


class Documents:
    """Each node's TwiML, checked once; templated ones compiled for rendering per request."""

    def __init__(self, documents: Mapping[str, bytes]):
        self._raw = dict(documents)
        self._dynamic: dict[str, _Dynamic] = {}
        for node_id, body in self._raw.items():
            try:
                root = ET.fromstring(body)
            except ET.ParseError as exc:
                raise BundleError(f"the TwiML of node {node_id!r} is not well-formed XML: {exc}") from None
            if root.tag != "Response":
                raise BundleError(f"the TwiML of node {node_id!r} does not start with <Response>")
            slots = []
            for index, (el, language) in enumerate(_with_language(root, DEFAULT_LANGUAGE)):
                if has_template(el.text):
                    try:
                        slots.append(
                            (index, Template(el.text or "", f"node {node_id!r} <{el.tag}>"), language)
                        )
                    except TemplateError as exc:
                        raise BundleError(str(exc)) from None
            if slots:
                self._dynamic[node_id] = _Dynamic(root, slots)

    def static(self, node_id: str) -> bytes:
        """The node's document exactly as exported."""
        return self._raw[node_id]

    def is_dynamic(self, node_id: str) -> bool:
        return node_id in self._dynamic

    def render(self, node_id: str, values: dict) -> bytes:
        """The node's document with its templates filled from ``values`` (raises TemplateError)."""
        dynamic = self._dynamic.get(node_id)
        if dynamic is None:
            return self._raw[node_id]
        root = copy.deepcopy(dynamic.root)
        elements = [el for el, _ in _with_language(root, DEFAULT_LANGUAGE)]
        for index, template, language in dynamic.slots:
            elements[index].text = template.render({**values, "language": language})
        return _serialise(root)


DEFAULT_LANGUAGE = "en-US"


def _with_language(root: ET.Element, language: str):
    """Every element in document order with the language it is spoken in (its own, or its Gather's)."""
    own = root.get("language", language)
    yield root, own
    for child in root:
        yield from _with_language(child, own)
