"""``ivr-studio call --set``: the runtime's choices where Twilio's behaviour is undocumented."""

from __future__ import annotations

import json

from ivr_studio.cli import main


def first_gather_end(tmp_path, examples_dir, *settings: str) -> dict:
    script = tmp_path / "s.json"
    script.write_text(
        json.dumps({"steps": [{"wait_for": "listening"}, {"press": "#"}, {"wait": 6}, {"hangup": True}]})
    )
    trace = tmp_path / "t.jsonl"
    args = [
        "call",
        str(examples_dir / "transfer-voicemail.ivrflow"),
        "--script",
        str(script),
        "--trace",
        str(trace),
        "--quiet",
    ]
    for s in settings:
        args += ["--set", s]
    assert main(args) == 0
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    listening = next(e for e in events if e["event"] == "listening")
    end = next(e for e in events if e["event"] == "gather_end")
    return {"waited": round(end["t"] - listening["t"], 2), **end}


def test_terminator_first_follows_the_current_docs_by_default(tmp_path, examples_dir):
    end = first_gather_end(tmp_path, examples_dir)
    assert end["waited"] == 4.0  # '#' ignored; the menu's 4 s timeout runs out
    assert not end.get("digits")


def test_terminator_first_legacy_ends_the_gather_at_once(tmp_path, examples_dir):
    end = first_gather_end(tmp_path, examples_dir, "terminator_first=legacy")
    assert end["waited"] == 0.0


def test_bad_settings_are_usage_errors(examples_dir, capsys):
    target = str(examples_dir / "transfer-voicemail.ivrflow")
    assert main(["call", target, "--set", "bogus=1", "--quiet"]) == 2
    assert "unknown runtime setting(s): bogus" in capsys.readouterr().err
    assert main(["call", target, "--set", "type_ahead=3", "--quiet"]) == 2
    assert "type_ahead must be bool" in capsys.readouterr().err
    assert main(["call", target, "--set", "novalue", "--quiet"]) == 2
