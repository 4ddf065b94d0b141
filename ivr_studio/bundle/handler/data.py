"""The flow as the handler app sees it: routing data and one TwiML document per node.

A bundle folder holds ``routing.json`` and ``twiml/<node>.xml``. The same data can be handed over in
memory (:class:`BundleSource`), so a flow can be run in-process without exporting it first. Everything is
checked once, at start-up, so a broken bundle fails loudly when the app boots rather than on a live call.

This package is copied verbatim into every exported bundle: it may import only flask, twilio and the
standard library, and only relatively within itself.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .matching import Phrase, normalise_keys, prepare_phrase

ROUTING_FORMAT = "ivr-studio-routing"
#: The file of a bundle folder that holds the routing data (and marks the folder as a bundle).
ROUTING_FILE = "routing.json"
SUPPORTED_VERSIONS = (1, 2)
LANGUAGE_TAG = re.compile(r"\A[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,4}\Z")
NODE_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")  # \Z: "$" would let a trailing newline in


class BundleError(ValueError):
    """The bundle (or in-memory flow data) cannot be served; the message says what is wrong and where."""


@dataclass(frozen=True)
class BundleSource:
    """A flow held in memory: the routing data (as in ``routing.json``) and each node's TwiML bytes."""

    routing: Mapping[str, Any]
    documents: Mapping[str, bytes]


@dataclass(frozen=True)
class Branch:
    id: str
    keys: str
    phrases: tuple[Phrase, ...]
    target: str | None


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    title: str = ""
    max_attempts: int = 3
    speech: bool = False
    dtmf: bool = True
    branches: tuple[Branch, ...] = ()
    exits: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)  # a logic node's configuration
    calendar: str | None = None  # an Hours node's iCalendar text
    capture: str = ""  # a menu's variable that receives the caller's input

    @property
    def is_gather(self) -> bool:
        return self.kind == "gather"


@dataclass(frozen=True)
class Variable:
    name: str
    default: str = ""
    max_length: int = 64


@dataclass(frozen=True)
class Flow:
    name: str
    start: str | None
    min_confidence: float
    nodes: Mapping[str, Node]
    documents: Mapping[str, bytes]
    variables: Mapping[str, Variable] = field(default_factory=dict)
    env: tuple[str, ...] = ()
    #: the language the flow speaks: logic nodes' templates render money and dates in it
    language: str = "en-US"


#: routing.json and one TwiML document: the most bytes the app reads of each at start-up.
ROUTING_LIMIT = 16 * 1024 * 1024
DOCUMENT_LIMIT = 1024 * 1024


def _read_regular(path: Path, limit: int) -> bytes:
    """A regular file of at most ``limit`` bytes (counted as read); OSError or BundleError otherwise.

    A FIFO or device in the bundle (a mistake, or a planted file) must not hang or exhaust the app at boot.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BundleError(f"{path} is not a regular file")
        parts, total = [], 0
        while chunk := os.read(fd, min(1024 * 1024, limit + 1 - total)):
            total += len(chunk)
            if total > limit:
                raise BundleError(f"{path} is larger than {limit:,} bytes")
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def read_folder(folder: Path) -> BundleSource:
    """Read ``routing.json`` and the TwiML documents of every node it names."""
    routing_file = folder / ROUTING_FILE
    try:
        routing = json.loads(_read_regular(routing_file, ROUTING_LIMIT).decode("utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{folder} is not a bundle: it has no routing.json") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"{routing_file} cannot be read: {str(exc)[:200]}") from None
    if not isinstance(routing, dict) or not isinstance(routing.get("nodes"), dict):
        raise BundleError(f"{routing_file} has no 'nodes' table")
    documents: dict[str, bytes] = {}
    for node_id, raw in routing["nodes"].items():
        if not isinstance(node_id, str) or not NODE_ID.match(node_id):
            raise BundleError(f"{routing_file}: {node_id!r} is not a valid node id")
        if isinstance(raw, dict) and "config" in raw:
            continue  # a logic node has no TwiML document
        path = folder / "twiml" / f"{node_id}.xml"
        try:
            documents[node_id] = _read_regular(path, DOCUMENT_LIMIT)
        except OSError as exc:
            raise BundleError(f"the TwiML of node {node_id!r} cannot be read ({path}): {exc}") from None
    return BundleSource(routing, documents)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise BundleError(f"{where} must be text")
    return value


def _target(value: Any, nodes: Mapping[str, Any], where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in nodes:
        raise BundleError(f"{where} leads to {value!r}, which is not a node of this flow")
    return value


def _node(node_id: str, raw: Any, nodes: Mapping[str, Any]) -> Node:
    where = f"node {node_id!r}"
    if not isinstance(raw, dict):
        raise BundleError(f"{where} must be a table")
    kind = _text(raw.get("kind"), f"{where}: kind")
    exits_raw = raw.get("exits") or {}
    if not isinstance(exits_raw, dict):
        raise BundleError(f"{where}: exits must be a table")
    exits = {}
    for name, target in exits_raw.items():
        resolved = _target(target, nodes, f"{where}: exit {name!r}")
        if resolved is not None:
            exits[str(name)] = resolved
    if "config" in raw:
        config = raw["config"]
        if not isinstance(config, dict):
            raise BundleError(f"{where}: config must be a table")
        calendar = raw.get("calendar")
        if calendar is not None and not isinstance(calendar, str):
            raise BundleError(f"{where}: calendar must be text")
        return Node(node_id, kind, str(raw.get("title", "")), exits=exits, config=config, calendar=calendar)
    if kind != "gather":
        return Node(node_id, kind, str(raw.get("title", "")), exits=exits)
    max_attempts = raw.get("max_attempts", 3)
    if not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or not 1 <= max_attempts <= 100:
        raise BundleError(f"{where}: max_attempts must be a whole number from 1 to 100")
    modes = set(str(raw.get("input", "dtmf")).split()) or {"dtmf"}
    branches = []
    for i, b in enumerate(raw.get("branches") or []):
        bw = f"{where}: branch {i + 1}"
        if not isinstance(b, dict):
            raise BundleError(f"{bw} must be a table")
        phrases = tuple(prepare_phrase(_text(p, f"{bw}: phrase")) for p in b.get("phrases") or [])
        branches.append(
            Branch(
                id=_text(b.get("id"), f"{bw}: id"),
                keys=normalise_keys(_text(b.get("keys", ""), f"{bw}: keys")),
                phrases=tuple(p for p in phrases if p.tokens),
                target=_target(b.get("target"), nodes, f"{bw}: target"),
            )
        )
    return Node(
        node_id,
        kind,
        str(raw.get("title", "")),
        max_attempts=max_attempts,
        speech="speech" in modes,
        dtmf="dtmf" in modes,
        branches=tuple(branches),
        exits=exits,
        capture=_text(raw.get("capture", ""), f"{where}: capture"),
    )


def load_flow(source: BundleSource) -> Flow:
    """Check the routing data and documents and turn them into the handler's read-only :class:`Flow`."""
    routing = source.routing
    if not isinstance(routing, Mapping):
        raise BundleError("the routing data must be a table")
    if routing.get("format") != ROUTING_FORMAT:
        raise BundleError(f"the routing data is not in the {ROUTING_FORMAT!r} format")
    if routing.get("version") not in SUPPORTED_VERSIONS:
        raise BundleError(f"routing data version {routing.get('version')!r} is not supported by this handler")
    raw_nodes = routing.get("nodes")
    if not isinstance(raw_nodes, Mapping):
        raise BundleError("the routing data has no 'nodes' table")
    nodes = {}
    for node_id, raw in raw_nodes.items():
        if not isinstance(node_id, str) or not NODE_ID.match(node_id):
            raise BundleError(f"{node_id!r} is not a valid node id")
        nodes[node_id] = _node(node_id, raw, raw_nodes)
        if node_id not in source.documents and not nodes[node_id].config:
            raise BundleError(f"node {node_id!r} has no TwiML document")
    start = _target(routing.get("start"), raw_nodes, "the start")
    settings = routing.get("settings") or {}
    floor = settings.get("min_confidence", 0.0) if isinstance(settings, Mapping) else 0.0
    if not isinstance(floor, (int, float)) or isinstance(floor, bool) or not 0.0 <= floor <= 1.0:
        raise BundleError("settings.min_confidence must be a number from 0 to 1")
    documents = {
        node_id: bytes(source.documents[node_id]) for node_id in nodes if node_id in source.documents
    }
    variables = {}
    for i, v in enumerate(routing.get("variables") or []):
        if not isinstance(v, dict) or not isinstance(v.get("name"), str):
            raise BundleError(f"variable {i + 1} must be a table with a name")
        limit = v.get("max_length", 64)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise BundleError(f"variable {v['name']!r}: max_length must be a whole number from 1 to 1000")
        variables[v["name"]] = Variable(
            v["name"], _text(v.get("default", ""), f"variable {v['name']!r}"), limit
        )
    env = routing.get("env") or []
    if not isinstance(env, list) or not all(isinstance(e, str) for e in env):
        raise BundleError("env must be a list of names")
    language = routing.get("language", "en-US")
    if not isinstance(language, str) or not LANGUAGE_TAG.match(language):
        raise BundleError(f"language {str(language)[:40]!r} is not a language tag such as de-DE")
    return Flow(
        str(routing.get("name", "")), start, float(floor), nodes, documents, variables, tuple(env), language
    )
