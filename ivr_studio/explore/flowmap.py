"""A map of an app (:class:`~.mapper.MapResult`) → a flow: every observed document a chain of nodes, every
observed transition a link, dead ends and errors flagged.

Documents become nodes exactly as TwiML import makes them (:mod:`ivr_studio.interop.twiml_nodes`); only the
links differ: they come from what the app did, not from URLs. A menu gets one branch per key or phrase that
led somewhere, except that the target most keys led to (three or more) becomes its *no match* exit — that is
how an app answers keys it does not offer. Silence follows the document's own fall-through verbs (or the
*no input* exit when the Gather sends empty results to its action). A Dial's outcomes go to its exits.
Every node's notes say where it was mapped from; a flow made this way describes an app, it does not
replace it, so its name and notes say it was mapped, and it is read-only. An error the app answered with,
a dead end (the call ends without a goodbye) and a step the map did not run are the nodes' ``flags``.
"""

from __future__ import annotations

from collections import Counter

from ivr_studio.explore.mapper import MapResult, State
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.map_flags import MAX_FLAGS, MapFlag, flag
from ivr_studio.flow.model import Branch, Flow, Node
from ivr_studio.interop.report import ImportReport
from ivr_studio.interop.twiml_import import place
from ivr_studio.interop.twiml_nodes import ChainBuilder, DocumentChain, safe_id

_DIAL_EXITS = {"answered": "next", "busy": "busy", "no-answer": "no_answer", "failed": "failed"}
_KEY_NAMES = {"*": "star", "#": "hash"}
MAPPED_NOTE = "Mapped from {url}: read-only description of the app as it answered, not its source."


def map_to_flow(result: MapResult, name: str = "") -> tuple[Flow, ImportReport]:
    """The flow of a map, and the report of how each document became nodes."""
    report = ImportReport(result.url)
    flow = Flow(name or f"Map of {result.url}")
    builder = ChainBuilder(flow, report)
    chains: dict[str, DocumentChain] = {}
    for state in result.states.values():
        if state.error:
            node = Node(safe_id(state.name, flow.nodes), NodeKind.HANGUP, title=f"Error: {state.error}"[:80])
            flow.add_node(node)
            chains[state.key] = DocumentChain(state.name, entry=node.id, nodes=[node.id])
            continue
        chains[state.key] = builder.add_document(state.name, state.root, title=state.name)

    def entry(key: str, seen: frozenset[str] = frozenset()) -> str | None:
        chain = chains.get(key)
        if chain is None:
            return None
        if chain.entry is not None:
            return chain.entry
        nxt = result.states[key].exits.get("next")  # a document that only redirects
        return entry(nxt, seen | {key}) if nxt and key not in seen else None

    for key, state in result.states.items():
        chain = chains[key]
        if state.error:
            continue
        _link_state(flow, state, chain, entry)
    if result.start is not None:
        flow.set_start(entry(result.start))
    _flag(flow, result, chains)
    place(flow)
    flow.read_only = f"mapped from {result.url[:300]}: it describes the app as it answered, not its source"
    return flow, report


def _link_state(flow: Flow, state: State, chain: DocumentChain, entry) -> None:
    nodes = {n: flow.node(n) for n in chain.nodes}
    gather = next((n for n in nodes.values() if n.kind == NodeKind.GATHER), None)
    dial = next((n for n in nodes.values() if n.kind == NodeKind.DIAL), None)
    silence = state.exits.get("silence")
    onward = silence if gather is not None else state.exits.get("next")
    if dial is not None and state.decision == "dial" and state.exits:
        outcomes = {
            o: state.exits[i.label]
            for i in state.inputs.values()
            for o in [i.value]
            if i.label in state.exits
        }
        has_action = any(p.node == dial.id for p in chain.pending)
        if has_action:
            for outcome, target in outcomes.items():
                t = entry(target)
                if t is not None:
                    flow.set_link(dial.id, _DIAL_EXITS[outcome], t)
        else:
            onward = outcomes.get("answered") or next(iter(outcomes.values()), None)
    for link in chain.pending:
        if gather is not None and link.node == gather.id and link.exit == "no_match":
            continue  # the action: replaced by the observed branches
        if dial is not None and link.node == dial.id and state.decision == "dial":
            continue
        if flow.node(link.node).kind == NodeKind.RECORD and link.exit == "next":
            _note(flow, link.node, f"not explored: a recording goes to {link.url[:100]!r}")
            continue
        target = entry(onward) if onward else None
        if target is not None:
            flow.set_link(link.node, link.exit, target)
        else:
            _note(flow, link.node, f"not explored: {link.exit} leads to {link.url[:100]!r}")
    if gather is not None:
        _branches(flow, gather, state, entry)


def _branches(flow: Flow, gather: Node, state: State, entry) -> None:
    keyed = {
        i.value: state.exits[label]
        for label, i in state.inputs.items()
        if i.kind == "press" and label in state.exits
    }
    spoken = {
        i.value: state.exits[label]
        for label, i in state.inputs.items()
        if i.kind == "say" and label in state.exits
    }
    counts = Counter(keyed.values())
    no_match = None
    if counts:
        target, count = counts.most_common(1)[0]
        if count >= 3 and sum(1 for c in counts.values() if c == count) == 1:
            no_match = target
    if no_match is not None and entry(no_match) is not None:
        flow.set_link(gather.id, "no_match", entry(no_match))
    by_target: dict[str, Branch] = {}
    for key, target in keyed.items():
        if target == no_match or entry(target) is None:
            continue
        branch = Branch(safe_id(f"key_{_KEY_NAMES.get(key, key)}", {b.id for b in gather.branches}), keys=key)
        flow.add_branch(gather.id, branch)
        flow.set_link(gather.id, branch.exit_name, entry(target))
        by_target.setdefault(target, branch)
    for phrase, target in spoken.items():
        if target == no_match or entry(target) is None:
            continue
        branch = by_target.get(target)
        if branch is not None and (not branch.keys or list(keyed.values()).count(target) == 1):
            flow.set_branch_field(gather.id, branch.id, "phrases", [*branch.phrases, phrase])
            continue
        branch = Branch(safe_id(f"say_{phrase}", {b.id for b in gather.branches}), phrases=[phrase])
        flow.add_branch(gather.id, branch)
        flow.set_link(gather.id, branch.exit_name, entry(target))
        by_target[target] = branch


def _note(flow: Flow, node_id: str, text: str) -> None:
    node = flow.node(node_id)
    flow.set_node_field(node_id, "notes", f"{node.notes}\n{text}".strip())


def _flag(flow: Flow, result: MapResult, chains: dict[str, DocumentChain]) -> None:
    """Note where every node was mapped from, and flag (:mod:`ivr_studio.flow.map_flags`) the app's errors,
    its dead ends and where the map stopped before a ``<Dial>`` or ``<Record>``."""
    flags: dict[str, list[MapFlag]] = {}
    url_of: dict[str, str] = {}
    for key, state in result.states.items():
        chain = chains[key]
        for node_id in chain.nodes:
            url_of.setdefault(node_id, state.fetch.url)
            _note(flow, node_id, MAPPED_NOTE.format(url=state.fetch.url))
        if state.error and chain.nodes:
            flags.setdefault(chain.nodes[0], []).append(flag("error", state.fetch.url, state.error))
        if state.stopped_before_outside and chain.nodes:
            flags.setdefault(chain.nodes[-1], []).append(
                flag("stopped", state.fetch.url, "told to stop before a <Dial> or <Record>")
            )
    for node in flow:
        spec = node.spec
        if spec.terminal or not node.exits() or node.links or node.kind == NodeKind.HANGUP:
            continue
        if any(f.kind == "stopped" for f in flags.get(node.id, ())):
            continue
        url = url_of.get(node.id, result.url)
        if node.kind == NodeKind.RECORD:  # the map sends no recording: what comes next is not known
            flags.setdefault(node.id, []).append(flag("stopped", url, "it sends no recordings"))
        else:
            flags.setdefault(node.id, []).append(flag("dead_end", url))
    for node_id, found in flags.items():
        flow.set_node_field(node_id, "flags", found[:MAX_FLAGS])
