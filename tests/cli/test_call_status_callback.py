"""``ivr-studio call --status-callback``: a flow served in process reports its call to a real server."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from ivr_studio.cli import main
from ivr_studio.runtime.trace import read_jsonl


def _receiver(received: list[dict[str, str]]):
    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode()
        received.append({**dict(parse_qsl(environ["QUERY_STRING"])), **dict(parse_qsl(body))})
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def test_a_flow_call_reports_every_event_to_a_loopback_server(examples_dir, tmp_path, capsys, serve_wsgi):
    received: list[dict[str, str]] = []
    base = serve_wsgi(_receiver(received))
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [{"wait_for": "listening"}, {"press": "3"}]}))
    trace = tmp_path / "trace.jsonl"
    code = main(
        [
            "call",
            str(examples_dir / "support-line.ivrflow"),
            "--script",
            str(script),
            "--trace",
            str(trace),
            "--status-callback",
            f"{base}/status?source=cli",
            "--status-callback-event",
            "initiated",
            "answered",
            "completed",
            "--status-callback-method",
            "post",
        ]
    )
    assert code == 0
    assert [r["CallStatus"] for r in received] == ["initiated", "in-progress", "completed"]
    assert [r["source"] for r in received] == ["cli"] * 3
    events = read_jsonl(trace.read_text().splitlines())
    assert [e["status"] for e in events if e.get("callback") == "statusCallback"] == [200, 200, 200]
    assert "(statusCallback) CallStatus='completed'" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--status-callback", "/status"], "status callback URL must be an absolute http(s) URL"),
        (
            ["--status-callback", "http://x/s", "--status-callback-event", "ringing", "hung"],
            "'hung' is not one of",
        ),
        (["--status-callback", "http://x/s", "--status-callback-method", "PATCH"], "GET or POST"),
        (["--status-callback-event", "completed"], "need --status-callback URL"),
    ],
)
def test_bad_status_callback_options_exit_2(examples_dir, capsys, extra, message):
    assert main(["call", str(examples_dir / "support-line.ivrflow"), "--quiet", *extra]) == 2
    assert message in capsys.readouterr().err
