"""Scenario files are pytest tests: the installed plugin collects ``*.test.yaml`` files, one test per call.

Run for real, in a pytest subprocess in a folder outside this repository, as a bundle's CI would run them:
beside a Python test, with ``-k``, ``--junitxml`` and pytest-xdist's ``-n``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

FAILING = """\
target: support-line.ivrflow
calls:
  - name: expects the wrong menu
    steps: [{wait_for: listening}, {press: "2"}]
    expect_node: [main_menu, billing_info]
  - name: presses before any menu
    steps: [{press: "1"}]
    expect_end: completed
"""


@pytest.fixture
def project(examples_dir: Path, tmp_path: Path) -> Path:
    """A menu's repository: its flow, the example scenario file and one Python test."""
    shutil.copy(examples_dir / "support-line.ivrflow", tmp_path)
    shutil.copy(examples_dir / "support-line.test.yaml", tmp_path)
    (tmp_path / "test_unit.py").write_text("def test_python_tests_still_run():\n    assert 1 + 1 == 2\n")
    (tmp_path / "notes.yaml").write_text("not: a scenario file\n")  # only *.test.yaml is collected
    return tmp_path


def pytest_run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    quiet = [] if "-v" in args else ["-q", "-rN"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *quiet, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_scenario_calls_run_beside_python_tests(project: Path):
    run = pytest_run(project, "-v")
    assert run.returncode == 0, run.stdout + run.stderr
    passed = sorted(line.split(" PASSED")[0] for line in run.stdout.splitlines() if " PASSED" in line)
    assert passed == [
        "support-line.test.yaml::a wrong key, then silence until the menu gives up",
        "support-line.test.yaml::billing by voice",
        "support-line.test.yaml::sales by key",
        "support-line.test.yaml::support desk busy goes to voicemail",
        "test_unit.py::test_python_tests_still_run",
    ]


def test_k_picks_calls_by_name(project: Path):
    run = pytest_run(project, "-k", "voice or busy")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed, 3 deselected" in run.stdout


def test_a_failing_call_reports_its_mismatch_and_junit_xml_has_every_call(project: Path):
    (project / "failing.test.yaml").write_text(FAILING)
    run = pytest_run(project, "--junitxml", "report.xml")
    assert run.returncode == 1
    assert "2 failed, 5 passed" in run.stdout
    assert "expected node 'billing_info' after t=1.50s; request events from there:" in run.stdout
    assert "14.60s  → POST http://ivr-studio.local/node/main_menu/result" in run.stdout  # the trace
    assert "step 1 (press) had no effect: key '1': while <Say> played, outside any <Gather>" in run.stdout
    assert "Traceback" not in run.stdout
    cases = ET.parse(project / "report.xml").getroot().iter("testcase")
    results = {case.get("name"): [child.tag for child in case] for case in cases}
    assert results == {
        "a wrong key, then silence until the menu gives up": [],
        "billing by voice": [],
        "sales by key": [],
        "support desk busy goes to voicemail": [],
        "test_python_tests_still_run": [],
        "expects the wrong menu": ["failure"],
        "presses before any menu": ["failure"],
    }


def test_xdist_spreads_the_calls_over_workers(project: Path):
    run = pytest_run(project, "-n", "2", "-v")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 workers [5 items]" in run.stdout and "5 passed" in run.stdout
    workers = {line.split("]")[0] + "]" for line in run.stdout.splitlines() if line.startswith("[gw")}
    assert workers == {"[gw0]", "[gw1]"}


def test_an_unusable_file_is_a_collection_error_naming_it(project: Path):
    (project / "broken.test.yaml").write_text("target: support-line.ivrflow\ncalls:\n  - name: nothing\n")
    run = pytest_run(project)
    assert run.returncode == 2
    assert "broken.test.yaml: call 'nothing' has no expectations, so it tests nothing" in run.stdout
    assert "Traceback" not in run.stdout and "1 error" in run.stdout


def test_the_plugin_can_be_turned_off(project: Path):
    run = pytest_run(project, "-p", "no:ivr_studio")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_a_bundle_runs_its_scenarios_in_ci_as_its_readme_says(examples_dir: Path, tmp_path: Path):
    """The exported bundle's README tells its CI to keep scenario files in scenarios/ with target ``..``
    and run ``python -m pytest tests scenarios``: do exactly that."""
    from ivr_studio import __version__
    from ivr_studio.bundle.export import export_bundle
    from ivr_studio.flow.ivrflow import load_flow

    bundle = export_bundle(load_flow(examples_dir / "support-line.ivrflow"), tmp_path / "bundle")
    readme = (bundle / "README.md").read_text(encoding="utf-8")
    assert f'pip install -r requirements-dev.txt "ivr-studio=={__version__}" pytest-xdist' in readme
    assert "python -m pytest tests scenarios -q -n auto --junitxml=test-report.xml" in readme
    (bundle / "scenarios").mkdir()
    scenario = (examples_dir / "support-line.test.yaml").read_text(encoding="utf-8")
    (bundle / "scenarios" / "support-line.test.yaml").write_text(
        scenario.replace("target: support-line.ivrflow", "target: ..")
    )
    run = pytest_run(bundle, "tests", "scenarios", "-n", "2", "--junitxml=test-report.xml")
    assert run.returncode == 0, run.stdout + run.stderr
    names = {case.get("name") for case in ET.parse(bundle / "test-report.xml").getroot().iter("testcase")}
    assert {"sales by key", "billing by voice"} <= names and len(names) > 10  # the bundle's own tests too
