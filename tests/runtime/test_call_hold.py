"""The call debugger's runtime side: breakpoints hold a call where it reaches a node, steps hold it before each
request, and while it is held call time stands still and nothing runs (a real mechanism on the clock, not a
trick of the display)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ivr_studio.bundle.serve import ENTRY_URL, wsgi_app_for_target
from ivr_studio.runtime import clock as clock_module
from ivr_studio.runtime.clock import RealClock, VirtualClock
from ivr_studio.runtime.debugger import Arrival, CallDebugger, Pause
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import Dtmf
from ivr_studio.runtime.handler_report import values_of
from ivr_studio.runtime.live import LiveCall
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.transports import WsgiTransport

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture(scope="module")
def support_app():
    app, url = wsgi_app_for_target(EXAMPLES / "support-line.ivrflow")
    assert url == ENTRY_URL
    return app


def virtual_call(app, **debugger) -> tuple[CallEngine, CallDebugger, list[Pause]]:
    clock = VirtualClock()
    engine = CallEngine(ENTRY_URL, WsgiTransport(app), clock=clock)
    pauses: list[Pause] = []
    engine.gate = CallDebugger(clock, on_pause=pauses.append, **debugger)
    return engine, engine.gate, pauses


def events(engine: CallEngine, kind: str) -> list[dict]:
    return [e for e in engine.trace.events if e["event"] == kind]


def run(engine: CallEngine, until: float = 600.0) -> None:
    engine.clock.run(until=until, stop=lambda: engine.ended)


def test_a_breakpoint_holds_the_call_where_it_reaches_the_node_before_its_twiml_runs(support_app) -> None:
    engine, debugger, pauses = virtual_call(support_app, breakpoints={"main_menu"})
    engine.start()
    run(engine)

    assert not engine.ended and engine.clock.paused
    (pause,) = pauses
    assert pause.reason == "breakpoint" and pause.node == "main_menu"
    arrival = pause.arrival
    assert (
        arrival is not None
        and arrival.status == 200
        and arrival.params["CallSid"] == engine.identity.call_sid
    )
    assert [e["node"] for e in events(engine, "request")][-1] == "main_menu"
    assert not events(engine, "gather_start"), "the menu's TwiML has not run"
    held_at = engine.clock.now()

    engine.post(Dtmf("3"))  # what the caller does meanwhile waits
    run(engine)
    assert engine.clock.now() == held_at, "call time stands still while the call is held"
    assert not events(engine, "dtmf") and not events(engine, "gather_start")

    assert debugger.resume()
    assert debugger.paused is None and not engine.clock.paused
    run(engine, until=held_at + 2)  # less than the menu's timeout: it is not reached again yet
    assert events(engine, "gather_start"), "once resumed, the menu runs"
    (key,) = events(engine, "dtmf")
    assert key["key"] == "3" and key["accepted"], (
        "the key pressed meanwhile reaches the menu, after it starts"
    )


def test_stepping_holds_the_call_before_each_request_with_what_it_will_send(support_app) -> None:
    engine, debugger, pauses = virtual_call(support_app, step=True)
    engine.start()
    run(engine)
    (first,) = pauses
    assert first.reason == "step" and first.node is None
    assert first.request is not None and first.request.url == ENTRY_URL and first.request.method == "POST"
    assert first.request.params["CallStatus"] == "ringing" and first.request.params["From"]
    assert not events(engine, "request"), "the request has not been sent"

    debugger.resume(step=True)
    run(engine)
    assert len(pauses) == 2 and len(events(engine, "request")) == 1
    second = pauses[1]
    assert second.reason == "step" and second.node == "welcome", "the welcome redirects to the menu"
    assert second.request.params["CallStatus"] == "in-progress"

    debugger.resume(step=True)
    # the menu runs and listens; nothing is held until it has a request to send
    engine.clock.run(stop=lambda: bool(events(engine, "listening")))
    assert len(pauses) == 2 and not engine.clock.paused
    engine.post(Dtmf("3"))
    run(engine)
    third = pauses[2]
    assert third.reason == "step" and third.node == "main_menu", "held before the menu's result request"
    assert third.request.params["Digits"] == "3"
    assert len(events(engine, "request")) == 2, "the result request has not been sent"

    debugger.resume()  # continue: no breakpoints, so the call is not held again
    run(engine, until=third.t + 30)
    assert len(pauses) == 3
    assert "billing_info" in [e["node"] for e in events(engine, "request")]


def test_the_result_request_is_held_with_the_digits_it_carries(support_app) -> None:
    engine, debugger, pauses = virtual_call(support_app)
    engine.start()
    engine.clock.run(stop=lambda: bool(events(engine, "listening")))
    assert events(engine, "listening"), "the menu listens"
    debugger.pause_at_next_request()
    engine.post(Dtmf("3"))
    run(engine)
    (pause,) = pauses
    assert pause.reason == "step" and pause.node == "main_menu"
    assert pause.request.params["Digits"] == "3" and pause.request.url.endswith("/node/main_menu/result")
    debugger.resume()
    run(engine, until=pause.t + 30)
    assert "billing_info" in [e["node"] for e in events(engine, "request")]


def test_a_breakpoint_on_a_node_the_call_never_reaches_changes_nothing(support_app) -> None:
    plain = CallEngine(ENTRY_URL, WsgiTransport(support_app), clock=VirtualClock())
    plain.start()
    run(plain, until=40)
    engine, _debugger, pauses = virtual_call(support_app, breakpoints={"voicemail"})
    engine.start()
    run(engine, until=40)
    assert pauses == []
    strip = [(e["event"], e.get("node"), e["t"]) for e in engine.trace.events if e["event"] != "request"]
    assert strip == [
        (e["event"], e.get("node"), e["t"]) for e in plain.trace.events if e["event"] != "request"
    ]


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def test_a_paused_real_clock_stands_still_and_fires_nothing(monkeypatch) -> None:
    fake = FakeTime()
    monkeypatch.setattr(clock_module, "time", fake)
    clock = RealClock()
    fired: list[float] = []
    clock.call_at(2.0, lambda: (fired.append(clock.now()), clock.stop()))
    fake.now += 1.0
    clock.pause()
    fake.now += 50.0  # a long pause in wall time
    assert clock.now() == pytest.approx(1.0)
    clock.resume()
    assert clock.now() == pytest.approx(1.0), "the pause is not call time"
    fake.now += 1.5
    clock.run()
    assert fired == [pytest.approx(2.5)], "the timer due at 2.0 fired once call time passed it"


def test_a_held_live_call_hangs_up_at_once(support_app) -> None:
    engine = CallEngine(ENTRY_URL, WsgiTransport(support_app), clock=RealClock())
    held = threading.Event()
    engine.gate = CallDebugger(engine.clock, {"main_menu"}, on_pause=lambda _pause: held.set())
    call = LiveCall(engine, max_duration=600)
    call.start()
    assert held.wait(10)
    assert engine.clock.paused and not engine.ended
    call.hang_up()
    assert call.wait(10), "the call ended while it was held"
    assert engine.end_status == "completed" and not engine.clock.paused
    assert not events(engine, "gather_start")


def test_a_held_live_call_goes_on_when_resumed() -> None:
    settings = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
    app, url = wsgi_app_for_target(EXAMPLES / "support-line.ivrflow")
    engine = CallEngine(url, WsgiTransport(app), clock=RealClock(), settings=settings)
    pauses: list[Pause] = []
    held = threading.Condition()

    def on_pause(pause: Pause) -> None:
        with held:
            pauses.append(pause)
            held.notify_all()

    debugger = CallDebugger(engine.clock, {"main_menu"}, on_pause)
    engine.gate = debugger
    listening = threading.Event()
    engine.trace.subscribe(lambda e: listening.set() if e["event"] == "listening" else None)
    call = LiveCall(engine, max_duration=600)
    call.start()
    with held:
        assert held.wait_for(lambda: pauses, 10)
    assert not listening.is_set()
    debugger.resume()
    assert listening.wait(10), "the menu ran once the call went on"
    call.hang_up()
    assert call.wait(10)


@pytest.fixture
def gold_line(tmp_path) -> Path:
    """Welcome → Set tier=gold (a logic node, evaluated by the handler) → a menu."""
    flow = {
        "format": "ivrflow",
        "version": 2,
        "name": "Gold line",
        "start": "welcome",
        "variables": [{"name": "tier", "default": "standard"}],
        "nodes": [
            {"id": "welcome", "kind": "say", "text": "Hello.", "links": {"next": "mark_gold"}},
            {
                "id": "mark_gold",
                "kind": "set",
                "config": {"assign": [{"name": "tier", "value": "gold"}]},
                "links": {"next": "menu"},
            },
            {
                "id": "menu",
                "kind": "gather",
                "prompts": [{"kind": "say", "text": "A {{ vars.tier }} menu."}],
                "branches": [{"id": "one", "keys": "1"}],
            },
        ],
    }
    path = tmp_path / "gold.ivrflow"
    path.write_text(json.dumps(flow), encoding="utf-8")
    return path


def test_a_breakpoint_on_a_logic_node_holds_the_call_where_its_answer_arrives(gold_line) -> None:
    app, url = wsgi_app_for_target(gold_line)
    clock = VirtualClock()
    engine = CallEngine(url, WsgiTransport(app), clock=clock)
    pauses: list[Pause] = []
    arrivals: list[Arrival] = []
    engine.gate = CallDebugger(clock, {"mark_gold"}, pauses.append, on_arrival=arrivals.append)
    engine.start()
    run(engine)

    (pause,) = pauses
    assert pause.reason == "breakpoint" and pause.via == "mark_gold" and pause.node == "menu"
    assert pause.arrival.path == ("mark_gold next",)
    assert "A gold menu." in pause.arrival.twiml and not events(engine, "gather_start")
    assert pause.arrival.values is not None and pause.arrival.values.vars == {"tier": "gold"}
    request = next(e for e in events(engine, "request") if e.get("path") == ["mark_gold next"])
    assert values_of(request) == pause.arrival.values, "the trace and the debugger read the same report"
    assert [a.node for a in arrivals] == ["welcome", "menu"], "every response is reported, held or not"
    assert arrivals[0].path == () and "Hello." in arrivals[0].twiml
