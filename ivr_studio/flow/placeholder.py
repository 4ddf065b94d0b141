"""What a placeholder node holds: a widget of another tool (a Twilio Studio widget) that IVR Studio cannot
run, kept as it was so it can be written back, with one exit per original transition.

An import turns a widget with no local meaning (Run Function, Send to Flex, Capture Payments, Connect
Virtual Agent, messaging widgets …) into a placeholder instead of dropping it: the diagram keeps its shape,
the call runs up to it, and a Studio export writes the very widget back. :class:`PlaceholderConfig` keeps
the widget's ``type``, its ``properties`` and its ``transitions`` (each transition's ``event`` and, for a
split, its ``conditions``; where each one leads is the node's ``links``, as for every other exit).

Each transition is an exit ``on:<id>``, where the id is the event's name (``success``, ``fail``), made unique
with ``_2``, ``_3`` … when a widget has several transitions of one event (a split's ``match``es).

A call that reaches a placeholder cannot do what the widget would have done. By default it ends there;
``follow`` names the exit a call takes instead, so a test call can go on past the widget as if the widget
had ended with that transition (a Run Function that succeeded). Both are IVR Studio's choice, not Twilio's,
and the handler logs a line saying which happened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ivr_studio.flow.logic import ConfigError, _cut, _list, _obj, _str

#: The exit name prefix of a placeholder's transitions.
EXIT_PREFIX = "on:"
#: Bounds of a kept widget: its JSON text, how deep it nests, how many transitions it has.
MAX_WIDGET_CHARS = 64 * 1024
MAX_DEPTH = 32
MAX_TRANSITIONS = 100
_SAFE_EVENT = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Transition:
    """One of the widget's transitions: its exit id (``on:<id>`` is the exit), its event, and for a split
    the conditions (JSON, as Studio wrote them)."""

    id: str
    event: str
    conditions: tuple[Mapping[str, Any], ...] = ()

    @property
    def exit_name(self) -> str:
        return f"{EXIT_PREFIX}{self.id}"

    def label(self) -> str:
        """``success``; a split's match shows its condition's friendly name: ``match: VIP``."""
        names = [str(c.get("friendly_name", "")) for c in self.conditions if c.get("friendly_name")]
        return f"{self.event}: {', '.join(names)}"[:80] if names else self.event


def transition_ids(events: list[str]) -> list[str]:
    """The exit id of each event in order: the event's name, ``_2``, ``_3`` … for repeats; ``t<n>`` for a
    name that is not letters, digits, ``_`` and ``-``."""
    ids: list[str] = []
    for n, event in enumerate(events, start=1):
        base = event if _SAFE_EVENT.match(event) else f"t{n}"
        candidate, k = base, 2
        while candidate in ids:
            candidate = f"{base}_{k}"
            k += 1
        ids.append(candidate)
    return ids


def _depth(value: Any, limit: int) -> int:
    """How deep ``value`` nests, stopping (iteratively) once past ``limit``."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


@dataclass(frozen=True)
class PlaceholderConfig:
    """A kept widget: where it comes from (``studio``), its ``type`` and ``properties``, its transitions,
    and the exit a local call follows (``""``: the call ends at the placeholder)."""

    type: str = "widget"
    properties: Mapping[str, Any] = field(default_factory=dict)
    transitions: tuple[Transition, ...] = ()
    follow: str = ""
    origin: str = "studio"

    @classmethod
    def from_widget(cls, widget: Mapping[str, Any], follow: str = "") -> PlaceholderConfig:
        """From a Studio widget as its definition holds it (``next`` and ``name`` are left out: the node's
        links and title hold them). Raises ConfigError when the widget is too big or nests too deep."""
        raw = {
            "type": widget.get("type", ""),
            "properties": {k: v for k, v in dict(widget.get("properties") or {}).items() if k != "offset"},
            "transitions": [
                {k: v for k, v in t.items() if k in ("event", "conditions")}
                for t in widget.get("transitions") or []
                if isinstance(t, dict)
            ],
        }
        if follow:
            raw["follow"] = follow
        return cls.from_dict(raw, "$")

    def widget(self) -> dict[str, Any]:
        """The widget's ``type``, ``properties`` and ``transitions`` (without ``next``) as JSON-ready data."""
        transitions = []
        for t in self.transitions:
            item: dict[str, Any] = {"event": t.event}
            if t.conditions:
                item["conditions"] = [dict(c) for c in t.conditions]
            transitions.append(item)
        return {"type": self.type, "properties": dict(self.properties), "transitions": transitions}

    def transition(self, exit_name: str) -> Transition | None:
        return next((t for t in self.transitions if t.exit_name == exit_name), None)

    def describe(self) -> str:
        """``Studio's run-function widget`` — what the placeholder stands for, in words."""
        return f"Studio's {self.type[:60]} widget"

    def handler_config(self) -> dict[str, str]:
        """What the handler needs (see ``Placeholder`` in the handler's logic): the widget's type, and the
        exit a call follows with its event."""
        out = {"type": self.type}
        followed = self.transition(self.follow) if self.follow else None
        if followed is not None:
            out.update(follow=followed.exit_name, event=followed.event)
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"origin": self.origin, **self.widget()}
        if self.follow:
            out["follow"] = self.follow
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str) -> PlaceholderConfig:
        d = _obj(data, path, {"origin", "type", "properties", "transitions", "follow"}, {"type"})
        origin = _str(d.get("origin", "studio"), f"{path}.origin", 20)
        if origin != "studio":
            raise ConfigError(f"{_cut(origin)} is not a source IVR Studio keeps widgets of (studio)", path)
        type_ = _str(d["type"], f"{path}.type", 100)
        if not type_.strip():
            raise ConfigError("a kept widget needs its type", f"{path}.type")
        properties = _obj(d.get("properties", {}), f"{path}.properties", set(d.get("properties", {}) or {}))
        try:
            size = len(json.dumps(properties, ensure_ascii=False, allow_nan=False))
        except (ValueError, TypeError, RecursionError):
            raise ConfigError("is not plain JSON", f"{path}.properties") from None
        if _depth(properties, MAX_DEPTH) > MAX_DEPTH:
            raise ConfigError(f"nests deeper than {MAX_DEPTH} levels", f"{path}.properties")
        if size > MAX_WIDGET_CHARS:
            raise ConfigError(f"is {size:,} characters of JSON; the limit is {MAX_WIDGET_CHARS:,}", path)
        raw = _list(d.get("transitions", []), f"{path}.transitions", MAX_TRANSITIONS)
        events, conditions = [], []
        for i, t in enumerate(raw):
            where = f"{path}.transitions[{i}]"
            t = _obj(t, where, {"event", "conditions"}, {"event"})
            event = _str(t["event"], f"{where}.event", 60)
            if not event:
                raise ConfigError("a transition needs its event", f"{where}.event")
            conds = _list(t.get("conditions", []), f"{where}.conditions", 20)
            for j, c in enumerate(conds):
                _obj(c, f"{where}.conditions[{j}]", set(c) if isinstance(c, dict) else set())
            if _depth(conds, MAX_DEPTH) > MAX_DEPTH:
                raise ConfigError(f"nests deeper than {MAX_DEPTH} levels", f"{where}.conditions")
            events.append(event)
            conditions.append(tuple(dict(c) for c in conds))
        transitions = tuple(
            Transition(tid, event, conds)
            for tid, event, conds in zip(transition_ids(events), events, conditions, strict=True)
        )
        follow = _str(d.get("follow", ""), f"{path}.follow", 60)
        if follow and follow not in {t.exit_name for t in transitions}:
            raise ConfigError(f"{_cut(follow)} is not one of the widget's transitions", f"{path}.follow")
        return cls(type_, dict(properties), transitions, follow, origin)
