"""A flow too big for one Studio definition is refused with a clear error, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr_studio.cli import main
from ivr_studio.flow.ivrflow import save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node
from ivr_studio.interop.studio_export import MAX_STATES, StudioExportError, export_studio, schema_path


def _says(count: int) -> Flow:
    nodes = [Node(f"s{i}", NodeKind.SAY, text=f"step {i}") for i in range(count)]
    flow = Flow("Long line", nodes, "s0")
    for a, b in zip(nodes, nodes[1:], strict=False):
        flow.set_link(a.id, "next", b.id)
    return flow


def test_the_limit_is_the_vendored_schemas():
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert schema["properties"]["states"]["maxItems"] == MAX_STATES == 1000


def test_a_flow_at_the_limit_exports_and_one_more_widget_is_refused():
    assert len(export_studio(_says(MAX_STATES - 1))["states"]) == MAX_STATES  # the trigger is one
    with pytest.raises(StudioExportError, match=r"makes 1,001 Studio widgets .* allows 1,000\. Split"):
        export_studio(_says(MAX_STATES))


def test_the_cli_says_why_and_writes_nothing(tmp_path: Path, capsys):
    source = tmp_path / "long.ivrflow"
    save_flow(_says(MAX_STATES + 5), source)
    out = tmp_path / "flow.json"
    assert main(["export", "--studio", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: 'Long line' makes 1,006 Studio widgets")
    assert "Traceback" not in err and not out.exists()
