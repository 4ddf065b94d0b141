"""Webhooks that misbehave: servers that trickle their answer a byte at a time, bodies shorter than their
Content-Length, and a trace or timeline that cannot be written (a full disk)."""

from __future__ import annotations

import pytest
from hostile_flows import tiny_flow_text
from hostile_servers import DOCUMENT, http_response, raw_server

# Twilio's limit is 15 s for the whole exchange (§1.2); the URL's #tt override makes it 1 s here, so a
# server that trickles for 20 s must be given up on after 1 s of it, whatever the per-read limit is.
DEADLINE = "#tt=1000&rt=900"


@pytest.mark.parametrize(
    "part",
    ["status line", "headers", "body"],
)
def test_a_trickling_server_is_given_up_on_at_the_deadline(hostile, part):
    reply = http_response()
    head_end = reply.index(b"\r\n\r\n") + 4
    fast = {"status line": 0, "headers": reply.index(b"\r\n") + 2, "body": head_end}[part]
    # the first `fast` bytes come at once; the rest one every 0.1 s (about 10 s in all)
    with raw_server(reply[:fast] + reply[fast:], delay=0.1) as base:
        run = hostile.run("call", f"{base}/voice{DEADLINE}", "--trace", "trace.jsonl", seconds=30)
    run.fails(1, "application error 11205", changed=["trace.jsonl"])
    assert '"code": "11205"' in hostile.path("trace.jsonl").read_text()


def test_a_body_shorter_than_its_content_length_is_a_protocol_violation(hostile):
    reply = http_response(DOCUMENT, content_length=len(DOCUMENT) + 500)
    with raw_server(reply) as base:
        run = hostile.run("call", f"{base}/voice", seconds=30)
    run.fails(1, "application error 11206")
    assert "short of its Content-Length" in run.stderr
    assert "Hello there" not in run.stdout  # the truncated document was never run


def test_a_complete_response_still_works(hostile):
    with raw_server(http_response()) as base:
        run = hostile.run("call", f"{base}/voice", seconds=30)
    run.succeeds()
    assert "Hello there" in run.stdout


def test_a_trace_on_a_full_disk_is_a_clear_error(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.run("call", "menu.ivrflow", "--quiet", "--trace", "/dev/full").fails(
        2, "error: cannot write the trace to /dev/full: No space left on device"
    )


@pytest.mark.parametrize("command", ["call", "validate"])
def test_standard_output_on_a_full_disk_is_a_clear_error(hostile, command):
    hostile.write("menu.ivrflow", tiny_flow_text())
    argv = ["call", "menu.ivrflow"] if command == "call" else ["validate", "menu.ivrflow"]
    code = "import os, sys\nfd = os.open('/dev/full', os.O_WRONLY)\nos.dup2(fd, 1)\n"
    run = hostile.run_python(
        code + "from ivr_studio.cli import main\nsys.exit(main(" + repr(argv) + "))\n"
    )
    run.fails(2, "error: cannot write to standard output: No space left on device")
    assert "Exception ignored" not in run.stderr
