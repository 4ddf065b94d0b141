"""The flow validator: Twilio's rules for what we export, plus IVR Studio's graph rules.

Twilio's own warnings keep Twilio's codes (13313, 13335 …) and severities, so what the editor shows is what
Twilio's debugger would say. IVR Studio's rules about the call graph use ``IVR`` codes:

======  ========  ==========================================================================
code    severity  rule
======  ========  ==========================================================================
IVR001  error     the flow has no start node
IVR002  warning   a node cannot be reached from the start
IVR003  error     a menu branch leads nowhere
IVR004  error     two branches of a menu claim the same key
IVR005  error     a branch's key can never be entered (too long for numDigits, contains
                  finishOnKey, or not a keypad key)
IVR006  error/wn  phrases on a keypad-only menu (the branch can never be chosen, or its
                  phrases are ignored)
IVR007  error/wn  keys on a speech-only menu
IVR008  error     one phrase is claimed by two branches
IVR009  warning   a menu with no no-input handling
IVR010  error     a loop the caller can never leave
IVR011  error     a node needs text it does not have (media URL, number, redirect URL)
IVR012  warning   a branch with neither a key nor a phrase
IVR013  warning   hints over Twilio's limits (entries left out of the export)
IVR014  info      the call ends after this node
======  ========  ==========================================================================
"""

from __future__ import annotations

from collections import defaultdict

from ivr_studio.flow.graph import closed_loops, flow_graph, reachable_from_start
from ivr_studio.flow.hints import gather_hints
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node, Prompt
from ivr_studio.twiml.diagnostics import Diagnostic, error, warning
from ivr_studio.twiml.diagnostics import Severity as S
from ivr_studio.twiml.rules import read_attributes, speech_model_rules
from ivr_studio.twiml.values import GATHER_KEYS, HINT_MAX_CHARS, HINTS_MAX_ENTRIES, BadValue, format_value
from ivr_studio.twiml.verbs import SAY_MAX_CHARS, VERB_ATTRS

_SEVERITY_ORDER = {S.ERROR: 0, S.WARNING: 1, S.INFO: 2}


def validate_flow(flow: Flow) -> list[Diagnostic]:
    """Every problem in the flow: errors first, then warnings, then notes, each in flow order."""
    out: list[Diagnostic] = []
    if flow.start is None:
        out.append(
            error("IVR001", "The flow has no start node", fix="Right-click a node and choose 'Set as start'")
        )
    graph = flow_graph(flow)
    reachable = reachable_from_start(flow, graph)
    for node in flow:
        out.extend(d.located(node.id) for d in _node_problems(node))
        if flow.start is not None and node.id not in reachable:
            out.append(
                warning(
                    "IVR002",
                    f"'{node.title}' cannot be reached from the start",
                    node_id=node.id,
                    fix="Link an exit to it, or delete it",
                )
            )
    for loop in closed_loops(flow, graph):
        names = " → ".join(f"'{flow.node(n).title}'" for n in loop)
        out.append(
            error(
                "IVR010",
                f"Callers who reach {names} can never leave: the loop has no way out and never hangs up",
                node_id=loop[0],
                fix="Link one of these exits to a node outside the loop, or end the call",
            )
        )
    order = {node_id: i for i, node_id in enumerate(flow.nodes)}
    out.sort(key=lambda d: (_SEVERITY_ORDER[d.severity], order.get(d.node_id or "", -1)))
    return out


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


# ---------------------------------------------------------------------------------------------- per node
def _node_problems(node: Node) -> list[Diagnostic]:
    out = _attribute_problems(node.spec.verb, node.attributes, "attributes")
    if node.kind == NodeKind.SAY:
        out.extend(_say_text_problems(node.text, "text"))
    if node.kind in (NodeKind.PLAY, NodeKind.DIAL, NodeKind.REDIRECT) and not node.text.strip():
        what = {
            NodeKind.PLAY: "a media URL",
            NodeKind.DIAL: "a number or SIP address",
            NodeKind.REDIRECT: "a URL",
        }
        out.append(
            error(
                "IVR011",
                f"'{node.title}' needs {what[node.kind]}",
                path="text",
                fix=f"Enter {what[node.kind]}",
            )
        )
    if node.kind == NodeKind.GATHER:
        out.extend(_gather_problems(node))
    elif node.kind in (NodeKind.SAY, NodeKind.PLAY, NodeKind.PAUSE) and "next" not in node.links:
        out.append(
            Diagnostic(
                "IVR014",
                S.INFO,
                f"The call ends after '{node.title}'",
                path="links.next",
                fix="Link 'next' to continue",
            )
        )
    return out


def _attribute_problems(verb: str, attributes: dict, path: str) -> list[Diagnostic]:
    specs = VERB_ATTRS.get(verb, {})
    out = []
    for name, value in attributes.items():
        spec = specs.get(name)
        where = f"{path}.{name}"
        if spec is None:
            out.append(warning(12200, f"<{verb}> has no attribute {name!r}; Twilio ignores it", path=where))
            continue
        try:
            spec.parse(format_value(value))
        except BadValue as exc:
            default = (
                ""
                if spec.default is None
                else f"; Twilio will use the default {format_value(spec.default)!r}"
            )
            out.append(
                warning(spec.code, f"<{verb} {name}>: {exc}{default}", path=where, fix=f"Correct {name}")
            )
    if verb == "Gather" and attributes.get("timeout") == 0:
        out.append(
            warning(
                13313,
                "<Gather timeout>: 0 is outside Twilio's range; use a positive number",
                path=f"{path}.timeout",
            )
        )
    return out


def _say_text_problems(text: str, path: str) -> list[Diagnostic]:
    if not text.strip():
        return [
            warning(13520, "<Say> has no text to speak", path=path, fix="Type what the caller should hear")
        ]
    if len(text) > SAY_MAX_CHARS:
        return [
            warning(
                13521,
                f"<Say> text is {len(text):,} characters; Twilio's limit is {SAY_MAX_CHARS:,}",
                path=path,
            )
        ]
    return []


def _prompt_problems(prompts: list[Prompt]) -> list[Diagnostic]:
    out = []
    for i, p in enumerate(prompts):
        base = f"prompts[{i}]"
        out.extend(_attribute_problems(p.verb, p.attributes, f"{base}.attributes"))
        if p.kind == "say":
            out.extend(_say_text_problems(p.text, f"{base}.text"))
        elif p.kind == "play" and not p.text.strip() and "digits" not in p.attributes:
            out.append(error("IVR011", "A Play prompt needs a media URL or digits", path=f"{base}.text"))
    return out


def _gather_settings(node: Node):
    as_text = {k: format_value(v) for k, v in node.attributes.items()}
    return read_attributes("Gather", as_text, VERB_ATTRS["Gather"])


def _gather_problems(node: Node) -> list[Diagnostic]:
    out = _prompt_problems(node.prompts)
    g = _gather_settings(node)
    out.extend(
        d.located(path="attributes.speechModel")
        for d in speech_model_rules(
            g["speechModel"],
            g["speechTimeout"] if g.has("speechTimeout") else g["timeout"],
            g["language"],
            g["enhanced"],
            g.has("enhanced"),
        )
    )
    modes = g["input"]
    num_digits = g["numDigits"]
    finish = g["finishOnKey"]
    if not node.prompts:
        out.append(warning("IVR009", f"'{node.title}' has no prompt: callers hear silence", path="prompts"))
    keys_seen: dict[str, str] = {}
    phrase_owner: dict[str, str] = {}
    for i, b in enumerate(node.branches):
        where = f"branches[{i}]"
        label = b.label()
        if b.exit_name not in node.links:
            out.append(
                error("IVR003", f"Branch {label} leads nowhere", path=where, fix="Drag its port to a node")
            )
        if not b.keys and not [p for p in b.phrases if p.strip()]:
            out.append(warning("IVR012", "A branch has neither a key nor a phrase", path=where))
        if b.keys:
            out.extend(_key_problems(b.keys, label, num_digits, finish, where))
            if b.keys in keys_seen:
                out.append(
                    error(
                        "IVR004",
                        f"Key {b.keys} is claimed by two branches",
                        path=f"{where}.keys",
                        fix="Give each branch its own key",
                    )
                )
            keys_seen.setdefault(b.keys, b.id)
            if "dtmf" not in modes:
                sev = error if not b.phrases else warning
                out.append(
                    sev(
                        "IVR007",
                        f"Key {b.keys} on a speech-only menu can never be pressed",
                        path=f"{where}.keys",
                        fix="Add dtmf to input",
                    )
                )
        if b.phrases:
            if "speech" not in modes:
                sev = error if not b.keys else warning
                out.append(
                    sev(
                        "IVR006",
                        f"Phrases of branch {label} are ignored: the menu does not listen for speech",
                        path=f"{where}.phrases",
                        fix="Set input to 'dtmf speech'",
                    )
                )
            for phrase in b.phrases:
                norm = " ".join(phrase.lower().split())
                if norm in phrase_owner and phrase_owner[norm] != b.id:
                    out.append(
                        error(
                            "IVR008",
                            f'The phrase "{phrase}" is claimed by two branches',
                            path=f"{where}.phrases",
                        )
                    )
                phrase_owner.setdefault(norm, b.id)
    if "no_input" not in node.links and "max_attempts" not in node.links:
        out.append(
            warning(
                "IVR009",
                f"'{node.title}' has no no-input handling: silent callers hear it {node.max_attempts} times, then are hung up on",
                path="links.no_input",
                fix="Link the 'no input' exit",
            )
        )
    if "speech" in modes:
        hints = gather_hints(node)
        if hints.too_long:
            out.append(
                warning(
                    "IVR013",
                    f'Hint "{hints.too_long[0][:40]}…" is longer than {HINT_MAX_CHARS} characters and is left out',
                    path="attributes.hints",
                )
            )
        if hints.dropped_for_count:
            out.append(
                warning(
                    "IVR013",
                    f"{hints.dropped_for_count} hints over Twilio's limit of {HINTS_MAX_ENTRIES} are left out",
                    path="attributes.hints",
                )
            )
    return out


def _key_problems(keys: str, label: str, num_digits: int | None, finish: str, where: str) -> list[Diagnostic]:
    out = []
    bad = sorted({c for c in keys if c not in GATHER_KEYS})
    if bad:
        out.append(
            error(
                "IVR005",
                f"Key {keys!r} contains {''.join(bad)!r}, which is not on a keypad",
                path=f"{where}.keys",
            )
        )
    if num_digits is not None and len(keys) > num_digits:
        out.append(
            error(
                "IVR005",
                f"Key {keys} has {len(keys)} digits but the menu stops listening after numDigits={num_digits}",
                path=f"{where}.keys",
                fix="Shorten the key or raise numDigits",
            )
        )
    if finish and finish in keys:
        out.append(
            error(
                "IVR005",
                f"Key {keys} contains the finishOnKey '{finish}', which ends input instead of being entered",
                path=f"{where}.keys",
                fix="Use another key, or set finishOnKey to another key or off",
            )
        )
    return out


def summarize(diagnostics: list[Diagnostic]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for d in diagnostics:
        counts[str(d.severity)] += 1
    return {k: counts.get(k, 0) for k in ("error", "warning", "info")}
