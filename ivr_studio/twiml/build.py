"""Building TwiML documents deterministically.

Attributes are written in sorted order, Python values in Twilio's spelling (``True`` → ``"true"``), ``None``
attributes are left out, and every document starts with the same XML declaration, so the same input always
gives byte-identical output (the same choices twilio-python's ``twiml`` module makes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from ivr_studio.twiml.values import format_value

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Characters XML 1.0 cannot hold (C0 controls other than tab/newline/CR, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# An attribute name TwiML can carry: an XML name without a namespace prefix, not starting with "xml".
_ATTRIBUTE_NAME = re.compile(r"\A(?![Xx][Mm][Ll])[A-Za-z_][A-Za-z0-9_.-]*\Z")


def is_attribute_name(name: str) -> bool:
    """Whether ``name`` can be written as an attribute of a TwiML element (``bad name``, ``<x``, ``""`` and
    ``xmlns:foo`` cannot)."""
    return bool(_ATTRIBUTE_NAME.match(name))


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot represent (a pasted control character must not break export)."""
    return _NOT_XML.sub("", text)


def verb(
    tag: str,
    attrs: Mapping[str, Any] | None = None,
    text: str | None = None,
    children: Iterable[etree._Element] = (),
) -> etree._Element:
    """One TwiML element. ``attrs`` values may be Python values; ``None`` means "not written".

    Names that cannot be XML attribute names (see :func:`is_attribute_name`; the validator reports them as
    IVR015) are left out, so a forced export never fails half-way on them.
    """
    el = etree.Element(tag)
    for name in sorted(attrs or {}):
        value = attrs[name]  # type: ignore[index]
        if value is not None and is_attribute_name(name):
            el.set(name, xml_safe(format_value(value)))
    if text is not None:
        el.text = xml_safe(text)
    for child in children:
        el.append(child)
    return el


def response(verbs: Iterable[etree._Element]) -> etree._Element:
    root = etree.Element("Response")
    for v in verbs:
        root.append(v)
    return root


def to_bytes(root: etree._Element) -> bytes:
    """Serialise a ``<Response>`` with the XML declaration, UTF-8, indented for people reading the file."""
    etree.indent(root, space="  ")
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8") + b"\n"


def document(verbs: Iterable[etree._Element]) -> bytes:
    return to_bytes(response(verbs))
