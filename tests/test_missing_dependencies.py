"""The suite's rule for test-only dependencies (``tests/dependencies.py``): a test that needs one that is
missing is skipped on a developer's machine, and fails under ``CI=true`` — run for real in a pytest
subprocess with and without CI set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

NEEDS = """\
from dependencies import missing, needs

@needs(False, "the frobnicator")
def test_marked():
    pass

def test_fixture_style():
    missing("the widget corpus")

@needs(True, "something present")
def test_present():
    pass
"""


@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_test_dependency_skips_and_fails_under_ci(tmp_path: Path, ci: str):
    (tmp_path / "conftest.py").write_text(
        "from dependencies import check_markers\n\n"
        "def pytest_configure(config):\n    config.addinivalue_line('markers', 'needs_dependency: test')\n\n"
        "def pytest_runtest_setup(item):\n    check_markers(item)\n"
    )
    (tmp_path / "test_needs.py").write_text(NEEDS)
    env = {**os.environ, "PYTHONPATH": str(TESTS), "CI": ci}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfs", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    if ci:
        # a marked test fails in its setup (an error), a fixture-style one in its body: the run is red
        assert run.returncode == 1 and "1 failed, 1 passed, 1 error" in run.stdout
        assert "missing test dependency under CI=true: the frobnicator is not installed" in run.stdout
        assert "missing test dependency under CI=true: the widget corpus is not installed" in run.stdout
    else:
        assert run.returncode == 0 and "1 passed, 2 skipped" in run.stdout
        assert "the frobnicator is not installed" in run.stdout
