"""Hostile input to ``ivr-studio load``: every option, scenario file and menus file it reads.

Each bad input ends in exit status 2 and one ``error:`` line naming the option, file or value (long values
cut), with no traceback, and before the run begins: no Locust user, no patched process, no open port.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ivr_studio.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
FLOW = str(EXAMPLES / "support-line.ivrflow")
SCENARIOS = str(EXAMPLES / "support-line.test.yaml")
LONG = "9" * 5000


def _refused(capsys, args: list[str], *expected: str) -> str:
    code = main(["load", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and len(lines[0]) < 400
    for text in expected:
        assert text in lines[0], lines[0]
    # refused before the run began: the Locust user was never loaded, the process never patched
    assert "ivr_studio.load.user" not in sys.modules
    assert "gevent.monkey" not in sys.modules or not sys.modules["gevent.monkey"].is_module_patched("socket")
    return lines[0]


@pytest.mark.parametrize(
    ("option", "value", "names"),
    [
        ("--callers", "0", "--callers"),
        ("--callers", "1000000000", "--callers"),
        ("--calls", "0", "--calls"),
        ("--calls", "99999999999", "--calls"),
        ("--ramp", "nan", "--ramp"),
        ("--ramp", "inf", "--ramp"),
        ("--ramp", "-1", "--ramp"),
        ("--duration", "", "--duration"),
        ("--duration", "soon", "--duration"),
        ("--duration", "0", "--duration"),
        ("--duration", "-5", "--duration"),
        ("--duration", "1e999", "--duration"),
        ("--duration", "99999999h", "--duration"),
        ("--duration", LONG, "--duration"),
        ("--random-callers", "nan", "--random-callers"),
        ("--random-callers", "-1", "--random-callers"),
        ("--max-duration", "inf", "--max-duration"),
        ("--stop-timeout", "-2", "--stop-timeout"),
        ("--progress", "0", "--progress"),
        ("--progress", "1e300", "--progress"),
        ("--expect-workers", "0", "--expect-workers"),
        ("--expect-workers-max-wait", "nan", "--expect-workers-max-wait"),
        ("--master-port", "70000", "--master-port"),
        ("--random-mix", "branch=abc", "--random-mix branch"),
        ("--random-mix", "evil=5", "--random-mix"),
        ("--random-mix", "branch=1e999", "--random-mix branch"),
        ("--random-mix", "branch=nan", "--random-mix branch"),
        ("--random-mix", "branch=0,wrong=0", "at least one percentage"),
        ("--random-mix", "branch=5,branch=6", "given twice"),
        ("--random-mix", "branch=" + LONG, "--random-mix branch"),
        ("--random-delay", "3-1", "--random-delay"),
        ("--random-delay", "-1", "--random-delay"),
        ("--random-delay", "a-b", "--random-delay"),
        ("--random-delay", "1-1e9", "--random-delay"),
        ("--web-ui", "everywhere", "--web-ui"),
        ("--web-ui", "127.0.0.1:99999", "--web-ui"),
        ("--fallback-url", "ftp://x", "--fallback-url"),
        ("--set", "no_such_setting=1", "no_such_setting"),
        ("--set", "loop_cap=many", "loop_cap"),
    ],
)
def test_a_bad_option_is_refused_naming_it(capsys, option, value, names):
    line = _refused(capsys, [FLOW, option, value], names)
    assert LONG not in line


def test_master_and_worker_at_once_is_refused(capsys):
    _refused(capsys, [FLOW, "--master", "--worker"], "--master and --worker")


def test_a_target_that_is_neither_url_nor_flow_is_refused(capsys, tmp_path):
    _refused(capsys, [str(tmp_path / "nothing.ivrflow")], "nothing.ivrflow")


@pytest.mark.parametrize("weight", ["0", "-1", "nan", "inf", "1e9"])
def test_a_bad_scenario_weight_is_refused(capsys, weight):
    _refused(capsys, [FLOW, "--scenarios", f"{SCENARIOS}:{weight}"], "weight")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("target: x\ncalls: [\n", "not valid YAML"),
        ("target: x\ncalls: []\n", "has no calls"),
        ("a: &a [*a, *a]\n", "alias"),
        ("target: x\ncalls:\n  - name: c\n    steps: [{press: '1'}]\n", "no expectations"),
        ("target: x\ncalls:\n  - steps: [{wait: .nan}]\n    expect_end: completed\n", "not finite"),
    ],
)
def test_a_bad_scenario_file_is_refused_naming_it(capsys, tmp_path, text, expected):
    path = tmp_path / "bad.tests.yaml"
    path.write_text(text, encoding="utf-8")
    line = _refused(capsys, [FLOW, "--scenarios", str(path)], "bad.tests.yaml")
    assert expected.lower() in line.lower(), line


def test_a_huge_scenario_file_is_refused_without_reading_it_all(capsys, tmp_path):
    path = tmp_path / "huge.tests.yaml"
    path.write_bytes(b"# " + b"x" * (5 * 1024 * 1024))
    _refused(capsys, [FLOW, "--scenarios", str(path)], "huge.tests.yaml")


def test_a_missing_scenario_file_or_a_name_too_long_is_refused(capsys, tmp_path):
    _refused(capsys, [FLOW, "--scenarios", str(tmp_path / "gone.tests.yaml")], "gone.tests.yaml")
    _refused(capsys, [FLOW, "--scenarios", "x" * 5000 + ".yaml"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"nodes": NaN}', "NaN"),
        ('{"format": "other"}', "routing data"),
        ("[1, 2", "menus.json"),
        (
            '{"nodes": {"m": {"branches": [{"keys": "1"}]}}, "x": ' + "[" * 100000 + "]" * 100000 + "}",
            "menus.json",
        ),
    ],
)
def test_a_bad_menus_file_is_refused(capsys, tmp_path, content, expected):
    path = tmp_path / "menus.json"
    path.write_text(content, encoding="utf-8")
    line = _refused(capsys, ["http://127.0.0.1:9/voice", "--menus", str(path)])
    assert expected in line, line


def test_a_menus_folder_that_is_not_a_bundle_is_refused(capsys, tmp_path):
    _refused(capsys, ["http://127.0.0.1:9/voice", "--menus", str(tmp_path)], "not an exported bundle")
