"""Studio import: a Twilio Studio flow definition (REST API or Studio's "Export to JSON") becomes a flow.

The definition is read through the bounded reader and the strict JSON loader, and checked field by field;
a problem is one line naming the file, the JSON path and what is wrong. Then each widget maps onto a node
(see :mod:`.studio_widgets` for the property names):

* ``trigger`` → where the call starts (its ``incomingCall`` transition); ``say-play`` → Say, Play, or Pause
  (a lone ``<break>``); ``connect-call-to`` (a number or SIP address) → Transfer; ``record-voicemail`` →
  Voicemail; ``add-twiml-redirect`` → Redirect;
* ``enqueue-call`` (a queue by name) → Queue: ``callComplete`` is its *next*, ``failedToEnqueue`` and
  ``callFailure`` its *failed* exit;
* ``gather-input-on-call`` → a menu with its message as the prompt and every Gather property. The usual
  pattern — the Gather's ``keypress`` going to a Split Based On ``{{widgets.G.Digits}}`` and its ``speech``
  to one on ``{{widgets.G.SpeechResult}}`` — is folded into the menu: each match becomes a branch (a key,
  or phrases; a key and phrases that lead to the same widget are one branch), the splits' ``noMatch`` the
  menu's *no match* exit, the Gather's ``timeout`` its *no input* exit. A Gather whose keypress goes
  straight to a widget sends any input there (*no match*);
* Split Based On (any other), Set Variables and Make HTTP Request → Decide, Set and Look up (see
  :mod:`.studio_logic`);
* every other widget (Run Function, Send to Flex, Capture Payments, Connect Virtual Agent, messaging
  widgets …, and a logic widget that uses what the local kinds cannot express) becomes a placeholder node
  (see :mod:`ivr_studio.flow.placeholder`) that keeps the widget's type, properties and transitions, with
  one exit per transition linked where the transition led, so the flow runs up to it and a Studio export
  writes the widget back.

Liquid in spoken text, media URLs, numbers, queue names and Redirect URLs is kept, with Studio's names
rewritten to this project's (``flow.variables.x`` → ``vars.x``, ``trigger.call.From`` → ``call.from``,
``widgets.X.parsed.y`` → ``steps.X.body.y``; see :mod:`.liquid_names`); in an attribute it is dropped with a
warning (attributes are static). Positions come from ``properties.offset``. A definition
exported by IVR Studio and not changed since carries the flow's own nodes (see :mod:`.studio_export`);
importing it gives that flow back exactly.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ivr_studio.files import (
    TEXT_LIMIT,
    InputFileError,
    StructuredDataError,
    decode_text,
    load_json,
    read_bytes,
)
from ivr_studio.flow.ivrflow import FlowFileError, flow_from_dict, flow_to_dict
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.logic import ConfigError, SetConfig, Variable
from ivr_studio.flow.model import Branch, Flow, Node, Prompt
from ivr_studio.flow.placeholder import PlaceholderConfig
from ivr_studio.interop import studio_widgets as w
from ivr_studio.interop.liquid_names import to_local
from ivr_studio.interop.report import MAPPED, PLACEHOLDER, WARNING, ImportReport, short
from ivr_studio.interop.studio_export import EXTRAS_FORMAT, EXTRAS_PREFIX, PAUSE_TEXT, widgets_digest
from ivr_studio.interop.studio_logic import (
    decide_from_split,
    lookup_from_request,
    parsed_paths,
    set_from_variables,
)
from ivr_studio.interop.twiml_import import place
from ivr_studio.interop.twiml_nodes import attribute_value, safe_id

#: More than Studio's own limit, so a real flow always fits; bounds memory for a hostile file.
MAX_STATES = 5000
PLACEHOLDER_MARKER = w.PLACEHOLDER_MARKER
_KEY_OPS = ("equal_to", "matches_any_of")
_SPEECH_OPS = ("equal_to", "matches_any_of", "contains", "starts_with")


class StudioImportError(ValueError):
    """A definition that cannot be imported; the message names the file, the JSON path and the problem."""


def load_studio(path: str | os.PathLike, name: str = "") -> tuple[Flow, ImportReport]:
    """Read a Studio definition file and import it."""
    p = Path(path)
    try:
        data = load_json(decode_text(read_bytes(p, TEXT_LIMIT), p), p)
    except (InputFileError, StructuredDataError) as exc:
        raise StudioImportError(str(exc)) from None
    try:
        return import_studio(data, origin=str(p), name=name, fallback_name=p.stem)
    except StudioImportError as exc:
        raise StudioImportError(f"{p}: {exc}") from None


def _check(data: Any) -> tuple[dict, list[dict]]:
    """The definition and its states, checked; StudioImportError names the JSON path of a problem."""
    if isinstance(data, dict) and isinstance(data.get("definition"), str) and "states" not in data:
        try:  # some clients give the REST resource's definition as a JSON string
            data = {**data, "definition": load_json(data["definition"], "$.definition")}
        except StructuredDataError as exc:
            raise StudioImportError(f"$.definition: {exc.problem}") from None
    if isinstance(data, dict) and isinstance(data.get("definition"), dict):
        data = data["definition"]  # the Flows REST API resource around the definition
    if not isinstance(data, dict):
        raise StudioImportError("$: a Studio flow definition is a JSON object")
    states = data.get("states")
    if not isinstance(states, list) or not states:
        raise StudioImportError("$.states: expected a list of widgets (is this a Studio flow definition?)")
    if len(states) > MAX_STATES:
        raise StudioImportError(f"$.states: {len(states):,} widgets; at most {MAX_STATES:,} are imported")
    names: set[str] = set()
    for i, s in enumerate(states):
        where = f"$.states[{i}]"
        if not isinstance(s, dict):
            raise StudioImportError(f"{where}: expected a widget object")
        for key, kind in (("name", str), ("type", str)):
            if not isinstance(s.get(key), kind) or not s.get(key):
                raise StudioImportError(f"{where}.{key}: expected text")
        if s["name"] in names:
            raise StudioImportError(f"{where}.name: {short(s['name'], 60)!r} is used twice")
        names.add(s["name"])
        if not isinstance(s.get("transitions", []), list):
            raise StudioImportError(f"{where}.transitions: expected a list")
        for j, t in enumerate(s.get("transitions", [])):
            if not isinstance(t, dict) or not isinstance(t.get("event"), str):
                raise StudioImportError(f"{where}.transitions[{j}]: expected an object with an event")
            if "next" in t and not isinstance(t["next"], str):
                raise StudioImportError(f"{where}.transitions[{j}].next: expected a widget name")
            if not isinstance(t.get("conditions", []), list):
                raise StudioImportError(f"{where}.transitions[{j}].conditions: expected a list")
        if not isinstance(s.get("properties", {}), dict):
            raise StudioImportError(f"{where}.properties: expected an object")
    return data, states


def import_studio(
    data: Any, origin: str = "", name: str = "", fallback_name: str = "Studio flow"
) -> tuple[Flow, ImportReport]:
    """The flow a decoded Studio definition makes, and the import report."""
    definition, states = _check(data)
    report = ImportReport(origin or "Studio flow")
    kept = _from_extras(definition, states, report)
    if kept is not None:
        if name:
            kept.set_name(name)
        return kept, report
    return _Importer(states, report).run(
        name or short(str(definition.get("description") or "Studio flow"), 80)
    )


def _from_extras(definition: dict, states: list[dict], report: ImportReport) -> Flow | None:
    description = definition.get("description")
    if not isinstance(description, str) or not description.startswith(EXTRAS_PREFIX):
        return None
    try:
        extras = load_json(description[len(EXTRAS_PREFIX) :], "$.description")
        if not isinstance(extras, dict) or extras.get("format") != EXTRAS_FORMAT:
            raise ValueError("not IVR Studio's")
        if extras.get("digest") != widgets_digest(states):
            report.add(
                "$.description",
                "description",
                WARNING,
                "changed in Studio since it was exported: imported from the widgets",
            )
            return None
        flow = flow_from_dict(extras.get("flow"))
    except (StructuredDataError, FlowFileError, ValueError) as exc:
        report.add(
            "$.description",
            "description",
            WARNING,
            f"IVR Studio's notes could not be read ({short(exc, 80)})",
        )
        return None
    for s in states:
        report.add(f"widget {s['name']}", s["type"], MAPPED, "as exported by IVR Studio")
    return flow


class _Nodes:
    """The nodes of a flow being built: the few edits the importer makes, without the per-edit events and
    checks of :class:`Flow` (a 2,000-widget import would spend most of its time there). The flow is made
    from them at the end, which checks every id once."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def add_node(self, node: Node) -> None:
        self.nodes[node.id] = node

    def set_link(self, node_id: str, exit_name: str, target: str) -> None:
        self.nodes[node_id].links[exit_name] = target

    def add_branch(self, node_id: str, branch: Branch) -> None:
        self.nodes[node_id].branches.append(branch)

    def set_branch_field(self, node_id: str, branch_id: str, name: str, value: Any) -> None:
        setattr(self.nodes[node_id].branch(branch_id), name, value)

    @staticmethod
    def new_branch_id(node: Node) -> str:
        return Flow.new_branch_id(node)


class _Importer:
    def __init__(self, states: list[dict], report: ImportReport) -> None:
        self.states = {s["name"]: s for s in states}
        self.report = report
        self.flow = _Nodes()
        self.ids: dict[str, str] = {}
        self.folded: dict[str, tuple[str, str]] = {}  # split name -> (gather name, "Digits"|"SpeechResult")
        self.cases: dict[str, list[tuple[str, str | None]]] = {}  # Decide node -> (case exit, Studio next)
        self.kept = parsed_paths(states)
        self.incoming: dict[str, int] = {}
        for s in states:
            for t in s.get("transitions", []):
                if t.get("next"):
                    self.incoming[t["next"]] = self.incoming.get(t["next"], 0) + 1

    # ------------------------------------------------------------------ helpers
    def _next(self, state: dict, event: str) -> str | None:
        for t in state.get("transitions", []):
            if t.get("event") == event and t.get("next") in self.states:
                return t["next"]
            if t.get("event") == event and t.get("next"):
                self.report.add(
                    f"widget {state['name']}",
                    state["type"],
                    WARNING,
                    f"{event} goes to {short(t['next'], 60)!r}, which is not a widget of this flow",
                )
        return None

    def _target(self, state: dict, event: str) -> str | None:
        nxt = self._next(state, event)
        return self.ids.get(nxt) if nxt else None

    def _attrs(self, state: dict, verb: str, table: dict[str, str], props: dict) -> dict:
        out = {}
        for prop, attr in table.items():
            if prop not in props or props[prop] in ("", None):
                continue
            value = props[prop]
            if isinstance(value, str) and "{{" in value:
                self.report.add(
                    f"widget {state['name']}",
                    state["type"],
                    WARNING,
                    f"{prop} is a Liquid expression; attributes are static, so it was dropped",
                )
                continue
            if isinstance(value, bool):
                out[attr] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                out[attr] = attribute_value(
                    verb, attr, str(int(value)) if float(value).is_integer() else str(value)
                )
            elif isinstance(value, str):
                out[attr] = attribute_value(verb, attr, value)
        return out

    def _text(self, state: dict, text: str) -> str:
        """A text that may hold Liquid, with Studio's names rewritten to this project's (see
        :mod:`.liquid_names`); names with no counterpart are reported."""
        local, left = to_local(text)
        if left:
            self.report.add(
                f"widget {state['name']}",
                state["type"],
                WARNING,
                f"Liquid reads {short(', '.join(left), 80)}, which IVR Studio has no name for; kept as written",
            )
        return local

    def _prompt(self, state: dict, props: dict) -> Prompt | None:
        if props.get("play"):
            play = self._text(state, str(props["play"]))
            return Prompt("play", play, self._attrs(state, "Play", w.PLAY_PROPERTIES, props))
        if props.get("digits") and not props.get("say"):
            return Prompt("play", "", {"digits": str(props["digits"])})
        say = props.get("say")
        if isinstance(say, str) and say:
            m = PAUSE_TEXT.match(say)
            if m:
                return Prompt("pause", "", {"length": int(m.group(1))})
            return Prompt("say", self._text(state, say), self._attrs(state, "Say", w.SAY_PROPERTIES, props))
        return None

    def _offset(self, props: dict) -> tuple[float, float] | None:
        off = props.get("offset")
        if isinstance(off, dict) and all(
            isinstance(off.get(k), (int, float)) and not isinstance(off.get(k), bool) for k in ("x", "y")
        ):
            return float(off["x"]), float(off["y"])
        return None

    # ------------------------------------------------------------------ folding
    def _foldable(self, gather: str, split: str | None, field: str, ops: tuple[str, ...]) -> bool:
        s = self.states.get(split or "")
        if s is None or s["type"] != w.SPLIT or self.incoming.get(split, 0) != 1:
            return False
        argument = f"{{{{widgets.{gather}.{field}}}}}"
        if not any(t["event"] == "match" for t in s.get("transitions", [])):
            return False  # a split with no match tests nothing of the menu: a Decide of its own
        for t in s.get("transitions", []):
            if t["event"] == "noMatch":
                continue
            conds = t.get("conditions", [])
            if len(conds) != 1 or not isinstance(conds[0], dict):
                return False
            c = conds[0]
            if c.get("type") not in ops or not isinstance(c.get("value"), str):
                return False
            args = c.get("arguments", [])
            if args != [argument] and s.get("properties", {}).get("input") != argument:
                return False
        return True

    # ------------------------------------------------------------------ run
    def run(self, name: str) -> tuple[Flow, ImportReport]:
        for s in self.states.values():
            if s["type"] == w.GATHER:
                for event, field, ops in (
                    ("keypress", "Digits", _KEY_OPS),
                    ("speech", "SpeechResult", _SPEECH_OPS),
                ):
                    split = self._next(s, event)
                    if self._foldable(s["name"], split, field, ops):
                        self.folded[split] = (s["name"], field)
        positioned = True
        for s in self.states.values():
            if s["type"] == w.TRIGGER or s["name"] in self.folded:
                continue
            node = self._node(s)
            pos = self._offset(s.get("properties", {}))
            positioned = positioned and pos is not None
            node.position = pos or (0.0, 0.0)
            self.flow.add_node(node)
            self.ids[s["name"]] = node.id
        for s in self.states.values():
            if s["name"] in self.ids:
                self._links(s)
            elif s["name"] in self.folded:
                gather, field = self.folded[s["name"]]
                self.report.add(
                    f"widget {s['name']}",
                    s["type"],
                    MAPPED,
                    f"folded into menu {self.ids[gather]!r} ({'keys' if field == 'Digits' else 'phrases'})",
                    self.ids[gather],
                )
        triggers = [s for s in self.states.values() if s["type"] == w.TRIGGER]
        start = self._target(triggers[0], "incomingCall") if triggers else None
        if triggers:
            self.report.add(
                f"widget {triggers[0]['name']}", w.TRIGGER, MAPPED, "the call starts at its incomingCall"
            )
        if start is None:
            self.report.add(
                "trigger", w.TRIGGER, WARNING, "no incomingCall transition: the flow has no start"
            )
        flow = Flow(name, self.flow.nodes.values(), start)
        declare_variables(flow)
        if not positioned:
            place(flow)
        return flow, self.report

    def _node(self, s: dict) -> Node:
        t, props, sname = s["type"], s.get("properties", {}), s["name"]
        node_id = safe_id(sname, self.flow.nodes)
        source = f"widget {sname}"
        if t == w.SAY_PLAY:
            p = self._prompt(s, props)
            if p is None:
                self.report.add(source, t, WARNING, "says and plays nothing: an empty Say")
                p = Prompt("say", "")
            kind = NodeKind(p.kind)
            self.report.add(source, t, MAPPED, node=node_id)
            return Node(node_id, kind, title=sname, text=p.text, attributes=p.attributes)
        if t == w.GATHER:
            attrs = self._attrs(s, "Gather", w.GATHER_PROPERTIES, props)
            if props.get("stop_gather") is False or str(props.get("stop_gather")).lower() == "false":
                attrs["finishOnKey"] = ""
            keys_on = self._next(s, "keypress") is not None
            speech_on = self._next(s, "speech") is not None
            if speech_on:
                attrs["input"] = "dtmf speech" if keys_on else "speech"
            prompt = self._prompt(s, props)
            self.report.add(source, t, MAPPED, node=node_id)
            return Node(
                node_id, NodeKind.GATHER, title=sname, attributes=attrs, prompts=[prompt] if prompt else []
            )
        if t == w.CONNECT and props.get("noun", "number") in ("number", "number-multi", "sip"):
            attrs = self._attrs(s, "Dial", w.CONNECT_PROPERTIES, props)
            if props.get("noun") == "sip":
                number = str(props.get("sip_endpoint", ""))
                number = number if number.lower().startswith("sip:") else f"sip:{number}"
            else:
                number = self._text(s, str(props.get("to", "")))
                if props.get("noun") == "number-multi" and "," in number:
                    self.report.add(
                        source, t, WARNING, "rings several numbers in Studio; only the first is kept"
                    )
                    number = number.split(",")[0].strip()
            self.report.add(source, t, MAPPED, node=node_id)
            return Node(node_id, NodeKind.DIAL, title=sname, text=number, attributes=attrs)
        if t == w.RECORD:
            attrs = self._attrs(s, "Record", w.RECORD_PROPERTIES, props)
            self.report.add(source, t, MAPPED, node=node_id)
            return Node(node_id, NodeKind.RECORD, title=sname, attributes=attrs)
        if t == w.ENQUEUE and isinstance(props.get("queue_name"), str):
            attrs = {}
            for prop, attr in w.ENQUEUE_PROPERTIES.items():
                value = props.get(prop)
                if isinstance(value, str) and value and "{{" not in value:
                    attrs[attr] = value
            self.report.add(source, t, MAPPED, node=node_id)
            queue = self._text(s, props["queue_name"])
            return Node(node_id, NodeKind.ENQUEUE, title=sname, text=queue, attributes=attrs)
        if t == w.REDIRECT and isinstance(props.get("url"), str):
            attrs = {"method": props["method"]} if props.get("method") in ("GET", "POST") else {}
            if any(tr.get("next") for tr in s.get("transitions", [])):
                self.report.add(
                    source, t, WARNING, "the call leaves the flow here; Studio's return path is not kept"
                )
            self.report.add(source, t, MAPPED, node=node_id)
            return Node(
                node_id, NodeKind.REDIRECT, title=sname, text=self._text(s, props["url"]), attributes=attrs
            )
        logic = self._logic(s, node_id)
        if isinstance(logic, Node):
            self.report.add(source, t, MAPPED, node=node_id)
            return logic
        return self._placeholder(s, node_id, logic)

    def _logic(self, s: dict, node_id: str) -> Node | str | None:
        """A Decide, Set or Look up node for a logic widget; else why not (None: no local meaning)."""
        t, sname = s["type"], s["name"]
        if t == w.SPLIT:
            made = decide_from_split(s)
            if isinstance(made, str):
                return made
            config, nexts = made
            self.cases[node_id] = nexts
            return Node(node_id, NodeKind.DECIDE, title=sname, config=config)
        if t == w.SET_VARIABLES:
            made = set_from_variables(s)
            return made if isinstance(made, str) else Node(node_id, NodeKind.SET, title=sname, config=made)
        if t == w.HTTP_REQUEST:
            made = lookup_from_request(s, self.kept)
            return made if isinstance(made, str) else Node(node_id, NodeKind.LOOKUP, title=sname, config=made)
        return None

    def _placeholder(self, s: dict, node_id: str, why: str | None = None) -> Node:
        """A placeholder node keeping the widget, with an exit per transition (linked in :meth:`_links`)."""
        source = f"widget {s['name']}"
        try:
            config = PlaceholderConfig.from_widget(s)
        except ConfigError as exc:
            self.report.add(source, s["type"], WARNING, f"its properties are not kept ({exc.problem})")
            config = PlaceholderConfig.from_widget({**s, "properties": {}})
        events = ", ".join(f"{tr['event']} → {tr.get('next', '(end)')}" for tr in s.get("transitions", []))
        why = why or "no local meaning yet"
        self.report.add(
            source,
            s["type"],
            PLACEHOLDER,
            f"{why}; the call ends here. Transitions: {short(events, 160) or 'none'}",
            node_id,
        )
        return Node(node_id, NodeKind.PLACEHOLDER, title=short(s["name"], 60), config=config)

    def _links(self, s: dict) -> None:
        node_id = self.ids[s["name"]]
        t = s["type"]
        link = self.flow.set_link
        if t == w.SAY_PLAY:
            target = self._target(s, "audioComplete")
            if target:
                link(node_id, "next", target)
        elif t == w.GATHER:
            self._gather_links(s, node_id)
        elif t == w.CONNECT and self.flow.node(node_id).kind == NodeKind.DIAL:
            if (target := self._target(s, "callCompleted")) is not None:
                link(node_id, "next", target)
        elif t == w.ENQUEUE and self.flow.node(node_id).kind == NodeKind.ENQUEUE:
            if (target := self._target(s, "callComplete")) is not None:
                link(node_id, "next", target)
            failed = {self._target(s, e) for e in ("failedToEnqueue", "callFailure")} - {None}
            if len(failed) > 1:
                self.report.add(
                    f"widget {s['name']}", t, WARNING, "its two failure transitions differ; one is kept"
                )
            if failed:
                link(node_id, "failed", sorted(failed)[0])
        elif node_id in self.cases:
            for exit_name, nxt in self.cases[node_id]:
                if nxt and nxt in self.ids:
                    link(node_id, exit_name, self.ids[nxt])
            if (target := self._target(s, "noMatch")) is not None:
                link(node_id, "otherwise", target)
        elif t == w.SET_VARIABLES and self.flow.node(node_id).kind == NodeKind.SET:
            if (target := self._target(s, "next")) is not None:
                link(node_id, "next", target)
        elif t == w.HTTP_REQUEST and self.flow.node(node_id).kind == NodeKind.LOOKUP:
            if (target := self._target(s, "success")) is not None:
                link(node_id, "ok", target)
            if (target := self._target(s, "failed")) is not None:
                link(node_id, "failed", target)
        elif isinstance(config := self.flow.node(node_id).config, PlaceholderConfig):
            kept = [tr for tr in s.get("transitions", []) if isinstance(tr, dict)]
            for transition, tr in zip(config.transitions, kept, strict=False):
                if tr.get("next") in self.ids:
                    link(node_id, transition.exit_name, self.ids[tr["next"]])
        elif t == w.RECORD:
            if (target := self._target(s, "recordingComplete")) is not None:
                link(node_id, "next", target)
            if (target := self._target(s, "noAudio")) is not None:
                link(node_id, "empty", target)

    def _gather_links(self, s: dict, node_id: str) -> None:
        flow = self.flow
        if (target := self._target(s, "timeout")) is not None:
            flow.set_link(node_id, "no_input", target)
        by_target: dict[str, Branch] = {}
        no_match: str | None = None
        for event in ("keypress", "speech"):
            nxt = self._next(s, event)
            if nxt is None:
                continue
            if nxt not in self.folded:
                no_match = no_match or self.ids.get(nxt)
                continue
            split = self.states[nxt]
            for tr in split.get("transitions", []):
                target = self.ids.get(tr.get("next", ""))
                if tr["event"] == "noMatch":
                    if target and no_match and target != no_match:
                        self.report.add(
                            f"widget {nxt}",
                            w.SPLIT,
                            WARNING,
                            "its noMatch differs from the other split's; the first one is kept",
                        )
                    no_match = no_match or target
                    continue
                c = tr["conditions"][0]
                values = (
                    [v.strip() for v in c["value"].split(",")]
                    if c["type"] == "matches_any_of"
                    else [c["value"]]
                )
                for value in filter(None, values):
                    self._add_choice(node_id, event, value, target, by_target)
        if no_match:
            flow.set_link(node_id, "no_match", no_match)

    def _add_choice(self, node_id: str, event: str, value: str, target: str | None, by_target: dict) -> None:
        flow = self.flow
        node = flow.node(node_id)
        # Studio's split takes the first condition that holds: a key or phrase an earlier condition already
        # names can never be reached here, and merging it into an earlier choice would change which one wins.
        if any(value == b.keys if event == "keypress" else value in b.phrases for b in node.branches):
            return
        branch = by_target.get(target) if target else None
        if event == "keypress":
            if branch is not None and not branch.keys:
                flow.set_branch_field(node_id, branch.id, "keys", value)
                return
            branch = Branch(flow.new_branch_id(node), keys=value)
        else:
            if branch is not None:
                flow.set_branch_field(node_id, branch.id, "phrases", [*branch.phrases, value])
                return
            branch = Branch(flow.new_branch_id(node), phrases=[value])
        flow.add_branch(node_id, branch)
        if target:
            flow.set_link(node_id, branch.exit_name, target)
            by_target[target] = branch


_VARS = re.compile(r"\bvars\.([A-Za-z_][A-Za-z0-9_]{0,39})\b")


def declare_variables(flow: Flow) -> None:
    """Declare every call variable the imported flow sets or reads (Studio declares none)."""
    text = json.dumps(flow_to_dict(flow), ensure_ascii=False)
    names = set(_VARS.findall(text))
    for node in flow:
        if isinstance(node.config, SetConfig):
            names.update(a.name for a in node.config.assignments)
    for name in sorted(names):
        flow.variables.setdefault(name, Variable(name))
