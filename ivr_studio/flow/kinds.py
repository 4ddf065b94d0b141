"""The kinds of node a call flow is made of: the one place that knows what a kind is.

Every layer asks this table instead of branching on the kind. A :class:`KindSpec` says which family the kind
belongs to (a *verb* node answers with TwiML; a *logic* node is evaluated by the handler and only picks an
exit), what it is called and what it is for (the palette and quick-add show ``description``), what its text
means (spoken text, a media URL, a number …), which of the verb's Twilio attributes the inspector offers,
its fixed exits (each with the exit taken instead when it is not linked), which node field holds its
per-item exits (a menu's branches), and whether it counts attempts.

Each layer then keeps one registry keyed by kind for what only it knows — the TwiML builder
(:data:`ivr_studio.bundle.documents.BUILDERS`), the handler's per-kind rules
(``ivr_studio.bundle.handler.kinds.KINDS``), the canvas style (``ivr_studio.ui.canvas.style.KIND_STYLES``)
and the inspector sections (``ivr_studio.ui.inspector.sections.SECTIONS``) — and a test checks that every
:class:`NodeKind` is in every one of them, so a new kind cannot be half added.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ivr_studio.flow.logic import DecideConfig, HoursConfig, LookupConfig, SetConfig
from ivr_studio.flow.placeholder import PlaceholderConfig


class NodeKind(StrEnum):
    GATHER = "gather"
    SAY = "say"
    PLAY = "play"
    PAUSE = "pause"
    DIAL = "dial"
    RECORD = "record"
    REDIRECT = "redirect"
    HANGUP = "hangup"
    REJECT = "reject"
    ENQUEUE = "enqueue"
    HOURS = "hours"
    DECIDE = "decide"
    SET = "set"
    LOOKUP = "lookup"
    PLACEHOLDER = "placeholder"


class Family(StrEnum):
    """A verb node answers the call with TwiML; a logic node is evaluated by the handler and picks an exit."""

    VERB = "verb"
    LOGIC = "logic"


@dataclass(frozen=True)
class Exit:
    """One way out of a node: its name in the file, a label for people, and what kind of exit it is.

    ``fallback`` names the exit taken instead when this one is not linked (a transfer's ``busy`` falls back
    to ``next``). ``retries`` marks a menu's failure exits, which replay the menu when not linked.
    ``optional`` exits exist only while the node's configuration can take them (``shows_exit`` of the
    config) or while they are linked: an Hours node has a ``holiday`` port only once it has a holiday source.
    """

    name: str
    label: str
    kind: str = "next"  # next | branch | case | no_input | no_match | max_attempts | outcome | failed
    fallback: str | None = None
    retries: bool = False
    optional: bool = False


@dataclass(frozen=True)
class KindSpec:
    """Everything the layers need to know about one kind of node."""

    kind: NodeKind
    verb: str  # the TwiML verb it exports to (for a logic node, the name shown in the inspector)
    label: str
    description: str  # what it is for, in the caller's terms (palette tooltip, quick-add search)
    text_label: str | None  # what the node's text is, or None when the kind has no text
    attributes: tuple[str, ...]
    exits: tuple[Exit, ...]
    family: Family = Family.VERB
    item_exits: str | None = None  # per-item exits: "branches" (a menu's), "cases" (Decide's), "transitions"
    config: type | None = None  # the class of the node's ``config`` (logic kinds), see flow.logic
    counts_attempts: bool = False  # the node has max_attempts and retry exits
    terminal: bool = False  # the call never goes on after it
    may_end_call: bool = False  # the call can end here even with every exit linked (the callee hangs up)
    addable: bool = True  # offered in the palette and quick-add (a placeholder only comes from an import)

    @property
    def is_logic(self) -> bool:
        return self.family == Family.LOGIC


NEXT = Exit("next", "next")
#: A capturing menu's exit for input that no branch claims (the input is in the capture variable).
CAPTURED = Exit("captured", "entered", "next", fallback="no_match")

GATHER_ATTRIBUTES = (
    "input",
    "timeout",
    "finishOnKey",
    "numDigits",
    "speechTimeout",
    "maxSpeechTime",
    "language",
    "speechModel",
    "enhanced",
    "hints",
    "profanityFilter",
    "actionOnEmptyResult",
    "partialResultCallback",
    "partialResultCallbackMethod",
    "bargeIn",
)

KIND_SPECS: dict[NodeKind, KindSpec] = {
    NodeKind.GATHER: KindSpec(
        NodeKind.GATHER,
        "Gather",
        "Menu",
        "menu: ask the caller to press a key or say something",
        None,
        GATHER_ATTRIBUTES,
        (
            Exit("no_input", "no input", "no_input", retries=True),
            Exit("no_match", "no match", "no_match", retries=True),
            Exit("max_attempts", "too many attempts", "max_attempts"),
        ),
        item_exits="branches",
        counts_attempts=True,
    ),
    NodeKind.SAY: KindSpec(
        NodeKind.SAY, "Say", "Say", "speak a message", "Text", ("voice", "language", "loop"), (NEXT,)
    ),
    NodeKind.PLAY: KindSpec(
        NodeKind.PLAY, "Play", "Play", "play an audio file", "Media URL", ("loop", "digits"), (NEXT,)
    ),
    NodeKind.PAUSE: KindSpec(
        NodeKind.PAUSE, "Pause", "Pause", "wait a few seconds", None, ("length",), (NEXT,)
    ),
    NodeKind.DIAL: KindSpec(
        NodeKind.DIAL,
        "Dial",
        "Transfer",
        "transfer the call to a number",
        "Number or SIP address",
        ("timeout", "callerId", "timeLimit", "record", "hangupOnStar", "answerOnBridge", "ringTone"),
        (
            Exit("next", "after the call"),
            Exit("busy", "busy", "outcome", fallback="next"),
            Exit("no_answer", "no answer", "outcome", fallback="next"),
            Exit("failed", "failed", "outcome", fallback="next"),
        ),
        may_end_call=True,
    ),
    NodeKind.RECORD: KindSpec(
        NodeKind.RECORD,
        "Record",
        "Voicemail",
        "voicemail: record a message",
        None,
        ("maxLength", "timeout", "finishOnKey", "playBeep", "trim", "transcribe"),
        (Exit("next", "after recording"), Exit("empty", "nothing recorded", "no_input")),
    ),
    NodeKind.REDIRECT: KindSpec(
        NodeKind.REDIRECT,
        "Redirect",
        "Redirect",
        "continue in another TwiML app",
        "URL",
        ("method",),
        (),
        terminal=True,
    ),
    NodeKind.HANGUP: KindSpec(
        NodeKind.HANGUP, "Hangup", "Hang up", "end the call", None, (), (), terminal=True
    ),
    # <Enqueue>: the caller waits in a named queue until an agent takes the call; in a test call the caller
    # waits (hearing the wait music) until a script step dequeues the call or the caller hangs up.
    NodeKind.ENQUEUE: KindSpec(
        NodeKind.ENQUEUE,
        "Enqueue",
        "Queue",
        "queue: hold the caller in a call queue until an agent answers",
        "Queue name",
        ("waitUrl", "waitUrlMethod", "workflowSid"),
        (
            Exit("next", "after the queue"),
            Exit("full", "queue full", "outcome", fallback="next"),
            Exit("failed", "failed", "outcome", fallback="next"),
        ),
        may_end_call=True,
    ),
    NodeKind.REJECT: KindSpec(
        NodeKind.REJECT,
        "Reject",
        "Reject",
        "reject the call without answering",
        None,
        ("reason",),
        (),
        terminal=True,
    ),
    NodeKind.HOURS: KindSpec(
        NodeKind.HOURS,
        "Hours",
        "Hours",
        "business hours: open, closed or a public holiday, in the line's time zone",
        None,
        (),
        (
            Exit("open", "open"),
            Exit("closed", "closed", "outcome"),
            Exit("holiday", "holiday", "outcome", fallback="closed", optional=True),
        ),
        family=Family.LOGIC,
        config=HoursConfig,
    ),
    NodeKind.DECIDE: KindSpec(
        NodeKind.DECIDE,
        "Decide",
        "Decide",
        "decide: a split on the caller's number, a variable or a look-up result",
        None,
        (),
        (Exit("otherwise", "otherwise"),),
        family=Family.LOGIC,
        item_exits="cases",
        config=DecideConfig,
    ),
    NodeKind.SET: KindSpec(
        NodeKind.SET,
        "Set",
        "Set variables",
        "set variables: counters, flags, values spoken later",
        None,
        (),
        (NEXT,),
        family=Family.LOGIC,
        config=SetConfig,
    ),
    NodeKind.LOOKUP: KindSpec(
        NodeKind.LOOKUP,
        "Lookup",
        "Look up",
        "look up: ask a back-end over HTTP (a balance, an account)",
        None,
        (),
        (Exit("ok", "ok"), Exit("failed", "failed", "failed")),
        family=Family.LOGIC,
        config=LookupConfig,
    ),
    # A widget of another tool (a Studio Run Function …) kept as it was: one exit per original transition;
    # the handler does not run it (see flow.placeholder for what a call that reaches it does).
    NodeKind.PLACEHOLDER: KindSpec(
        NodeKind.PLACEHOLDER,
        "Kept widget",
        "Placeholder",
        "a Studio widget IVR Studio cannot run, kept as it was; a test call ends there or goes on",
        None,
        (),
        (),
        family=Family.LOGIC,
        item_exits="transitions",
        config=PlaceholderConfig,
        may_end_call=True,
        addable=False,
    ),
}

#: The logic kinds, in table order.
LOGIC_KINDS = tuple(k for k, s in KIND_SPECS.items() if s.family == Family.LOGIC)


def spec_of(kind: NodeKind | str) -> KindSpec:
    # A kind's value finds its spec directly (NodeKind is a StrEnum); converting first costs more than the
    # lookup, and a flow asks for the spec of every node many times as it opens.
    spec = KIND_SPECS.get(kind) if isinstance(kind, str) else None  # type: ignore[call-overload]
    return spec if spec is not None else KIND_SPECS[NodeKind(kind)]


def kind_title(kind: NodeKind | str) -> str:
    """``Menu (Gather)``, or just the label when it is the verb's own name."""
    spec = spec_of(kind)
    return f"{spec.label} ({spec.verb})" if spec.label != spec.verb else spec.label
