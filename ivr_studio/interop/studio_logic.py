"""Studio's logic widgets ↔ the flow's logic nodes: Split Based On ↔ Decide, Set Variables ↔ Set,
Make HTTP Request ↔ Look up.

Import and export share these tables so an operator or property is spelled one way in both directions.
Liquid names inside every value are rewritten (:mod:`.liquid_names`). What one side cannot say is left to
the caller: a split with a condition of several parts or a variable name the flow model refuses becomes a
placeholder on import; an Hours
node has no Studio widget and is written as a Split Based On whose *no match* is its *open* exit (the flow's
own nodes, kept in the definition's description, bring it back unchanged).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ivr_studio.flow.logic import (
    METHODS,
    NAME_PATTERN,
    Assignment,
    Case,
    DecideConfig,
    LookupConfig,
    SetConfig,
)
from ivr_studio.interop.liquid_names import to_local, to_studio

#: Studio's Split Based On condition type → Decide's operator (and back).
STUDIO_OPS: dict[str, str] = {
    "equal_to": "equals",
    "not_equal_to": "not_equals",
    "matches_any_of": "one_of",
    "does_not_match_any_of": "none_of",
    "is_blank": "is_empty",
    "is_not_blank": "is_not_empty",
    "regex": "regex",
    "contains": "contains",
    "does_not_contain": "not_contains",
    "starts_with": "starts_with",
    "does_not_start_with": "not_starts_with",
    "less_than": "less_than",
    "greater_than": "greater_than",
    "is_before_time": "before_time",
    "is_after_time": "after_time",
    "is_before_date": "before_date",
    "is_after_date": "after_date",
}
LOCAL_OPS = {v: k for k, v in STUDIO_OPS.items()}
JSON_TYPE = "application/json;charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
_PARSED = re.compile(r"\bwidgets\.([A-Za-z0-9_-]+)\.parsed\.([A-Za-z0-9_.-]+)")


def decide_from_split(state: dict) -> tuple[DecideConfig, list[tuple[str, str | None]]] | str:
    """A Decide configuration and (case exit, Studio next) pairs, or why the split cannot be one."""
    cases: list[Case] = []
    nexts: list[tuple[str, str | None]] = []
    default = str(state.get("properties", {}).get("input", ""))
    for t in state.get("transitions", []):
        if t["event"] != "match":
            continue
        conds = t.get("conditions", [])
        if len(conds) != 1 or not isinstance(conds[0], dict):
            return "a match with more than one condition"
        c = conds[0]
        op = STUDIO_OPS.get(str(c.get("type")))
        if op is None:
            return f"Decide has no operator for {str(c.get('type'))[:30]!r}"
        args = c.get("arguments") or [default]
        value = to_local(str(args[0]))[0]
        operand = to_local(str(c.get("value", "")))[0]
        case = Case(f"c{len(cases) + 1}", value, op, operand, str(c.get("friendly_name", ""))[:100])
        cases.append(case)
        nexts.append((case.exit_name, t.get("next")))
    return DecideConfig(tuple(cases)), nexts


def split_from_decide(config: DecideConfig) -> tuple[str, list[dict]]:
    """A split's ``input`` and one condition per case (in case order)."""
    conditions = []
    for c in config.cases:
        value = to_studio(c.value)
        conditions.append(
            {
                "friendly_name": c.label or c.describe(),
                "arguments": [value],
                "type": LOCAL_OPS[c.op],
                "value": to_studio(c.operand),
            }
        )
    return (to_studio(config.cases[0].value) if config.cases else ""), conditions


def set_from_variables(state: dict) -> SetConfig | str:
    """A Set from a Set Variables widget, or why it cannot be one (a key the flow model refuses)."""
    out = []
    for v in state.get("properties", {}).get("variables", []) or []:
        if not isinstance(v, dict) or not isinstance(v.get("key"), str):
            return "a variable without a key"
        if not NAME_PATTERN.match(v["key"]):
            return f"{v['key'][:40]!r} is not a variable name IVR Studio accepts"
        out.append(Assignment(v["key"], to_local(str(v.get("value", "")))[0]))
    return SetConfig(tuple(out))


def variables_from_set(config: SetConfig) -> list[dict[str, str]]:
    """A Set Variables widget's ``variables`` for a Set."""
    return [{"key": a.name, "value": to_studio(a.value)} for a in config.assignments]


def lookup_from_request(state: dict, kept: dict[str, set[str]]) -> LookupConfig | str:
    """A Look up from a Make HTTP Request; ``kept`` holds, by widget name, the ``parsed`` paths the whole
    definition reads (only those travel on with the call).

    A GET's parameters are its query; another method's are form fields, unless the content type is JSON,
    whose ``body`` is the request's body. A query written into the URL stays there.
    """
    p = state.get("properties", {})
    method = str(p.get("method", "GET")).upper()
    if method not in METHODS or not isinstance(p.get("url"), str):
        return "a request without a URL or with an unknown method"
    params = tuple(
        (str(x.get("key", "")), to_local(str(x.get("value", "")))[0])
        for x in p.get("parameters", []) or []
        if isinstance(x, dict) and x.get("key")
    )
    content = str(p.get("content_type", ""))
    body_kind, body, form, query = "none", "", (), ()
    if method == "GET":
        query = params
    if content.startswith("application/json") and p.get("body"):
        body_kind, body = "json", to_local(str(p["body"]))[0]
    elif method != "GET" and params:
        body_kind, form = "form", params
    keep = tuple(sorted(kept.get(state["name"], set())))[:20]
    return LookupConfig(to_local(p["url"])[0], method, query, (), body_kind, body, form, keep=keep)


def request_from_lookup(config: LookupConfig) -> dict[str, Any]:
    """A Make HTTP Request widget's properties for a Look up. Studio's widget has no query of its own for
    a method other than GET (its parameters are the body): such a query is written into the URL."""
    url = to_studio(config.url)
    if config.method != "GET" and config.query:
        pairs = "&".join(f"{k}={to_studio(v)}" for k, v in config.query)
        url += ("&" if "?" in url else "?") + pairs
    props: dict[str, Any] = {"method": config.method, "url": url}
    if config.body_kind == "json":
        props["content_type"] = JSON_TYPE
        props["body"] = to_studio(config.body)
    else:
        pairs = config.query if config.method == "GET" else config.form
        if pairs:
            props["parameters"] = [{"key": k, "value": to_studio(v)} for k, v in pairs]
        if config.method != "GET":
            props["content_type"] = FORM_TYPE
    return props


def parsed_paths(states: list[dict]) -> dict[str, set[str]]:
    """Every ``widgets.X.parsed.path`` the definition reads, by widget name."""
    text = json.dumps(states)
    out: dict[str, set[str]] = {}
    for name, path in _PARSED.findall(text):
        out.setdefault(name, set()).add(path.rstrip("."))
    return out
