"""Files that are not what they claim: devices, FIFOs, folders, huge or non-UTF-8 files, for every reader."""

from __future__ import annotations

import json
import os

import pytest
from hostile_flows import tiny_flow_text

UTF16 = "\ufeff{}".encode("utf-16-le")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "/dev/zero"], "/dev/zero: is a character device, not a regular file"),
        (["export", "/dev/zero", "-o", "out"], "/dev/zero: is a character device"),
        (["call", "/dev/zero", "--quiet"], "/dev/zero"),
        (["validate", "."], "is a folder"),
    ],
)
def test_flow_readers_refuse_devices_and_folders(hostile, argv, message):
    hostile.run(*argv).fails(2, message)


def test_validate_on_a_fifo_does_not_block(hostile):
    os.mkfifo(hostile.path("menu.ivrflow"))
    hostile.run("validate", "menu.ivrflow", seconds=20).fails(2, "menu.ivrflow: is a FIFO")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (UTF16, "is UTF-16 text; save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file"),
        (b'{"format": "ivrflow", "name": "caf\xe9"}', "is not UTF-8 text (byte 0xe9 on line 1)"),
    ],
)
def test_a_flow_that_is_not_utf8_is_a_clear_error(hostile, content, message):
    hostile.write("menu.ivrflow", content)
    hostile.run("validate", "menu.ivrflow").fails(2, message)


def test_a_flow_larger_than_the_limit_is_refused_by_bytes_read(hostile):
    with open(hostile.path("big.ivrflow"), "wb") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse: costs no disk, and would cost 60 MB if read whole
    hostile.run("validate", "big.ivrflow", memory_mb=400).fails(2, "is larger than the limit")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize(
    ("content", "message"),
    [(UTF16, "is UTF-16 text"), (b"steps: [\xff]", "is not UTF-8 text")],
)
def test_a_script_that_is_not_utf8_is_a_clear_error(hostile, suffix, content, message):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write(f"script{suffix}", content)
    hostile.run("call", "menu.ivrflow", "--script", f"script{suffix}", "--quiet").fails(2, message)


def test_a_script_on_a_device_is_refused(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.run("call", "menu.ivrflow", "--script", "/dev/zero", "--quiet").fails(2, "/dev/zero: is a character")


def test_a_scenario_file_that_is_not_utf8_is_a_clear_error(hostile):
    hostile.write("menu.tests.yaml", UTF16)
    hostile.run("test", "menu.tests.yaml").fails(2, "menu.tests.yaml: is UTF-16 text")


def test_a_scenario_on_a_fifo_does_not_block(hostile):
    os.mkfifo(hostile.path("menu.tests.yaml"))
    hostile.run("test", "menu.tests.yaml", seconds=20).fails(2, "menu.tests.yaml: is a FIFO")


def _bundle(hostile) -> None:
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.run("export", "menu.ivrflow", "-o", "bundle").succeeds(changed=["bundle/"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (UTF16, "routing.json: is UTF-16 text"),
        (b'{"nodes": {}, "nodes": {}}', "appears twice"),
        (b'{"format": "ivr-studio-routing", "version": 1, "min_confidence": NaN}', "NaN is not a number"),
    ],
)
def test_a_bundle_target_with_a_bad_routing_file_is_a_clear_error(hostile, content, message):
    _bundle(hostile)
    hostile.write("bundle/routing.json", content)
    hostile.run("call", "bundle", "--quiet").fails(2, message)


def test_a_bundle_whose_routing_file_is_a_fifo_does_not_block(hostile):
    _bundle(hostile)
    os.unlink(hostile.path("bundle/routing.json"))
    os.mkfifo(hostile.path("bundle/routing.json"))
    hostile.run("call", "bundle", "--quiet", seconds=20).fails(2, "routing.json: is a FIFO")


def test_a_bundle_whose_twiml_document_is_a_device_is_refused(hostile):
    _bundle(hostile)
    os.unlink(hostile.path("bundle/twiml/menu.xml"))
    os.symlink("/dev/zero", hostile.path("bundle/twiml/menu.xml"))
    hostile.run("call", "bundle", "--quiet", memory_mb=400).fails(2, "menu.xml: is a character device")


def test_a_scenario_whose_bundle_routing_is_not_utf8_is_a_clear_error(hostile):
    _bundle(hostile)
    hostile.write(
        "menu.tests.yaml",
        "target: bundle\ncalls:\n  - name: silent\n    steps: []\n    expect_end: completed\n",
    )
    hostile.write("bundle/routing.json", UTF16)
    hostile.run("test", "menu.tests.yaml", "--coverage", "cov.json").fails(
        2, "routing.json: is UTF-16 text", changed=["cov.json"]
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (UTF16, "cov.json: is UTF-16 text"),
        (b'{"format": "ivr-studio-coverage", "taken": [[1e999, "x"]]}', "too large"),
    ],
)
def test_loading_a_bad_coverage_file_is_a_clear_error(hostile, content, message):
    hostile.write("cov.json", content)
    run = hostile.run_python(
        """
        from ivr_studio.bundle.coverage import read_coverage
        try:
            read_coverage("cov.json")
        except ValueError as exc:
            print(exc, file=sys.stderr)
            sys.exit(2)
        """
    )
    run.fails(2, message)


def test_a_coverage_file_on_a_fifo_does_not_block(hostile):
    os.mkfifo(hostile.path("cov.json"))
    run = hostile.run_python(
        """
        from ivr_studio.bundle.coverage import read_coverage
        try:
            read_coverage("cov.json")
        except ValueError as exc:
            print(exc, file=sys.stderr)
            sys.exit(2)
        """,
        seconds=20,
    )
    run.fails(2, "cov.json: is a FIFO")


@pytest.mark.parametrize("meta", ["fifo", b'{"original": "x", "pid": 1e999}', UTF16, b"[" * 100_000])
def test_hostile_autosave_metadata_never_blocks_or_breaks_recovery(hostile, meta):
    hostile.write("recovery/menu-0123456789.ivrflow", tiny_flow_text())
    if meta == "fifo":
        os.mkfifo(hostile.path("recovery/menu-0123456789.json"))
    else:
        hostile.write("recovery/menu-0123456789.json", meta)
    run = hostile.run_python(
        """
        from pathlib import Path
        from ivr_studio.ui.autosave import find_recoveries
        found = find_recoveries(Path("recovery"))
        print([(r.file.name, r.original) for r in found])
        """,
        seconds=20,
    )
    run.succeeds(changed=[".home/"])
    assert run.stdout.strip() == "[('menu-0123456789.ivrflow', None)]"


@pytest.mark.parametrize("language", ["de\r\nX-Evil: 1", "x" * 100_000, 42, ""])
def test_a_bundle_whose_routing_file_has_a_bad_language_is_a_clear_error(hostile, language):
    """``language`` (the flow's, for logic nodes' templates) must be a language tag; a long one is cut."""
    _bundle(hostile)
    routing = json.loads(hostile.path("bundle/routing.json").read_text())
    hostile.write("bundle/routing.json", json.dumps({**routing, "language": language}))
    hostile.run("call", "bundle", "--quiet").fails(2, "is not a language tag such as de-DE")
