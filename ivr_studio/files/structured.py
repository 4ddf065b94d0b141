"""JSON and YAML from outside, decoded so that no input can amplify, and error messages that stay short.

- :func:`load_json` refuses ``NaN``, ``Infinity`` and numbers that overflow to them (``1e999``), integers of
  more than :data:`MAX_INT_DIGITS` digits, duplicate keys and nesting deeper than Python can follow.
- :func:`load_yaml` is PyYAML's safe loader without aliases: ``*ref`` is refused, so a few hundred bytes
  cannot expand to gigabytes (the "billion laughs"), and the number of nodes is capped. ``.nan`` and
  ``.inf`` are refused like JSON's ``NaN``.
- :func:`cut` shortens any value for an error message; an input value is never echoed whole.
- :func:`printable` escapes the characters that can rewrite a terminal line (control characters, and the
  bidirectional controls such as U+202E that reorder it) in text shown to the user.

Both raise :class:`StructuredDataError` (a ``ValueError``) whose message names the source and, where the
parser knows it, the line.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any

#: No field of any IVR Studio format needs more digits than this (Python refuses more than 4,300).
MAX_INT_DIGITS = 30
#: YAML documents are scripts and scenario files: a few thousand nodes. This leaves room for generated ones.
MAX_YAML_NODES = 200_000


class StructuredDataError(ValueError):
    """JSON or YAML that cannot be used. ``str()`` is ``"<source>: <problem>"``."""

    def __init__(self, source: str | os.PathLike, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


def cut(value: Any, limit: int = 60) -> str:
    """``repr(value)`` shortened to about ``limit`` characters, for error messages."""
    if isinstance(value, (str, bytes)) and len(value) > limit * 4:
        value = value[: limit * 4]  # never build the repr of a huge string
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Characters that can change how a terminal shows a line: C0 and C1 controls (an ESC starts a colour or
#: cursor sequence, a CR returns to the start of the line), the bidirectional embeddings, overrides and
#: isolates (U+202E shows what follows right to left), and the line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str, keep: str = "\n\t") -> str:
    """``text`` with each character that could rewrite a terminal line written as an escape (``\\u202e``,
    ``\\x1b``), as :func:`repr` would show it; the characters in ``keep`` (line breaks and tabs) stay."""

    def escape(match: re.Match[str]) -> str:
        ch = match.group()
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _UNSAFE.sub(escape, text)


def names(values: Any, limit: int = 100) -> str:
    """Keys or names from an input, sorted and comma-separated, shortened to about ``limit`` characters."""
    text = ", ".join(sorted(str(v)[: limit + 1] for v in values))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----------------------------------------------------------------------------------------------- JSON
class _Refused(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number IVR Studio accepts")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:30]} is too large")
    return value


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _Refused(f"a whole number of {digits:,} digits is too large")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"the key {cut(key, 40)} appears twice in one object")
        result[key] = value
    return result


def load_json(text: str | bytes, source: str | os.PathLike = "<input>") -> Any:
    """Decode JSON text; :class:`StructuredDataError` names ``source`` and the problem."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise StructuredDataError(source, "is not UTF-8 text") from None
    try:
        return json.loads(
            text, parse_constant=_constant, parse_float=_float, parse_int=_int, object_pairs_hook=_object
        )
    except _Refused as exc:
        raise StructuredDataError(source, str(exc)) from None
    except json.JSONDecodeError as exc:
        raise StructuredDataError(
            source, f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise StructuredDataError(source, "is nested too deeply") from None


def load_yaml(text: str, source: str | os.PathLike = "<input>") -> Any:
    """Decode one YAML document with no aliases; :class:`StructuredDataError` names ``source``.

    PyYAML is imported on first use (:mod:`.yaml_safe`): reading flows (JSON) never pays for it.
    """
    from ivr_studio.files.yaml_safe import load_yaml_document

    return load_yaml_document(text, source)
