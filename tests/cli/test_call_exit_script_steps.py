"""A script step that fails during the call (a ``say_wav`` for a language with no speech model) fails
``ivr-studio call`` and ``ivr-studio test`` with the reason, instead of passing on a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr_studio.cli import main
from ivr_studio.runtime.trace import read_jsonl
from ivr_studio.voice.interfaces import AudioClip
from ivr_studio.voice.pcm import silence, write_wav

#: Choose Spanish by key, then speak to the Spanish menu (a Gather in es-US).
STEPS = [
    {"wait_for": "listening"},
    {"press": "2"},
    {"wait_for": "listening"},
    {"say_wav": "caller.wav"},
    {"hangup": True},
]
NO_MODEL = "step 4 (say_wav) failed: No speech model is installed for es-US"


@pytest.fixture
def no_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty models folder, and a WAV for the caller to say."""
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(tmp_path / "models"))
    write_wav(tmp_path / "caller.wav", AudioClip(silence(1.0)))
    return tmp_path


@pytest.fixture
def flow(examples_dir: Path) -> Path:
    return examples_dir / "bilingual-front-desk.ivrflow"


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_call_exits_non_zero_and_says_which_step_failed(no_models, flow, capsys, quiet):
    script = no_models / "script.json"
    script.write_text(json.dumps({"steps": STEPS}))
    trace = no_models / "trace.jsonl"
    assert main(["call", str(flow), "--script", str(script), "--trace", str(trace), *quiet]) == 2
    err = capsys.readouterr().err
    assert f"error: {NO_MODEL}" in err
    events = read_jsonl(trace.read_text().splitlines())
    assert events[-1]["event"] == "call_end" and not any(e["event"] == "speech" for e in events)


def test_call_without_a_failed_step_still_exits_zero(no_models, flow, capsys):
    script = no_models / "script.json"
    script.write_text(json.dumps({"steps": [*STEPS[:3], {"press": "1"}, {"hangup": True}]}))
    assert main(["call", str(flow), "--script", str(script), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_scenario_with_a_failed_step_fails_with_the_reason(no_models, flow, capsys):
    scenario = no_models / "spanish.yaml"
    scenario.write_text(
        f"target: {flow}\n"
        "calls:\n"
        f"  - name: speaks to the Spanish menu\n    steps: {json.dumps(STEPS)}\n"
        "    expect_node: [language, menu_es]\n"
        f"  - name: presses a key in the Spanish menu\n    steps: {json.dumps([*STEPS[:3], {'press': '1'}])}\n"
        "    expect_node: [language, menu_es]\n"
    )
    junit = no_models / "junit.xml"
    assert main(["test", str(scenario), "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  " in out and "› speaks to the Spanish menu" in out
    assert NO_MODEL in out
    assert "PASS  " in out and "› presses a key in the Spanish menu" in out
    assert "1 passed, 1 failed" in out
    assert NO_MODEL in junit.read_text(encoding="utf-8")
