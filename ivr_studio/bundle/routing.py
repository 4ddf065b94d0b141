"""The routing data the handler app reads: for each node, its kind and where each exit leads.

This is the only thing the deployed handler knows about the flow besides the TwiML documents, so it holds
exactly what routing needs: branches (keys and phrases), exits, retry limits and flow settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ivr_studio.bundle.handler.data import ROUTING_FORMAT
from ivr_studio.flow.calendars import read_calendar
from ivr_studio.flow.model import Flow
from ivr_studio.flow.placeholder import PlaceholderConfig

ROUTING_VERSION = 1
DYNAMIC_ROUTING_VERSION = 2  # logic nodes (placeholders too), captures, variables, env
#: What a prompt without a ``language`` speaks (Twilio's default for <Say> and <Gather>).
DEFAULT_LANGUAGE = "en-US"


def flow_language(flow: Flow) -> str:
    """The language the flow speaks: the one most of its prompts use, by the prompts' rule (a Say's own
    ``language``, else its Gather's, else en-US); on a tie the first one in the flow. Templates of logic
    nodes (Set, Decide, Look up) render ``money`` and ``datetime`` in it, as a prompt renders them in its own.
    """
    counts: dict[str, int] = {}
    for node in flow:
        own = node.attributes.get("language")
        node_language = str(own) if own else DEFAULT_LANGUAGE
        if node.kind.value in ("say", "gather"):
            counts[node_language] = counts.get(node_language, 0) + 1
        for prompt in node.prompts:
            if prompt.kind == "say":
                lang = prompt.attributes.get("language")
                key = str(lang) if lang else node_language
                counts[key] = counts.get(key, 0) + 1
    if not counts:
        return DEFAULT_LANGUAGE
    return max(counts, key=lambda lang: counts[lang])  # max keeps the first of equal counts


def routing_data(flow: Flow, base_dir: Path | None = None) -> dict[str, Any]:
    """The routing data of ``flow``; ``base_dir`` is where files the flow names (iCalendar) are found.

    Raises :class:`~ivr_studio.flow.calendars.CalendarError` when such a file cannot be used.
    """
    nodes: dict[str, Any] = {}
    for n in flow:
        entry: dict[str, Any] = {"kind": n.kind.value, "title": n.title}
        if n.config is not None:
            # a placeholder's handler needs only what a call does there, not the kept widget
            kept = isinstance(n.config, PlaceholderConfig)
            entry["config"] = n.config.handler_config() if kept else n.config.to_dict()
            source = getattr(n.config, "holidays", None)
            if source is not None and source.ical:
                entry["calendar"] = read_calendar((base_dir or Path(".")) / source.ical)
            # logic exits are resolved through their fallbacks here (holiday → closed)
            targets = {e.name: n.target_of(e.name) for e in n.exits()}
            entry["exits"] = {k: v for k, v in targets.items() if v is not None}
            nodes[n.id] = entry
            continue
        if n.capture:
            entry["capture"] = n.capture
        if n.spec.counts_attempts:
            entry["max_attempts"] = n.max_attempts
        if n.spec.item_exits == "branches":
            entry["input"] = str(n.attributes.get("input", "dtmf"))
            entry["branches"] = [
                {"id": b.id, "keys": b.keys, "phrases": list(b.phrases), "target": n.links.get(b.exit_name)}
                for b in n.branches
            ]
        exits = {e.name: n.links[e.name] for e in n.exits() if e.kind != "branch" and e.name in n.links}
        if exits:
            entry["exits"] = exits
        nodes[n.id] = entry
    out: dict[str, Any] = {
        "format": ROUTING_FORMAT,
        "version": DYNAMIC_ROUTING_VERSION if flow.uses_dynamic_features() else ROUTING_VERSION,
        "name": flow.name,
        "start": flow.start,
        "settings": dict(sorted(flow.settings.items())),
    }
    if flow.variables:
        out["variables"] = [v.to_dict() for v in flow.variables.values()]
    if flow.env:
        out["env"] = list(flow.env)
    language = flow_language(flow)
    if language != DEFAULT_LANGUAGE:
        out["language"] = language
    out["nodes"] = nodes
    return out
