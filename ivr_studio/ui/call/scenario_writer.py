"""Save as test: a finished test call becomes a scenario for ``ivr-studio test`` (pure Python, no Qt).

The caller's actions are read back from the call's trace — each key as a ``press`` step, each recognised
utterance as a ``say`` step with its text, confidence and how long it was spoken, the dialled party's
behaviour as ``dial_outcome`` and a hang-up as ``hangup`` — with ``wait`` steps for the gaps between them,
so the replay on virtual time does what the live call did when it did it. A key or utterance the live call
ignored (a key during a prompt outside any menu) is written with ``may_be_ignored: true``: the replay
ignores it too, and a script step with no effect otherwise fails the test. Speech becomes text rather than
audio so the test does not depend on a recogniser. The path becomes expectations: ``expect_node`` for each
node the call visited, the last prompt as ``expect_say`` and the call's final status as ``expect_end``.
A call of the flow made at a chosen time or with back-end stubs keeps them as ``at:``, ``tz:`` and
``backend:``. The file format is the one :mod:`ivr_studio.runtime.scenario` reads.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from ivr_studio.runtime.settings import RuntimeSettings

#: Waits shorter than this are dropped (they are scheduling noise of the live call, not the caller).
MIN_WAIT = 0.01


def _real_node(node: Any) -> bool:
    return isinstance(node, str) and bool(node) and not node.startswith("(")


def caller_steps(
    trace: Sequence[Mapping[str, Any]],
    dial_outcomes: Iterable[tuple[float, str, float]] = (),
    around: Iterable[tuple[float, dict[str, Any]]] = (),
) -> list[dict[str, Any]]:
    """The caller's part of a call as script steps, with ``wait`` steps matching the gaps; ``around`` are the
    steps of the people around the caller (a ``dequeue``, ``conference: end``) at their call times."""
    actions: list[tuple[float, dict[str, Any], float]] = []  # (start time, step, how long it lasts)
    speech_start: float | None = None
    heard = False  # a verb took some of the utterance so far
    for event in trace:
        kind = event.get("event")
        t = float(event.get("t", 0.0))
        if kind == "dtmf":
            step: dict[str, Any] = {"press": str(event["key"])}
            if not event.get("accepted", True):
                step["may_be_ignored"] = True  # the call ignored it live, and will again
            actions.append((t, step, 0.0))
        elif kind == "speech" and event.get("phase") == "start":
            speech_start = t if speech_start is None else speech_start
            heard = heard or bool(event.get("accepted", True))
        elif kind == "speech" and event.get("phase") == "partial":
            heard = heard or bool(event.get("accepted", True))
        elif kind == "speech" and event.get("phase") == "final":
            start = t if speech_start is None else speech_start
            heard = heard or bool(event.get("accepted", True))
            speech_start, was_heard, heard = None, heard, False
            text = str(event.get("text") or "")
            if not text:
                continue
            duration = round(max(0.3, t - start), 2)
            step = {"say": text, "duration": duration}
            if event.get("confidence") is not None:
                step["confidence"] = round(float(event["confidence"]), 3)
            if not was_heard:
                step["may_be_ignored"] = True
            actions.append((start, step, duration))
        elif kind == "hangup" and event.get("reason") == "caller hung up":
            actions.append((t, {"hangup": True}, 0.0))
    for t, status, duration in dial_outcomes:
        step = {"dial_outcome": status}
        if duration:
            step["duration"] = duration
        actions.append((t, step, 0.0))
    for t, step in around:
        actions.append((t, dict(step), 0.0))
    actions.sort(key=lambda a: a[0])
    steps: list[dict[str, Any]] = []
    cursor = 0.0
    for t, step, duration in actions:
        gap = round(t - cursor, 2)
        if gap >= MIN_WAIT:
            steps.append({"wait": gap})
        steps.append(step)
        cursor = max(cursor, t) + duration
    return steps


def changed_settings(settings: RuntimeSettings) -> dict[str, Any]:
    """The settings that differ from the defaults (the scenario needs them to replay the same way)."""
    default = RuntimeSettings()
    return {
        f.name: getattr(settings, f.name)
        for f in fields(RuntimeSettings)
        if getattr(settings, f.name) != getattr(default, f.name)
    }


def scenario_for_call(
    trace: Sequence[Mapping[str, Any]],
    target: str,
    *,
    name: str = "test call",
    status: str | None = None,
    settings: RuntimeSettings | None = None,
    dial_outcomes: Iterable[tuple[float, str, float]] = (),
    around: Iterable[tuple[float, dict[str, Any]]] = (),
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The scenario (as a mapping ready for YAML) that replays this call and checks its path.

    ``options`` are the target options the call ran with (``at``, ``tz``, ``backend`` — see
    :meth:`~ivr_studio.ui.call.call_options.CallOptions.scenario_options`), written at the top so the
    replay meets the same time and back-end."""
    call: dict[str, Any] = {"name": name, "steps": caller_steps(trace, dial_outcomes, around)}
    nodes = [
        e["node"]
        for e in trace
        if e.get("event") == "request" and e.get("purpose", "twiml") == "twiml" and _real_node(e.get("node"))
    ]
    if nodes:
        call["expect_node"] = nodes
    says = [str(e.get("text")) for e in trace if e.get("event") == "say" and e.get("text")]
    if says:
        call["expect_say"] = [says[-1]]
    if status is None:
        ends = [e for e in trace if e.get("event") == "call_end"]
        status = str(ends[-1]["status"]) if ends else None
    if status:
        call["expect_end"] = status
    duration = max((float(e.get("t", 0.0)) for e in trace), default=0.0)
    call["max_duration"] = max(60, int(duration * 2) + 10)
    data: dict[str, Any] = {"target": target}
    data.update({k: v for k, v in (options or {}).items() if k in ("at", "tz", "backend")})
    extra = changed_settings(settings) if settings is not None else {}
    if extra:
        data["settings"] = extra
    data["calls"] = [call]
    return data


def target_relative_to(flow_path: Path, scenario_path: Path) -> str:
    """The flow's path as the scenario should name it: relative to the scenario's folder (POSIX slashes)."""
    relative = os.path.relpath(Path(flow_path).resolve(), Path(scenario_path).resolve().parent)
    return Path(relative).as_posix()


def scenario_yaml(data: Mapping[str, Any]) -> str:
    """YAML text for a scenario mapping, keys in the order given (target, settings, calls)."""
    import yaml

    header = "# Recorded with IVR Studio's test-call panel. Run with: ivr-studio test <this file>\n"
    return header + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=110)
