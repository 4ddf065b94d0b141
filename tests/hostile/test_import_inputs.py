"""Hostile inputs to ``ivr-studio import``, ``export --studio`` and ``map``: each real command runs in the
sandbox (memory cap, time limit, files-changed check) and fails with one clear line (or reports the bad
part and leaves it out), with no traceback and no output file written half-way."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from test_map_hostile_app import hostile_app

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Response><Say>&lol3;</Say></Response>"""


@pytest.mark.parametrize("command", ["twiml", "studio"])
def test_a_fifo_and_a_device_are_refused_at_once(hostile, command: str):
    os.mkfifo(hostile.path("pipe.xml"))
    for bad in ("pipe.xml", "/dev/zero"):
        hostile.run("import", command, bad, "-o", "out.ivrflow", seconds=20).fails(1, bad)


def test_an_oversized_twiml_document_is_reported_by_its_size(hostile):
    hostile.write("big.xml", b"<Response><Say>" + b"a" * 200_000 + b"</Say></Response>")
    hostile.run("import", "twiml", "big.xml", "-o", "o.ivrflow").fails(1, "big.xml")


def test_entities_and_garbage_are_reported_and_left_out(hostile):
    hostile.write("in/laughs.xml", LAUGHS)
    hostile.write("in/binary.xml", os.urandom(4096))
    hostile.write("in/deep.xml", b"<Response>" + b"<Say>" * 5000 + b"</Say>" * 5000 + b"</Response>")
    hostile.write("in/ok.xml", b"<Response><Say>Hello</Say></Response>")
    run = hostile.run("import", "twiml", "in", "-o", "o.ivrflow", memory_mb=512).succeeds(
        changed=["o.ivrflow"]
    )
    assert "lol" not in run.stdout  # never expanded, never echoed
    lines = {line.split()[1]: line for line in run.stdout.splitlines() if line.startswith("  skipped")}
    assert "laughs" in lines and "12100" in lines["laughs"]
    assert "binary" in lines


def test_nothing_valid_means_nothing_written(hostile):
    hostile.write("in/a.xml", b"\xff\xfe not xml at all")
    hostile.run("import", "twiml", "in", "-o", "o.ivrflow").fails(1, "none of the documents")


def test_too_many_documents_are_refused(hostile):
    for i in range(6):
        hostile.write(f"in/d{i}.xml", b"<Response/>")
    run = hostile.run_python(
        """
        import sys
        from ivr_studio.cli import main
        from ivr_studio.interop import twiml_import
        twiml_import.MAX_DOCUMENTS = 5
        sys.exit(main(["import", "twiml", "in", "-o", "o.ivrflow"]))
        """
    )
    run.fails(1, "more than 5 documents")


def test_output_must_be_an_ivrflow_file(hostile):
    hostile.write("a.xml", b"<Response/>")
    hostile.run("import", "twiml", "a.xml", "-o", "o.json").fails(2, ".ivrflow")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"states": [1, 2', "JSON"),
        (b'{"states": NaN}', "NaN"),
        (b'{"states": [], "states": []}', "states"),
        (b"\xff\xfe{\x00}\x00", "UTF"),
        (b'{"description": "x"}', "$.states"),
        (b'{"states": [{"name": "a", "type": "say-play", "transitions": "no"}]}', "$.states[0].transitions"),
        (b"[" * 100_000 + b"]" * 100_000, "flow.json"),
    ],
)
def test_a_bad_studio_definition_is_one_clear_line(hostile, content: bytes, expected: str):
    hostile.write("flow.json", content)
    run = hostile.run("import", "studio", "flow.json", "-o", "o.ivrflow", memory_mb=512)
    run.fails(1, "flow.json")
    assert expected.lower() in run.stderr.lower()


def test_too_many_widgets_and_huge_names_are_refused_without_echoing_them(hostile):
    states = [{"name": f"w{i}", "type": "say-play"} for i in range(6000)]
    hostile.write("many.json", json.dumps({"states": states}))
    hostile.run("import", "studio", "many.json", "-o", "o.ivrflow").fails(1, "at most 5,000")
    huge = "x" * 1_000_000
    hostile.write(
        "huge.json", json.dumps({"states": [{"name": huge, "type": "a"}, {"name": huge, "type": "a"}]})
    )
    hostile.run("import", "studio", "huge.json", "-o", "o.ivrflow").fails(1, "used twice")


def test_a_tampered_export_note_is_ignored_not_trusted(hostile):
    from ivr_studio.flow.ivrflow import load_flow
    from ivr_studio.interop.studio_export import export_studio

    definition = export_studio(load_flow(EXAMPLES / "support-line.ivrflow"))
    extras = json.loads(definition["description"][len("ivr-studio:") :])
    extras["flow"]["nodes"][0]["kind"] = "no-such-kind"  # the digest still matches: the flow must not load
    definition["description"] = "ivr-studio:" + json.dumps(extras)
    hostile.write("flow.json", json.dumps(definition))
    run = hostile.run("import", "studio", "flow.json", "-o", "o.ivrflow").succeeds(changed=["o.ivrflow"])
    assert "could not be read" in run.stdout
    assert load_flow(hostile.path("o.ivrflow")).node("welcome").kind == "say"


def test_a_flow_over_studios_limit_is_refused_by_export(hostile):
    nodes = [{"id": f"s{i}", "kind": "say", "text": "x", "links": {"next": f"s{i + 1}"}} for i in range(1200)]
    nodes[-1].pop("links")
    hostile.write(
        "long.ivrflow", json.dumps({"format": "ivrflow", "version": 1, "start": "s0", "nodes": nodes})
    )
    hostile.run("export", "--studio", "long.ivrflow", "-o", "flow.json").fails(1, "allows 1,000")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # the test's output is the command's
        pass


@contextmanager
def _served(app) -> Iterator[str]:
    """``app`` served on 127.0.0.1 by a real HTTP server in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_mapping_a_hostile_app_over_http_stays_within_its_limits(hostile):
    with _served(hostile_app) as base:
        run = hostile.run(
            "map", f"{base}/voice", "-o", "m.ivrflow", "--max-states", "25", "--max-depth", "3",
            "--keys", "0-9", "--rate", "500", "--quiet", memory_mb=768, seconds=120,
        )  # fmt: skip
    run.succeeds(changed=["m.ivrflow"])
    assert "--max-states 25" in run.stdout
    mapped = json.loads(hostile.path("m.ivrflow").read_text(encoding="utf-8"))
    assert len(mapped["nodes"]) <= 60
    assert any(n["title"].startswith("Error:") for n in mapped["nodes"])
    assert all(len(n.get("text", "")) < 70_000 for n in mapped["nodes"])  # nothing huge was kept
    flags = [f for n in mapped["nodes"] for f in n.get("flags", [])]
    assert any(f["kind"] == "error" for f in flags) and mapped["version"] == 3


def test_map_refuses_to_overwrite_and_writes_nothing_for_an_unreachable_app(hostile):
    hostile.write("m.ivrflow", "keep me")
    hostile.run("map", "http://127.0.0.1:9/voice", "-o", "m.ivrflow", "--quiet").fails(2, "m.ivrflow")
    hostile.run("map", "http://127.0.0.1:9/voice", "-o", "n.ivrflow", "--quiet", seconds=30).fails(
        1, "127.0.0.1:9"
    )
