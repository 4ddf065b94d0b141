"""The Queue node (<Enqueue>): its document, and the handler routing Twilio's QueueResult to its exits."""

from __future__ import annotations

from handler_helpers import app_for, post, twiml

from ivr_studio.bundle.documents import node_document
from ivr_studio.flow import Flow, Node, NodeKind
from ivr_studio.flow.validate import validate_flow


def _flow(link_full: bool = True) -> Flow:
    queue = Node(
        "queue", NodeKind.ENQUEUE, text="support", attributes={"waitUrl": "/hold", "waitUrlMethod": "GET"}
    )
    nodes = [
        queue,
        Node("after", NodeKind.SAY, text="Thanks."),
        Node("full", NodeKind.SAY, text="Busy."),
        Node("oops", NodeKind.SAY, text="Sorry."),
    ]
    queue.links = {"next": "after", "failed": "oops", **({"full": "full"} if link_full else {})}
    return Flow("queue", nodes, "queue")


def test_the_queue_document_enqueues_with_its_action():
    doc = node_document(_flow(), "queue").decode()
    assert (
        '<Enqueue action="/node/queue/result" method="POST" waitUrl="/hold" waitUrlMethod="GET">support</Enqueue>'
        in doc
    )
    assert not [d for d in validate_flow(_flow()) if d.is_error]


def test_queue_results_take_their_exits():
    client = app_for(_flow()).test_client()
    for result, target in (
        ("bridged", "after"),
        ("queue-full", "full"),
        ("error", "oops"),
        ("system-shutdown", "oops"),
        ("hangup", "after"),
    ):
        root = twiml(post(client, "/node/queue/result", QueueResult=result))
        assert root[0].text == {"after": "Thanks.", "full": "Busy.", "oops": "Sorry."}[target], result


def test_an_unlinked_full_exit_falls_back_to_next():
    client = app_for(_flow(link_full=False)).test_client()
    assert twiml(post(client, "/node/queue/result", QueueResult="queue-full"))[0].text == "Thanks."


def test_a_queue_without_a_name_is_an_error_and_a_bad_method_a_warning():
    flow = _flow()
    flow.node("queue").text = ""
    flow.node("queue").attributes["waitUrlMethod"] = "PUT"
    codes = {(d.code, d.is_error) for d in validate_flow(flow) if d.node_id == "queue"}
    assert ("IVR011", True) in codes and ("12200", False) in codes
