"""The call-flow model: plain dataclasses, changed only through :class:`Flow`'s methods, which emit events.

A flow is a start node and nodes. Each node is one TwiML verb, or a logic step the handler evaluates (see
:mod:`ivr_studio.flow.kinds` and, for logic nodes' ``config``, :mod:`ivr_studio.flow.logic`), with its
Twilio attributes (exactly as Twilio spells them; values are str, int or bool and are written as given),
its text (spoken text, media URL, number …) and its exits. Where each exit leads lives in one place, the
node's ``links`` (exit name → target node id), so the graph, the canvas and the exporter agree.

A flow may declare call variables (``Flow.variables``: a default and a maximum length each) and the
environment variables its templates read (``Flow.env``); a menu may ``capture`` what the caller entered
into a variable. Text, prompts, and logic configurations may hold Liquid templates (see
:mod:`ivr_studio.flow.templates`).

Ids are stable strings chosen at creation (``menu_1``, ``b2``) and saved in the file; they appear in
webhook URLs (``/node/<id>``), so they are restricted to letters, digits, ``_`` and ``-``.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ivr_studio.flow.events import (
    BranchAdded,
    BranchChanged,
    BranchRemoved,
    Emitter,
    FlowChanged,
    LinkChanged,
    NodeAdded,
    NodeChanged,
    NodeRemoved,
)
from ivr_studio.flow.kinds import CAPTURED, Exit, NodeKind, spec_of
from ivr_studio.flow.logic import ENV_PATTERN, NAME_PATTERN, Config, ConfigError, DecideConfig, Variable
from ivr_studio.flow.map_flags import MapFlag, checked_flags
from ivr_studio.flow.placeholder import PlaceholderConfig

ID_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")  # \Z: "$" would let a trailing newline in
PROMPT_KINDS = ("say", "play", "pause")
AttrValue = str | int | bool

#: Flow-level settings and their defaults (used by the exported handler app).
DEFAULT_SETTINGS: dict[str, Any] = {
    "min_confidence": 0.0,  # speech below this confidence counts as no match
}
#: The values each flow setting may take (inclusive).
SETTING_RANGES: dict[str, tuple[float, float]] = {"min_confidence": (0.0, 1.0)}


#: Node positions are canvas coordinates; a million is far beyond any real layout, and keeps Qt's scene
#: arithmetic exact.
MAX_COORDINATE = 1_000_000.0
#: How many times a menu may ask before giving up; more than this only keeps a silent caller on the line.
MAX_ATTEMPTS = 100


def has_template(text: str) -> bool:
    """Whether ``text`` holds a Liquid template (``{{ … }}`` or ``{% … %}``)."""
    return "{{" in text or "{%" in text


class FlowError(ValueError):
    """An edit the model refuses (unknown node, duplicate id, bad field). The message names what and why."""


def checked_position(value: Any) -> tuple[float, float]:
    """``value`` as an (x, y) position of two finite numbers within ±:data:`MAX_COORDINATE`, or FlowError
    (a NaN position would be saved as ``NaN``, which is not JSON)."""
    try:
        x, y = (float(c) for c in value)
    except (TypeError, ValueError, OverflowError):
        raise FlowError("a position is two numbers (x, y)") from None
    if not all(math.isfinite(c) and abs(c) <= MAX_COORDINATE for c in (x, y)):
        raise FlowError(f"a position must be two numbers between ±{MAX_COORDINATE:,.0f}, not ({x}, {y})")
    return (x, y)


@dataclass
class Prompt:
    """A verb nested in a Gather: ``say`` (text), ``play`` (text is the media URL) or ``pause``."""

    kind: str
    text: str = ""
    attributes: dict[str, AttrValue] = field(default_factory=dict)

    @property
    def verb(self) -> str:
        return self.kind.capitalize()


@dataclass
class Branch:
    """One choice of a Gather: a key (or digit string) and/or spoken phrases (synonyms)."""

    id: str
    keys: str = ""
    phrases: list[str] = field(default_factory=list)

    @property
    def exit_name(self) -> str:
        return f"branch:{self.id}"

    def label(self) -> str:
        parts = []
        if self.keys:
            parts.append(self.keys)
        if self.phrases:
            parts.append(", ".join(f'"{p}"' for p in self.phrases))
        return " / ".join(parts) or "(empty branch)"


@dataclass
class Node:
    """One step of the call. Mutate it through :class:`Flow` so views hear about the change."""

    id: str
    kind: NodeKind
    title: str = ""
    position: tuple[float, float] = (0.0, 0.0)
    notes: str = ""
    text: str = ""
    attributes: dict[str, AttrValue] = field(default_factory=dict)
    prompts: list[Prompt] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    max_attempts: int = 3
    links: dict[str, str] = field(default_factory=dict)
    config: Config | PlaceholderConfig | None = None  # a logic node's (see flow.logic); None for verbs
    capture: str = ""  # a menu's variable that receives what the caller pressed or said
    flags: tuple[MapFlag, ...] = ()  # what ``ivr-studio map`` saw here: an error, a dead end (flow.map_flags)

    def __post_init__(self) -> None:
        self.kind = NodeKind(self.kind)
        spec = spec_of(self.kind)
        if not self.title:
            self.title = spec.label
        if spec.config is not None and self.config is None:
            self.config = spec.config()

    @property
    def spec(self):
        return spec_of(self.kind)

    def item_exits(self) -> list[Exit]:
        """The exits of the kind's items (a menu's branches), in order."""
        if self.spec.item_exits == "branches":
            return [Exit(b.exit_name, b.label(), "branch") for b in self.branches]
        if self.spec.item_exits == "cases" and isinstance(self.config, DecideConfig):
            return [Exit(c.exit_name, c.describe(), "case") for c in self.config.cases]
        if self.spec.item_exits == "transitions" and isinstance(self.config, PlaceholderConfig):
            return [Exit(t.exit_name, t.label(), "outcome") for t in self.config.transitions]
        return []

    def fixed_exits(self) -> list[Exit]:
        """The kind's fixed exits this node has: an optional one only while its configuration can take it
        or it is linked (see :class:`~ivr_studio.flow.kinds.Exit`)."""
        exits = self.spec.exits
        if not any(e.optional for e in exits):
            return list(exits)
        shows = getattr(self.config, "shows_exit", None)
        return [
            e
            for e in exits
            if not e.optional or e.name in self.links or (shows is not None and shows(e.name))
        ]

    def exits(self) -> list[Exit]:
        """Every exit of this node, item exits first (in order), then the kind's fixed exits.

        A menu that captures its input also has ``captured``: input no branch claims goes there.
        """
        captured = [CAPTURED] if self.capture else []
        return self.item_exits() + captured + self.fixed_exits()

    def exit_names(self) -> list[str]:
        """The names of :meth:`exits`, in the same order. A menu's are listed without making its branches'
        labels (the layout and the canvas ask for every node's exits several times when a flow opens)."""
        if self.spec.item_exits != "branches":
            return [e.name for e in self.exits()]
        names = [b.exit_name for b in self.branches]
        if self.capture:
            names.append(CAPTURED.name)
        return names + [e.name for e in self.spec.exits]

    def target_of(self, exit_name: str) -> str | None:
        """Where ``exit_name`` leads: its link, else (following the kind's fallbacks) its fallback's link."""
        # every exit of the kind, so an optional exit the node does not show falls back too
        fixed = {e.name: e for e in (*self.exits(), *self.spec.exits)}
        seen: set[str] = set()
        name: str | None = exit_name
        while name is not None and name not in seen:
            if name in self.links:
                return self.links[name]
            seen.add(name)
            name = fixed[name].fallback if name in fixed else None
        return None

    def branch(self, branch_id: str) -> Branch:
        for b in self.branches:
            if b.id == branch_id:
                return b
        raise FlowError(f"node {self.id!r} has no branch {branch_id!r}")


NODE_FIELDS = ("title", "position", "notes", "text", "prompts", "max_attempts", "config", "capture", "flags")
BRANCH_FIELDS = ("keys", "phrases")


class Flow:
    """A call flow: the start node, the nodes in order, flow settings, and the change events."""

    def __init__(self, name: str = "Untitled flow", nodes: Iterable[Node] = (), start: str | None = None):
        self.name = name
        self.nodes: dict[str, Node] = {}
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.variables: dict[str, Variable] = {}  # declared call variables, by name
        self.env: tuple[str, ...] = ()  # environment variables templates may read ({{ env.NAME }})
        #: Why the flow must not be edited (``ivr-studio map`` describes an app, it is not its source); empty
        #: when it may be. The editor refuses edits of a read-only flow until the user edits a copy.
        self.read_only = ""
        self.events = Emitter()
        for n in nodes:
            self._check_new_node(n)
            self.nodes[n.id] = n
        self.start = start

    # ----------------------------------------------------------------- reading
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise FlowError(f"the flow has no node {node_id!r}") from None

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    def links(self) -> Iterator[tuple[str, str, str]]:
        """Every link as (source node id, exit name, target node id)."""
        for n in self.nodes.values():
            for exit_name, target in n.links.items():
                yield n.id, exit_name, target

    def incoming(self, node_id: str) -> list[tuple[str, str]]:
        return [(src, ex) for src, ex, tgt in self.links() if tgt == node_id]

    def new_node_id(self, kind: NodeKind | str) -> str:
        base = NodeKind(kind).value
        n = 1
        while f"{base}_{n}" in self.nodes:
            n += 1
        return f"{base}_{n}"

    @staticmethod
    def new_branch_id(node: Node) -> str:
        taken = {b.id for b in node.branches}
        n = 1
        while f"b{n}" in taken:
            n += 1
        return f"b{n}"

    # ----------------------------------------------------------------- nodes
    def add_node(self, node: Node, index: int | None = None) -> Node:
        self._check_new_node(node)
        items = list(self.nodes.items())
        index = len(items) if index is None else max(0, min(index, len(items)))
        items.insert(index, (node.id, node))
        self.nodes = dict(items)
        self.events.emit(NodeAdded(node.id, index))
        if self.start is None:
            self.set_start(node.id)
        return node

    def remove_node(self, node_id: str) -> Node:
        """Remove a node; links pointing to it are unlinked first (each with its own event)."""
        node = self.node(node_id)
        for src, exit_name in self.incoming(node_id):
            if src != node_id:
                self.set_link(src, exit_name, None)
        if self.start == node_id:
            self.set_start(None)
        index = list(self.nodes).index(node_id)
        del self.nodes[node_id]
        self.events.emit(NodeRemoved(node_id, index))
        return node

    def set_node_field(self, node_id: str, name: str, value: Any) -> None:
        if name not in NODE_FIELDS:
            raise FlowError(f"{name!r} is not a node field (one of {', '.join(NODE_FIELDS)})")
        node = self.node(node_id)
        if name == "position":
            value = checked_position(value)
        if name == "prompts":
            value = [copy.deepcopy(p) for p in value]
            for p in value:
                if p.kind not in PROMPT_KINDS:
                    raise FlowError(f"prompt kind {p.kind!r} is not one of {', '.join(PROMPT_KINDS)}")
        if name == "max_attempts" and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ATTEMPTS
        ):
            raise FlowError(f"max_attempts must be a whole number from 1 to {MAX_ATTEMPTS}")
        if name == "config":
            wanted = node.spec.config
            if wanted is None or not isinstance(value, wanted):
                raise FlowError(
                    f"a {node.kind.value} node's config must be a {getattr(wanted, '__name__', 'None')}"
                )
        if name == "flags":
            try:
                value = checked_flags(value)
            except ConfigError as exc:
                raise FlowError(exc.problem) from None
        if name == "capture":
            if not node.spec.counts_attempts:
                raise FlowError(f"only menus capture input; {node_id!r} is a {node.kind.value}")
            if value and not NAME_PATTERN.match(str(value)):
                raise FlowError(f"{str(value)[:40]!r} is not a variable name (letters, digits, _)")
        old = getattr(node, name)
        if old == value:
            return
        setattr(node, name, value)
        self.events.emit(NodeChanged(node_id, name, old, value))

    def set_attribute(self, node_id: str, name: str, value: AttrValue | None) -> None:
        """Set a Twilio attribute of the node's verb; ``None`` removes it (Twilio's default applies)."""
        node = self.node(node_id)
        if not isinstance(value, (str, int, bool, type(None))):
            raise FlowError(f"attribute {name!r} must be text, a number or true/false")
        old = node.attributes.get(name)
        if old == value and (value is not None or name not in node.attributes):
            return
        if value is None:
            node.attributes.pop(name, None)
        else:
            node.attributes[name] = value
        self.events.emit(NodeChanged(node_id, f"attributes.{name}", old, value))

    # ----------------------------------------------------------------- branches
    def add_branch(self, node_id: str, branch: Branch, index: int | None = None) -> Branch:
        node = self.node(node_id)
        if node.spec.item_exits != "branches":
            raise FlowError(f"only menus (Gather) have branches; {node_id!r} is a {node.kind}")
        if not ID_PATTERN.match(branch.id) or any(b.id == branch.id for b in node.branches):
            raise FlowError(f"branch id {branch.id!r} is invalid or already used in {node_id!r}")
        index = len(node.branches) if index is None else max(0, min(index, len(node.branches)))
        node.branches.insert(index, branch)
        self.events.emit(BranchAdded(node_id, branch.id, index))
        return branch

    def remove_branch(self, node_id: str, branch_id: str) -> Branch:
        node = self.node(node_id)
        branch = node.branch(branch_id)
        if branch.exit_name in node.links:
            self.set_link(node_id, branch.exit_name, None)
        index = node.branches.index(branch)
        node.branches.pop(index)
        self.events.emit(BranchRemoved(node_id, branch_id, index))
        return branch

    def set_branch_field(self, node_id: str, branch_id: str, name: str, value: Any) -> None:
        if name not in BRANCH_FIELDS:
            raise FlowError(f"{name!r} is not a branch field (keys or phrases)")
        branch = self.node(node_id).branch(branch_id)
        if name == "phrases":
            value = [str(p) for p in value]
        old = getattr(branch, name)
        if old == value:
            return
        setattr(branch, name, value)
        self.events.emit(BranchChanged(node_id, branch_id, name, old, value))

    # ----------------------------------------------------------------- links and flow fields
    def set_link(self, node_id: str, exit_name: str, target: str | None) -> None:
        node = self.node(node_id)
        if exit_name not in node.exit_names():
            raise FlowError(f"node {node_id!r} has no exit {exit_name!r}")
        if target is not None:
            self.node(target)
        old = node.links.get(exit_name)
        if old == target:
            return
        if target is None:
            del node.links[exit_name]
        else:
            node.links[exit_name] = target
        self.events.emit(LinkChanged(node_id, exit_name, old, target))

    def set_start(self, node_id: str | None) -> None:
        if node_id is not None:
            self.node(node_id)
        if node_id == self.start:
            return
        old, self.start = self.start, node_id
        self.events.emit(FlowChanged("start", old, node_id))

    def set_name(self, name: str) -> None:
        if name != self.name:
            old, self.name = self.name, name
            self.events.emit(FlowChanged("name", old, name))

    def set_variables(self, variables: Iterable[Variable]) -> None:
        """Replace the declared variables (one ``FlowChanged("variables")`` event)."""
        new: dict[str, Variable] = {}
        for v in variables:
            if not isinstance(v, Variable) or not NAME_PATTERN.match(v.name) or v.name in new:
                raise FlowError(f"variable {getattr(v, 'name', v)!r} is invalid or declared twice")
            new[v.name] = v
        if new != self.variables:
            old, self.variables = self.variables, new
            self.events.emit(FlowChanged("variables", old, new))

    def set_env(self, names: Iterable[str]) -> None:
        """Replace the declared environment variables (one ``FlowChanged("env")`` event)."""
        new = tuple(dict.fromkeys(names))
        for name in new:
            if not ENV_PATTERN.match(name):
                raise FlowError(f"{name[:40]!r} is not an environment variable name (A-Z, 0-9, _)")
        if new != self.env:
            old, self.env = self.env, new
            self.events.emit(FlowChanged("env", old, new))

    def uses_dynamic_features(self) -> bool:
        """Whether the flow needs file format 2: logic nodes, captures, variables, env or templates."""
        if self.variables or self.env:
            return True
        for node in self:
            if node.spec.is_logic or node.capture or has_template(node.text):
                return True
            if any(has_template(p.text) for p in node.prompts):
                return True
        return False

    def set_setting(self, name: str, value: Any) -> None:
        if name not in DEFAULT_SETTINGS:
            raise FlowError(f"{name!r} is not a flow setting ({', '.join(DEFAULT_SETTINGS)})")
        low, high = SETTING_RANGES[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise FlowError(f"{name} must be a number between {low:g} and {high:g}")
        old = self.settings.get(name)
        if old != value:
            self.settings[name] = value
            self.events.emit(FlowChanged(f"settings.{name}", old, value))

    # ----------------------------------------------------------------- helpers
    def _check_new_node(self, node: Node) -> None:
        if not ID_PATTERN.match(node.id):
            raise FlowError(
                f"node id {node.id!r} may contain only letters, digits, '_' and '-' (1-64 characters)"
            )
        if node.id in self.nodes:
            raise FlowError(f"a node with id {node.id!r} already exists")
        node.position = checked_position(node.position)
