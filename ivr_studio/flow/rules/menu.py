"""IVR Studio's rules for menus (Gather nodes): branches, keys, phrases, prompts, no-input handling, hints."""

from __future__ import annotations

from ivr_studio.files import cut
from ivr_studio.flow.hints import gather_hints
from ivr_studio.flow.model import Node
from ivr_studio.flow.rules.verbs import prompt_problems
from ivr_studio.twiml.diagnostics import Diagnostic, error, warning
from ivr_studio.twiml.rules import read_attributes, speech_model_rules
from ivr_studio.twiml.values import GATHER_KEYS, HINT_MAX_CHARS, HINTS_MAX_ENTRIES, format_value
from ivr_studio.twiml.verbs import VERB_ATTRS


def _has_words(phrase: str) -> bool:
    """Whether the handler's matcher keeps anything of ``phrase``: it keeps only letters, digits, * and #
    (an emoji-only phrase matches nothing)."""
    return any(c.isalnum() or c in "*#" for c in phrase)


def _gather_settings(node: Node):
    as_text = {k: format_value(v) for k, v in node.attributes.items()}
    return read_attributes("Gather", as_text, VERB_ATTRS["Gather"])


def menu(node: Node) -> list[Diagnostic]:
    """Everything that can be wrong with one menu on its own (IVR003–IVR009, IVR012, IVR013, 13335 …)."""
    out = prompt_problems(node.prompts)
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
                if phrase.strip() and not _has_words(phrase):
                    out.append(
                        warning(
                            "IVR016",
                            f"The phrase {cut(phrase, 40)} of branch {label} has no letters or digits: "
                            "no answer can ever match it",
                            path=f"{where}.phrases",
                            fix="Write the words callers say",
                        )
                    )
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
