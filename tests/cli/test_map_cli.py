"""``ivr-studio map`` of a flow file or bundle: served in process at a stand-in URL, the map is named after
the file the user gave, not after that URL."""

from __future__ import annotations

from ivr_studio.cli import main
from ivr_studio.flow.ivrflow import load_flow


def test_a_mapped_flow_file_is_named_after_the_file(examples_dir, tmp_path, capsys):
    target = str(examples_dir / "support-line.ivrflow")
    out = tmp_path / "mapped.ivrflow"
    assert main(["map", target, "-o", str(out), "--max-states", "2", "--no-dial-outcomes", "--quiet"]) == 0
    flow = load_flow(out)
    assert flow.name == f"Map of {target}"
    assert f"Wrote 'Map of {target}' (" in capsys.readouterr().out


def test_a_given_name_wins(examples_dir, tmp_path):
    out = tmp_path / "mapped.ivrflow"
    target = str(examples_dir / "support-line.ivrflow")
    assert main(["map", target, "-o", str(out), "--max-states", "1", "--name", "Support", "--quiet"]) == 0
    assert load_flow(out).name == "Support"
