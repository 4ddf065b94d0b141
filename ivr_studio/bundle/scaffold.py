"""The handler app and deployment files of a bundle: app.py, ivr_handler/, requirements, README, Dockerfile, tests.

The handler package (:mod:`ivr_studio.bundle.handler`) is copied verbatim as ``ivr_handler/``, so the code
that runs behind the user's Twilio number is exactly the code the local runtime drives and our tests
check. The generated test suite describes *this* flow in tables (every branch by key and by phrase, the
retry paths, every transfer and voicemail outcome); the expected targets are computed here from the
flow's links, independently of the handler's routing code, so the suite checks the handler rather than
restating it. Logic nodes get one test per exit (see :mod:`ivr_studio.bundle.logic_cases`): a fake clock
for Hours, a stub back-end for Look ups, the caller's number or the call's variables for Decide.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from string import Template
from typing import Any

from ivr_studio.bundle import handler
from ivr_studio.bundle.handler.documents import GOODBYE, HANGUP
from ivr_studio.bundle.handler.retries import DIAL_OUTCOME_EXITS, DIAL_STATUSES
from ivr_studio.bundle.logic_cases import base_state, logic_cases
from ivr_studio.bundle.templates import deploy, flow_tests
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node, has_template

HANDLER_PACKAGE = "ivr_handler"
PROMPT_KINDS = (NodeKind.SAY, NodeKind.PLAY, NodeKind.PAUSE)
NONSENSE = "zyzzyva quixotic flummox"


def copy_handler(dest: Path) -> None:
    """Copy the handler package's modules (not caches) into ``dest``."""
    src = Path(handler.__file__).resolve().parent
    dest.mkdir()
    for path in sorted(src.glob("*.py")):
        shutil.copyfile(path, dest / path.name)


def _literal(value: Any) -> str:
    """A Python literal with one entry per line, so the tables read like tables."""
    if isinstance(value, list) and value:
        return "[\n" + "".join(f"    {item!r},\n" for item in value) + "]"
    if isinstance(value, dict) and value:
        return "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in value.items()) + "}"
    return repr(value)


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _accepts(node: Node) -> set[str]:
    return set(str(node.attributes.get("input", "dtmf")).split()) or {"dtmf"}


def _comes_back(flow: Flow, menu: Node, exit_name: str) -> bool:
    """Whether the exit leads back to the menu through prompts alone (so a test can follow it as Twilio would)."""
    target = menu.links.get(exit_name, menu.id)
    seen: set[str] = set()
    while target != menu.id:
        node = flow.nodes.get(target)
        if node is None or node.kind not in PROMPT_KINDS or target in seen or "next" not in node.links:
            return False
        seen.add(target)
        target = node.links["next"]
    return True


def _shown(flow: Flow, target: str) -> str | None:
    """The node whose TwiML answers when the call goes to ``target``; None when a logic node decides it."""
    node = flow.nodes.get(target)
    return None if node is not None and node.spec.is_logic else target


def _templated(node: Node) -> bool:
    return has_template(node.text) or any(has_template(p.text) for p in node.prompts)


def _no_match_keys(menu: Node) -> str:
    taken = {"".join(b.keys.split()) for b in menu.branches}
    for candidate in [*"9876543210*#", "999", "0000"]:
        if candidate not in taken:
            return candidate
    return "9" * 12


def flow_tables(flow: Flow, base_dir: Path | None = None) -> dict[str, Any]:
    """The tables of the generated test suite, from the flow's branches and links."""
    choices: list[tuple[str, str, str, str, str]] = []
    menus: dict[str, dict[str, Any]] = {}
    failures: list[tuple[str, str, int, str]] = []
    dials: list[tuple[str, str, str]] = []
    records: list[tuple[str, str]] = []
    captured: list[tuple[str, str]] = []
    for node in flow:
        if node.kind == NodeKind.GATHER:
            modes = _accepts(node)
            seen_keys: set[str] = set()
            seen_phrases: set[str] = set()
            for b in node.branches:
                target = _shown(flow, node.links.get(b.exit_name, HANGUP))
                keys = "".join(b.keys.split())
                if "dtmf" in modes and keys and keys not in seen_keys:
                    choices.append((node.id, b.id, "keys", keys, target))
                seen_keys.add(keys)
                for phrase in b.phrases:
                    said = _words(phrase)
                    if "speech" in modes and said and said not in seen_phrases:
                        choices.append((node.id, b.id, "speech", phrase.strip(), target))
                    seen_phrases.add(said)
            gives_up_at = _shown(flow, node.links.get("max_attempts", GOODBYE))
            menus[node.id] = {
                "max_attempts": node.max_attempts,
                "keys": _no_match_keys(node) if "dtmf" in modes else None,
                "speech": NONSENSE,
                "no_input_returns": _comes_back(flow, node, "no_input"),
                "gives_up_at": gives_up_at,
            }
            captures = bool(node.capture and "captured" in node.links)
            if captures:  # input no branch claims is captured, so only silence is a failure
                captured.append((node.id, "424242" if "dtmf" in modes else "something else"))
            for outcome in ("no_input",) if captures else ("no_input", "no_match"):
                for attempt in range(1, node.max_attempts + 1):
                    expected = (
                        _shown(flow, node.links.get(outcome, node.id))
                        if attempt < node.max_attempts
                        else gives_up_at
                    )
                    failures.append((node.id, outcome, attempt, expected))
        elif node.kind == NodeKind.DIAL:
            for status in sorted(DIAL_STATUSES):
                exit_name = DIAL_OUTCOME_EXITS.get(status, "next")
                dials.append((node.id, status, _shown(flow, node.target_of(exit_name) or HANGUP)))
        elif node.kind == NodeKind.RECORD:
            records.append((node.id, _shown(flow, node.links.get("next", HANGUP))))
    logic, uncovered = logic_cases(flow, base_dir)
    return {
        "choices": choices,
        "menus": menus,
        "failures": failures,
        "dials": dials,
        "records": records,
        "captured": captured,
        "logic": logic,
        "uncovered": uncovered,
        "base_state": base_state(flow),
    }


def test_suite(flow: Flow, base_dir: Path | None = None) -> str:
    """The text of ``tests/test_flow.py`` for this flow."""
    static = [n.id for n in flow if not n.spec.is_logic and not _templated(n)]
    templated = [n.id for n in flow if not n.spec.is_logic and _templated(n)]
    header = Template(flow_tests.HEADER).substitute(
        name_literal=repr(flow.name),
        start=repr(_shown(flow, flow.start) if flow.start else None),
        nodes=_literal(static),
        templated=_literal(templated),
    )
    data = flow_tables(flow, base_dir)
    tables = Template(flow_tests.TABLES).substitute({k: _literal(v) for k, v in data.items()})
    parts = [header, tables, flow_tests.BODY]
    if data["menus"]:
        parts.append(flow_tests.MENU_TESTS)
    if data["dials"]:
        parts.append(flow_tests.DIAL_TESTS)
    if data["records"]:
        parts.append(flow_tests.RECORD_TESTS)
    if data["logic"] or templated:
        parts.append(flow_tests.LOGIC_TESTS)
    if data["captured"]:
        parts.append(flow_tests.CAPTURE_TESTS)
    if data["uncovered"]:
        parts.append(flow_tests.UNCOVERED_TEST)
    parts.append(flow_tests.SAFETY_TESTS)
    return "".join(parts)


def write_scaffold(folder: Path, flow: Flow, base_dir: Path | None = None) -> None:
    """Write the handler app and its deployment files into ``folder``."""
    copy_handler(folder / HANDLER_PACKAGE)
    (folder / "app.py").write_text(deploy.APP_PY, encoding="utf-8")
    (folder / "requirements.txt").write_text(deploy.REQUIREMENTS, encoding="utf-8")
    (folder / "requirements-dev.txt").write_text(deploy.REQUIREMENTS_DEV, encoding="utf-8")
    (folder / "Dockerfile").write_text(deploy.DOCKERFILE, encoding="utf-8")
    (folder / ".dockerignore").write_text(deploy.DOCKERIGNORE, encoding="utf-8")
    dynamic_note = ""
    if flow.uses_dynamic_features():
        env_list = (
            "Set these environment variables for the templates that read them: "
            + ", ".join(f"`{name}`" for name in flow.env)
            + ".\n"
            if flow.env
            else ""
        )
        dynamic_note = Template(deploy.DYNAMIC_NOTE).substitute(env_list=env_list)
    from ivr_studio import __version__  # read from the package metadata only here (it is slow to read)

    readme = Template(deploy.README).substitute(
        name=flow.name,
        nodes=len(flow),
        start=flow.start or "(none)",
        dynamic_note=dynamic_note,
        version=__version__,
    )
    (folder / "README.md").write_text(readme, encoding="utf-8")
    tests = folder / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text(deploy.CONFTEST, encoding="utf-8")
    (tests / "test_flow.py").write_text(test_suite(flow, base_dir), encoding="utf-8")
