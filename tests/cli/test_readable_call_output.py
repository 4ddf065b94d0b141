"""What ``ivr-studio call`` shows is readable: a prompt the caller cut says so in the timeline and in the
trace file, and pocketsphinx's own log lines ("ERROR: fsg_search.c …") never reach stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ivr_studio.cli import main
from ivr_studio.runtime.trace import read_jsonl
from ivr_studio.voice.interfaces import AudioClip
from ivr_studio.voice.pcm import silence, write_wav
from ivr_studio.voice.tts import EspeakSynthesizer


def test_a_cut_prompt_in_the_timeline_and_the_trace_file(examples_dir, tmp_path, capsys):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [{"wait_for": "gather"}, {"wait": 2}, {"press": "2"}]}))
    trace = tmp_path / "trace.jsonl"
    flow = str(examples_dir / "support-line.ivrflow")
    assert main(["call", flow, "--script", str(script), "--trace", str(trace)]) == 0
    out = capsys.readouterr().out
    assert "    3.50s  the caller cut the say of 1.50s short (barge-in)\n" in out
    events = read_jsonl(trace.read_text().splitlines())
    menu = next(e for e in events if e["event"] == "say" and e["text"].startswith("Thanks for calling"))
    assert menu["t"] == 1.5 and menu["interrupted_at"] == 3.5
    welcome = next(e for e in events if e["event"] == "say" and e["text"] == "Welcome to Acme.")
    assert "interrupted_at" not in welcome
    assert events[-1]["event"] == "call_end"


def test_an_unwritable_trace_file_is_refused_before_the_call(examples_dir, tmp_path, capsys):
    flow = str(examples_dir / "support-line.ivrflow")
    assert main(["call", flow, "--trace", str(tmp_path / "no" / "trace.jsonl"), "--quiet"]) == 2
    assert (
        capsys.readouterr().err
        == f"error: cannot write the trace to {tmp_path / 'no' / 'trace.jsonl'}: no folder {tmp_path / 'no'}\n"
    )
    assert main(["call", flow, "--trace", str(tmp_path), "--quiet"]) == 2
    assert capsys.readouterr().err == f"error: cannot write the trace to {tmp_path}: it is a folder\n"


def test_pocketsphinx_log_lines_stay_off_stderr(examples_dir, tmp_path):
    """A phrase list whose final pass finds nothing in its grammar (espeak-ng's "opening hours" to the
    support line's main menu, as in the report) makes pocketsphinx log "Final result does not match the
    grammar" on the process's own stderr, at its ERROR level; the run's stderr stays empty."""
    speech = EspeakSynthesizer().synthesize("opening hours", "en-US").pcm
    write_wav(tmp_path / "hours.wav", AudioClip(silence(0.5) + speech + silence(1.0)))
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [{"wait_for": "listening"}, {"say_wav": "hours.wav"}]}))
    run = subprocess.run(
        [sys.executable, "-m", "ivr_studio", "call", str(examples_dir / "support-line.ivrflow")]
        + ["--script", str(script), "--quiet"],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "IVR_STUDIO_MODELS_DIR": str(tmp_path / "models")},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
