"""Reduce a ``<Say>`` body with SSML to what espeak should say: text pieces and silences.

Twilio accepts SSML tags inside ``<Say>`` (``<break>``, ``<emphasis>``, ``<prosody>``, ``<say-as>``,
``<sub>``, ``<p>``, ``<s>``, ``<w>``, ``<phoneme>``, ``<lang>``, ``<amazon:effect>`` …). Offline we keep the
words and the pauses: ``<sub alias="…">`` speaks its alias, ``<break time="500ms"/>`` (or ``strength``)
becomes silence, ``<p>``/``<s>`` end a sentence, every other tag contributes its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

#: Pause lengths for ``<break strength=…>`` (seconds), after the SSML spec's usual defaults.
BREAK_STRENGTH = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.4, "strong": 0.75, "x-strong": 1.2}
#: The longest break Twilio honours (10 s); longer values are clamped.
MAX_BREAK = 10.0
_TIME_RE = re.compile(r"\A\s*([0-9]*\.?[0-9]+)\s*(ms|s)?\s*\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Pause:
    """A silence of ``seconds`` between spoken pieces."""

    seconds: float


Piece = str | Pause


def break_seconds(time: str | None, strength: str | None = None) -> float:
    """Seconds for a ``<break>``: ``time`` ("500ms", "1.5s", "2") wins over ``strength``; default medium."""
    if time:
        m = _TIME_RE.match(time)
        if m:
            value = float(m.group(1))
            seconds = value / 1000 if (m.group(2) or "s").lower() == "ms" else value
            return min(MAX_BREAK, seconds)
    return BREAK_STRENGTH.get((strength or "medium").strip().lower(), BREAK_STRENGTH["medium"])


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _walk(el: etree._Element, out: list[Piece], top: bool, aliases: bool) -> None:
    name = _local(el.tag)
    if not top and name == "break":
        out.append(Pause(break_seconds(el.get("time"), el.get("strength"))))
    elif not top and name == "sub":
        out.append((el.get("alias") if aliases else None) or el.text or "")
    elif name:
        if not top and name in ("p", "s"):
            out.append(Pause(0.0))
        if el.text:
            out.append(el.text)
        for child in el:
            _walk(child, out, top=False, aliases=aliases)
        if not top and name in ("p", "s"):
            out.append(Pause(BREAK_STRENGTH["medium"] if name == "p" else 0.0))
    if not top and el.tail:
        out.append(el.tail)


def _parse(ssml: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    wrapped = f"<speak xmlns:amazon='urn:amazon'>{ssml}</speak>"
    root = etree.fromstring(wrapped.encode("utf-8"), parser)
    if root is None:
        raise ValueError("could not read the Say text as SSML")
    return root


def ssml_pieces(body: etree._Element | str, aliases: bool = True) -> list[Piece]:
    """Spoken text and pauses, in order. ``body`` is a ``<Say>`` element or the markup inside one;
    ``aliases=False`` speaks a ``<sub>``'s own text instead of its alias."""
    root = _parse(body) if isinstance(body, str) else body
    raw: list[Piece] = []
    _walk(root, raw, top=True, aliases=aliases)
    pieces: list[Piece] = []
    for piece in raw:
        if isinstance(piece, Pause):
            if piece.seconds <= 0:
                piece = " "
            elif pieces and isinstance(pieces[-1], Pause):
                pieces[-1] = Pause(pieces[-1].seconds + piece.seconds)
                continue
            else:
                pieces.append(piece)
                continue
        text = re.sub(r"\s+", " ", piece)
        if pieces and isinstance(pieces[-1], str):
            pieces[-1] += text
        else:
            pieces.append(text)
    cleaned = [p if isinstance(p, Pause) else re.sub(r"\s+", " ", p).strip() for p in pieces]
    return [p for p in cleaned if isinstance(p, Pause) or p]


def ssml_to_text(body: etree._Element | str) -> str:
    """Plain text of a ``<Say>`` body (pauses become spaces)."""
    return " ".join(p for p in ssml_pieces(body) if isinstance(p, str))
