"""Logic steps on the call's timeline: which condition matched, which schedule interval applied, which
Look up answered what.

A request an IVR Studio handler answered after walking logic nodes carries the steps it took in the trace
(``logic`` of the request event: node, kind, exit and a one-line detail, from ``X-IVR-Steps``), and each
back-end request a Look up made follows as a ``lookup`` event. These helpers turn them into timeline rows;
:class:`~ivr_studio.ui.call.timeline.CallTimeline` shows them, naming nodes and exits the way the editor
does when it is told how (:data:`Names`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: (node id, exit name) → (the node's title, the exit's label); the ids themselves when not known.
Names = Callable[[str, str], tuple[str, str]]

KIND_LABELS = {"hours": "Hours", "decide": "Decide", "set": "Set", "lookup": "Look up"}
#: The kind when a handler did not say it (an older bundle): told apart by the exit taken.
EXIT_KINDS = {"open": "hours", "closed": "hours", "holiday": "hours", "otherwise": "decide", "next": "set"}


def plain_names(node: str, exit_name: str) -> tuple[str, str]:
    return node, exit_name


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hop_kind(hop: Mapping[str, Any]) -> str:
    kind = str(hop.get("kind") or "")
    if kind in KIND_LABELS:
        return kind
    exit_name = str(hop.get("exit") or "")
    if exit_name.startswith("case:"):
        return "decide"
    if exit_name in ("ok", "failed"):
        return "lookup"
    return EXIT_KINDS.get(exit_name, "")


def describe_hop(hop: Mapping[str, Any], names: Names = plain_names) -> tuple[str, str]:
    """(label, text) of one logic step: ``Hours`` / ``“Office hours” → Open: Wed 2026-12-23 10:00 CET:
    open (09:00–17:00)``."""
    node, exit_name = str(hop.get("node") or "?"), str(hop.get("exit") or "?")
    title, exit_label = names(node, exit_name)
    kind = hop_kind(hop)
    label = KIND_LABELS.get(kind, "Logic")
    detail = _cut(str(hop.get("detail") or ""), 200)
    if kind == "decide" and exit_name == "otherwise":
        detail = detail or "no case held"
    elif kind == "decide" and detail:
        detail = f"matched {detail}"
    text = f"“{_cut(title, 40)}” → {_cut(exit_label, 60)}"
    return label, f"{text}: {detail}" if detail else text


def describe_answer(event: Mapping[str, Any]) -> str:
    """What a Look up asked and got: ``GET https://api…/balance?acct=1 → 200 {"amount": 12} (stub, 80 ms)``."""
    asked = f"{event.get('method', 'GET')} {_cut(str(event.get('url') or '(no URL)'), 120)}"
    if event.get("error"):
        got = _cut(str(event["error"]), 120)
    else:
        status = event.get("status")
        body = " ".join(str(event.get("body") or "").split())
        got = f"{status}" + (f" {_cut(body, 120)}" if body else "")
    notes = []
    if event.get("stubbed"):
        notes.append("stub")
    if isinstance(event.get("ms"), (int, float)):
        notes.append(f"{float(event['ms']):.0f} ms")
    return f"{asked} → {got}" + (f" ({', '.join(notes)})" if notes else "")
