"""Scenario files from a map: one per distinct path, each passing against the app as it answered.

Every exploring call becomes a call of a scenario file (``ivr-studio test``): its inputs as steps, and as
expectations the requests it made (path and method, in order), what it said, and how it ended. Calls that
saw the same requests and prompts as an earlier one are left out, so keys that all reach the same
"sorry" document make one file, not ten. A path that the map stopped before a ``<Dial>`` or ``<Record>``
expects only what came before it: when the test runs, the runtime simulates that verb (no real call is
placed; the app's action is requested with the simulated outcome).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ivr_studio.explore.mapper import ExploredPath, MapResult
from ivr_studio.files import write_text_atomic

#: At most this many prompts are expected per call: enough to pin the path, short enough to read.
MAX_SAYS = 12


def scenario_call(explored: ExploredPath) -> dict | None:
    """The scenario call of one explored path (None when the path could not be followed)."""
    log = explored.log
    if log.diverged:
        return None
    steps: list[dict] = []
    for item in explored.path:
        steps += item.script_steps()
    trace = log.trace
    hung_up = any(e["event"] == "hangup" and e.get("reason") == "caller hung up" for e in trace)
    last_decision = next((v for k, v in reversed(log.entries) if k == "decision"), None)
    stopped = bool(log.stopped_before)
    cut = len(trace)
    if stopped:
        cut = next((i for i, e in enumerate(trace) if e["event"] in ("dial", "record", "hangup")), len(trace))
    requests = [
        {"path": urlsplit(e["url"]).path or "/", "method": e["method"]}
        for e in trace[:cut]
        if e["event"] == "request" and e.get("purpose", "twiml") == "twiml" and e.get("status")
    ]
    says = [e["text"] for e in trace[:cut] if e["event"] == "say" and e.get("text", "").strip()]
    call: dict = {"name": _name(explored), "steps": steps}
    if hung_up and last_decision == "gather" and not stopped:
        steps += [{"wait_for": "listening"}, {"hangup": True}]
    call["expect_request"] = requests
    if says:
        call["expect_say"] = [_literal(s) for s in says[:MAX_SAYS]]
    if not stopped and not (hung_up and last_decision == "dial"):
        call["expect_end"] = log.status
    if not steps:
        steps.append({"wait_for": "hangup"})
    return call


def _literal(text: str) -> str:
    """``text`` as an expect_say pattern that matches it literally (a text like ``/x/`` would be a regex)."""
    text = " ".join(text.split())
    return f"/{re.escape(text)}/" if text.startswith("/") and text.endswith("/") else text


def _name(explored: ExploredPath) -> str:
    return " / ".join(i.label for i in explored.path) or "the call as it starts"


def write_scenarios(result: MapResult, folder: Path, target: str) -> list[Path]:
    """One scenario file per distinct path in ``folder``; ``target`` is written as each file's target."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    seen: set[tuple] = set()
    for explored in result.paths:
        call = scenario_call(explored)
        if call is None:
            continue
        signature = (
            tuple((r["path"], r["method"]) for r in call["expect_request"]),
            tuple(call.get("expect_say", ())),
            call.get("expect_end"),
        )
        if signature in seen:
            continue
        seen.add(signature)
        slug = re.sub(r"[^a-z0-9]+", "-", call["name"].lower()).strip("-")[:60] or "start"
        path = folder / f"{len(written) + 1:03d}-{slug}.test.yaml"
        doc = {"target": target, "calls": [call]}
        header = f"# Mapped from {result.url}: passes against the app as it answered when it was mapped.\n"
        write_text_atomic(path, header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110))
        written.append(path)
    return written
