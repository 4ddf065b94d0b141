"""An exported flow with a placeholder (a Studio widget IVR Studio cannot run) gets a generated test for
what a call does there — it ends, or follows the chosen transition — and each transition no local call
can take is listed with the reason, and warned about by the validator (IVR035): no silently missing test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_bundle_export import RUN_ISOLATED

from ivr_studio.bundle.export import export_bundle
from ivr_studio.bundle.logic_cases import logic_cases
from ivr_studio.flow.placeholder import PlaceholderConfig
from ivr_studio.flow.validate import validate_flow
from ivr_studio.interop.studio_import import load_studio

SUPPORT = Path(__file__).resolve().parents[1] / "interop" / "studio" / "support.json"


def _run_suite(bundle: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(bundle)}
    return subprocess.run(
        [sys.executable, "-c", RUN_ISOLATED], cwd=bundle, env=env, capture_output=True, text=True, timeout=180
    )


def test_a_placeholder_that_ends_the_call_is_tested_and_its_transitions_are_listed(tmp_path: Path):
    flow, _ = load_studio(SUPPORT)
    cases, uncovered = logic_cases(flow)
    assert [(n, e) for n, e, _ in cases if n == "lookup"] == [("lookup", "end")]
    assert [(n, e) for n, e, _ in uncovered if n == "lookup"] == [("lookup", "on:success"), ("lookup", "on:fail")]
    assert all("a local call ends there" in why for n, _, why in uncovered if n == "lookup")
    warning = next(d for d in validate_flow(flow) if d.code == "IVR035")
    assert warning.node_id == "lookup" and "'success', 'fail' cannot be tested here" in warning.message
    bundle = export_bundle(flow, tmp_path / "b")
    suite = (bundle / "tests" / "test_flow.py").read_text(encoding="utf-8")
    assert "('lookup', 'end'," in suite
    assert "('lookup', 'on:success'," in suite and "('lookup', 'on:fail'," in suite  # in UNCOVERED
    result = _run_suite(bundle)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " 2 skipped" in result.stdout  # the two transitions, each with its reason


def test_a_placeholder_that_follows_a_transition_is_tested_along_it(tmp_path: Path):
    flow, _ = load_studio(SUPPORT)
    config = flow.node("lookup").config
    flow.set_node_field("lookup", "config", PlaceholderConfig.from_dict({**config.to_dict(), "follow": "on:fail"}, "$"))
    cases, uncovered = logic_cases(flow)
    assert [(n, e) for n, e, _ in cases if n == "lookup"] == [("lookup", "on:fail")]
    assert [(n, e) for n, e, _ in uncovered if n == "lookup"] == [("lookup", "on:success")]
    warning = next(d for d in validate_flow(flow) if d.code == "IVR035")
    assert "'success' cannot be tested here" in warning.message and "follows 'fail'" in warning.message
    bundle = export_bundle(flow, tmp_path / "b")
    result = _run_suite(bundle)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # the generated test really checks the path: a handler that took the other transition fails it
    routing = bundle / "routing.json"
    data = json.loads(routing.read_text(encoding="utf-8"))
    assert data["nodes"]["lookup"]["config"]["follow"] == "on:fail"
    data["nodes"]["lookup"]["config"].update(follow="on:success", event="success")
    routing.write_text(json.dumps(data), encoding="utf-8")
    result = _run_suite(bundle)
    assert result.returncode != 0 and "test_every_exit_of_every_logic_node[lookup-on:fail" in result.stdout
