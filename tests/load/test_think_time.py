"""Fast think time compresses the time between requests and nothing else: a call sends the same requests,
with the same parameters, in the same order as it does at a real caller's pace (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import pytest
from load_support import http_app, twiml

from ivr_studio.load.calls import LoadPlan, caller_rng, place_call
from ivr_studio.load.mix import CallerMix, CallKind, MenuBranch, RandomMix
from ivr_studio.runtime.scenario import read_scenario
from ivr_studio.runtime.transports import HttpTransport

pytestmark = pytest.mark.slow  # real think time: a few seconds of wall time per call

ROUTES = {
    "/voice": twiml(
        '<Gather action="/menu" numDigits="1" timeout="1"><Say>Press 1</Say></Gather>'
        "<Redirect>/bye</Redirect>",
        "menu",
    ),  # fmt: skip
    "/menu": lambda p: (
        twiml("<Say>Yes</Say><Hangup/>", "yes")(p)
        if p.get("Digits") == "1"
        else twiml("<Say>Wrong</Say><Redirect>/retry</Redirect>", "wrong")(p)
    ),  # fmt: skip
    "/retry": twiml(
        '<Gather action="/menu" numDigits="1" timeout="1"><Say>Again</Say></Gather><Redirect>/bye</Redirect>',
        "retry",
    ),  # fmt: skip
    "/bye": twiml("<Say>Bye</Say><Hangup/>", "bye"),
}


def _requests(log: list) -> list[tuple]:
    return [(m, path, tuple(sorted((k, v) for k, v in p.items() if k != "CallSid"))) for m, path, p in log]


def _run(kind: CallKind, think_time: str, base: str, log: list, seed: int = 9):
    plan = LoadPlan(
        mix=CallerMix([kind]),
        transport=HttpTransport(),
        url=f"{base}/voice",
        think_time=think_time,
        random_mix=RandomMix(branch=50, wrong=50, silent=0, hangup=0, delay=(0.1, 0.3)),
        menus={"menu": (MenuBranch("1", ()),), "retry": (MenuBranch("1", ()),)},
    )
    del log[:]
    outcome = place_call(plan, kind, caller_rng(seed, 0, 0))
    return outcome, _requests(log)


def test_a_scenario_call_sends_the_same_requests_in_both_think_times(tmp_path):
    path = tmp_path / "wrong-then-silent.tests.yaml"
    path.write_text(
        "target: http://unused.invalid/voice\ncalls:\n"
        "  - name: wrong key, then silence\n    steps: [{wait_for: listening}, {press: '7'}]\n"
        "    expect_node: [menu, wrong, retry, bye]\n    expect_end: completed\n"
    )
    scenario = read_scenario(path)
    kind = CallKind("wrong key", 1.0, scenario, scenario.calls[0])
    with http_app(ROUTES) as (base, log):
        fast, fast_requests = _run(kind, "fast", base, log)
        real, real_requests = _run(kind, "real", base, log)
    assert fast.ok and real.ok, (fast.failures, real.failures)
    assert [r[1] for r in fast_requests] == ["/voice", "/menu", "/retry", "/bye"]
    assert real_requests == fast_requests
    assert fast.path == real.path == ("menu", "wrong", "retry", "bye")


def test_a_random_caller_with_the_same_seed_sends_the_same_requests_in_both_think_times():
    kind = CallKind("random caller", 1.0)
    with http_app(ROUTES) as (base, log):
        fast, fast_requests = _run(kind, "fast", base, log, seed=1)
        real, real_requests = _run(kind, "real", base, log, seed=1)
    assert fast.ok and real.ok
    assert real_requests == fast_requests and len(fast_requests) >= 2
