"""Flow → TwiML: one static document per node.

Every document uses root-relative URLs into the handler app (``/node/<id>``, ``/node/<id>/result``), so the
bundle works under any host name. A Gather posts its result to its node's ``result`` route, which picks the
branch; when the caller says and presses nothing, Twilio falls through to the verbs after the ``<Gather>``
(spec §2.7), which send the call to the same route with ``noInput=true`` so retries are counted there too.
Documents are the same for every attempt: the handler counts attempts in the call's state cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from lxml import etree

from ivr_studio.flow.hints import gather_hints
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node, Prompt
from ivr_studio.twiml import build


def node_url(node_id: str) -> str:
    return f"/node/{quote(node_id)}"


def result_url(node_id: str, **query: str | int) -> str:
    url = f"{node_url(node_id)}/result"
    if query:
        url += "?" + "&".join(f"{k}={quote(str(v))}" for k, v in query.items())
    return url


def _prompt_element(p: Prompt) -> etree._Element:
    if p.kind == "pause":
        return build.verb("Pause", p.attributes)
    return build.verb(p.verb, p.attributes, p.text)


def _next_redirect(node: Node, exit_name: str = "next") -> etree._Element:
    target = node.links.get(exit_name)
    if target is None:
        return build.verb("Hangup")
    return build.verb("Redirect", {"method": "POST"}, node_url(target))


def _gather(flow: Flow, node: Node) -> list[etree._Element]:
    a = dict(node.attributes)
    speech = "speech" in str(a.get("input", "dtmf")).split()
    if speech:
        hints = gather_hints(node).text
        if hints:
            a["hints"] = hints
        else:
            a.pop("hints", None)
    a["action"] = result_url(node.id)
    a["method"] = "POST"
    gather = build.verb("Gather", a, children=[_prompt_element(p) for p in node.prompts])
    fall_through = build.verb("Redirect", {"method": "POST"}, result_url(node.id, noInput="true"))
    return [gather, fall_through]


def _spoken(flow: Flow, node: Node) -> list[etree._Element]:
    return [build.verb(node.spec.verb, node.attributes, node.text), _next_redirect(node)]


def _pause(flow: Flow, node: Node) -> list[etree._Element]:
    return [build.verb("Pause", node.attributes), _next_redirect(node)]


def _dial(flow: Flow, node: Node) -> list[etree._Element]:
    a = {**node.attributes, "action": result_url(node.id), "method": "POST"}
    number = node.text.strip()
    noun = build.verb("Sip" if number.lower().startswith("sip:") else "Number", None, number)
    return [build.verb("Dial", a, children=[noun])]


def _record(flow: Flow, node: Node) -> list[etree._Element]:
    a = {**node.attributes, "action": result_url(node.id), "method": "POST"}
    # An empty recording makes no request and falls through (spec §4.8): to the "empty" exit.
    return [build.verb("Record", a), _next_redirect(node, "empty")]


def _enqueue(flow: Flow, node: Node) -> list[etree._Element]:
    a = {**node.attributes, "action": result_url(node.id), "method": "POST"}
    return [build.verb("Enqueue", a, node.text.strip())]


def _redirect(flow: Flow, node: Node) -> list[etree._Element]:
    return [build.verb("Redirect", node.attributes, node.text.strip())]


def _reject(flow: Flow, node: Node) -> list[etree._Element]:
    return [build.verb("Reject", node.attributes)]


def _hangup(flow: Flow, node: Node) -> list[etree._Element]:
    return [build.verb("Hangup")]


def _no_document(flow: Flow, node: Node) -> list[etree._Element]:
    """A logic node answers with no TwiML of its own: the handler evaluates it and goes on."""
    return []


Builder = Callable[[Flow, Node], list[etree._Element]]

#: The TwiML builder of each kind of node.
BUILDERS: dict[NodeKind, Builder] = {
    NodeKind.GATHER: _gather,
    NodeKind.SAY: _spoken,
    NodeKind.PLAY: _spoken,
    NodeKind.PAUSE: _pause,
    NodeKind.DIAL: _dial,
    NodeKind.RECORD: _record,
    NodeKind.REDIRECT: _redirect,
    NodeKind.HANGUP: _hangup,
    NodeKind.REJECT: _reject,
    NodeKind.ENQUEUE: _enqueue,
    NodeKind.HOURS: _no_document,
    NodeKind.DECIDE: _no_document,
    NodeKind.SET: _no_document,
    NodeKind.LOOKUP: _no_document,
    NodeKind.PLACEHOLDER: _no_document,
}


def node_verbs(flow: Flow, node: Node) -> list[etree._Element]:
    """The verbs of one node's document."""
    return BUILDERS[node.kind](flow, node)


def node_document(flow: Flow, node_id: str) -> bytes:
    """The TwiML document of one node, byte-identical for the same flow."""
    return build.document(node_verbs(flow, flow.node(node_id)))


def all_documents(flow: Flow) -> dict[str, bytes]:
    """The TwiML document of every verb node (logic nodes have none)."""
    return {n.id: node_document(flow, n.id) for n in flow if not n.spec.is_logic}
