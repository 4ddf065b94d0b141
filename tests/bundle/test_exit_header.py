"""The handler names the flow exit each result took (``X-IVR-Exit``), and the runtime records it."""

from __future__ import annotations

import io
import json

from ivr_studio.bundle.handler import create_app
from ivr_studio.bundle.serve import source_for_target
from ivr_studio.cli import main


def post(client, path, **form):
    return client.post(path, data=form)


def test_result_routes_name_the_exit(examples_dir):
    app = create_app(
        source_for_target(examples_dir / "support-line.ivrflow"), auth_token="", log_to_stderr=False
    )
    client = app.test_client()
    assert (
        post(client, "/node/main_menu/result", Digits="3").headers["X-IVR-Exit"] == "main_menu branch:billing"
    )
    assert post(client, "/node/main_menu/result", Digits="8").headers["X-IVR-Exit"] == "main_menu no_match"
    assert post(client, "/node/main_menu/result?noInput=true").headers["X-IVR-Exit"] == "main_menu no_input"
    assert (
        post(client, "/node/main_menu/result?noInput=true").headers["X-IVR-Exit"] == "main_menu max_attempts"
    )
    assert (
        post(client, "/node/to_sales/result", DialCallStatus="busy").headers["X-IVR-Exit"] == "to_sales busy"
    )
    assert (
        post(client, "/node/to_sales/result", DialCallStatus="completed").headers["X-IVR-Exit"]
        == "to_sales next"
    )
    assert "X-IVR-Exit" not in post(client, "/voice").headers


def test_call_trace_records_the_exit(examples_dir, tmp_path, capsys):
    script = tmp_path / "s.json"
    script.write_text(
        json.dumps({"steps": [{"wait_for": "listening"}, {"press": "3"}, {"wait_for": "hangup"}]})
    )
    trace = tmp_path / "t.jsonl"
    code = main(
        [
            "call",
            str(examples_dir / "support-line.ivrflow"),
            "--script",
            str(script),
            "--trace",
            str(trace),
            "--quiet",
        ]
    )
    assert code == 0
    events = [json.loads(line) for line in io.StringIO(trace.read_text())]
    exits = [e["exit"] for e in events if e["event"] == "request" and e.get("exit")]
    assert exits == ["main_menu branch:billing"]
