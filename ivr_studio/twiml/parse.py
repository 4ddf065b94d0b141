"""Safe TwiML parsing with Twilio's error codes instead of tracebacks.

The parser never expands entities, never loads a DTD or anything from the network, and refuses documents
over Twilio's 64 kB limit before parsing them. It reports, as Twilio does:

* 11770 empty body, 11750 body over 64 kB, 12100 malformed XML (or a DTD), 12102 root is not ``<Response>``;
* 12200 (warning) unknown verbs, unknown attributes and misplaced children, which are removed from the
  returned tree so a runtime simply executes what is left (spec §1.3, §5.3);
* 13320 (warning) a verb nested in ``<Gather>`` other than Say, Play or Pause (also removed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ivr_studio.twiml.diagnostics import Diagnostic, error, warning
from ivr_studio.twiml.verbs import (
    ALLOWED_CHILDREN,
    DIAL_NOUN_ATTRS,
    KNOWN_VERBS,
    MAX_DOCUMENT_BYTES,
    VERB_ATTRS,
)

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


@dataclass
class ParsedDocument:
    """A parsed TwiML document: the cleaned ``<Response>`` element (None when fatal) and what was found."""

    root: etree._Element | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.root is not None

    @property
    def fatal(self) -> Diagnostic | None:
        return next((d for d in self.diagnostics if d.is_error), None) if self.root is None else None

    def verbs(self) -> list[etree._Element]:
        """The verbs of the document, in order."""
        return [] if self.root is None else list(self.root)


def _tag(el: etree._Element) -> str:
    tag = el.tag
    return tag if isinstance(tag, str) else ""


def parse_twiml(body: bytes | str) -> ParsedDocument:
    """Parse a TwiML body. Never raises for bad input; problems come back as diagnostics."""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if not data.strip():
        return ParsedDocument(None, [error(11770, "The response body is empty")])
    if len(data) > MAX_DOCUMENT_BYTES:
        return ParsedDocument(
            None,
            [error(11750, f"The TwiML document is {len(data):,} bytes; Twilio accepts at most 64 kB")],
        )
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        return ParsedDocument(None, [error(12100, f"The document is not well-formed XML: {exc.msg or exc}")])
    except ValueError as exc:  # e.g. a unicode string with an encoding declaration
        return ParsedDocument(None, [error(12100, f"The document could not be parsed: {exc}")])
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return ParsedDocument(
            None, [error(12100, "DOCTYPE declarations and entities are not allowed in TwiML")]
        )
    if _tag(root) != "Response":
        return ParsedDocument(
            None,
            [error(12102, f"The root element must be <Response>, not <{_tag(root) or root.tag}>")],
        )
    diagnostics: list[Diagnostic] = []
    for verb in list(root):
        name = _tag(verb)
        if name not in KNOWN_VERBS:
            diagnostics.append(warning(12200, f"<{name or verb.tag}> is not a TwiML verb; it was skipped"))
            root.remove(verb)
            continue
        _check_attributes(verb, VERB_ATTRS.get(name), diagnostics)
        _check_children(verb, diagnostics)
    return ParsedDocument(root, diagnostics)


def _check_attributes(el: etree._Element, specs: dict | None, out: list[Diagnostic]) -> None:
    if specs is None:
        return  # a known verb we do not check attribute by attribute
    for attr in el.attrib:
        if attr not in specs:
            out.append(warning(12200, f"<{_tag(el)}> has no attribute {attr!r}; it was ignored"))


def _check_children(verb: etree._Element, out: list[Diagnostic]) -> None:
    name = _tag(verb)
    allowed = ALLOWED_CHILDREN.get(name, frozenset())
    for child in list(verb):
        child_name = _tag(child)
        if name == "Say":
            if child_name not in allowed:
                out.append(
                    warning(12200, f"<{child_name}> is not an SSML element allowed in <Say>; it was ignored")
                )
                _unwrap(child)
            continue
        if child_name not in allowed:
            code = 13320 if name == "Gather" else 12200
            out.append(
                warning(code, f"<{child_name or child.tag}> cannot be nested in <{name}>; it was skipped")
            )
            verb.remove(child)
            continue
        if name == "Gather":
            _check_attributes(child, VERB_ATTRS[child_name], out)
            _check_children(child, out)
        elif name == "Dial":
            noun_specs = DIAL_NOUN_ATTRS.get(child_name)
            if noun_specs:
                _check_attributes(child, noun_specs, out)


def _unwrap(el: etree._Element) -> None:
    """Remove an element but keep its text, as a speech engine would read it."""
    parent = el.getparent()
    text = (el.text or "") + "".join(etree.tostring(c, method="text", encoding="unicode") for c in el)
    text += el.tail or ""
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(el)
