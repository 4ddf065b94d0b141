"""The example scenario files pass, as a user's CI would run them."""

from __future__ import annotations

from ivr_studio.cli import main


def test_example_scenarios_pass_and_write_junit(examples_dir, tmp_path, capsys):
    files = sorted(str(p) for p in examples_dir.glob("*.test.yaml"))
    assert files, "no example scenario files"
    junit = tmp_path / "junit.xml"
    assert main(["test", *files, "--junit", str(junit)]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "FAIL" not in out
    assert 'failures="0"' in junit.read_text()
