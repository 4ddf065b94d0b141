"""Twilio's value rules for verb attributes: the effective value of each attribute, and the warnings.

``read_verb`` turns an element's string attributes into typed values. A bad value gives the verb-specific
warning and the attribute's default (spec §1.3, §5.3). Cross-attribute rules that Twilio warns about
(``speechTimeout="auto"`` with a ``speechModel``, models a language does not offer …) are here too, so the
flow validator and the runtime report exactly the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ivr_studio.twiml.diagnostics import Diagnostic, warning
from ivr_studio.twiml.languages import gather_languages
from ivr_studio.twiml.values import KNOWN_SPEECH_MODELS, BadValue
from ivr_studio.twiml.verbs import DIAL_NOUN_ATTRS, SAY_MAX_CHARS, VERB_ATTRS

#: speechModel values that only exist for languages marked "experimental" in the language list.
EXPERIMENTAL_MODELS = frozenset({"experimental_conversations", "experimental_utterances"})


@dataclass
class VerbAttributes:
    """Typed attribute values of one verb (defaults filled in) plus what was wrong with them."""

    verb: str
    values: dict[str, Any]
    present: frozenset[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def has(self, name: str) -> bool:
        """Whether the attribute was written (``finishOnKey=""`` is present; a missing one is not)."""
        return name in self.present


def read_attributes(tag: str, attrib: dict[str, str], specs: dict) -> VerbAttributes:
    values: dict[str, Any] = {}
    diagnostics: list[Diagnostic] = []
    present: set[str] = set()
    for name, spec in specs.items():
        if name not in attrib:
            values[name] = spec.default
            continue
        raw = attrib[name]
        try:
            values[name] = spec.parse(raw)
            present.add(name)
        except BadValue as exc:
            values[name] = spec.default
            shown = "" if spec.default is None else f"; using the default {_shown(spec.default)}"
            diagnostics.append(warning(spec.code, f"<{tag} {name}>: {exc}{shown}"))
    return VerbAttributes(tag, values, frozenset(present), diagnostics)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return repr(" ".join(sorted(value)))
    return repr(value) if isinstance(value, str) else str(value)


def read_verb(el: etree._Element) -> VerbAttributes:
    """Typed attributes of a verb element (Gather, Say, Play, Pause, Redirect, Reject, Dial, Record, Hangup)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    specs = VERB_ATTRS.get(tag) or DIAL_NOUN_ATTRS.get(tag) or {}
    attrs = read_attributes(tag, dict(el.attrib), specs)
    if tag == "Gather":
        _gather_rules(attrs)
    elif tag == "Say":
        _say_rules(el, attrs)
    return attrs


def _gather_rules(g: VerbAttributes) -> None:
    out = g.diagnostics
    if g.has("timeout") and g["timeout"] == 0:
        out.append(
            warning(
                13313,
                "<Gather timeout>: 0 is outside Twilio's range (a positive whole number); "
                "the Gather ends as soon as its prompt finishes",
            )
        )
    if g["speechTimeout"] is None:
        g.values["speechTimeout"] = g["timeout"] if g["timeout"] > 0 else 5
    out.extend(
        speech_model_rules(
            g["speechModel"], g["speechTimeout"], g["language"], g["enhanced"], g.has("enhanced")
        )
    )


def speech_model_rules(
    model: str | None,
    speech_timeout: int | str | None,
    language: str,
    enhanced: bool,
    enhanced_written: bool = True,
) -> list[Diagnostic]:
    """Twilio's rules that tie speechModel to speechTimeout, language and enhanced (spec §2.1, §2.4)."""
    out: list[Diagnostic] = []
    lang = gather_languages().get(language)
    if model:
        if model not in KNOWN_SPEECH_MODELS:
            out.append(warning(13334, f"<Gather speechModel>: {model!r} is not a speech model Twilio lists"))
        if speech_timeout == "auto":
            out.append(
                warning(
                    13335,
                    f"<Gather speechTimeout>: 'auto' is not allowed together with speechModel {model!r}",
                )
            )
        if model == "phone_call" and lang is not None and not lang.enhanced:
            out.append(
                warning(
                    13334, f"<Gather speechModel>: 'phone_call' is not available for {language} ({lang.name})"
                )
            )
        if model in EXPERIMENTAL_MODELS and lang is not None and not lang.experimental:
            out.append(
                warning(
                    13334, f"<Gather speechModel>: {model!r} is not available for {language} ({lang.name})"
                )
            )
    if enhanced and enhanced_written and model != "phone_call":
        out.append(
            warning(
                13334, "<Gather enhanced>: enhanced is only used with speechModel 'phone_call'; it is ignored"
            )
        )
    return out


def _say_rules(el: etree._Element, attrs: VerbAttributes) -> None:
    text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    if not text.strip():
        attrs.diagnostics.append(warning(13520, "<Say> has no text to speak"))
    elif len(text) > SAY_MAX_CHARS:
        attrs.diagnostics.append(
            warning(13521, f"<Say> text is {len(text):,} characters; Twilio's limit is {SAY_MAX_CHARS:,}")
        )
