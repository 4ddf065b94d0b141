"""``ivr-studio validate`` and ``ivr-studio export`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from ivr_studio.cli import main
from ivr_studio.flow import Branch, Flow, Node, NodeKind, save_flow


def broken_flow(tmp_path):
    f = Flow("Broken")
    f.add_node(Node("m", NodeKind.GATHER, attributes={"numDigits": 1, "timeout": "soon"}))
    f.add_branch("m", Branch("b1", "12"))
    path = tmp_path / "broken.ivrflow"
    save_flow(f, path)
    return path


def test_validate_clean_example_exits_0(examples_dir, capsys):
    assert main(["validate", str(examples_dir / "support-line.ivrflow")]) == 0
    assert "0 errors" in capsys.readouterr().out


def test_validate_reports_errors_and_exits_1(tmp_path, capsys):
    path = broken_flow(tmp_path)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "IVR003" in out and "IVR005" in out and "13313" in out
    assert "fix:" in out


def test_validate_json(tmp_path, capsys):
    assert main(["validate", "--json", str(broken_flow(tmp_path))]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert {"code", "severity", "node_id", "message", "fix", "path"} <= set(report["diagnostics"][0])
    assert report["counts"]["error"] >= 2


def test_validate_unreadable_file_names_it(tmp_path, capsys):
    path = tmp_path / "bad.ivrflow"
    path.write_text('{"format": "ivrflow", "version": 1, "nodes": [{"id": "a", "kind": "menu"}]}')
    assert main(["validate", str(path)]) == 2
    assert f"{path}: $.nodes[0].kind" in capsys.readouterr().err


def test_export_writes_bundle(examples_dir, tmp_path, capsys):
    out = tmp_path / "bundle"
    assert main(["export", str(examples_dir / "transfer-voicemail.ivrflow"), "-o", str(out)]) == 0
    assert (out / "twiml" / "vm_menu.xml").exists()
    assert str(out) in capsys.readouterr().out


def test_export_refuses_flow_with_errors_unless_forced(tmp_path, capsys):
    path = broken_flow(tmp_path)
    assert main(["export", str(path), "-o", str(tmp_path / "b")]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["export", str(path), "-o", str(tmp_path / "b"), "--force"]) == 0


def test_module_entry_point_and_version():
    out = subprocess.run(
        [sys.executable, "-m", "ivr_studio", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("ivr-studio ")


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "validate" in capsys.readouterr().err


def test_export_says_how_to_call_the_served_bundle(examples_dir, tmp_path, capsys):
    from gunicorn.config import Config

    out = tmp_path / "bundle"
    assert main(["export", str(examples_dir / "support-line.ivrflow"), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "  Call it: ivr-studio call http://127.0.0.1:8000/voice  (gunicorn's default address)" in printed
    assert Config().bind == ["127.0.0.1:8000"]  # what `gunicorn app:app` listens on without --bind
    # and /voice is where the exported bundle's own app starts a call
    from werkzeug.test import Client

    from ivr_studio.bundle.serve import wsgi_app_for_target

    app, url = wsgi_app_for_target(out)
    assert url.endswith("/voice")
    answer = Client(app).post("/voice", data={"CallSid": "CA" + "0" * 32, "From": "+15005550006"})
    assert answer.status_code == 200 and answer.headers["X-IVR-Node"] == "welcome"


def test_validate_counts_each_severity_in_the_words_its_lines_and_json_use(tmp_path, capsys):
    """The summary counts errors, warnings and info under the names the diagnostic lines and ``--json``
    use, so a script or a reader matching "info" finds it in both."""
    f = Flow("Ends")
    f.add_node(Node("m", NodeKind.GATHER, attributes={"numDigits": 1, "timeout": "soon"}))
    f.add_node(Node("bye", NodeKind.SAY, text="Goodbye."))  # the call ends after it: info
    f.add_branch("m", Branch("b1", "1"))
    f.set_link("m", "branch:b1", "bye")
    path = tmp_path / "ends.ivrflow"
    save_flow(f, path)
    main(["validate", "--json", str(path)])
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert counts["warning"] >= 1 and counts["info"] >= 1
    main(["validate", str(path)])
    *lines, summary = capsys.readouterr().out.splitlines()
    assert summary.endswith(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info")
    severities = {line.split(": ")[1].split()[0] for line in lines if not line.startswith("    fix:")}
    assert severities == set(counts) - {k for k, n in counts.items() if n == 0}
