"""One TwiML document → a chain of flow nodes, with the links that leave the document kept for later.

Both TwiML import (a set of files) and ``ivr-studio map`` (documents observed on a live app) turn documents
into nodes the same way, so this module holds the one translation. A document's verbs run top to bottom
(spec §1.1), so each verb becomes a node linked to the next one's ``next`` exit; where a verb hands the call
to a URL (a Gather's or Record's or Dial's ``action``, a Redirect) the link is left *pending* with its URL,
and the caller decides what the URL means (another document of the set, an observed document, or a URL
outside, which becomes a Redirect node).

The mapping onto node kinds:

* ``<Say>``, ``<Play>``, ``<Pause>`` → Say / Play / Pause (SSML inside a Say is kept as its text);
* ``<Gather>`` → a menu whose nested Say/Play/Pause are its prompts. The document alone cannot show which
  key leads where (the app decides that when the action is requested), so every input goes to the action:
  the menu's *no match* exit. The verbs after the Gather run when the caller gives no input (spec §2.7):
  the *no input* exit;
* ``<Dial>`` → Transfer (its Number/Sip/Client is the node's text), ``<Record>`` → Voicemail (an empty
  recording falls through to the verbs after it, spec §4.8: the *nothing recorded* exit);
* ``<Enqueue>`` → Queue (the queue's name is the node's text);
* ``<Redirect>`` → a link, or a Redirect node when its URL leads outside; ``<Hangup>`` and ``<Reject>``;
* any other verb (Connect, Pay, Refer …) has no node kind: it is reported and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from ivr_studio.flow.kinds import NodeKind, spec_of
from ivr_studio.flow.model import ID_PATTERN, Flow, Node, Prompt
from ivr_studio.interop.report import MAPPED, SKIPPED, WARNING, ImportReport
from ivr_studio.twiml.verbs import VERB_ATTRS

_VERB_KINDS = {
    "Say": NodeKind.SAY,
    "Play": NodeKind.PLAY,
    "Pause": NodeKind.PAUSE,
    "Gather": NodeKind.GATHER,
    "Dial": NodeKind.DIAL,
    "Record": NodeKind.RECORD,
    "Redirect": NodeKind.REDIRECT,
    "Hangup": NodeKind.HANGUP,
    "Reject": NodeKind.REJECT,
    "Enqueue": NodeKind.ENQUEUE,
}
#: Attributes that become links, not node attributes.
_ROUTING_ATTRS = {"action", "method"}


@dataclass(frozen=True)
class PendingLink:
    """An exit of ``node`` that leads to ``url`` (as written in the document, not yet resolved)."""

    node: str
    exit: str
    url: str
    method: str = "POST"


@dataclass
class DocumentChain:
    """The nodes one document became: ``entry`` is where the document starts (None when the document only
    redirects, then ``redirect`` holds the URL), ``pending`` the links to URLs."""

    name: str
    entry: str | None = None
    redirect: PendingLink | None = None
    nodes: list[str] = field(default_factory=list)
    pending: list[PendingLink] = field(default_factory=list)


def safe_id(text: str, taken: set[str] | dict, fallback: str = "node") -> str:
    """A node id made from ``text`` (letters, digits, ``_``, ``-``; at most 48 characters), unique in
    ``taken`` by a numeric suffix."""
    if ID_PATTERN.match(text) and len(text) <= 48 and text not in taken:
        return text
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-")[:48] or fallback
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}_{n}"
        n += 1
    if not ID_PATTERN.match(candidate):  # pragma: no cover - the pattern above guarantees it
        raise ValueError(f"cannot make a node id from {text!r}")
    return candidate


def attribute_value(verb: str, name: str, raw: str) -> str | int | bool:
    """An attribute as the flow model keeps it: whole numbers and true/false where Twilio's default is one."""
    spec = VERB_ATTRS.get(verb, {}).get(name)
    default = getattr(spec, "default", None)
    text = raw.strip()
    if isinstance(default, bool) and text.lower() in ("true", "false"):
        return text.lower() == "true"
    numeric = (isinstance(default, int) and not isinstance(default, bool)) or name in (
        "numDigits",
        "loop",
        "speechTimeout",  # "auto" or a number of seconds
    )
    if numeric and re.fullmatch(r"[0-9]{1,9}", text):
        return int(text)
    return raw


def _text(el: etree._Element) -> str:
    return "".join(el.itertext()).strip()


class ChainBuilder:
    """Adds the nodes of documents to one flow, reporting each verb under its document's name."""

    def __init__(self, flow: Flow, report: ImportReport) -> None:
        self.flow = flow
        self.report = report

    def _new_node(self, doc: str, kind: NodeKind, first: bool, title: str = "") -> Node:
        base = doc if first else f"{doc}_{kind.value}"
        node = Node(safe_id(base, self.flow.nodes, kind.value), kind, title=title)
        self.flow.add_node(node)
        return node

    def _attributes(self, source: str, verb: str, el: etree._Element, kind: NodeKind) -> dict:
        offered = set(spec_of(kind).attributes)
        out: dict = {}
        for name, raw in el.attrib.items():
            if name in offered:
                out[name] = attribute_value(verb, name, raw)
            elif name not in _ROUTING_ATTRS:
                self.report.add(
                    source, verb, WARNING, f"attribute {name!r} has no field in IVR Studio; dropped"
                )
        return out

    def _prompt(self, source: str, el: etree._Element) -> Prompt | None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in ("Say", "Play", "Pause"):
            self.report.add(source, f"<{tag}>", SKIPPED, "only Say, Play and Pause can be menu prompts")
            return None
        kind = _VERB_KINDS[tag]
        attrs = self._attributes(source, tag, el, kind)
        text = "" if tag == "Pause" else _text(el)
        if tag == "Say" and len(el):
            self.report.add(source, "<Say>", WARNING, "SSML markup inside <Say> was kept as plain text")
        return Prompt(tag.lower(), text, attrs)

    def add_document(self, name: str, root: etree._Element, title: str | None = None) -> DocumentChain:
        """The nodes of one parsed ``<Response>``; node ids start with ``name``."""
        chain = DocumentChain(name)
        prev: tuple[str, str] | None = None  # the exit the next verb's node hangs from
        first = True
        verbs = [v for v in root if isinstance(v.tag, str)]
        for index, el in enumerate(verbs):
            tag = el.tag
            source = f"{name} <{tag}>" if len(verbs) == 1 else f"{name} <{tag}> #{index + 1}"
            if prev is None and not first:
                self.report.add(
                    source, f"<{tag}>", SKIPPED, "never runs: the verb before it ends the document"
                )
                continue
            kind = _VERB_KINDS.get(tag)
            if kind is None:
                self.report.add(source, f"<{tag}>", SKIPPED, f"IVR Studio has no node for <{tag}>")
                continue
            if kind == NodeKind.REDIRECT:
                link = PendingLink(prev[0] if prev else "", prev[1] if prev else "", _text(el))
                link = PendingLink(link.node, link.exit, link.url, el.get("method", "POST"))
                if prev is None:
                    chain.redirect = link
                else:
                    chain.pending.append(link)
                self.report.add(source, "<Redirect>", MAPPED, f"a link to {_text(el)[:80]!r}")
                prev = None
                first = False
                break
            node = self._new_node(name, kind, first, title if first and title else "")
            if first:
                chain.entry = node.id
            first = False
            chain.nodes.append(node.id)
            if prev is not None:
                self.flow.set_link(prev[0], prev[1], node.id)
            attrs = self._attributes(source, tag, el, kind)
            for k, v in attrs.items():
                self.flow.set_attribute(node.id, k, v)
            self.report.add(source, f"<{tag}>", MAPPED, node=node.id)
            action = el.get("action")
            method = el.get("method", "POST")
            prev = None
            if kind in (NodeKind.SAY, NodeKind.PLAY):
                self.flow.set_node_field(node.id, "text", _text(el))
                if tag == "Say" and len(el):
                    self.report.add(source, "<Say>", WARNING, "SSML markup was kept as plain text")
                prev = (node.id, "next")
            elif kind == NodeKind.PAUSE:
                prev = (node.id, "next")
            elif kind == NodeKind.GATHER:
                prompts = [p for p in (self._prompt(source, c) for c in el if isinstance(c.tag, str)) if p]
                self.flow.set_node_field(node.id, "prompts", prompts)
                # No action: Twilio sends the result to the document itself (spec §2.2).
                chain.pending.append(PendingLink(node.id, "no_match", action or "", method))
                if el.get("actionOnEmptyResult", "").lower() == "true":
                    chain.pending.append(PendingLink(node.id, "no_input", action or "", method))
                else:
                    prev = (node.id, "no_input")
            elif kind == NodeKind.DIAL:
                nouns = [c for c in el if isinstance(c.tag, str)]
                number = _text(nouns[0]) if nouns else _text(el)
                if nouns and nouns[0].tag == "Sip" and not number.lower().startswith("sip:"):
                    number = f"sip:{number}"
                if nouns and nouns[0].tag not in ("Number", "Sip"):
                    self.report.add(source, "<Dial>", WARNING, f"<{nouns[0].tag}> was kept as a number")
                self.flow.set_node_field(node.id, "text", number)
                if action:
                    chain.pending.append(PendingLink(node.id, "next", action, method))
                else:
                    prev = (node.id, "next")
            elif kind == NodeKind.ENQUEUE:
                self.flow.set_node_field(node.id, "text", _text(el))
                if action:
                    chain.pending.append(PendingLink(node.id, "next", action, method))
                else:
                    prev = (node.id, "next")  # the caller left the queue: the next verb runs
            elif kind == NodeKind.RECORD:
                chain.pending.append(PendingLink(node.id, "next", action or "", method))
                prev = (node.id, "empty")
            elif kind == NodeKind.REDIRECT:  # pragma: no cover - handled above
                pass
            # Hangup and Reject end the document: prev stays None.
            if kind in (NodeKind.HANGUP, NodeKind.REJECT):
                break
        return chain


class ChainResolver:
    """Links every pending exit of a set of document chains.

    ``target_of(document name, link)`` names the document a URL leads to, or None when it leads outside the
    set; then a Redirect node to the URL is added (one per URL). A document that only redirects is followed
    to where it leads.
    """

    def __init__(
        self,
        flow: Flow,
        chains: dict[str, DocumentChain],
        target_of: Callable[[str, PendingLink], str | None],
        report: ImportReport,
    ) -> None:
        self.flow = flow
        self.chains = chains
        self.target_of = target_of
        self.report = report
        self._outside: dict[str, str] = {}

    def entry_of(self, doc: str, seen: frozenset[str] = frozenset()) -> str | None:
        """The node where ``doc`` starts, following documents that only redirect; None if it leads outside."""
        chain = self.chains[doc]
        if chain.entry is not None:
            return chain.entry
        if chain.redirect is None or doc in seen:
            return None
        nxt = self.target_of(doc, chain.redirect)
        return self.entry_of(nxt, seen | {doc}) if nxt in self.chains else None

    def outside_node(self, url: str, method: str) -> str:
        key = f"{method.upper()} {url}"
        if key not in self._outside:
            node = Node(safe_id(f"redirect_{url.rsplit('/', 1)[-1]}", self.flow.nodes), NodeKind.REDIRECT)
            node.text = url
            self.flow.add_node(node)
            if method.upper() == "GET":
                self.flow.set_attribute(node.id, "method", "GET")
            self._outside[key] = node.id
            self.report.add(
                url[:120] or "(empty URL)", "URL", WARNING, "leads outside: a Redirect node", node.id
            )
        return self._outside[key]

    def document_target(self, doc: str) -> str:
        """The node a call entering ``doc`` reaches first (a Redirect node when it leads outside)."""
        entry = self.entry_of(doc)
        if entry is not None:
            return entry
        seen: set[str] = set()
        chain = self.chains[doc]
        while chain.redirect is not None and chain.entry is None and doc not in seen:
            seen.add(doc)
            nxt = self.target_of(doc, chain.redirect)
            if nxt not in self.chains:
                return self.outside_node(chain.redirect.url, chain.redirect.method)
            doc, chain = nxt, self.chains[nxt]
        return self.outside_node(chain.redirect.url if chain.redirect else "", "POST")

    def link_target(self, doc: str, link: PendingLink) -> str:
        target_doc = self.target_of(doc, link)
        if target_doc not in self.chains:
            return self.outside_node(link.url, link.method)
        return self.document_target(target_doc)

    def resolve_all(self) -> None:
        for doc, chain in self.chains.items():
            for link in chain.pending:
                self.flow.set_link(link.node, link.exit, self.link_target(doc, link))
