"""IVR Studio's rules for dynamic flows: templates, variables, logic nodes, loops and the state's size.

=======  ========  ===========================================================================
code     severity  rule
=======  ========  ===========================================================================
IVR020   error     a template does not parse (or uses an unknown filter or tag)
IVR021   error     a template reads a value that is unknown, undeclared, or never set on any
                   path from the start to the node
IVR022   error     a Decide case's operand is unusable (a bad regex, not a number, not a time)
IVR023   error     an Hours or Decide node names a time zone that does not exist
IVR024   err/wn    an Hours schedule whose intervals overlap or run backwards / is never open
IVR025   error     a Look up whose ``failed`` exit leads nowhere
IVR026   error     Look ups in a row (no caller in between) that could outlast Twilio's 15 s
IVR027   error     logic nodes that loop among themselves with no caller input in between
IVR028   warning   a logic exit leads nowhere: the call hangs up there
IVR029   error     the call's state could outgrow its cookie (4,000 bytes)
IVR030   error     an Hours node's holiday source is unusable (unknown country, unreadable file)
IVR031   error     a Look up with no URL, or a Set/capture into an undeclared variable
IVR036   warning   a Decide regex whose repeated group repeats inside: matching can take
                   exponential time
=======  ========  ===========================================================================

The handler enforces at run time what these check at design time: it stops a request after
``MAX_LOGIC_STEPS`` logic steps or when one logic node repeats ``MAX_NODE_REPEATS`` times (Twilio Studio
stops an execution at 1,000 steps and at 10 repeats of one widget), and a walk of logic nodes never
runs past the 15-second webhook budget.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import networkx as nx

from ivr_studio.files import cut
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.logic import (
    UNARY_OPERATORS,
    DecideConfig,
    HoursConfig,
    LookupConfig,
    SetConfig,
    date_problem,
    regex_problem,
    regex_risk,
)
from ivr_studio.flow.model import Flow, Node
from ivr_studio.flow.templates import CALL_FIELDS, NAMESPACES, analyse
from ivr_studio.twiml.diagnostics import Diagnostic, error, warning
from ivr_studio.twiml.values import is_plain_number

#: Twilio gives a webhook 15 seconds (spec §1.2); logic walks keep a margin for the rest of the request.
WEBHOOK_BUDGET_SECONDS = 15.0
LOGIC_MARGIN_SECONDS = 1.0
MAX_COOKIE_BYTES = 4000
KEPT_VALUE_CHARS = 200  # the handler cuts each kept look-up value to this many characters


# ---------------------------------------------------------------------------------------------- templates
def node_templates(node: Node) -> Iterator[tuple[str, str]]:
    """Every template-capable text of a node, as (path, text)."""
    if node.text and node.kind in (NodeKind.SAY, NodeKind.PLAY, NodeKind.DIAL, NodeKind.REDIRECT):
        yield "text", node.text
    for i, p in enumerate(node.prompts):
        if p.text:
            yield f"prompts[{i}].text", p.text
    cfg = node.config
    if isinstance(cfg, DecideConfig):
        for i, c in enumerate(cfg.cases):
            yield f"config.cases[{i}].value", c.value
    elif isinstance(cfg, SetConfig):
        for i, a in enumerate(cfg.assignments):
            yield f"config.assign[{i}].value", a.value
    elif isinstance(cfg, LookupConfig):
        for where, text in cfg.templates():
            yield f"config.{where}", text


def sets_of(node: Node) -> set[str]:
    """The variables a node sets."""
    if isinstance(node.config, SetConfig):
        return {a.name for a in node.config.assignments}
    return {node.capture} if node.capture else set()


def _graph(flow: Flow) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(flow.nodes)
    for src, _, tgt in flow.links():
        if tgt in flow.nodes:
            g.add_edge(src, tgt)
    return g


def _known_before(flow: Flow, g: nx.DiGraph) -> dict[str, set[str]]:
    """For each node, the variables some path from the start may have set before it runs: the flow's
    defaults and what every node that can reach it sets (the node itself only through another node).

    One pass over the graph's strongly connected components in topological order, so a flow of thousands
    of nodes is checked in milliseconds, not one ancestor search per node (quadratic: seconds to minutes).
    """
    defaults = {v.name for v in flow.variables.values() if v.default}
    sets = {node.id: sets_of(node) for node in flow}
    dag = nx.condensation(g)
    inflow: dict[int, set[str]] = {c: set() for c in dag}  # what the components upstream of c set
    out: dict[str, set[str]] = {}
    for c in nx.topological_sort(dag):
        members = dag.nodes[c]["members"]
        here: dict[str, int] = {}  # variable → how many of the component's nodes set it
        for member in members:
            for name in sets[member]:
                here[name] = here.get(name, 0) + 1
        for member in members:
            own: set[str] = set()
            if len(members) > 1:  # in a loop every other member runs before this one, but not itself
                own = {name for name, n in here.items() if n > (name in sets[member])}
            out[member] = defaults | inflow[c] | own
        leaving = inflow[c] | set(here)
        for succ in dag.successors(c):
            inflow[succ] |= leaving
    return out


def _read_problems(
    flow: Flow, node: Node, where: str, reads, known: set[str], g: nx.DiGraph
) -> list[Diagnostic]:
    out = []
    declared = set(flow.variables)
    for read in reads:
        shown = ".".join(str(s) for s in read)
        head = str(read[0])
        second = str(read[1]) if len(read) > 1 else None
        problem = None
        if head not in NAMESPACES:
            problem = f"{{{{ {shown} }}}} is not something a template can read ({', '.join(NAMESPACES)})"
        elif head == "call" and second not in CALL_FIELDS:
            problem = f"{{{{ {shown} }}}}: the call has {', '.join(CALL_FIELDS)}"
        elif head == "env" and second not in flow.env:
            problem = f"{{{{ {shown} }}}}: declare {second} among the flow's environment variables"
        elif head == "vars" and second is not None:
            if second not in declared and not any(second in sets_of(n) for n in flow):
                problem = f"{{{{ {shown} }}}}: no variable {second} is declared or set anywhere"
            elif second not in known:
                problem = f"{{{{ {shown} }}}} is never set on any path from the start to '{node.title}'"
        elif head == "steps" and second is not None:
            source = flow.nodes.get(second)
            if source is None or not (isinstance(source.config, (LookupConfig, HoursConfig))):
                problem = f"{{{{ {shown} }}}}: {second} is not a Look up or Hours node"
            elif second not in nx.ancestors(g, node.id):
                problem = f"{{{{ {shown} }}}}: '{source.title}' never runs before '{node.title}'"
            elif isinstance(source.config, LookupConfig) and len(read) > 3 and read[2] == "body":
                path = ".".join(str(s) for s in read[3:])
                if not any(path == k or path.startswith(k + ".") for k in source.config.keep):
                    problem = (
                        f"{{{{ {shown} }}}}: '{source.title}' does not keep {path} (add it to its keep list)"
                    )
        if problem:
            out.append(error("IVR021", problem, node_id=node.id, path=where))
    return out


def _earlier_assignments(node: Node, where: str) -> set[str]:
    """A Set node's assignments before the one at ``where`` (they count as set for its template)."""
    if not isinstance(node.config, SetConfig) or not where.startswith("config.assign["):
        return set()
    index = int(where.split("[")[1].split("]")[0])
    return {a.name for a in node.config.assignments[:index]}


def read_problems_at(flow: Flow, node_id: str, where: str, reads) -> list[Diagnostic]:
    """IVR021 for what one template of node ``node_id`` reads (the editor checks a field as it is typed)."""
    g = _graph(flow)
    node = flow.node(node_id)
    known = {v.name for v in flow.variables.values() if v.default}
    for ancestor in nx.ancestors(g, node_id):
        known |= sets_of(flow.node(ancestor))
    return _read_problems(flow, node, where, reads, known | _earlier_assignments(node, where), g)


def template_problems(flow: Flow) -> list[Diagnostic]:
    """IVR020 and IVR021 for every template in the flow."""
    out: list[Diagnostic] = []
    g = _graph(flow)
    known = _known_before(flow, g)
    for node in flow:
        for where, text in node_templates(node):
            info = analyse(text)
            if info.error:
                out.append(error("IVR020", f"Template error: {info.error}", node_id=node.id, path=where))
                continue
            extra = _earlier_assignments(node, where)  # earlier assignments of the same node count
            out.extend(_read_problems(flow, node, where, info.reads, known[node.id] | extra, g))
    return out


# ---------------------------------------------------------------------------------------------- logic nodes
@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_ok(name: str) -> bool:
    if name in _zones() or name == "UTC":
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _country_ok(country: str, subdivision: str) -> str | None:
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError:
        return f"the holidays package has no public holidays for {country!r}"
    except Exception as exc:  # an unknown subdivision raises NotImplementedError or ValueError by version
        return f"{country}/{subdivision}: {str(exc)[:120]}"
    return None


def hours_problems(node: Node, base_dir: Path | None) -> list[Diagnostic]:
    cfg = node.config
    assert isinstance(cfg, HoursConfig)
    out = []
    if not zone_ok(cfg.zone):
        out.append(
            error("IVR023", f"{cfg.zone!r} is not a time zone (e.g. Europe/Berlin)", path="config.zone")
        )
    open_somewhere = False
    for day, intervals in cfg.week.items():
        spans = sorted(i.minutes for i in intervals)
        for start, end in spans:
            if end <= start:
                out.append(
                    error("IVR024", f"{day}: an interval ends before it starts", path=f"config.week.{day}")
                )
            else:
                open_somewhere = True
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                out.append(error("IVR024", f"{day}: two open intervals overlap", path=f"config.week.{day}"))
    if not open_somewhere:
        out.append(
            warning(
                "IVR024", f"'{node.title}' is never open: its weekly schedule is empty", path="config.week"
            )
        )
    source = cfg.holidays
    if source is not None and source.country:
        problem = _country_ok(source.country, source.subdivision)
        if problem:
            out.append(error("IVR030", problem, path="config.holidays"))
    if source is not None and source.ical and base_dir is not None:
        from ivr_studio.flow.calendars import CalendarError, read_calendar

        try:
            read_calendar(base_dir / source.ical)
        except CalendarError as exc:
            out.append(error("IVR030", str(exc), path="config.holidays.ical"))
    return out


#: Pairs of conditions on the same value and operand of which one always holds.
_COMPLEMENTS = (
    frozenset({"is_empty", "is_not_empty"}),
    frozenset({"equals", "not_equals"}),
    frozenset({"one_of", "none_of"}),
    frozenset({"contains", "not_contains"}),
    frozenset({"starts_with", "not_starts_with"}),
)


def unreachable_exits(cfg: DecideConfig) -> dict[str, str]:
    """The Decide exits no call can take, with why: a case whose condition an earlier case already has,
    or anything after two earlier cases of which one always holds (``is empty`` and ``is not empty`` of
    the same value). Cases are tried in order, so these can never be reached."""
    out: dict[str, str] = {}
    seen: dict[tuple[str, str, str], str] = {}
    decided_by: str | None = None
    for c in cfg.cases:
        key = (c.value.strip(), c.op, "" if c.op in UNARY_OPERATORS else c.operand.strip())
        if decided_by is not None:
            out[c.exit_name] = decided_by
        elif key in seen:
            out[c.exit_name] = f"case {seen[key]!r} before it has the same condition"
        seen.setdefault(key, c.describe())
        if decided_by is None:
            for pair in _COMPLEMENTS:
                other = next(iter(pair - {c.op}), None) if c.op in pair else None
                if other is not None and (key[0], other, key[2]) in seen:
                    decided_by = (
                        f"cases {seen[(key[0], other, key[2])]!r} and {c.describe()!r} before it "
                        "take every call"
                    )
    if decided_by is not None:
        out["otherwise"] = decided_by
    return out


def decide_problems(node: Node) -> list[Diagnostic]:
    cfg = node.config
    assert isinstance(cfg, DecideConfig)
    out = []
    for exit_name, why in unreachable_exits(cfg).items():
        if exit_name in node.links or exit_name != "otherwise":
            shown = "otherwise" if exit_name == "otherwise" else exit_name.removeprefix("case:")
            out.append(
                warning(
                    "IVR033",
                    f"'{node.title}': {shown!r} can never be taken: {why}",
                    path="config.cases",
                    fix="Remove or reorder the cases",
                )
            )
    if not zone_ok(cfg.zone):
        out.append(
            error("IVR023", f"{cfg.zone!r} is not a time zone (e.g. Europe/Berlin)", path="config.zone")
        )
    if not cfg.cases:
        out.append(
            warning(
                "IVR028", f"'{node.title}' has no cases: every call goes to 'otherwise'", path="config.cases"
            )
        )
    for i, c in enumerate(cfg.cases):
        where = f"config.cases[{i}]"
        if c.exit_name not in node.links:
            out.append(
                error(
                    "IVR003",
                    f"Case {c.describe()!r} leads nowhere",
                    path=where,
                    fix="Drag its port to a node",
                )
            )
        if c.op == "regex" and "{{" not in c.operand and "{%" not in c.operand:
            problem = regex_problem(c.operand)
            if problem is not None:
                out.append(
                    error(
                        "IVR022",
                        f"'{node.title}', case {i + 1} ({c.label or c.id}): the pattern "
                        f"{cut(c.operand)} {problem}",
                        path=f"{where}.operand",
                        fix="Simplify the regular expression",
                    )
                )
            elif (risk := regex_risk(c.operand)) is not None:
                out.append(
                    warning(
                        "IVR036",
                        f"'{node.title}', case {i + 1} ({c.label or c.id}): the pattern {cut(c.operand)} {risk}"
                        " on some values, holding up the call",
                        path=f"{where}.operand",
                        fix="Repeat the inner part only, e.g. (ab)+ rather than (a+b?)+",
                    )
                )
        elif c.op in ("less_than", "greater_than") and "{{" not in c.operand:
            if not is_plain_number(c.operand):
                out.append(
                    error(
                        "IVR022",
                        f"{cut(c.operand)} is not a number written with the digits 0-9",
                        path=f"{where}.operand",
                    )
                )
        elif c.op in ("before_date", "after_date") and "{{" not in c.operand:
            problem = date_problem(c.operand)
            if problem is not None:
                out.append(error("IVR022", f"{cut(c.operand)} {problem}", path=f"{where}.operand"))
        elif c.op in ("before_time", "after_time"):
            if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", c.operand):
                out.append(
                    error("IVR022", f"{c.operand!r} is not a time of day HH:MM", path=f"{where}.operand")
                )
        elif c.op not in UNARY_OPERATORS and c.op not in ("equals", "not_equals") and not c.operand:
            out.append(
                error("IVR022", f"case {c.describe()!r} has nothing to compare with", path=f"{where}.operand")
            )
    return out


def lookup_problems(node: Node) -> list[Diagnostic]:
    cfg = node.config
    assert isinstance(cfg, LookupConfig)
    out = []
    if not cfg.url.strip():
        out.append(
            error(
                "IVR031",
                f"'{node.title}' has no URL to request",
                path="config.url",
                fix="Enter the back-end's URL",
            )
        )
    elif not cfg.url.lstrip().startswith(("http://", "https://", "{{")):
        out.append(error("IVR031", f"{cfg.url[:60]!r} is not an http(s) URL", path="config.url"))
    if "failed" not in node.links:
        out.append(
            error(
                "IVR025",
                f"'{node.title}' has no 'failed' exit: callers would be hung up on when the back-end fails",
                path="links.failed",
                fix="Link the 'failed' exit (e.g. to an apology or a transfer)",
            )
        )
    return out


def set_problems(flow: Flow, node: Node) -> list[Diagnostic]:
    out = []
    for i, a in enumerate(node.config.assignments if isinstance(node.config, SetConfig) else ()):
        if a.name not in flow.variables:
            out.append(
                error(
                    "IVR031",
                    f"Set assigns {a.name}, which is not a declared variable",
                    path=f"config.assign[{i}].name",
                    fix=f"Declare {a.name} among the flow's variables",
                )
            )
    if node.capture and node.capture not in flow.variables:
        out.append(
            error(
                "IVR031",
                f"The menu captures into {node.capture}, which is not a declared variable",
                path="capture",
                fix=f"Declare {node.capture} among the flow's variables",
            )
        )
    return out


def unlinked_logic_exits(node: Node) -> list[Diagnostic]:
    out = []
    for e in node.fixed_exits():
        if e.name == "failed" and node.kind == NodeKind.LOOKUP:
            continue  # IVR025 says it louder
        if node.target_of(e.name) is None:
            out.append(
                warning(
                    "IVR028",
                    f"'{node.title}': exit {e.label!r} leads nowhere, so the call hangs up there",
                    path=f"links.{e.name}",
                )
            )
    return out


# ---------------------------------------------------------------------------------------------- graph-wide
def _logic_graph(flow: Flow) -> nx.DiGraph:
    g = nx.DiGraph()
    logic = [n.id for n in flow if n.spec.is_logic]
    g.add_nodes_from(logic)
    for src in logic:
        for tgt in flow.node(src).links.values():
            if tgt in g:
                g.add_edge(src, tgt)
    return g


def logic_loops(flow: Flow) -> list[Diagnostic]:
    """IVR027: logic nodes that can run in a circle within one request."""
    g = _logic_graph(flow)
    order = {n: i for i, n in enumerate(flow.nodes)}
    out = []
    for component in nx.strongly_connected_components(g):
        nodes = sorted(component, key=order.__getitem__)
        if len(nodes) == 1 and not g.has_edge(nodes[0], nodes[0]):
            continue
        names = " → ".join(f"'{flow.node(n).title}'" for n in nodes)
        out.append(
            error(
                "IVR027",
                f"{names} loop with no caller input in between; the handler would stop the call there",
                node_id=nodes[0],
                fix="Put a menu (or another verb) in the loop, or break it",
            )
        )
    return out


def lookup_budget(flow: Flow) -> list[Diagnostic]:
    """IVR026: Look ups in a row whose timeouts add up past the webhook's budget."""
    g = _logic_graph(flow)
    if not nx.is_directed_acyclic_graph(g):
        return []  # IVR027 reports the loop
    cost = {
        n: (flow.node(n).config.timeout if isinstance(flow.node(n).config, LookupConfig) else 0.0) for n in g
    }
    worst: dict[str, float] = {}
    for n in reversed(list(nx.topological_sort(g))):
        worst[n] = cost[n] + max((worst[s] for s in g.successors(n)), default=0.0)
    limit = WEBHOOK_BUDGET_SECONDS - LOGIC_MARGIN_SECONDS
    out = []
    for n in flow.nodes:
        if n in worst and worst[n] > limit and not any(worst.get(p, 0) > limit for p in g.predecessors(n)):
            out.append(
                error(
                    "IVR026",
                    f"Look ups from '{flow.node(n).title}' on can take {worst[n]:g} s with no caller input in "
                    f"between; Twilio waits at most {WEBHOOK_BUDGET_SECONDS:g} s for the webhook",
                    node_id=n,
                    fix="Shorten their timeouts, or put a prompt between them",
                )
            )
    return out


def state_size(flow: Flow) -> list[Diagnostic]:
    """IVR029: the worst-case size of the call's state cookie.

    A value's character can take up to 4 bytes in the cookie's UTF-8 JSON (a caller's words in Japanese
    take 3); the handler answers with its apology, and starts the call afresh, if a state still outgrows
    the cookie (control characters, which JSON escapes in 6 bytes)."""
    payload = 60
    for v in flow.variables.values():
        payload += len(v.name) + 6 + 4 * v.max_length
    for node in flow:
        if node.spec.counts_attempts:
            payload += len(node.id) + 6
        if isinstance(node.config, LookupConfig):
            payload += len(node.id) + 30 + sum(len(k) + 6 + 4 * KEPT_VALUE_CHARS for k in node.config.keep)
        if isinstance(node.config, HoursConfig):
            payload += len(node.id) + 30
    cookie = payload * 4 // 3 + 60
    if cookie <= MAX_COOKIE_BYTES:
        return []
    return [
        error(
            "IVR029",
            f"The call's state could take {cookie:,} bytes, over the cookie's {MAX_COOKIE_BYTES:,}: lower the "
            "variables' maximum lengths or keep fewer look-up values",
        )
    ]


def flow_problems(flow: Flow, base_dir: Path | None = None) -> list[Diagnostic]:
    """Every dynamic-flow problem of the flow (each located at its node)."""
    out = template_problems(flow)
    for node in flow:
        found: list[Diagnostic] = []
        if isinstance(node.config, HoursConfig):
            found = hours_problems(node, base_dir)
        elif isinstance(node.config, DecideConfig):
            found = decide_problems(node)
        elif isinstance(node.config, LookupConfig):
            found = lookup_problems(node)
        found += set_problems(flow, node)
        if node.spec.is_logic:
            found += unlinked_logic_exits(node)
        out.extend(d.located(node.id) for d in found)
    return out + logic_loops(flow) + lookup_budget(flow) + state_size(flow)
