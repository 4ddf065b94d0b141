"""Where the call goes after a menu, a transfer or a recording: the routing decisions, as pure functions.

A menu counts the caller's failed attempts; the count travels with the call in its state cookie (see
:mod:`.state`), so it survives any node between a failure and the menu (a "Sorry" prompt, a transfer that
fails, another menu) and any number of workers can serve one call. A failed attempt (no input, no match)
goes to the menu's ``no_input``/``no_match`` exit (or replays the menu itself when that exit is unlinked)
and the count is kept in :attr:`Step.failed_attempts`; once ``max_attempts`` tries have failed, the
``max_attempts`` exit is taken, and when that is unlinked the caller hears a polite goodbye. A choice that
matches, or giving up, starts the menu's count afresh.

Request values come from the caller's side of the wire, so every parser here accepts any text and falls
back to a safe value, reporting what it did not like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .data import Node
from .matching import match_digits, match_speech

#: DialCallStatus → the Dial node's exit for that outcome (when linked; otherwise ``next``).
DIAL_OUTCOME_EXITS = {"busy": "busy", "no-answer": "no_answer", "failed": "failed", "canceled": "failed"}
DIAL_STATUSES = frozenset({"completed", "answered", *DIAL_OUTCOME_EXITS})
MAX_DIGITS = 64


@dataclass(frozen=True)
class Step:
    """What to answer with: a node or, when ``node`` is None, hang up.

    ``outcome`` names what happened (``branch:sales``, ``no_match``, ``dial:busy`` …) for the log and the
    ``X-IVR-Outcome`` header; ``goodbye`` asks for the polite goodbye instead of a bare hang-up;
    ``failed_attempts`` is the menu's count of failed attempts to remember (0: forget it).
    """

    node: str | None
    outcome: str
    failed_attempts: int = 0
    goodbye: bool = False
    note: str | None = None
    exit: str | None = None  # the flow exit taken (``branch:sales``, ``no_input``, ``busy``, ``next`` …)

    @property
    def accepted(self) -> bool:
        """Whether a menu took the caller's input: a branch matched it, or the menu captured it. A no-input,
        a no-match (a flood of keys, speech below the confidence floor) and giving up are not."""
        return self.exit == "captured" or (self.exit or "").startswith("branch:")


def after_failure(menu: Node, attempt: int, exit_name: str, note: str | None = None) -> Step:
    """The next step after attempt ``attempt`` of ``menu`` ended with no input or no match."""
    if attempt >= menu.max_attempts:
        target = menu.exits.get("max_attempts")
        outcome = f"{exit_name}:max_attempts"
        if target is None:
            return Step(None, outcome, goodbye=True, note=note, exit="max_attempts")
        return Step(target, outcome, note=note, exit="max_attempts")
    target = menu.exits.get(exit_name, menu.id)
    return Step(target, exit_name, failed_attempts=attempt, note=note, exit=exit_name)


def _confidence(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    if value is None or math.isnan(value):
        return None
    return value


def _unclaimed(menu: Node, attempt: int) -> Step:
    """Input no branch claims: a capturing menu's ``captured`` exit when linked, else a no-match."""
    if menu.capture and "captured" in menu.exits:
        return Step(menu.exits["captured"], "captured", exit="captured")
    return after_failure(menu, attempt, "no_match")


def gather_result(
    menu: Node,
    attempt: int,
    *,
    digits: str | None,
    speech: str | None,
    confidence: str | None,
    no_input: bool,
    min_confidence: float,
) -> Step:
    """Route a Gather's action request (or its no-input fall-through) to the next step.

    ``attempt`` is this attempt's number: one more than the failed attempts the call remembers.
    """
    digits = (digits or "").strip()
    speech = (speech or "").strip()
    if no_input or (not digits and not speech):
        return after_failure(menu, attempt, "no_input")
    if digits and menu.dtmf:
        if len(digits) > MAX_DIGITS:
            return after_failure(menu, attempt, "no_match", f"{len(digits)} digits is too many")
        branch = match_digits(digits, menu.branches)
        if branch is not None:
            return Step(branch.target, f"branch:{branch.id}", exit=f"branch:{branch.id}")
        return _unclaimed(menu, attempt)
    if speech and menu.speech:
        level = _confidence(confidence)
        if level is not None and level < min_confidence:
            note = f"confidence {level:.2f} is below {min_confidence:.2f}"
            return after_failure(menu, attempt, "no_match", note)
        branch = match_speech(speech[:500], menu.branches)
        if branch is not None:
            return Step(branch.target, f"branch:{branch.id}", exit=f"branch:{branch.id}")
        return _unclaimed(menu, attempt)
    ignored = "keys" if digits else "speech"
    return after_failure(menu, attempt, "no_match", f"{ignored} not accepted by this menu")


def dial_result(node: Node, status: str | None) -> Step:
    """Route a Dial's action request by ``DialCallStatus``: its outcome exit when linked, else ``next``."""
    status = (status or "").strip().lower()
    known = status in DIAL_STATUSES
    note = None if known else f"unknown DialCallStatus {status[:30]!r}"
    exit_name = DIAL_OUTCOME_EXITS.get(status)
    if exit_name and exit_name in node.exits:
        return Step(node.exits[exit_name], f"dial:{status}", exit=exit_name)
    # an unknown status is named in the log line (quoted), never in the outcome a header carries
    return Step(node.exits.get("next"), f"dial:{status if known else 'unknown'}", note=note, exit="next")


#: QueueResult values (Twilio's <Enqueue> action) with an exit of their own; others take ``next``. Twilio
#: names a queue that shut down ``system-shutdown`` (spec §4.9); a failure either way takes ``failed``.
QUEUE_RESULT_EXITS = {"queue-full": "full", "error": "failed", "system-shutdown": "failed"}


def queue_result(node: Node, result: str | None) -> Step:
    """Route an Enqueue's action request by ``QueueResult``: ``full``/``failed`` when linked, else ``next``."""
    result = (result or "").strip().lower()[:40]
    exit_name = QUEUE_RESULT_EXITS.get(result)
    if exit_name and exit_name in node.exits:
        return Step(node.exits[exit_name], f"queue:{result}", exit=exit_name)
    return Step(node.exits.get("next"), f"queue:{result or 'unknown'}", exit="next")


def record_result(node: Node) -> Step:
    """Route a Record's action request (a recording was made) to ``next``."""
    return Step(node.exits.get("next"), "recorded", exit="next")
