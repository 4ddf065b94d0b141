"""What ``ivr-studio call`` says when it fails: one line on standard error that names the file or the
option to fix, with ``--quiet`` too (``--quiet`` drops the timeline, never the reason for the exit status)."""

from __future__ import annotations

import pytest

from ivr_studio.cli import main


def test_an_application_error_is_named_even_with_quiet(capsys):
    assert main(["call", "http://127.0.0.1:9/voice#ct=200&rc=0", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no timeline
    assert captured.err.startswith("application error 11205: ")
    assert "127.0.0.1:9" in captured.err and captured.err.count("\n") == 1


def test_a_bad_step_names_the_script_file(examples_dir, tmp_path, capsys):
    script = tmp_path / "billing.yaml"
    script.write_text("steps:\n  - wait_for: listening\n  - presss: '3'\n")
    assert main(["call", str(examples_dir / "support-line.ivrflow"), "--script", str(script), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: bad script: {script}: step 2: needs exactly one of ")
    assert "got presss" in err and "Traceback" not in err


def test_an_unreadable_script_is_named_once(examples_dir, tmp_path, capsys):
    script = tmp_path / "missing.yaml"
    assert main(["call", str(examples_dir / "support-line.ivrflow"), "--script", str(script), "--quiet"]) == 2
    assert capsys.readouterr().err == f"error: bad script: {script}: no such file\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--at", "christmas"], "error: --at: 'christmas' is not a date and time like 2026-12-24T18:30"),
        (["--at", "2026-12-24T18:30", "--tz", "Mars/Base"], "error: --tz: 'Mars/Base' is not a time zone"),
        (["--tz", "Europe/Berlin"], "error: --tz needs --at: say when the call happens"),
        (["--backend", "no-such-stubs.yaml"], "error: --backend: "),
    ],
)
def test_a_bad_target_option_is_named_as_typed(examples_dir, capsys, extra, message):
    assert main(["call", str(examples_dir / "account-line.ivrflow"), "--quiet", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_target_options_for_a_url_name_the_options(capsys):
    # refused before any request: nothing listens on this port, and no application error is reported
    url = "http://127.0.0.1:9/voice"
    assert main(["call", url, "--quiet", "--at", "2026-12-24T18:30", "--backend", "stubs.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --at and --backend: only for a flow file or bundle served in process")
    assert "application error" not in err
