"""The TwiML the app answers with: each node's exported document, rewritten for retries, plus canned replies.

The exported documents are those of a menu's first attempt. A later attempt needs the menu's ``attempt``
query parameter raised in its Gather ``action`` and in its no-input fall-through ``<Redirect>``; and a
prompt on the way back to the menu (``Say`` "Sorry, I didn't catch that" → menu) must carry the retry state
(``retry_of`` and ``attempt``) in its ``<Redirect>`` so the menu is rendered with the right attempt. The app
is stateless, so this state lives only in URLs (the caller's Twilio session follows them).

Documents are parsed once with the standard library's ElementTree and every rewrite is serialised by it,
so nothing is ever pasted into XML as a string. Rewritten documents are cached: there are at most
``max_attempts`` variants per node.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


def with_query(url: str, **params: str | int) -> str:
    """``url`` with the given query parameters set (replacing any of the same name), others kept in order."""
    parts = urlsplit(url)
    pending = {k: str(v) for k, v in params.items()}
    pairs = []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if k in params:
            if k in pending:
                pairs.append((k, pending.pop(k)))
        else:
            pairs.append((k, v))
    pairs.extend(pending.items())
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def _path(url: str | None) -> str:
    return urlsplit(url or "").path


class Documents:
    """Each node's TwiML, and its variants for a retry."""

    def __init__(self, documents: Mapping[str, bytes]):
        self._raw = dict(documents)
        for node_id, body in self._raw.items():
            try:
                root = ET.fromstring(body)
            except ET.ParseError as exc:
                raise BundleError(f"the TwiML of node {node_id!r} is not well-formed XML: {exc}") from None
            if root.tag != "Response":
                raise BundleError(f"the TwiML of node {node_id!r} does not start with <Response>")
        self._cache: dict[tuple[str, str, int], bytes] = {}

    def static(self, node_id: str) -> bytes:
        """The node's document exactly as exported."""
        return self._raw[node_id]

    def gather_attempt(self, node_id: str, attempt: int) -> bytes:
        """A menu's document for its ``attempt``-th try (1 is the exported document)."""
        if attempt <= 1:
            return self._raw[node_id]
        key = (node_id, "", attempt)
        cached = self._cache.get(key)
        if cached is None:
            root = ET.fromstring(self._raw[node_id])
            own_result = f"/node/{node_id}/result"
            for el in root.iter():
                if el.tag == "Gather" and _path(el.get("action")) == own_result:
                    el.set("action", with_query(el.get("action", ""), attempt=attempt))
                elif el.tag == "Redirect" and _path(el.text) == own_result:
                    el.text = with_query(el.text or "", attempt=attempt)
            cached = self._cache[key] = _serialise(root)
        return cached

    def carrying_retry(self, node_id: str, retry_of: str, attempt: int) -> bytes:
        """A prompt's document whose onward ``<Redirect>`` carries the retry state of menu ``retry_of``."""
        key = (node_id, retry_of, attempt)
        cached = self._cache.get(key)
        if cached is None:
            root = ET.fromstring(self._raw[node_id])
            for el in root.iter("Redirect"):
                path = _path(el.text)
                if path.startswith("/node/") and not path.endswith("/result"):
                    el.text = with_query(el.text or "", retry_of=retry_of, attempt=attempt)
            cached = self._cache[key] = _serialise(root)
        return cached
