"""Readable traces: a prompt cut by barge-in says where (spec §2.6), a loop warning names the verb that loops
(§1.6, §2.10), and no message a user reads cites the spec's section numbers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from runtime_support import FixedTTS, Reply, call, doc

import ivr_studio
from ivr_studio.runtime.audio import clip_to_wav
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.trace import format_amendment, format_event
from ivr_studio.voice.interfaces import AudioClip
from ivr_studio.voice.pcm import silence

BYE = doc("<Hangup/>")


def test_a_say_cut_by_a_key_says_when():
    r = call(
        {
            "/menu": doc('<Gather numDigits="1" action="/r"><Say>Long menu</Say><Say>More</Say></Gather>'),
            "/r": BYE,
        },
        [{"wait": 2.5}, {"press": "4"}],
        tts=FixedTTS({"Long menu": 6}),
    )
    first, *rest = r.events("say")
    assert first["interrupted_at"] == 2.5 and first["t"] == 0.0
    assert rest == []  # "More" never began
    assert format_event(first) == "    0.00s  say 'Long menu' (cut by the caller at 2.50s)"


def test_a_play_cut_by_speech_and_a_pause_cut_by_a_key():
    tune = Reply(clip_to_wav(AudioClip(silence(4.0))), 200, "audio/wav")
    r = call(
        {
            "/menu": doc(
                '<Gather input="speech" speechTimeout="1" action="/r"><Play>https://a/tune.wav</Play></Gather>'
            ),
            "/tune.wav": tune,
            "/r": doc('<Gather numDigits="1" action="/bye"><Pause length="3"/></Gather>'),
            "/bye": BYE,
        },
        [
            {"wait": 1.5},
            {"say": "sales", "duration": 0.5},
            {"wait_for": "gather"},
            {"wait": 1},
            {"press": "1"},
        ],
    )
    (play,) = r.events("play")
    assert play["interrupted_at"] == 1.5 and play["duration"] == 4.0
    (pause,) = r.events("pause")
    assert pause["t"] == 3.0 and pause["interrupted_at"] == 4.0


def test_a_prompt_that_played_to_the_end_or_without_barge_in_is_not_cut():
    routes = {
        "/menu": doc('<Gather numDigits="1" bargeIn="false" action="/r"><Say>Listen</Say></Gather>'),
        "/r": doc('<Say>Thanks</Say><Gather numDigits="1" action="/bye"/>'),
        "/bye": BYE,
    }
    r = call(
        routes, [{"wait": 0.5}, {"press": "1"}, {"wait_for": "listening"}, {"press": "2"}], tts=FixedTTS()
    )
    assert [e["text"] for e in r.events("say")] == ["Listen", "Thanks"]
    assert all("interrupted_at" not in e for e in r.events("say"))


def test_the_amendment_reads_as_a_timeline_line():
    event = {"t": 1.0, "event": "say", "text": "Hi"}
    assert format_amendment(event, {"interrupted_at": 2.25}) == (
        "    2.25s  the caller cut the say of 1.00s short (barge-in)"
    )


# ----- loop warnings name the verb -----
def test_an_empty_redirect_loop_is_named_as_such():
    """Spec row 20: ``<Gather numDigits="1"/><Redirect/>`` re-requests its own document when the caller is
    silent; the warning says it is the empty Redirect, not "a Gather without action"."""
    r = call(
        {"/loop": doc('<Gather numDigits="1" action="/r" timeout="1"/><Redirect/>')},
        url="https://a/loop",
        settings=RuntimeSettings(loop_warn_after=3, loop_stop_after=4),
    )
    (warning,) = [e for e in r.events("warning") if e["code"] == "IVR901"]
    assert warning["message"] == (
        "POST https://a/loop was requested 3 times in a row, each time by an empty <Redirect/>, which requests "
        "its own document again: the call may be looping"
    )
    (stopped,) = r.events("error")
    assert stopped["code"] == "IVR902" and "each time by an empty <Redirect/>" in stopped["message"]


def test_a_gather_without_action_loop_is_named_as_such():
    r = call(
        {"/menu": doc('<Gather numDigits="1"/>')},
        [{"wait_for": "listening"}, {"press": "1"}] * 3,
        settings=RuntimeSettings(loop_warn_after=3),
    )
    (warning,) = [e for e in r.events("warning") if e["code"] == "IVR901"]
    assert warning["message"].endswith(
        "each time by a <Gather> without action, which sends its result to its own document: "
        "the call may be looping"
    )


# ----- no section numbers in what users read -----
def _messages_with_section_signs(package: Path) -> list[str]:
    """String literals (f-string parts included) that are not docstrings and contain "§"."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        found += [
            f"{path.relative_to(package.parent)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "§" in node.value
            and id(node) not in docstrings
        ]
    return found


def test_no_message_cites_a_spec_section():
    """Users do not have our spec: warnings, errors, CLI and UI text never cite "§" (comments and
    docstrings for maintainers may)."""
    assert _messages_with_section_signs(Path(ivr_studio.__file__).parent) == []


def test_the_scan_finds_a_section_sign_in_a_message(tmp_path: Path):
    (tmp_path / "m.py").write_text('"""Doc §1."""\nx = f"bad {1} (§2.10)"\n# §3 in a comment\n')
    assert _messages_with_section_signs(tmp_path) == [f"{tmp_path.name}/m.py:2"]


@pytest.mark.parametrize("answered", [True, False])
def test_reject_warnings_do_not_cite_sections(answered: bool):
    routes = {"/menu": doc("<Say>Hi</Say><Reject/>" if answered else "<Reject/>")}
    r = call(routes, settings=RuntimeSettings(reject_after_answer="ignore"))
    assert all("§" not in e["message"] for e in r.events("warning"))
