"""Liquid templates in a flow, checked at design time: syntax errors and the values a template reads.

Prompt text, Play URLs, Dial numbers, Redirect URLs and logic nodes' values may hold Liquid templates
(python-liquid, the language Twilio Studio uses). The exported handler renders them per request (see the
handler's ``templates`` module, the one environment with the filters and limits); this module only parses,
so the validator and the editor can say what is wrong and which values a template uses without rendering.

What a template may read:

- ``call.from``, ``call.to``, ``call.sid``, ``call.digits``, ``call.speech`` (the caller's last input);
- ``vars.<name>`` — a declared call variable (``Flow.variables``) or a menu's capture;
- ``steps.<node>.status`` / ``steps.<node>.body.<path>`` — a Look up's answer (only its ``keep`` paths
  travel beyond the request that made it); ``steps.<node>.state`` — an Hours node's open/closed/holiday;
- ``env.<NAME>`` — an environment variable of the handler, declared in ``Flow.env`` (secrets stay out of
  the flow file);
- ``now`` (the handler's time) and ``language`` (the language of the prompt being spoken).

Filters beyond Liquid's standard ones (:data:`PHONE_FILTERS`): ``digits`` (say digits one by one),
``money`` (an amount with its currency, in words, in the prompt's language), ``datetime`` (a date or time
in the prompt's language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from liquid import Environment, StrictDefaultUndefined
from liquid.exceptions import LiquidError

#: The namespaces a template may read, and what each holds.
NAMESPACES = {
    "call": "the call: from, to, sid, digits, speech",
    "vars": "the call's variables",
    "steps": "results of earlier logic steps",
    "env": "the handler's declared environment variables",
    "now": "the handler's current time",
    "language": "the language of the prompt being spoken",
}
CALL_FIELDS = ("from", "to", "sid", "digits", "speech")
#: Filters the handler adds to Liquid's standard ones (the handler's templates module defines them).
PHONE_FILTERS = ("digits", "money", "datetime")
#: Liquid tags a flow's template may not use: they would read other templates (no loader exists).
FORBIDDEN_TAGS = ("include", "render")
MAX_TEMPLATE_CHARS = 4000


@dataclass(frozen=True)
class TemplateInfo:
    """What parsing a template found: an error (None when it parses), and the dotted values it reads."""

    error: str | None = None
    reads: tuple[tuple[str | int, ...], ...] = field(default_factory=tuple)  # e.g. ("vars", "account")
    filters: tuple[str, ...] = ()

    def names(self, namespace: str) -> set[str]:
        """The second segment of every read in ``namespace`` (``vars.account`` → ``account``)."""
        return {str(r[1]) for r in self.reads if r and r[0] == namespace and len(r) > 1}


class _Environment(Environment):
    pass


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = _Environment(undefined=StrictDefaultUndefined)
    for tag in FORBIDDEN_TAGS:
        env.tags.pop(tag, None)
    return env


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


@lru_cache(maxsize=4096)
def analyse(text: str) -> TemplateInfo:
    """Parse ``text`` and report its error or what it reads (cached: the validator runs on every edit)."""
    if len(text) > MAX_TEMPLATE_CHARS:
        return TemplateInfo(f"the template is {len(text):,} characters; the limit is {MAX_TEMPLATE_CHARS:,}")
    if "{{" not in text and "{%" not in text:
        return TemplateInfo()
    env = _environment()
    try:
        template = env.from_string(text)
        analysis = template.analyze()
    except LiquidError as exc:
        return TemplateInfo(_first_line(exc))
    except Exception as exc:  # python-liquid raises plain errors for some malformed input
        return TemplateInfo(_first_line(exc))
    reads = []
    for variables in analysis.globals.values():
        for variable in variables:
            reads.append(tuple(variable.segments))
    filters = tuple(sorted(analysis.filters))
    unknown = [f for f in filters if f not in env.filters and f not in PHONE_FILTERS]
    if unknown:
        return TemplateInfo(f"unknown filter {unknown[0]!r}", tuple(reads), filters)
    for tag in analysis.tags:
        if tag in FORBIDDEN_TAGS:
            return TemplateInfo(f"the {tag!r} tag is not available in phone menus", tuple(reads), filters)
    return TemplateInfo(None, tuple(dict.fromkeys(reads)), filters)
