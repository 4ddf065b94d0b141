"""Studio export: a flow → a Twilio Studio flow definition that Studio can run.

Each node becomes the widget that does the same thing on a call: Say/Play/Pause → Say/Play (a pause is a
``<break>``), a menu → Gather Input on Call followed by Split Based On widgets on ``Digits`` (one match per
key, ``equal_to``) and on ``SpeechResult`` (one match per phrase, ``contains``), whose *no match* is the
menu's; Transfer → Connect Call To; Voicemail → Record Voicemail; Queue → Enqueue Call;
Redirect → TwiML Redirect. A Hang up or
Reject node has no widget: the call ends where a transition has no ``next``, as Studio ends it.
Positions become ``properties.offset``.

What Studio cannot hold — a menu's attempt limit and its *too many attempts* exit, a transfer's busy /
no-answer / failed exits, node titles and notes, extra prompts — is kept in the definition's
``description`` as the flow's own nodes (``ivr-studio:`` followed by compact JSON, with a digest of the
widgets), so importing the unchanged export gives the same flow back. A definition edited in Studio no
longer matches the digest and is imported from its widgets.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ivr_studio.flow.ivrflow import flow_to_dict
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node, Prompt
from ivr_studio.flow.placeholder import PlaceholderConfig
from ivr_studio.interop import studio_widgets as w
from ivr_studio.interop.liquid_names import to_studio
from ivr_studio.interop.studio_logic import request_from_lookup, split_from_decide, variables_from_set

SCHEMA_URL = "https://schemas.twilio.com/studio/draft/2019-09/flow-definition"
EXTRAS_PREFIX = "ivr-studio:"
EXTRAS_FORMAT = "ivr-studio-extras"


def widgets_digest(states: list[dict]) -> str:
    """A digest of the widgets, to tell an unchanged export from one edited in Studio."""
    text = json.dumps(states, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _offset(node: Node, dx: float = 0.0, dy: float = 0.0) -> dict[str, int]:
    return {"x": int(round(node.position[0] + dx)), "y": int(round(node.position[1] + dy))}


#: Properties Studio writes as text even when they hold a number or true/false.
TEXT_PROPERTIES = {"speech_timeout", "profanity_filter", "play_beep"}


def _studio_value(prop: str, value: Any) -> Any:
    if prop in TEXT_PROPERTIES:
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def _props(attrs: dict, table: dict[str, str]) -> dict[str, Any]:
    reverse = {attr: prop for prop, attr in table.items()}
    return {reverse[k]: _studio_value(reverse[k], v) for k, v in sorted(attrs.items()) if k in reverse}


def _message(prompt: Prompt | None) -> dict[str, Any]:
    """A Say/Play widget's (or a Gather's) message properties for one prompt."""
    if prompt is None:
        return {}
    if prompt.kind == "say":
        return {"say": to_studio(prompt.text), **_props(prompt.attributes, w.SAY_PROPERTIES)}
    if prompt.kind == "play":
        props: dict[str, Any] = {
            "play": to_studio(prompt.text),
            **_props(prompt.attributes, w.PLAY_PROPERTIES),
        }
        if "digits" in prompt.attributes:
            props["digits"] = str(prompt.attributes["digits"])
        return props
    return {"say": pause_text(prompt.attributes.get("length", 1))}


def pause_text(length: Any) -> str:
    return f'<break time="{length}s"/>'


PAUSE_TEXT = re.compile(r'^\s*<break time="([0-9]{1,3})s"\s*/>\s*$')


def placeholder_widget(node: Node) -> dict | None:
    """The original Studio widget a placeholder node keeps in its notes (None for any other node)."""
    if node.kind != NodeKind.HANGUP or not node.notes.startswith(w.PLACEHOLDER_MARKER):
        return None
    try:
        widget = json.loads(node.notes[len(w.PLACEHOLDER_MARKER) :])
    except ValueError:
        return None
    ok = isinstance(widget, dict) and isinstance(widget.get("type"), str)
    return widget if ok and isinstance(widget.get("transitions", []), list) else None


class _Exporter:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.names: set[str] = set(flow.nodes)
        self.states: list[dict] = []

    def unique(self, base: str) -> str:
        name, n = base, 2
        while name in self.names:
            name = f"{base}_{n}"
            n += 1
        self.names.add(name)
        return name

    def target(self, node: Node, exit_name: str) -> str | None:
        """The widget an exit leads to; None where the call ends (unlinked, or a Hang up/Reject node)."""
        target = node.links.get(exit_name)
        if target is None:
            return None
        if self.flow.node(target).kind in (NodeKind.HANGUP, NodeKind.REJECT):
            return target if placeholder_widget(self.flow.node(target)) else None
        return target

    @staticmethod
    def transition(event: str, next_: str | None, **extra: Any) -> dict[str, Any]:
        t: dict[str, Any] = {"event": event}
        if next_:
            t["next"] = next_
        t.update(extra)
        return t

    def state(self, name: str, type_: str, transitions: list[dict], props: dict) -> None:
        self.states.append({"name": name, "type": type_, "transitions": transitions, "properties": props})

    def export(self) -> dict[str, Any]:
        start = self.flow.start
        first = (
            start if start and self.flow.node(start).kind not in (NodeKind.HANGUP, NodeKind.REJECT) else None
        )
        trigger = self.unique("Trigger")
        self.state(
            trigger,
            w.TRIGGER,
            [self.transition(e, first if e == "incomingCall" else None) for e in w.TRIGGER_EVENTS],
            {"offset": {"x": 0, "y": 0}}
            if not start
            else {"offset": _offset(self.flow.node(start), 0, -220)},
        )
        for node in self.flow:
            self.node(node)
        definition: dict[str, Any] = {
            "description": "",
            "states": self.states,
            "initial_state": trigger,
            "flags": {"allow_concurrent_calls": True},
        }
        extras = {
            "format": EXTRAS_FORMAT,
            "version": 1,
            "digest": widgets_digest(self.states),
            "flow": flow_to_dict(self.flow),
        }
        definition["description"] = EXTRAS_PREFIX + json.dumps(
            extras, separators=(",", ":"), ensure_ascii=False
        )
        return definition

    def node(self, node: Node) -> None:
        k = node.kind
        a = node.attributes
        if k in (NodeKind.SAY, NodeKind.PLAY, NodeKind.PAUSE):
            prompt = Prompt(k.value, node.text, dict(a))
            props = {**_message(prompt), "offset": _offset(node)}
            self.state(
                node.id, w.SAY_PLAY, [self.transition("audioComplete", self.target(node, "next"))], props
            )
        elif k == NodeKind.GATHER:
            self.gather(node)
        elif k == NodeKind.DIAL:
            number = to_studio(node.text.strip())
            props: dict[str, Any] = {"offset": _offset(node), **_props(a, w.CONNECT_PROPERTIES)}
            if number.lower().startswith("sip:"):
                props.update(noun="sip", sip_endpoint=number)
            else:
                props.update(noun="number", to=number)
            transitions = [
                self.transition("callCompleted", self.target(node, "next")),
                self.transition("hangup", None),
            ]
            self.state(node.id, w.CONNECT, transitions, props)
        elif k == NodeKind.RECORD:
            props = {"offset": _offset(node), **_props(a, w.RECORD_PROPERTIES)}
            transitions = [
                self.transition("recordingComplete", self.target(node, "next")),
                self.transition("noAudio", self.target(node, "empty")),
                self.transition("hangup", None),
            ]
            self.state(node.id, w.RECORD, transitions, props)
        elif k == NodeKind.REDIRECT:
            props = {"offset": _offset(node), "url": to_studio(node.text.strip())}
            if "method" in a:
                props["method"] = str(a["method"])
            self.state(
                node.id, w.REDIRECT, [self.transition(e, None) for e in w.WIDGET_EVENTS[w.REDIRECT]], props
            )
        elif k == NodeKind.ENQUEUE:
            props = {
                "offset": _offset(node),
                "queue_name": to_studio(node.text.strip()),
                **_props(a, w.ENQUEUE_PROPERTIES),
            }
            failed = self.target(node, "failed")
            transitions = [
                self.transition("callComplete", self.target(node, "next")),
                self.transition("failedToEnqueue", failed),
                self.transition("callFailure", failed),
            ]
            self.state(node.id, w.ENQUEUE, transitions, props)
        elif k == NodeKind.DECIDE:
            argument, conditions = split_from_decide(node.config)
            transitions = [self.transition("noMatch", self.target(node, "otherwise"))]
            for case, condition in zip(node.config.cases, conditions, strict=True):
                transitions.append(
                    self.transition("match", self.target(node, case.exit_name), conditions=[condition])
                )
            self.state(node.id, w.SPLIT, transitions, {"input": argument, "offset": _offset(node)})
        elif k == NodeKind.HOURS:
            # Studio has no business-hours widget: a split whose no match is the open exit.
            transitions = [self.transition("noMatch", self.target(node, "open"))]
            self.state(node.id, w.SPLIT, transitions, {"input": "", "offset": _offset(node)})
        elif k == NodeKind.SET:
            props = {"variables": variables_from_set(node.config), "offset": _offset(node)}
            self.state(node.id, w.SET_VARIABLES, [self.transition("next", self.target(node, "next"))], props)
        elif k == NodeKind.LOOKUP:
            props = {**request_from_lookup(node.config), "offset": _offset(node)}
            transitions = [
                self.transition("success", self.target(node, "ok")),
                self.transition("failed", self.target(node, "failed")),
            ]
            self.state(node.id, w.HTTP_REQUEST, transitions, props)
        elif isinstance(node.config, PlaceholderConfig):
            widget = node.config.widget()
            widget["properties"] = {**widget["properties"], "offset": _offset(node)}
            widget["transitions"] = [
                {**tr, **({"next": nxt} if (nxt := self.target(node, t.exit_name)) else {})}
                for t, tr in zip(node.config.transitions, widget["transitions"], strict=True)
            ]
            self.states.append({"name": node.id, **widget})
        elif (widget := placeholder_widget(node)) is not None:  # a file from before placeholder nodes
            widget = {**widget, "name": node.id}
            widget["properties"] = {**widget.get("properties", {}), "offset": _offset(node)}
            self.states.append(widget)
        # Hang up and Reject: no widget; transitions into them have no next.

    def gather(self, node: Node) -> None:
        a = dict(node.attributes)
        modes = str(a.get("input", "dtmf")).split()
        props: dict[str, Any] = {"offset": _offset(node)}
        props.update(_message(node.prompts[0] if node.prompts else None))
        props.update(_props(a, w.GATHER_PROPERTIES))
        props["stop_gather"] = a.get("finishOnKey", "#") != ""
        if props["stop_gather"] is False:
            props.pop("finish_on_key", None)
        no_match = self.target(node, "no_match")
        keyed = [b for b in node.branches if b.keys]
        spoken = [b for b in node.branches if b.phrases]
        keypress = speech = None
        if "dtmf" in modes:
            keypress = no_match
            if keyed:
                keypress = self.unique(f"{node.id}_keys")
        if "speech" in modes:
            speech = no_match
            if spoken:
                speech = self.unique(f"{node.id}_speech")
        transitions = [
            self.transition("keypress", keypress),
            self.transition("speech", speech),
            self.transition("timeout", self.target(node, "no_input")),
        ]
        self.state(node.id, w.GATHER, transitions, props)
        if keypress and keyed:
            self.split(node, keypress, "Digits", [(b.keys, b, "equal_to") for b in keyed], no_match, 140)
        if speech and spoken:
            cases = [(p, b, "contains") for b in spoken for p in b.phrases]
            self.split(node, speech, "SpeechResult", cases, no_match, 280)

    def split(self, node: Node, name: str, field: str, cases: list, no_match: str | None, dy: float) -> None:
        argument = f"{{{{widgets.{node.id}.{field}}}}}"
        transitions = [self.transition("noMatch", no_match)]
        for value, branch, op in cases:
            condition = {
                "friendly_name": f"If value {op} {value}",
                "arguments": [argument],
                "type": op,
                "value": value,
            }
            transitions.append(
                self.transition("match", self.target(node, branch.exit_name), conditions=[condition])
            )
        self.state(name, w.SPLIT, transitions, {"input": argument, "offset": _offset(node, 0, dy)})


#: The most states a definition may have: ``states.maxItems`` of Studio's published flow-definition schema
#: (as vendored; a test checks they agree). Studio's documentation speaks of 2,000 widgets, but a definition
#: over the schema's limit is one Studio's API may refuse, so export stops at it.
MAX_STATES = 1000


class StudioExportError(ValueError):
    """A flow that cannot be written as a Studio definition; the message says why and what to do."""


def export_studio(flow: Flow) -> dict[str, Any]:
    """The Studio flow definition of ``flow`` (a JSON-ready dict).

    Raises :class:`StudioExportError` when the definition would have more states than the schema allows.
    """
    definition = _Exporter(flow).export()
    count = len(definition["states"])
    if count > MAX_STATES:
        raise StudioExportError(
            f"'{flow.name[:60]}' makes {count:,} Studio widgets ({len(flow):,} nodes; a menu with keys and "
            f"phrases makes three, the trigger one more); Studio's flow-definition schema allows "
            f"{MAX_STATES:,}. Split the flow into smaller flows that hand the call over with a Redirect, "
            "or export it as a bundle instead"
        )
    return definition


def dumps_studio(flow: Flow) -> str:
    return json.dumps(export_studio(flow), indent=2, ensure_ascii=False) + "\n"


def schema_path():
    """The vendored Studio flow-definition schema (see its ``$comment`` for where each part comes from)."""
    from importlib.resources import files

    return files("ivr_studio.interop") / "schemas" / "studio-flow-definition.json"
