"""Liquid names in Studio and in IVR Studio: one table, both directions.

Studio's templates read ``flow.variables.x``, ``trigger.call.From``, ``widgets.X.parsed.y``; IVR Studio's read
``vars.x``, ``call.from``, ``steps.X.body.y`` (the namespaces of the flow model's templates). Import rewrites
the names inside ``{{ … }}`` and ``{% … %}`` to this project's, export rewrites them back, so a template
keeps reading the same value on both sides. Only dotted names are touched — text outside the Liquid
markup, string literals and filters stay as written — and a Studio name with no counterpart here
(``widgets.X.Digits`` of a menu, ``contact.channel.address`` …) is left as it is and reported.
"""

from __future__ import annotations

import re

#: Studio name prefix → IVR Studio name prefix (longest first where one is a prefix of another).
TO_LOCAL: tuple[tuple[str, str], ...] = (
    ("flow.variables.", "vars."),
    ("trigger.call.From", "call.from"),
    ("trigger.call.To", "call.to"),
    ("trigger.call.CallSid", "call.sid"),
    ("contact.channel.address", "call.from"),
)
#: ``widgets.X.parsed.path`` → ``steps.X.body.path`` and ``widgets.X.status_code`` → ``steps.X.status``.
_WIDGET_PARSED = re.compile(r"\bwidgets\.([A-Za-z0-9_-]+)\.parsed\b")
_WIDGET_STATUS = re.compile(r"\bwidgets\.([A-Za-z0-9_-]+)\.status_code\b")
_STEPS_BODY = re.compile(r"\bsteps\.([A-Za-z0-9_-]+)\.body\b")
_STEPS_STATUS = re.compile(r"\bsteps\.([A-Za-z0-9_-]+)\.status\b")
_MARKUP = re.compile(r"({{.*?}}|{%.*?%})", re.S)
_STRING = re.compile(r"(\"[^\"]*\"|'[^']*')")
_STUDIO_NAME = re.compile(r"\b(?:flow|trigger|widgets|contact)\.[A-Za-z0-9_.-]+")


def _rewrite_code(code: str, pairs: tuple[tuple[str, str], ...], extra) -> str:
    """Rewrite names in one piece of Liquid markup, never inside its string literals."""
    parts = _STRING.split(code)
    for i in range(0, len(parts), 2):  # even parts are outside string literals
        text = parts[i]
        for old, new in pairs:
            end = "" if old.endswith(".") else r"(?![A-Za-z0-9_])"  # a prefix, or a whole name
            text = re.sub(rf"(?<![A-Za-z0-9_.]){re.escape(old)}{end}", new, text)
        parts[i] = extra(text)
    return "".join(parts)


def _in_markup(text: str, rewrite) -> str:
    return "".join(rewrite(p) if _MARKUP.fullmatch(p) else p for p in _MARKUP.split(text))


def to_local(text: str) -> tuple[str, list[str]]:
    """Studio's names → IVR Studio's in ``text``; also the Studio names left as they were."""
    if "{" not in text:
        return text, []

    def extra(t: str) -> str:
        return _WIDGET_STATUS.sub(r"steps.\1.status", _WIDGET_PARSED.sub(r"steps.\1.body", t))

    out = _in_markup(text, lambda code: _rewrite_code(code, TO_LOCAL, extra))
    left = sorted(
        {m.group(0) for p in _MARKUP.findall(out) for m in _STUDIO_NAME.finditer(_STRING.sub("", p))}
    )
    return out, left


def to_studio(text: str) -> str:
    """IVR Studio's names → Studio's in ``text`` (the inverse of :func:`to_local` for the names it maps)."""
    if "{" not in text:
        return text
    back = tuple((new, old) for old, new in TO_LOCAL if old != "contact.channel.address")

    def extra(t: str) -> str:
        return _STEPS_STATUS.sub(r"widgets.\1.status_code", _STEPS_BODY.sub(r"widgets.\1.parsed", t))

    return _in_markup(text, lambda code: _rewrite_code(code, back, extra))
