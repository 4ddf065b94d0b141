"""Script steps for the people around the caller: the dialled callee, other conference participants, the
agent who takes a queued call and other callers in a queue.

========================================================  ==========================================================
``{"callee": {"press": "1"}}``                            the callee presses keys (also ``{"say": …}``,
                                                          ``{"hangup": true}``) on their own leg: heard by the
                                                          whisper (``<Number url>``) running there, or hanging up
``{"conference": "join", "label": "agent"}``              someone joins the caller's conference (``name``: another
                                                          one); ``start_conference_on_enter`` (default true),
                                                          ``end_conference_on_exit`` (default false), ``muted``
``{"conference": "leave", "label": "agent"}``             they leave it
``{"conference": "end"}``                                 the conference ends for everyone (``name`` as above)
``{"dequeue": true, "url": "/connect", "duration": 30}``  an agent takes the first caller of the caller's queue
                                                          (``queue``: another one); ``url`` (``<Queue url>``) runs
                                                          on the dequeued caller's leg first, ``method``; the two
                                                          talk ``duration`` seconds (default 0)
``{"queue_caller": "support", "duration": 20}``           another caller joins queue ``support`` (``label``); they
                                                          talk ``duration`` seconds to whoever takes them
========================================================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ivr_studio.files import cut

TELEPHONY_KINDS = ("callee", "conference", "dequeue", "queue_caller")
#: Options each of these steps takes besides its own key.
TELEPHONY_OPTIONS: dict[str, set[str]] = {
    "callee": set(),
    "conference": {"label", "name", "start_conference_on_enter", "end_conference_on_exit", "muted"},
    "dequeue": {"queue", "url", "method", "duration"},
    "queue_caller": {"label", "duration"},
}
CALLEE_KINDS = ("press", "say", "hangup")
CONFERENCE_ACTIONS = ("join", "leave", "end")
#: The label the caller has in a conference; nobody else may take it.
CALLER_LABEL = "caller"
_NAME_MAX = 128


def _name(where: str, option: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _NAME_MAX:
        raise ValueError(f"{where}: {option} is a name of 1 to {_NAME_MAX} characters, not {cut(value)}")
    return value.strip()


def _flag(where: str, option: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: {option} is true or false, not {cut(value)}")
    return value


def parse_telephony_step(
    where: str,
    kind: str,
    value: Any,
    options: dict[str, Any],
    number: Callable[[str, str, Any], float],
    parse_inner: Callable[[Any], Any],
) -> Any:
    """Check one of these steps; returns its value (``options`` are checked in place). ``number(where, name,
    value)`` checks a number of seconds; ``parse_inner(raw)`` a step of the callee's (``{"press": "1"}``).
    Raises ValueError naming the step and the problem."""
    if kind == "callee":
        if not isinstance(value, dict) or len([k for k in value if k in CALLEE_KINDS]) != 1:
            raise ValueError(f'{where}: callee takes one of {", ".join(CALLEE_KINDS)}, as {{"press": "1"}}')
        return parse_inner(value)
    if kind == "conference":
        if value not in CONFERENCE_ACTIONS:
            raise ValueError(
                f"{where}: conference is one of {', '.join(CONFERENCE_ACTIONS)}, not {cut(value)}"
            )
        if value in ("join", "leave"):
            if "label" not in options:
                raise ValueError(f"{where}: conference {value} needs the participant's label")
            options["label"] = _name(where, "label", options["label"])
            if options["label"] == CALLER_LABEL:
                raise ValueError(
                    f"{where}: the label {CALLER_LABEL!r} is the caller's; name the participant otherwise"
                )
        elif "label" in options:
            raise ValueError(f"{where}: conference end takes no label")
        if "name" in options:
            options["name"] = _name(where, "name", options["name"])
        for flag in ("start_conference_on_enter", "end_conference_on_exit", "muted"):
            if flag in options:
                if value != "join":
                    raise ValueError(f"{where}: {flag} goes with conference: join")
                options[flag] = _flag(where, flag, options[flag])
        return value
    if kind == "dequeue":
        if value is not True:
            raise ValueError(f'{where}: write {{"dequeue": true}}')
        if "queue" in options:
            options["queue"] = _name(where, "queue", options["queue"])
        if "url" in options and (not isinstance(options["url"], str) or not options["url"].strip()):
            raise ValueError(f"{where}: url is the <Queue url> document's URL, not {cut(options['url'])}")
        method = str(options.get("method", "POST")).upper()
        if method not in ("GET", "POST"):
            raise ValueError(f"{where}: method is GET or POST, not {cut(options.get('method'))}")
        options["method"] = method
        options["duration"] = number(where, "duration", options.get("duration", 0.0))
        return value
    # queue_caller
    value = _name(where, "queue_caller", value)
    if "label" in options:
        options["label"] = _name(where, "label", options["label"])
    options["duration"] = number(where, "duration", options.get("duration", 0.0))
    return value
