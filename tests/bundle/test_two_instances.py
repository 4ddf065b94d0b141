"""One call served by two gunicorn instances in turn: the handler keeps nothing in memory between requests.

The runtime places a real call over HTTP; a transport sends each request to the other instance (as a load
balancer might), so every state the call relies on — a menu's failed attempts — must travel with the call
in its signed state cookie. Both instances share the deployment's settings (auth token, public URL), as
they would behind one Twilio number.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from server_helpers import clean_env, start_gunicorn, stop, wait_until_up

from ivr_studio.bundle.export import export_bundle
from ivr_studio.flow import load_flow
from ivr_studio.runtime.clock import VirtualClock
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.transports import HttpRequest, HttpTransport

pytestmark = pytest.mark.slow
TOKEN = "two-instances-token"
PUBLIC = "http://ivr.example.test"
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


class AlternatingTransport:
    """Sends the call's n-th answered request to instance n mod 2, and records which instance answered which path.

    The turn passes only when an instance answers: the runtime retries a failed connection once (spec §1.2,
    ``rc``), and on a busy machine that retry must not shift every later request to the other instance.
    """

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.inner = HttpTransport()
        self.sent: list[tuple[int, str]] = []

    def send(self, request: HttpRequest, limits, max_body):
        which = len(self.sent) % len(self.bases)
        target = urlsplit(self.bases[which])
        parts = urlsplit(request.url)
        moved = HttpRequest(
            request.method, urlunsplit(parts._replace(netloc=target.netloc)), request.headers, request.body
        )
        response = self.inner.send(moved, limits, max_body)
        self.sent.append((which, parts.path))
        return response


@pytest.fixture(scope="module")
def instances(tmp_path_factory) -> Iterator[list[str]]:
    bundle = export_bundle(
        load_flow(EXAMPLES / "support-line.ivrflow"), tmp_path_factory.mktemp("two") / "support-line"
    )
    env = clean_env(bundle, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL=PUBLIC, IVR_ENV="production")
    procs = [start_gunicorn(bundle, env, workers=1) for _ in range(2)]
    try:
        for proc, base in procs:
            wait_until_up(proc, base)
        yield [base for _, base in procs]
    finally:
        for proc, _ in procs:
            stop(proc)


def call(instances: list[str], steps: list[dict]) -> tuple[CallEngine, AlternatingTransport]:
    transport = AlternatingTransport(instances)
    engine = CallEngine(f"{PUBLIC}/voice", transport, clock=VirtualClock(), auth_token=TOKEN)
    run_virtual(engine, parse_script({"steps": steps}))
    return engine, transport


def test_a_silent_caller_is_counted_across_instances(instances):
    engine, transport = call(instances, [])
    requests = [e for e in engine.trace.events if e["event"] == "request"]
    assert all(e["status"] == 200 for e in requests), [(e["url"], e["status"]) for e in requests]
    assert {which for which, _ in transport.sent} == {0, 1}, "both instances served the call"
    results = [e for e in requests if urlsplit(e["url"]).path == "/node/main_menu/result"]
    assert [e["exit"] for e in results] == [
        "main_menu no_input",
        "main_menu no_input",
        "main_menu max_attempts",
    ]
    served_by = [which for which, path in transport.sent if path == "/node/main_menu/result"]
    assert len(set(served_by)) == 2, "the attempts were counted by different instances"
    assert engine.end_status == "completed"


def test_a_no_match_then_a_choice_across_instances(instances):
    steps = [
        {"wait_for": "listening"},
        {"press": "8"},
        {"wait_for": "listening"},
        {"press": "8"},
        {"wait_for": "listening"},
        {"press": "3"},
    ]
    engine, transport = call(instances, steps)
    exits = [e["exit"] for e in engine.trace.events if e["event"] == "request" and e.get("exit")]
    assert exits[:3] == ["main_menu no_match", "main_menu no_match", "main_menu branch:billing"]


@pytest.fixture(scope="module")
def dynamic_instances(tmp_path_factory) -> Iterator[list[str]]:
    from ivr_studio.flow import Flow, Node, NodeKind, Prompt
    from ivr_studio.flow.logic import Assignment, SetConfig, Variable

    flow = Flow("Remembered")
    flow.add_node(Node("tier", NodeKind.SET, config=SetConfig((Assignment("tier", "gold"),))))
    flow.add_node(
        Node(
            "account",
            NodeKind.GATHER,
            prompts=[Prompt("say", "Enter your account number.")],
            capture="account",
        )
    )
    flow.add_node(Node("thanks", NodeKind.SAY, text="Thank you."))
    flow.add_node(
        Node("readback", NodeKind.SAY, text="Account {{ vars.account | digits }}, {{ vars.tier }} tier.")
    )
    flow.set_variables([Variable("tier", max_length=10), Variable("account", max_length=12)])
    flow.set_link("tier", "next", "account")
    flow.set_link("account", "captured", "thanks")
    flow.set_link("thanks", "next", "readback")
    flow.set_start("tier")
    bundle = export_bundle(flow, tmp_path_factory.mktemp("two-dynamic") / "remembered")
    env = clean_env(bundle, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL=PUBLIC, IVR_ENV="production")
    procs = [start_gunicorn(bundle, env, workers=1) for _ in range(2)]
    try:
        for proc, base in procs:
            wait_until_up(proc, base)
        yield [base for _, base in procs]
    finally:
        for proc, _ in procs:
            stop(proc)


def test_variables_set_on_one_instance_are_read_on_the_other(dynamic_instances):
    steps = [{"wait_for": "listening"}, {"press": "4711#"}]
    engine, transport = call(dynamic_instances, steps)
    says = [e["text"] for e in engine.trace.events if e["event"] == "say"]
    assert says[-1] == "Account 4 7 1 1, gold tier."
    assert [path for _, path in transport.sent] == ["/voice", "/node/account/result", "/node/readback"]
    served = {path: which for which, path in transport.sent}
    # Set ran on one instance (the call's first request); the capture on the other, which got "gold" only
    # from the cookie and added the account to it; the read-back saw both.
    assert served["/voice"] != served["/node/account/result"]
