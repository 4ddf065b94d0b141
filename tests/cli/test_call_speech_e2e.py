"""End to end: a real recorded utterance, through ``ivr-studio call --script`` with ``say_wav``, the bundled
offline recogniser and the example flow's handler app, picks the right branch."""

from __future__ import annotations

import json
import wave
from pathlib import Path

from dependencies import needs

from ivr_studio.cli import main

TESTDATA = Path("/usr/share/pocketsphinx/test/data")
pytestmark = needs(TESTDATA.is_dir(), "Debian's pocketsphinx-testdata")


def as_wav(raw_name: str, folder: Path) -> Path:
    out = folder / f"{Path(raw_name).stem}.wav"
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes((TESTDATA / raw_name).read_bytes())
    return out


def call(tmp_path: Path, example: Path, steps: list[dict]) -> list[dict]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": steps}))
    trace = tmp_path / "trace.jsonl"
    assert main(["call", str(example), "--script", str(script), "--trace", str(trace), "--quiet"]) == 0
    return [json.loads(line) for line in trace.read_text().splitlines()]


def exits(events: list[dict]) -> list[str]:
    return [e["exit"] for e in events if e["event"] == "request" and e.get("exit")]


def test_recorded_command_chooses_its_branch(examples_dir, tmp_path):
    wav = as_wav("goforward.raw", tmp_path)
    events = call(
        tmp_path,
        examples_dir / "rover-commands.ivrflow",
        [{"wait_for": "listening"}, {"say_wav": wav.name}, {"wait_for": "gather"}, {"hangup": True}],
    )
    assert exits(events) == ["commands branch:forward"]
    result = next(e for e in events if e["event"] == "request" and e.get("exit"))
    assert result["params"]["SpeechResult"] == "Go forward ten meters."
    assert float(result["params"]["Confidence"]) > 0.5
    assert any(e["event"] == "say" and e["text"] == "Moving forward ten meters." for e in events)


def test_speech_outside_the_menu_is_not_forced_onto_a_branch(examples_dir, tmp_path):
    wav = as_wav("something.raw", tmp_path)  # "go somewhere and do something"
    events = call(
        tmp_path,
        examples_dir / "rover-commands.ivrflow",
        [{"wait_for": "listening"}, {"say_wav": wav.name}, {"wait_for": "gather"}, {"hangup": True}],
    )
    assert exits(events) == ["commands no_input"]
    assert not any(e["event"] == "request" and "SpeechResult" in (e.get("params") or {}) for e in events)


def test_key_presses_recorded_in_a_wav_are_keys_not_speech(examples_dir, tmp_path):
    """A recording of a caller pressing 2 (a phone's keypad held to the microphone) picks the key's branch
    of a menu that also listens for speech: the tone is a key press, and nothing of it is heard as speech."""
    from ivr_studio.voice.dtmf import tones
    from ivr_studio.voice.interfaces import AudioClip
    from ivr_studio.voice.pcm import silence, write_wav

    wav = tmp_path / "presses-2.wav"
    write_wav(wav, AudioClip(silence(0.4) + tones("2", tone_seconds=0.5, gap_seconds=0.0).pcm + silence(1.0)))
    events = call(
        tmp_path,
        examples_dir / "support-line.ivrflow",
        [{"wait_for": "listening"}, {"say_wav": wav.name}, {"wait_for": "gather"}, {"hangup": True}],
    )
    assert exits(events)[0] == "main_menu branch:support"
    result = next(e for e in events if e["event"] == "request" and e.get("exit"))
    assert result["params"]["Digits"] == "2" and "SpeechResult" not in result["params"]
    assert not [e for e in events if e["event"] == "speech"], "the tone was not taken for speech"


def test_each_utterance_in_a_wav_gets_its_own_result(examples_dir, tmp_path):
    """A caller who says a command, pauses, and says something else: the menu acts on the first sentence
    at its own end of speech, not on the whole file."""
    wav = tmp_path / "two-sentences.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16_000)
        pause = b"\x00\x00" * 16_000 * 3
        w.writeframes(
            (TESTDATA / "goforward.raw").read_bytes() + pause + (TESTDATA / "something.raw").read_bytes()
        )
    events = call(
        tmp_path,
        examples_dir / "rover-commands.ivrflow",
        [{"wait_for": "listening"}, {"say_wav": wav.name}, {"wait_for": "gather"}, {"hangup": True}],
    )
    assert exits(events)[0] == "commands branch:forward"
    first = next(e for e in events if e["event"] == "gather_end")
    assert first["reason"] == "speech" and first["speech"] == "Go forward ten meters."
    listening = next(e for e in events if e["event"] == "listening")
    assert first["t"] - listening["t"] < 5.0, "decided after the first sentence, during the pause"


def test_max_speech_time_ends_a_long_utterance_with_what_was_said(examples_dir, tmp_path):
    data = json.loads((examples_dir / "rover-commands.ivrflow").read_text(encoding="utf-8"))
    gather = next(n for n in data["nodes"] if n["id"] == "commands")
    gather["attributes"]["maxSpeechTime"] = 1
    flow = tmp_path / "rover-capped.ivrflow"
    flow.write_text(json.dumps(data), encoding="utf-8")
    wav = as_wav("goforward.raw", tmp_path)  # 2.8 s: "go forward" is said within the first second
    events = call(
        tmp_path,
        flow,
        [{"wait_for": "listening"}, {"say_wav": wav.name}, {"wait_for": "gather"}, {"hangup": True}],
    )
    end = next(e for e in events if e["event"] == "gather_end")
    assert end["reason"] == "maxSpeechTime"
    assert end["speech"], "the recogniser's transcript of the first second, not nothing"
    assert exits(events)[0].startswith("commands branch:")


def test_phone_fidelity_puts_the_caller_on_a_phone_line(examples_dir, tmp_path):
    """--phone-fidelity: recognition hears 8 kHz μ-law audio; a menu's phrase list still gets it right."""
    wav = as_wav("goforward.raw", tmp_path)
    script = tmp_path / "script.json"
    steps = [{"wait_for": "listening"}, {"say_wav": wav.name}, {"wait_for": "gather"}, {"hangup": True}]
    script.write_text(json.dumps({"steps": steps}))
    traces = {}
    for name, extra in (("wide", []), ("phone", ["--phone-fidelity"])):
        trace = tmp_path / f"{name}.jsonl"
        argv = ["call", str(examples_dir / "rover-commands.ivrflow"), "--script", str(script)]
        assert main([*argv, "--trace", str(trace), "--quiet", *extra]) == 0
        traces[name] = [json.loads(line) for line in trace.read_text().splitlines()]
    assert exits(traces["phone"]) == exits(traces["wide"]) == ["commands branch:forward"]
