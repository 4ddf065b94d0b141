"""The random caller on the support line, served in process on virtual time: each choice at each menu does
what it says, and a seed repeats a caller's choices."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ivr_studio.bundle.serve import routing_for_target
from ivr_studio.cli.call import resolve_target
from ivr_studio.load.calls import LoadPlan, caller_rng, place_call
from ivr_studio.load.mix import CallerMix, CallKind, MenuBranch, RandomMix, menus_from_routing
from ivr_studio.load.random_caller import OFF_MENU_PHRASE, RandomCaller
from ivr_studio.runtime.clock import VirtualClock
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.script import run_virtual

FLOW = Path(__file__).resolve().parents[2] / "resources" / "examples" / "support-line.ivrflow"
MENUS = menus_from_routing(dict(routing_for_target(FLOW)))
MAIN_MENU_KEYS = {"1", "2", "3", "9"}
MAIN_MENU_PHRASES = {"sales", "buy", "pricing", "support", "technical support", "help", "billing", "invoice",
                     "payment", "repeat", "menu"}  # fmt: skip


def _call(mix: RandomMix, seed: int, menus=MENUS) -> tuple[RandomCaller, CallEngine]:
    transport, url = resolve_target(str(FLOW), "token")
    engine = CallEngine(url, transport, clock=VirtualClock(), auth_token="token")
    caller = RandomCaller(engine, mix, random.Random(seed), menus)
    run_virtual(engine, None, max_duration=600)
    return caller, engine


def _nodes(engine: CallEngine) -> list[str]:
    return [e["node"] for e in engine.trace.of("request") if e.get("node")]


def test_the_menus_come_from_the_routing_data():
    assert {b.keys for b in MENUS["main_menu"]} == MAIN_MENU_KEYS
    assert MenuBranch("2", ()) in MENUS["support_menu"]
    assert "welcome" not in MENUS  # not a menu


@pytest.mark.parametrize("seed", range(6))
def test_a_caller_who_always_picks_a_branch_follows_the_menu(seed):
    caller, engine = _call(RandomMix(branch=100, wrong=0, silent=0, hangup=0), seed)
    assert caller.choices and all(c.action == "branch" for c in caller.choices)
    first = caller.choices[0]
    assert first.node == "main_menu" and first.detail in MAIN_MENU_KEYS | MAIN_MENU_PHRASES
    nodes = _nodes(engine)
    assert "sorry" not in nodes and "goodbye" in nodes or "thanks" in nodes or "voicemail" in nodes
    # the node after the main menu is the one the chosen branch leads to (repeat leads back to it)
    target = {"1": "to_sales", "sales": "to_sales", "buy": "to_sales", "pricing": "to_sales", "2": "support_menu",
              "support": "support_menu", "technical support": "support_menu", "help": "support_menu",
              "3": "billing_info", "billing": "billing_info", "invoice": "billing_info", "payment": "billing_info",
              "9": "main_menu", "repeat": "main_menu", "menu": "main_menu"}[first.detail]  # fmt: skip
    assert nodes[nodes.index("main_menu") + 1] == target


@pytest.mark.parametrize("seed", range(3))
def test_a_caller_who_always_answers_wrongly_never_reaches_a_branch(seed):
    caller, engine = _call(RandomMix(branch=0, wrong=100, silent=0, hangup=0), seed)
    assert all(c.action == "wrong" for c in caller.choices)
    assert all(c.detail not in MAIN_MENU_KEYS for c in caller.choices if c.node == "main_menu")
    nodes = _nodes(engine)
    assert "sorry" in nodes and not {"to_sales", "support_menu", "billing_info"} & set(nodes)
    assert nodes[-2:] == ["goodbye", "hangup"]  # the menu gave up after its attempts


def test_a_silent_caller_waits_out_every_menu():
    caller, engine = _call(RandomMix(branch=0, wrong=0, silent=100, hangup=0), 1)
    assert [c.action for c in caller.choices] == ["silent"] * 3
    assert _nodes(engine) == ["welcome", "main_menu", "main_menu", "main_menu", "goodbye", "hangup"]
    assert all(e["reason"] == "timeout" for e in engine.trace.of("gather_end"))


def test_a_caller_who_hangs_up_ends_the_call_at_the_first_menu():
    caller, engine = _call(RandomMix(branch=0, wrong=0, silent=0, hangup=100), 1)
    assert [c.action for c in caller.choices] == ["hangup"]
    assert engine.trace.of("hangup")[-1]["reason"] == "caller hung up"
    assert _nodes(engine) == ["welcome", "main_menu"]


def test_the_reply_delay_is_drawn_from_its_range():
    mix = RandomMix(branch=0, wrong=0, silent=0, hangup=100, delay=(2.0, 2.5))
    _caller, engine = _call(mix, 3)
    listening = engine.trace.of("listening")[0]["t"]
    assert 2.0 <= engine.trace.of("hangup")[-1]["t"] - listening <= 2.5


def test_the_same_seed_repeats_a_callers_choices_and_requests():
    mix = RandomMix()
    runs = [_call(mix, seed) for seed in (5, 5, 6, 7, 8)]
    same = [(c.choices, _nodes(e)) for c, e in runs[:2]]
    assert same[0] == same[1]
    others = {tuple(c.choices) for c, _ in runs[2:]} | {tuple(runs[0][0].choices)}
    assert len(others) > 1  # other seeds choose otherwise


def test_without_routing_data_the_caller_uses_the_announced_keys_and_the_hints():
    """A menu the load run has no routing data for: the prompts say "press 1 … press 2", and the Gather's
    hints list the phrases."""
    caller, engine = _call(RandomMix(branch=100, wrong=0, silent=0, hangup=0), 2, menus={})
    first = caller.choices[0]
    assert first.action == "branch" and first.node == "main_menu"
    assert first.detail in MAIN_MENU_KEYS | MAIN_MENU_PHRASES
    assert "sorry" not in _nodes(engine)


def test_on_a_speech_only_menu_a_wrong_answer_is_an_off_menu_phrase_and_a_branch_is_said():
    rover = FLOW.with_name("rover-commands.ivrflow")
    menus = menus_from_routing(dict(routing_for_target(rover)))
    transport, url = resolve_target(str(rover), "token")
    for mix, expected in (
        (RandomMix(branch=0, wrong=100, silent=0, hangup=0), "sorry"),
        (RandomMix(branch=100, wrong=0, silent=0, hangup=0), None),
    ):
        engine = CallEngine(url, transport, clock=VirtualClock(), auth_token="token")
        caller = RandomCaller(engine, mix, random.Random(4), menus)
        run_virtual(engine, None, max_duration=600)
        said = [e["text"] for e in engine.trace.of("speech") if e["phase"] == "final"]
        if expected:
            assert set(said) == {OFF_MENU_PHRASE} and "sorry" in _nodes(engine)
        else:
            phrases = {p for b in menus["commands"] for p in b.phrases}
            assert said and set(said) <= phrases and "sorry" not in _nodes(engine)
        assert all(c.node == "commands" for c in caller.choices)


def test_place_call_reports_a_random_call_with_its_path():
    transport, url = resolve_target(str(FLOW), "token")
    plan = LoadPlan(
        mix=CallerMix([CallKind("random caller", 1.0)]),
        transport=transport,
        url=url,
        think_time="fast",
        auth_token="token",
        random_mix=RandomMix(branch=0, wrong=0, silent=100, hangup=0),
        menus=MENUS,
    )
    samples = []
    outcome = place_call(plan, plan.mix.kinds[0], caller_rng(1, 0, 0), samples.append)
    assert outcome.ok and outcome.is_random and outcome.status == "completed"
    assert outcome.path == ("welcome", "main_menu", "main_menu", "main_menu", "goodbye", "hangup")
    assert [s.name for s in samples] == list(outcome.path)
    assert all(s.kind == "webhook" and s.error is None for s in samples)


def test_a_scenario_step_that_could_not_be_carried_out_fails_the_call_under_load(tmp_path):
    """A say_wav step with no recogniser to hear it is a failed call, as ``ivr-studio test`` counts it (the
    scenario call's report carries the script's failures)."""
    from ivr_studio.runtime.scenario import read_scenario
    from ivr_studio.voice.interfaces import AudioClip
    from ivr_studio.voice.pcm import write_wav

    write_wav(tmp_path / "hello.wav", AudioClip(b"\x00\x00" * 1600))
    path = tmp_path / "speaks.tests.yaml"
    path.write_text(
        f"target: {FLOW}\ncalls:\n  - name: speaks\n    steps: [{{wait_for: listening}}, {{say_wav: hello.wav}}]\n"
        "    expect_end: completed\n"
    )
    scenario = read_scenario(path)
    transport, url = resolve_target(str(FLOW), scenario.auth_token)
    kind = CallKind("speaks", 1.0, scenario, scenario.calls[0])
    plan = LoadPlan(mix=CallerMix([kind]), transport=transport, url=url)
    outcome = place_call(plan, kind, caller_rng(1))
    assert not outcome.ok
    assert outcome.failures == [
        "step 2 (say_wav) failed: say_wav needs a speech recogniser, and none is available"
    ]
