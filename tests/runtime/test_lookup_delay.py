"""A stubbed Look up's delay is webhook time: it passes on the call's clock and a webhook whose back-end
requests outlast its time limit times out (11205), as it would on Twilio."""

from __future__ import annotations

from ivr_studio.bundle.handler.backend import StubBackend, parse_stubs
from ivr_studio.bundle.serve import ServeOptions, serve_flow
from ivr_studio.flow import Flow, Node, NodeKind
from ivr_studio.flow.logic import LookupConfig
from ivr_studio.runtime.http_client import Fetcher, stub_seconds
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.transports import WsgiTransport

PARAMS = {"CallSid": "CA" + "1" * 32, "From": "+15005550006", "To": "+15005550001"}


def fetcher(delay: float, total_timeout_ms: int) -> tuple[Fetcher, str, list[dict]]:
    flow = Flow("Slow")
    flow.add_node(Node("ask", NodeKind.LOOKUP, config=LookupConfig(url="https://slow.test/x", timeout=10)))
    flow.add_node(Node("say", NodeKind.SAY, text="Done."))
    flow.set_link("ask", "ok", "say")
    flow.set_link("ask", "failed", "say")
    backend = StubBackend(parse_stubs([{"url": "https://slow.test/*", "json": {}, "delay": delay}]))
    served = serve_flow(flow, ServeOptions(backend=backend))
    records: list[dict] = []
    settings = RuntimeSettings(total_timeout_ms=total_timeout_ms)
    return Fetcher(WsgiTransport(served.app), settings, "", records.append), served.url, records


def test_the_stubs_delay_is_the_webhooks_latency():
    client, url, records = fetcher(delay=2.0, total_timeout_ms=15_000)
    result = client.fetch(url, "POST", PARAMS)
    assert result.ok and result.latency == 2.0
    assert records[0]["elapsed_ms"] >= 2000.0 and records[0]["lookups"][0]["ms"] == 2000.0


def test_back_end_time_beyond_the_webhooks_time_limit_is_a_timeout():
    client, url, records = fetcher(delay=8.0, total_timeout_ms=5_000)
    result = client.fetch(url, "POST", PARAMS)
    assert not result.ok and result.error.code == "11205"
    assert result.latency == 5.0, "the call waits the whole time limit, as for any timed-out webhook"
    assert records[0]["timed_out"] is True and records[0]["error"] == "11205"


def test_only_stubbed_lookups_add_call_time():
    lookups = [
        {"ms": 1500.0, "stubbed": True},
        {"ms": 900.0, "stubbed": False},  # a real request already took its time
        {"ms": "2000", "stubbed": True},  # not a number: ignored
        {"stubbed": True},
    ]
    assert stub_seconds(lookups) == 1.5
