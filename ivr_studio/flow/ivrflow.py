""".ivrflow files: UTF-8 JSON that diffs well in git, read strictly and written atomically.

Reading checks every field's structure and type and fails with :class:`FlowFileError`, which names the file,
the JSON path (``$.nodes[2].attributes.timeout``) and the problem; it never returns a half-built flow.
Writing uses a fixed key order and two-space indentation, goes through a temporary file that is fsynced and
renamed over the target, and keeps the previous file as ``<name>.bak``.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from ivr_studio.files import (
    InputFileError,
    StructuredDataError,
    cut,
    decode_text,
    load_json,
    read_bytes,
    write_text_atomic,
)
from ivr_studio.flow.kinds import NodeKind, spec_of
from ivr_studio.flow.logic import ENV_PATTERN, NAME_PATTERN, ConfigError, Variable
from ivr_studio.flow.map_flags import flags_from_list, flags_to_list
from ivr_studio.flow.model import (
    DEFAULT_SETTINGS,
    ID_PATTERN,
    MAX_ATTEMPTS,
    MAX_COORDINATE,
    PROMPT_KINDS,
    SETTING_RANGES,
    Branch,
    Flow,
    FlowError,
    Node,
    Prompt,
)

FORMAT = "ivrflow"
VERSION = 3  # the newest format this version reads
#: Version 1 holds verb nodes only; version 2 adds logic nodes, ``config``, ``capture``, ``variables`` and
#: ``env``; version 3 adds placeholder nodes (a Studio widget kept as it was), ``read_only`` (why the flow
#: must not be edited: a mapped flow) and a node's ``flags`` (what the map saw there: an error, a dead end).
#: Each is written only when a
#: flow uses what it adds, so other flows stay readable by older releases, which refuse a newer file with
#: "update IVR Studio" rather than misread it.
DYNAMIC_VERSION = 2
KEPT_VERSION = 3
#: The node kinds each version after the first adds (a file of an older version cannot hold them).
KIND_VERSIONS = {NodeKind.PLACEHOLDER: KEPT_VERSION}
SUFFIX = ".ivrflow"
MAX_READ_ONLY_CHARS = 500
MAX_FILE_BYTES = 50 * 1024 * 1024


class FlowFileError(ValueError):
    """A .ivrflow file could not be read. ``str()`` names the file, the JSON path and the problem."""

    def __init__(self, problem: str, path: str = "$", file: str | os.PathLike | None = None):
        self.problem = problem
        self.json_path = path  # "" when the problem is the file itself (a FIFO, too large, not UTF-8)
        self.file = str(file) if file is not None else None
        where = f"{self.file}: " if self.file else ""
        super().__init__(f"{where}{path}: {problem}" if path else f"{where}{problem}")


# ---------------------------------------------------------------------------------------------- writing
def _attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: attrs[k] for k in sorted(attrs)}


def flow_to_dict(flow: Flow) -> dict[str, Any]:
    """The file form of a flow: fixed key order, defaults left out so diffs stay small."""
    nodes = []
    for n in flow:
        d: dict[str, Any] = {
            "id": n.id,
            "kind": n.kind.value,
            "title": n.title,
            "position": [_coordinate(c) for c in n.position],
        }
        if n.notes:
            d["notes"] = n.notes
        if n.text:
            d["text"] = n.text
        if n.attributes:
            d["attributes"] = _attrs(n.attributes)
        if n.prompts:
            d["prompts"] = [
                {
                    "kind": p.kind,
                    **({"text": p.text} if p.text else {}),
                    **({"attributes": _attrs(p.attributes)} if p.attributes else {}),
                }
                for p in n.prompts
            ]
        if n.branches:
            d["branches"] = [
                {
                    "id": b.id,
                    **({"keys": b.keys} if b.keys else {}),
                    **({"phrases": list(b.phrases)} if b.phrases else {}),
                }
                for b in n.branches
            ]
        if n.spec.counts_attempts:
            d["max_attempts"] = n.max_attempts
        if n.capture:
            d["capture"] = n.capture
        if n.config is not None:
            d["config"] = n.config.to_dict()
        if n.flags:
            d["flags"] = flags_to_list(n.flags)
        if n.links:
            order = {name: i for i, name in enumerate(n.exit_names())}
            d["links"] = {k: n.links[k] for k in sorted(n.links, key=lambda k: (order.get(k, 1e9), k))}
        nodes.append(d)
    settings = {
        k: flow.settings[k] for k in sorted(flow.settings) if flow.settings[k] != DEFAULT_SETTINGS.get(k)
    }
    version = file_version(flow)
    out: dict[str, Any] = {"format": FORMAT, "version": version, "name": flow.name, "start": flow.start}
    if flow.read_only:
        out["read_only"] = flow.read_only
    if settings:
        out["settings"] = settings
    if flow.variables:
        out["variables"] = [v.to_dict() for v in flow.variables.values()]
    if flow.env:
        out["env"] = list(flow.env)
    out["nodes"] = nodes
    return out


def file_version(flow: Flow) -> int:
    """The oldest format version that holds everything ``flow`` uses."""
    if flow.read_only or any(n.flags for n in flow):
        return KEPT_VERSION
    if any(n.kind in KIND_VERSIONS for n in flow):
        return max(KIND_VERSIONS.get(n.kind, 1) for n in flow)
    return DYNAMIC_VERSION if flow.uses_dynamic_features() else 1


_NUMBER_PAIR = re.compile(r"\[\s*(-?[0-9.eE+-]+),\s*(-?[0-9.eE+-]+)\s*\]")


def _coordinate(c: float) -> int | float:
    if not math.isfinite(c):  # the model refuses these; never write a file that is not JSON
        raise FlowError(f"a node position is {c}")
    c = round(float(c), 1)
    return int(c) if c.is_integer() else c


#: An opening interval ["08:00", "18:00"], kept on one line like a position.
_TIME_PAIR = re.compile(r'\[\s*("[0-9:]{5}"),\s*("[0-9:]{5}")\s*\]')


def dumps(flow: Flow) -> str:
    text = json.dumps(flow_to_dict(flow), indent=2, ensure_ascii=False, allow_nan=False)
    text = _TIME_PAIR.sub(r"[\1, \2]", text)
    return _NUMBER_PAIR.sub(r"[\1, \2]", text) + "\n"


def save_flow(flow: Flow, path: str | os.PathLike) -> None:
    """Write atomically: temp file + fsync + rename; the previous file is kept as ``<path>.bak``."""
    write_text_atomic(Path(path), dumps(flow), keep_backup=True)


# ---------------------------------------------------------------------------------------------- reading
def load_flow(path: str | os.PathLike) -> Flow:
    """Read a .ivrflow file. Raises :class:`FlowFileError` naming the file, JSON path and problem."""
    p = Path(path)
    try:
        raw = read_bytes(p, MAX_FILE_BYTES)
    except InputFileError as exc:
        raise FlowFileError(exc.problem, "", p) from None
    try:
        return loads(raw)
    except FlowFileError as exc:
        raise FlowFileError(exc.problem, exc.json_path, p) from None


def loads(raw: bytes | str) -> Flow:
    try:
        text = decode_text(raw, "the file") if isinstance(raw, bytes) else raw
        data = load_json(text, "the file")
    except (InputFileError, StructuredDataError) as exc:
        raise FlowFileError(exc.problem, "") from None
    return flow_from_dict(data)


def _type(value: Any, expected: type | tuple[type, ...], path: str, what: str) -> Any:
    ok = isinstance(value, expected) and not (isinstance(value, bool) and bool not in _as_tuple(expected))
    if not ok:
        raise FlowFileError(f"expected {what}, found {_describe(value)}", path)
    return value


def _as_tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    names = {str: "text", int: "a number", float: "a number"}
    return f"{names.get(type(value), type(value).__name__)} ({cut(value, 40)})"


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:.-]{1,40}")


def _seg(name: str) -> str:
    """A key as a step of a JSON path: as it is when it is a plain name, else quoted and cut."""
    return name if _PLAIN_KEY.fullmatch(name) else cut(name, 40)


def _keys(obj: dict, allowed: set[str], required: set[str], path: str) -> None:
    for k in obj:
        if k not in allowed:
            raise FlowFileError(
                f"unknown field {cut(k)} (expected one of {', '.join(sorted(allowed))})", path
            )
    for k in required:
        if k not in obj:
            raise FlowFileError(f"missing field {cut(k)}", path)


def _attributes(value: Any, path: str) -> dict[str, Any]:
    _type(value, dict, path, "an object of attributes")
    for name, v in value.items():
        _type(v, (str, int, bool), f"{path}.{_seg(name)}", "text, a whole number or true/false")
    return dict(value)


NODE_KEYS = {
    "id",
    "kind",
    "title",
    "position",
    "notes",
    "text",
    "attributes",
    "prompts",
    "branches",
    "max_attempts",
    "links",
}
#: Node fields of format version 2, and of version 3.
NODE_KEYS_2 = NODE_KEYS | {"config", "capture"}
NODE_KEYS_3 = NODE_KEYS_2 | {"flags"}


def _node(d: Any, path: str, version: int = VERSION) -> Node:
    _type(d, dict, path, "an object")
    allowed = (
        NODE_KEYS_3 if version >= KEPT_VERSION else NODE_KEYS_2 if version >= DYNAMIC_VERSION else NODE_KEYS
    )
    _keys(d, allowed, {"id", "kind"}, path)
    node_id = _type(d["id"], str, f"{path}.id", "text")
    if not ID_PATTERN.match(node_id):
        raise FlowFileError(
            f"node id {cut(node_id)} may contain only letters, digits, '_' and '-'", f"{path}.id"
        )
    kind_raw = _type(d["kind"], str, f"{path}.kind", "text")
    try:
        kind = NodeKind(kind_raw)
    except ValueError:
        kinds = ", ".join(k.value for k in NodeKind)
        raise FlowFileError(f"{cut(kind_raw)} is not a node kind ({kinds})", f"{path}.kind") from None
    spec = spec_of(kind)
    needs = KIND_VERSIONS.get(kind, DYNAMIC_VERSION if spec.is_logic else 1)
    if version < needs:
        raise FlowFileError(
            f"a {kind.value} node needs format version {needs}; this file says {version}", f"{path}.kind"
        )
    position = d.get("position", [0, 0])
    _type(position, list, f"{path}.position", "a list [x, y]")
    if len(position) != 2:
        raise FlowFileError("expected a list [x, y] of two numbers", f"{path}.position")
    for i, c in enumerate(position):
        _type(c, (int, float), f"{path}.position[{i}]", "a number")
        if not abs(c) <= MAX_COORDINATE:
            raise FlowFileError(
                f"{cut(c, 30)} is outside the canvas (±{MAX_COORDINATE:,.0f})", f"{path}.position[{i}]"
            )
    prompts = []
    for i, p in enumerate(_type(d.get("prompts", []), list, f"{path}.prompts", "a list")):
        pp = f"{path}.prompts[{i}]"
        _type(p, dict, pp, "an object")
        _keys(p, {"kind", "text", "attributes"}, {"kind"}, pp)
        if p["kind"] not in PROMPT_KINDS:
            raise FlowFileError(
                f"{cut(p['kind'])} is not a prompt kind ({', '.join(PROMPT_KINDS)})", f"{pp}.kind"
            )
        prompts.append(
            Prompt(
                p["kind"],
                _type(p.get("text", ""), str, f"{pp}.text", "text"),
                _attributes(p.get("attributes", {}), f"{pp}.attributes"),
            )
        )
    branches: list[Branch] = []
    for i, b in enumerate(_type(d.get("branches", []), list, f"{path}.branches", "a list")):
        bp = f"{path}.branches[{i}]"
        _type(b, dict, bp, "an object")
        _keys(b, {"id", "keys", "phrases"}, {"id"}, bp)
        bid = _type(b["id"], str, f"{bp}.id", "text")
        if not ID_PATTERN.match(bid) or any(x.id == bid for x in branches):
            raise FlowFileError(f"branch id {cut(bid)} is invalid or used twice", f"{bp}.id")
        phrases = _type(b.get("phrases", []), list, f"{bp}.phrases", "a list of phrases")
        for j, ph in enumerate(phrases):
            _type(ph, str, f"{bp}.phrases[{j}]", "text")
        branches.append(Branch(bid, _type(b.get("keys", ""), str, f"{bp}.keys", "text"), list(phrases)))
    if branches and spec_of(kind).item_exits != "branches":
        raise FlowFileError(
            f"only menus (gather) have branches; this node is a {kind.value}", f"{path}.branches"
        )
    max_attempts = _type(d.get("max_attempts", 3), int, f"{path}.max_attempts", "a whole number")
    if not 1 <= max_attempts <= MAX_ATTEMPTS:
        raise FlowFileError(f"must be from 1 to {MAX_ATTEMPTS}, not {max_attempts}", f"{path}.max_attempts")
    config = None
    if spec.config is not None:
        try:
            config = spec.config.from_dict(d.get("config", {}), f"{path}.config")
        except ConfigError as exc:
            raise FlowFileError(exc.problem, exc.path) from None
    elif "config" in d:
        raise FlowFileError(f"a {kind.value} node has no config", f"{path}.config")
    try:
        flags = flags_from_list(d.get("flags", []), f"{path}.flags")
    except ConfigError as exc:
        raise FlowFileError(exc.problem, exc.path) from None
    capture = _type(d.get("capture", ""), str, f"{path}.capture", "a variable name")
    if capture and (not spec.counts_attempts or not NAME_PATTERN.match(capture)):
        raise FlowFileError(
            f"{cut(capture)} cannot be captured here (a menu's variable name)", f"{path}.capture"
        )
    node = Node(
        id=node_id,
        kind=kind,
        title=_type(d.get("title", ""), str, f"{path}.title", "text"),
        position=(float(position[0]), float(position[1])),
        notes=_type(d.get("notes", ""), str, f"{path}.notes", "text"),
        text=_type(d.get("text", ""), str, f"{path}.text", "text"),
        attributes=_attributes(d.get("attributes", {}), f"{path}.attributes"),
        prompts=prompts,
        branches=branches,
        max_attempts=max_attempts,
        config=config,
        capture=capture,
        flags=flags,
    )
    links = _type(d.get("links", {}), dict, f"{path}.links", "an object of exit → node id")
    node.links = dict(links)  # first: a linked optional exit (an Hours' holiday) is an exit of the node
    exits = set(node.exit_names())
    for exit_name, target in links.items():
        if exit_name not in exits:
            raise FlowFileError(f"node {cut(node_id)} has no exit {cut(exit_name)}", f"{path}.links")
        _type(target, str, f"{path}.links.{_seg(exit_name)}", "a node id")
    return node


def flow_from_dict(data: Any) -> Flow:
    _type(data, dict, "$", "a JSON object")
    if data.get("format") != FORMAT:
        raise FlowFileError(f'this is not an IVR Studio flow (expected "format": "{FORMAT}")', "$.format")
    version = _type(data.get("version"), int, "$.version", "a whole number")
    if version > VERSION:
        raise FlowFileError(
            f"the file was written by a newer IVR Studio (format version {version}); "
            f"this version reads up to {VERSION}. Update IVR Studio to open it.",
            "$.version",
        )
    if version < 1:
        raise FlowFileError(f"format version {version} does not exist", "$.version")
    top = {"format", "version", "name", "start", "settings", "nodes"}
    if version >= DYNAMIC_VERSION:
        top |= {"variables", "env"}
    if version >= KEPT_VERSION:
        top |= {"read_only"}
    _keys(data, top, {"nodes"}, "$")
    name = _type(data.get("name", "Untitled flow"), str, "$.name", "text")
    settings = _type(data.get("settings", {}), dict, "$.settings", "an object")
    for k, v in settings.items():
        if k not in DEFAULT_SETTINGS:
            raise FlowFileError(f"unknown setting {cut(k)}", "$.settings")
        _type(v, (int, float), f"$.settings.{_seg(k)}", "a number")
        low, high = SETTING_RANGES[k]
        if not low <= v <= high:
            raise FlowFileError(f"must be between {low:g} and {high:g}, not {cut(v, 30)}", f"$.settings.{k}")
    nodes_raw = _type(data["nodes"], list, "$.nodes", "a list of nodes")
    nodes: list[Node] = []
    seen: set[str] = set()
    for i, d in enumerate(nodes_raw):
        node = _node(d, f"$.nodes[{i}]", version)
        if node.id in seen:
            raise FlowFileError(f"node id {cut(node.id)} is used twice", f"$.nodes[{i}].id")
        seen.add(node.id)
        nodes.append(node)
    for i, node in enumerate(nodes):
        for exit_name, target in node.links.items():
            if target not in seen:
                raise FlowFileError(
                    f"links to {cut(target)}, which is not a node of this flow",
                    f"$.nodes[{i}].links.{_seg(exit_name)}",
                )
    start = data.get("start")
    if start is not None:
        _type(start, str, "$.start", "a node id")
        if start not in seen:
            raise FlowFileError(f"the start node {cut(start)} is not a node of this flow", "$.start")
    variables: list[Variable] = []
    for i, raw in enumerate(_type(data.get("variables", []), list, "$.variables", "a list of variables")):
        try:
            variable = Variable.from_dict(raw, f"$.variables[{i}]")
        except ConfigError as exc:
            raise FlowFileError(exc.problem, exc.path) from None
        if any(v.name == variable.name for v in variables):
            raise FlowFileError(f"variable {variable.name!r} is declared twice", f"$.variables[{i}].name")
        variables.append(variable)
    env = _type(data.get("env", []), list, "$.env", "a list of environment variable names")
    for i, env_name in enumerate(env):
        _type(env_name, str, f"$.env[{i}]", "text")
        if not ENV_PATTERN.match(env_name):
            raise FlowFileError(
                f"{cut(env_name)} is not an environment variable name (A-Z, 0-9, _)", f"$.env[{i}]"
            )
    read_only = _type(data.get("read_only", ""), str, "$.read_only", "text (why the flow is read-only)")
    if len(read_only) > MAX_READ_ONLY_CHARS:
        raise FlowFileError(
            f"is {len(read_only):,} characters; the limit is {MAX_READ_ONLY_CHARS}", "$.read_only"
        )
    flow = Flow(name, nodes, start)
    flow.read_only = read_only
    flow.settings.update(settings)
    flow.variables = {v.name: v for v in variables}
    flow.env = tuple(dict.fromkeys(env))
    return flow
