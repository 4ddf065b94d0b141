"""Small valid inputs for hostile cases to start from (a flow, a script) and the example flow's text."""

from __future__ import annotations

import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_FLOW = REPO_ROOT / "resources" / "examples" / "support-line.ivrflow"


def example_flow_text() -> str:
    return EXAMPLE_FLOW.read_text(encoding="utf-8")


def tiny_flow(**node_changes: object) -> dict:
    """A one-menu flow as a dict: a Gather with one branch leading to a Say and a hang-up."""
    menu = {
        "id": "menu",
        "kind": "gather",
        "title": "Menu",
        "position": [0, 0],
        "attributes": {"input": "dtmf speech", "numDigits": 1, "timeout": 3},
        "prompts": [{"kind": "say", "text": "For sales press 1 or say sales."}],
        "branches": [{"id": "sales", "keys": "1", "phrases": ["sales"]}],
        "max_attempts": 2,
        "links": {"branch:sales": "bye", "no_input": "bye", "no_match": "bye", "max_attempts": "bye"},
    }
    menu.update(node_changes)
    bye = {"id": "bye", "kind": "hangup", "title": "Bye", "position": [300, 0]}
    return {"format": "ivrflow", "version": 1, "name": "Tiny", "start": "menu", "nodes": [menu, bye]}


def tiny_flow_text(**node_changes: object) -> str:
    return json.dumps(tiny_flow(**node_changes), indent=2)
