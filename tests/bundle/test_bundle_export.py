"""An exported bundle is self-contained and deployable: its files, its handler copy, its own test suite."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ivr_studio.bundle import handler
from ivr_studio.bundle.export import export_bundle
from ivr_studio.flow import load_flow

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.ivrflow"))
HANDLER_SRC = Path(handler.__file__).resolve().parent
#: flask, twilio, liquid (templates), and what Hours nodes need: tzdata (zoneinfo's data), holidays,
#: icalendar and recurring-ical-events — each listed in the bundle's requirements.txt.
ALLOWED_TOP_LEVEL = {
    "flask",
    "werkzeug",
    "twilio",
    "liquid",
    "holidays",
    "icalendar",
    "recurring_ical_events",
} | set(sys.stdlib_module_names)

# Runs the bundle's own tests in a Python where IVR Studio and lxml cannot be imported, as on a server (where
# IVR Studio's pytest plugin is not installed either).
RUN_ISOLATED = """
import sys, pytest
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("ivr_studio", "lxml"):
            raise ImportError(f"{name} is not available in a deployed bundle")
sys.meta_path.insert(0, Blocked())
sys.exit(pytest.main(["tests", "-q", "-p", "no:cacheprovider", "-p", "no:pytestqt", "-p", "no:ivr_studio"]))
"""


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def bundle(request, tmp_path) -> Path:
    return export_bundle(load_flow(request.param), tmp_path / request.param.stem)


def test_the_bundle_holds_everything_a_deployment_needs(bundle):
    for name in (
        "app.py",
        "requirements.txt",
        "README.md",
        "Dockerfile",
        "routing.json",
        "tests/test_flow.py",
    ):
        assert (bundle / name).is_file(), name
    assert "app = create_app(" in (bundle / "app.py").read_text()
    requirements = (bundle / "requirements.txt").read_text()
    for package in ("flask", "twilio", "gunicorn"):
        assert f"{package}>=" in requirements and "<" in requirements
    readme = (bundle / "README.md").read_text()
    for needed in ("/voice", "HTTP POST", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "gunicorn"):
        assert needed in readme
    assert "gunicorn" in (bundle / "Dockerfile").read_text()


def test_the_readme_says_where_to_get_the_ivr_studio_its_scenario_tests_need(tmp_path):
    """The README pins the IVR Studio that exported the bundle for its scenario tests, and says how to
    install that version without a package index: from IVR Studio's source or the wheel built from it."""
    from ivr_studio import __version__

    readme = (export_bundle(load_flow(EXAMPLES[0]), tmp_path / "b") / "README.md").read_text()
    assert f'"ivr-studio=={__version__}"' in readme
    assert "python -m build" in readme
    assert f"pip install /path/to/ivr_studio-{__version__}-py3-none-any.whl" in readme
    assert "not to run the app" in readme, "the app itself runs from requirements.txt alone"


def test_the_handler_is_copied_verbatim(bundle):
    sources = sorted(p.name for p in HANDLER_SRC.glob("*.py"))
    assert sorted(p.name for p in (bundle / "ivr_handler").glob("*.py")) == sources
    for name in sources:
        assert (bundle / "ivr_handler" / name).read_bytes() == (HANDLER_SRC / name).read_bytes()
    assert not list((bundle / "ivr_handler").glob("__pycache__"))


def test_the_bundle_requirements_list_what_the_handler_imports(bundle):
    requirements = (bundle / "requirements.txt").read_text()
    for package in (
        "flask",
        "twilio",
        "python-liquid",
        "tzdata",
        "holidays",
        "icalendar",
        "recurring-ical-events",
    ):
        assert f"\n{package}>=" in requirements, package


def test_the_handler_imports_only_flask_twilio_and_the_standard_library():
    for path in HANDLER_SRC.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in ALLOWED_TOP_LEVEL, f"{path.name} imports {name}"


@pytest.mark.slow
def test_the_generated_suite_passes_without_ivr_studio(bundle):
    env = {**os.environ, "PYTHONPATH": str(bundle), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("TWILIO_AUTH_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-c", RUN_ISOLATED], cwd=bundle, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.slow
def test_the_generated_suite_catches_a_miswired_branch(examples_dir, tmp_path):
    """If the handler routed a branch wrongly, the bundle's tests would say so."""
    bundle = export_bundle(load_flow(examples_dir / "support-line.ivrflow"), tmp_path / "b")
    routing = bundle / "routing.json"
    routing.write_text(routing.read_text().replace('"target": "billing_info"', '"target": "to_sales"'))
    env = {**os.environ, "PYTHONPATH": str(bundle)}
    result = subprocess.run(
        [sys.executable, "-c", RUN_ISOLATED], cwd=bundle, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "billing" in result.stdout


def test_a_failure_half_way_through_replacing_puts_the_old_bundle_back(tmp_path, examples_dir, monkeypatch):
    """Whatever fails while the new bundle is moved in, the folder ends as the old bundle, whole."""
    import pathlib

    from ivr_studio.bundle.export import ExportError, export_bundle
    from ivr_studio.flow.ivrflow import load_flow

    flow = load_flow(examples_dir / "support-line.ivrflow")
    out = export_bundle(flow, tmp_path / "bundle")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    flow.set_name("Renamed")
    real_rename = pathlib.Path.rename

    def failing_rename(self, target):
        if pathlib.Path(target).name == "twiml" and ".bundle." in str(self):  # the last owned folder moved in
            raise OSError(28, "No space left on device", str(target))
        return real_rename(self, target)

    monkeypatch.setattr(pathlib.Path, "rename", failing_rename)
    with pytest.raises(ExportError, match="No space left on device: .*twiml"):
        export_bundle(flow, out)
    monkeypatch.undo()
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in out.rglob("*") if p.name.endswith(".old")] == []


@pytest.mark.slow
def test_the_generated_suite_tests_every_logic_exit_and_catches_a_miswired_one(examples_dir, tmp_path):
    """Every exit of every logic node of the dynamic example has a generated test, and one fails when the
    handler would take another exit (here: Hours' holiday and closed swapped in the routing data)."""
    bundle = export_bundle(
        load_flow(examples_dir / "account-line.ivrflow"), tmp_path / "b", base_dir=examples_dir
    )
    suite = (bundle / "tests" / "test_flow.py").read_text()
    for exit_taken in (
        "'hours', 'open'",
        "'hours', 'closed'",
        "'hours', 'holiday'",
        "'vip_check', 'case:vip'",
        "'vip_check', 'otherwise'",
        "'mark_vip', 'next'",
        "'balance', 'ok'",
        "'balance', 'failed'",
        "'tier_check', 'case:vip'",
        "'tier_check', 'otherwise'",
    ):
        assert f"({exit_taken}," in suite, exit_taken
    assert "UNCOVERED = []" in suite
    routing = json.loads((bundle / "routing.json").read_text())
    week = routing["nodes"]["hours"]["config"]["week"]
    routing["nodes"]["hours"]["config"]["week"] = {day: [["00:00", "24:00"]] for day in week}  # always open
    (bundle / "routing.json").write_text(json.dumps(routing))
    env = {**os.environ, "PYTHONPATH": str(bundle)}
    result = subprocess.run(
        [sys.executable, "-c", RUN_ISOLATED], cwd=bundle, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "test_every_exit_of_every_logic_node[hours-closed" in result.stdout
