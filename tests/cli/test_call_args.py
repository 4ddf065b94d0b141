"""``ivr-studio call`` refuses arguments that cannot work, before the call starts (exit 2)."""

from __future__ import annotations

import pytest

from ivr_studio.cli import main


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-duration", "nan"], "--max-duration must be a number of seconds above 0"),
        (["--max-duration", "inf"], "--max-duration must be a number of seconds above 0"),
        (["--max-duration", "0"], "--max-duration must be a number of seconds above 0"),
        (["--fallback-url", "/fb"], "--fallback-url must be an absolute http(s) URL"),
    ],
)
def test_bad_arguments_exit_2(examples_dir, capsys, extra, message):
    assert main(["call", str(examples_dir / "support-line.ivrflow"), "--quiet", *extra]) == 2
    assert message in capsys.readouterr().err


def test_unreadable_flow_target_names_the_problem(tmp_path, capsys):
    bad = tmp_path / "bad.ivrflow"
    bad.write_text('{"format": "ivrflow", "version": 1, "nodes": [{"id": "a", "kind": "menu"}]}')
    assert main(["call", str(bad), "--quiet"]) == 2
    assert "$.nodes[0].kind: 'menu' is not a node kind" in capsys.readouterr().err


def test_models_list_shows_the_bundled_english_model(capsys):
    assert main(["models", "list"]) == 0
    assert "pocketsphinx US English (bundled)" in capsys.readouterr().out


def test_a_language_with_no_model_is_one_line_without_a_blank_one_before(capsys):
    assert main(["models", "download", "zz-ZZ"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no downloadable speech model for 'zz-ZZ'; known languages: en-US")
    assert err.count("\n") == 1
