"""The Queue node (<Enqueue>): its document, and the handler routing Twilio's QueueResult to its exits."""

from __future__ import annotations

import pytest
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


@pytest.mark.parametrize("size", [1, 250, "5000", 5000])
def test_a_queue_size_twilio_accepts_is_no_problem_and_is_exported(size):
    flow = _flow()
    flow.node("queue").attributes["maxQueueSize"] = size
    assert [d for d in validate_flow(flow) if d.node_id == "queue"] == []
    assert f'maxQueueSize="{size}"' in node_document(flow, "queue").decode()


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0"), (5001, "5001"), ("-3", "'-3'"), ("ten", "'ten'"), (2.5, "2.5"), (True, "True")],
)
def test_a_queue_size_outside_twilios_range_is_a_warning_naming_the_value(size, shown):
    flow = _flow()
    flow.node("queue").attributes["maxQueueSize"] = size
    (problem,) = [d for d in validate_flow(flow) if d.node_id == "queue"]
    assert (problem.code, problem.is_error, problem.path) == ("12200", False, "attributes.maxQueueSize")
    assert problem.message == (
        f"<Enqueue maxQueueSize> must be a whole number from 1 to 5000, not {shown}; "
        "Twilio ignores it and the queue holds its default 1000 callers"
    )
