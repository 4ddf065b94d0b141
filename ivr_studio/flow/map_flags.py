"""What ``ivr-studio map`` saw at a node that a user must look at: the app's dead ends and errors.

A mapped flow describes an app as it answered. Where the app did something a caller would suffer from, the
node carries a :class:`MapFlag`: the app answered with an error (``error``: an HTTP error, a body that is
not TwiML), the call ended there without a goodbye (``dead_end``), or the map stopped before a ``<Dial>``
or ``<Record>``, or at a recording it does not send (``stopped``). Each flag keeps the URL the app was
asked and what went wrong or why the map stopped, so the canvas can mark the card, the validator can name it (IVR034) and the file
keeps it (``flags`` of a node, format version 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ivr_studio.flow.logic import ConfigError, _cut, _list, _obj, _str

#: Each flag's kind → how the canvas and the Problems list name it.
FLAG_KINDS: dict[str, str] = {"error": "error", "dead_end": "dead end", "stopped": "not explored"}
#: Bounds of what a node keeps: flags per node, characters of a URL and of an error's detail.
MAX_FLAGS = 10
MAX_URL_CHARS = 2000
MAX_DETAIL_CHARS = 300


@dataclass(frozen=True)
class MapFlag:
    """One thing the map saw at a node: its ``kind`` (:data:`FLAG_KINDS`), the ``url`` asked and a
    ``detail`` (an error's text, why the map stopped; empty for a dead end)."""

    kind: str
    url: str
    detail: str = ""

    @property
    def label(self) -> str:
        """``dead end`` — the flag's name for people."""
        return FLAG_KINDS.get(self.kind, self.kind)

    def describe(self) -> str:
        """A sentence saying what happened and where, for the Problems list and the card's tooltip (the URL
        and detail cut, and characters that would upset a terminal, such as a right-to-left override,
        written as escapes)."""
        url, detail = _shown(self.url, 120), _shown(self.detail, 200)
        if self.kind == "error":
            return f"the app answered {url} with an error: {detail or 'unknown'}"
        if self.kind == "dead_end":
            return f"the call ends here without a goodbye (the app's answer to {url})"
        why = f" ({detail})" if detail else ""
        return f"the map went no further{why}; the app's answer to {url}"

    def to_dict(self) -> dict[str, str]:
        out = {"kind": self.kind, "url": self.url}
        if self.detail:
            out["detail"] = self.detail
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str) -> MapFlag:
        d = _obj(data, path, {"kind", "url", "detail"}, {"kind", "url"})
        kind = _str(d["kind"], f"{path}.kind", 20)
        if kind not in FLAG_KINDS:
            raise ConfigError(f"{_cut(kind)} is not a map flag ({', '.join(FLAG_KINDS)})", f"{path}.kind")
        return cls(
            kind,
            _str(d["url"], f"{path}.url", MAX_URL_CHARS),
            _str(d.get("detail", ""), f"{path}.detail", MAX_DETAIL_CHARS),
        )


def _shown(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with what is not printable written as an escape."""
    text = text[: limit + 1]
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def flags_from_list(data: Any, path: str) -> tuple[MapFlag, ...]:
    """A node's ``flags`` from its file form (at most :data:`MAX_FLAGS`); ConfigError names a bad entry."""
    raw = _list(data, path, MAX_FLAGS)
    return tuple(MapFlag.from_dict(item, f"{path}[{i}]") for i, item in enumerate(raw))


def checked_flags(value: Iterable[Any]) -> tuple[MapFlag, ...]:
    """``value`` as a tuple of flags, or ConfigError (for :meth:`Flow.set_node_field`)."""
    flags = tuple(value)
    if len(flags) > MAX_FLAGS or not all(isinstance(f, MapFlag) for f in flags):
        raise ConfigError(f"a node holds at most {MAX_FLAGS} map flags", "flags")
    return flags


def flag(kind: str, url: str, detail: str = "") -> MapFlag:
    """A flag with its URL and detail cut to the bounds a file keeps."""
    return MapFlag(kind, url[:MAX_URL_CHARS], detail[:MAX_DETAIL_CHARS])


def flags_as_notes(notes: str, flags: Iterable[MapFlag]) -> str:
    """``notes`` with a line per flag added: what a copy the user edits keeps of what the map saw (a copy is
    the user's own flow, and a flag on it could never be cleared)."""
    seen = "\n".join(f"Seen by the map — {f.label}: {f.describe()}" for f in flags)
    return f"{notes}\n{seen}".strip() if seen else notes


def flags_to_list(flags: Iterable[MapFlag]) -> list[Mapping[str, str]]:
    return [f.to_dict() for f in flags]
