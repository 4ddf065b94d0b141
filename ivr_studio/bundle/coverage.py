"""Which exits of a flow a call took, worked out from its trace (pure Python: no Qt, usable by the CLI).

A trace records each webhook request with the node whose TwiML came back (``X-IVR-Node``). When the handler
names the exit it took (``X-IVR-Exit: <node_id> <exit_name>``, recorded as the request's ``exit`` field),
that is used as is. Otherwise the exit is derived from the routing data the handler serves
(:func:`ivr_studio.bundle.routing.routing_data`): a request to ``/node/<src>/result`` that returned node
``<dst>`` took the exit of ``<src>`` that leads to ``<dst>``; when several do (two menu branches to one queue,
``no_input`` and the menu itself), the request's parameters decide, the way the handler decides:
``noInput=true`` → no input, ``Digits`` / ``SpeechResult`` naming a branch → that branch, ``DialCallStatus`` →
the dial outcome, otherwise no match (a menu's attempts are counted in the call's state cookie, so only the
handler's own header can say ``max_attempts``). A plain request to ``/node/<dst>`` (a Say's ``<Redirect>``)
took the exit of the previous node that leads to ``<dst>``.

Working on routing data rather than the editor's ``Flow`` lets the same code read an exported bundle's
``routing.json`` and lets ``ivr-studio test --coverage`` use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ivr_studio.bundle.handler.matching import match_digits, match_speech, prepare_phrase
from ivr_studio.bundle.handler.retries import DIAL_OUTCOME_EXITS
from ivr_studio.files import InputFileError, StructuredDataError, load_json, read_text

ExitKey = tuple[str, str]
COVERAGE_FORMAT = "ivr-studio-coverage"
#: A coverage file lists exits taken: two short strings per exit. 16 MiB is far beyond any flow.
COVERAGE_LIMIT = 16 * 1024 * 1024
_NODE_PATH = re.compile(r"\A/node/([^/]+)(/result)?\Z")


@dataclass(frozen=True)
class _Choice:
    """A menu branch in the shape the handler's matcher wants."""

    id: str
    keys: str
    phrases: tuple[Any, ...]


def _exits_of(node: Mapping[str, Any]) -> dict[str, str | None]:
    """Exit name → target for one routing node (branches first, as the canvas lists them)."""
    exits: dict[str, str | None] = {}
    for b in node.get("branches") or ():
        exits[f"branch:{b['id']}"] = b.get("target")
    exits.update(node.get("exits") or {})
    return exits


def _first(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()


def _gather_exit(node: Mapping[str, Any], params: Mapping[str, Any], query: Mapping[str, str]) -> str:
    """The exit the handler takes for a menu's result request (see ``bundle.handler.retries``)."""
    digits, speech = _first(params, "Digits"), _first(params, "SpeechResult")
    choices = [
        _Choice(b["id"], b.get("keys") or "", tuple(prepare_phrase(p) for p in b.get("phrases") or ()))
        for b in node.get("branches") or ()
    ]
    if query.get("noInput") == "true" or (not digits and not speech):
        return "no_input"
    branch = match_digits(digits, choices) if digits else match_speech(speech[:500], choices)
    return f"branch:{branch.id}" if branch is not None else "no_match"


def exit_for_request(
    routing: Mapping[str, Any], event: Mapping[str, Any], previous: str | None
) -> ExitKey | None:
    """The (node, exit) a ``request`` trace event shows was taken; ``previous`` is the node before it."""
    explicit = event.get("exit")
    if explicit:
        parts = explicit.split(None, 1) if isinstance(explicit, str) else list(explicit)
        if len(parts) == 2:
            return str(parts[0]), str(parts[1])
    nodes = routing.get("nodes") or {}
    parts = urlsplit(str(event.get("url", "")))
    match = _NODE_PATH.match(parts.path)
    dst = event.get("node")
    if match is None:
        return None
    if match.group(2):  # /node/<src>/result
        src = match.group(1)
    else:
        src = previous
        if src is None or src == match.group(1):
            return None
    node = nodes.get(src)
    if node is None:
        return None
    exits = _exits_of(node)
    if not match.group(2):  # a Redirect to /node/<x> took the exit of the previous node that leads to x
        to_url = [name for name, target in exits.items() if target == match.group(1)]
        return (src, to_url[0]) if to_url else None
    leading = [name for name, target in exits.items() if target == dst]
    params = event.get("params") or {}
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    kind = node.get("kind")
    if kind == "gather":
        guess = _gather_exit(node, params, query)
    elif kind == "dial":
        status = _first(params, "DialCallStatus").lower()
        guess = DIAL_OUTCOME_EXITS.get(status, "next")
        if guess not in exits:
            guess = "next"
    else:
        guess = "next"
    if leading and guess not in leading:
        guess = leading[0]
    return src, guess


def _is_node(node: Any) -> bool:
    return isinstance(node, str) and bool(node) and not node.startswith("(")


class CoverageTracker:
    """Follows one call's requests as they arrive and collects the exits taken, in order."""

    def __init__(self, routing: Mapping[str, Any]) -> None:
        self.routing = routing
        self.previous: str | None = None
        self.path: list[str] = []
        self.taken: list[ExitKey] = []

    def feed(self, event: Mapping[str, Any]) -> ExitKey | None:
        """Take one trace event; returns the exit it shows was taken, if any."""
        if event.get("event") != "request" or event.get("purpose", "twiml") != "twiml":
            return None
        found = exit_for_request(self.routing, event, self.previous)
        if found is not None:
            self.taken.append(found)
        for hop in event.get("path") or ():  # logic nodes the handler walked through ("hours open")
            parts = str(hop).split(None, 1)
            if len(parts) == 2:
                self.taken.append((parts[0], parts[1]))
        node = event.get("node")
        if _is_node(node):
            self.previous = node
            self.path.append(node)
        return found


def taken_exits(routing: Mapping[str, Any], trace: Iterable[Mapping[str, Any]]) -> set[ExitKey]:
    """Every (node, exit) one call's trace took."""
    tracker = CoverageTracker(routing)
    for event in trace:
        tracker.feed(event)
    return set(tracker.taken)


def all_exits(routing: Mapping[str, Any]) -> set[ExitKey]:
    """Every exit of every node (linked or not), as the canvas lists them."""
    return {(nid, name) for nid, node in (routing.get("nodes") or {}).items() for name in _exits_of(node)}


def coverage_json(taken: Iterable[ExitKey], routing: Mapping[str, Any] | None = None) -> str:
    """The taken exits as JSON (with the flow's untaken exits too when its routing data is given)."""
    taken_set = set(taken)
    data: dict[str, Any] = {
        "format": COVERAGE_FORMAT,
        "version": 1,
        "taken": [list(k) for k in sorted(taken_set)],
    }
    if routing is not None:
        every = all_exits(routing)
        data["flow"] = routing.get("name")
        data["untaken"] = [list(k) for k in sorted(every - taken_set)]
        data["exits"] = len(every)
        data["covered"] = len(every & taken_set)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_coverage(path: str | Path) -> set[ExitKey]:
    """Taken exits from a coverage JSON file; ValueError saying why when it is not one."""
    try:
        data = load_json(read_text(path, COVERAGE_LIMIT), path)
    except (InputFileError, StructuredDataError) as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(data, dict) or data.get("format") != COVERAGE_FORMAT:
        raise ValueError(f"{path} is not an ivr-studio coverage file (run: ivr-studio test --coverage FILE)")
    taken = data.get("taken") or []
    if not all(isinstance(k, list) and len(k) == 2 for k in taken):
        raise ValueError(f"{path}: 'taken' must be a list of [node, exit] pairs")
    return {(str(a), str(b)) for a, b in taken}
