"""Twilio's own rules for a verb's attributes and text, with Twilio's codes and severities."""

from __future__ import annotations

from ivr_studio.files import cut
from ivr_studio.flow.model import Node, Prompt
from ivr_studio.twiml.build import is_attribute_name
from ivr_studio.twiml.diagnostics import Diagnostic, error, warning
from ivr_studio.twiml.diagnostics import Severity as S
from ivr_studio.twiml.values import BadValue, format_value
from ivr_studio.twiml.verbs import ENQUEUE_ATTRS, SAY_MAX_CHARS, VERB_ATTRS

#: What the text of a kind that cannot do without it is, for IVR011.
TEXT_NEEDED = {
    "play": "a media URL",
    "dial": "a number or SIP address",
    "redirect": "a URL",
    "enqueue": "a queue name",
}


def attributes(node: Node) -> list[Diagnostic]:
    """Each Twilio attribute of the node's verb is one the verb has, with a value Twilio accepts."""
    return attribute_problems(node.spec.verb, node.attributes, "attributes")


def say_text(node: Node) -> list[Diagnostic]:
    return say_text_problems(node.text, "text")


def queue_attributes(node: Node) -> list[Diagnostic]:
    """<Enqueue>'s attributes (the TwiML tables list only the verbs the local runtime runs)."""
    out = []
    for name, value in node.attributes.items():
        where = f"attributes.{name}"
        if name == "waitUrlMethod" and str(value).upper() not in ("GET", "POST"):
            out.append(
                warning(12200, f"waitUrlMethod must be GET or POST, not {str(value)[:20]!r}", path=where)
            )
        elif name == "maxQueueSize":
            out.extend(_max_queue_size(value, where))
        elif name not in ("waitUrl", "waitUrlMethod", "workflowSid"):
            out.append(warning(12200, f"<Enqueue> has no attribute {name!r}; Twilio ignores it", path=where))
    return out


def _max_queue_size(value: object, where: str) -> list[Diagnostic]:
    """``maxQueueSize``: the size of the queue this Enqueue creates, a whole number from 1 to 5,000 (the
    most a Twilio queue holds); Twilio ignores any other value and the queue gets its default size."""
    try:
        ENQUEUE_ATTRS["maxQueueSize"].parse(format_value(value))
    except BadValue:
        return [
            warning(
                12200,
                f"<Enqueue maxQueueSize> must be a whole number from 1 to 5000, not {cut(value, 30)}; "
                "Twilio ignores it and the queue holds its default 1000 callers",
                path=where,
                fix="Correct maxQueueSize",
            )
        ]
    return []


def needs_text(node: Node) -> list[Diagnostic]:
    """IVR011: a Play, Dial or Redirect with nothing to play, call or fetch."""
    what = TEXT_NEEDED.get(node.kind.value)
    if what is None or node.text.strip():
        return []
    return [error("IVR011", f"'{node.title}' needs {what}", path="text", fix=f"Enter {what}")]


def call_ends_after(node: Node) -> list[Diagnostic]:
    """IVR014 (a note): nothing follows this prompt, so the call ends after it."""
    if "next" in node.links:
        return []
    return [
        Diagnostic(
            "IVR014",
            S.INFO,
            f"The call ends after '{node.title}'",
            path="links.next",
            fix="Link 'next' to continue",
        )
    ]


def attribute_problems(verb: str, attributes: dict, path: str) -> list[Diagnostic]:
    specs = VERB_ATTRS.get(verb, {})
    out = []
    for name, value in attributes.items():
        spec = specs.get(name)
        where = f"{path}.{name}"
        if not is_attribute_name(name):
            out.append(
                error(
                    "IVR015",
                    f"<{verb}> attribute name {cut(name, 40)} is not a valid XML name; it cannot be exported",
                    path=f"{path}[{cut(name, 40)}]",
                    fix="Delete the attribute",
                )
            )
            continue
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


def say_text_problems(text: str, path: str) -> list[Diagnostic]:
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


def prompt_problems(prompts: list[Prompt]) -> list[Diagnostic]:
    out = []
    for i, p in enumerate(prompts):
        base = f"prompts[{i}]"
        out.extend(attribute_problems(p.verb, p.attributes, f"{base}.attributes"))
        if p.kind == "say":
            out.extend(say_text_problems(p.text, f"{base}.text"))
        elif p.kind == "play" and not p.text.strip() and "digits" not in p.attributes:
            out.append(error("IVR011", "A Play prompt needs a media URL or digits", path=f"{base}.text"))
    return out
