"""``ivr-studio test`` names what is wrong in a scenario file, and guesses the key a typo meant."""

from __future__ import annotations

from ivr_studio.cli import main


def _scenario(tmp_path, examples_dir, call: str):
    path = tmp_path / "menu.test.yaml"
    path.write_text(f"target: {examples_dir / 'support-line.ivrflow'}\ncalls:\n  - {call}\n")
    return path


def test_a_misspelt_expectation_names_the_key_it_meant(tmp_path, examples_dir, capsys):
    path = _scenario(
        tmp_path, examples_dir, "{name: one, steps: [{wait_for: listening}], expect_nodes: [welcome]}"
    )
    assert main(["test", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"ERROR {path}: call 1 has unknown key(s) expect_nodes (did you mean expect_node?)" in out


def test_a_key_like_no_other_gets_no_guess(tmp_path, examples_dir, capsys):
    path = _scenario(tmp_path, examples_dir, "{name: one, steps: [], expect_end: completed, colour: blue}")
    assert main(["test", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"ERROR {path}: call 1 has unknown key(s) colour\n" in out


def test_a_huge_unknown_key_is_cut_and_not_compared(tmp_path, examples_dir, capsys):
    path = _scenario(
        tmp_path, examples_dir, "{name: one, steps: [], expect_end: completed, " + "x" * 1000 + ": 1}"
    )
    assert main(["test", str(path)]) == 2
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("ERROR"))
    assert "unknown key(s) xxx" in line and "did you mean" not in line and len(line) < 400
