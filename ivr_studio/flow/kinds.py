"""The kinds of node a call flow is made of, and what each kind holds.

A node is one TwiML verb plus where the call goes next. Each kind says which verb it exports to, what its
text means (spoken text, a media URL, a number …), which of the verb's attributes the inspector offers, and
which fixed exits it has. Gather nodes also have one exit per branch (``branch:<id>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True)
class Exit:
    """One way out of a node: its name in the file, a label for people, and whether it is a branch."""

    name: str
    label: str
    kind: str = "next"  # next | branch | no_input | no_match | max_attempts | outcome


@dataclass(frozen=True)
class KindSpec:
    kind: NodeKind
    verb: str
    label: str
    text_label: str | None  # what the node's text is, or None when the verb has no text
    attributes: tuple[str, ...]
    exits: tuple[Exit, ...]
    terminal: bool = False


NEXT = Exit("next", "next")

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
        None,
        GATHER_ATTRIBUTES,
        (
            Exit("no_input", "no input", "no_input"),
            Exit("no_match", "no match", "no_match"),
            Exit("max_attempts", "too many attempts", "max_attempts"),
        ),
    ),
    NodeKind.SAY: KindSpec(NodeKind.SAY, "Say", "Say", "Text", ("voice", "language", "loop"), (NEXT,)),
    NodeKind.PLAY: KindSpec(NodeKind.PLAY, "Play", "Play", "Media URL", ("loop", "digits"), (NEXT,)),
    NodeKind.PAUSE: KindSpec(NodeKind.PAUSE, "Pause", "Pause", None, ("length",), (NEXT,)),
    NodeKind.DIAL: KindSpec(
        NodeKind.DIAL,
        "Dial",
        "Transfer",
        "Number or SIP address",
        ("timeout", "callerId", "timeLimit", "record", "hangupOnStar", "answerOnBridge", "ringTone"),
        (
            Exit("next", "after the call"),
            Exit("busy", "busy", "outcome"),
            Exit("no_answer", "no answer", "outcome"),
            Exit("failed", "failed", "outcome"),
        ),
    ),
    NodeKind.RECORD: KindSpec(
        NodeKind.RECORD,
        "Record",
        "Voicemail",
        None,
        ("maxLength", "timeout", "finishOnKey", "playBeep", "trim", "transcribe"),
        (Exit("next", "after recording"), Exit("empty", "nothing recorded", "no_input")),
    ),
    NodeKind.REDIRECT: KindSpec(
        NodeKind.REDIRECT, "Redirect", "Redirect", "URL", ("method",), (), terminal=True
    ),
    NodeKind.HANGUP: KindSpec(NodeKind.HANGUP, "Hangup", "Hang up", None, (), (), terminal=True),
    NodeKind.REJECT: KindSpec(NodeKind.REJECT, "Reject", "Reject", None, ("reason",), (), terminal=True),
}

#: Dial outcomes (DialCallStatus) that go to a dedicated exit when it is linked; others take ``next``.
DIAL_OUTCOME_EXITS = {"busy": "busy", "no-answer": "no_answer", "failed": "failed", "canceled": "failed"}


def spec_of(kind: NodeKind | str) -> KindSpec:
    return KIND_SPECS[NodeKind(kind)]
