"""Hostile inputs to ``ivr-studio import``: each fails with one clear line (or is reported and left out),
no traceback, and no output file written half-way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ivr_studio.cli import main

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Response><Say>&lol3;</Say></Response>"""


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    assert len(lines[0]) < 300
    return lines[0]


@pytest.mark.parametrize("command", ["twiml", "studio"])
def test_a_fifo_a_device_and_a_folder_are_refused_at_once(tmp_path: Path, capsys, command: str):
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    out = tmp_path / "out.ivrflow"
    for bad in (str(fifo), "/dev/zero"):
        code, _, err = _run(capsys, "import", command, bad, "-o", str(out))
        assert code == 1
        assert bad in _one_line_error(err)
        assert not out.exists()


def test_an_oversized_twiml_document_is_reported_by_its_size(tmp_path: Path, capsys):
    big = tmp_path / "big.xml"
    big.write_bytes(b"<Response><Say>" + b"a" * 200_000 + b"</Say></Response>")
    code, _, err = _run(capsys, "import", "twiml", str(big), "-o", str(tmp_path / "o.ivrflow"))
    assert code == 1 and "big.xml" in _one_line_error(err)
    assert not (tmp_path / "o.ivrflow").exists()


def test_entities_and_garbage_are_reported_and_left_out(tmp_path: Path, capsys):
    (tmp_path / "laughs.xml").write_bytes(LAUGHS)
    (tmp_path / "binary.xml").write_bytes(os.urandom(4096))
    (tmp_path / "deep.xml").write_bytes(b"<Response>" + b"<Say>" * 5000 + b"</Say>" * 5000 + b"</Response>")
    (tmp_path / "ok.xml").write_bytes(b"<Response><Say>Hello</Say></Response>")
    out = tmp_path / "o.ivrflow"
    code, text, err = _run(capsys, "import", "twiml", str(tmp_path), "-o", str(out))
    assert code == 0, err
    assert "lol" not in text  # never expanded, never echoed
    lines = {line.split()[1]: line for line in text.splitlines() if line.startswith("  skipped")}
    assert "laughs" in lines and "12100" in lines["laughs"]
    assert "binary" in lines
    assert out.exists()


def test_nothing_valid_means_nothing_written(tmp_path: Path, capsys):
    (tmp_path / "a.xml").write_bytes(b"\xff\xfe not xml at all")
    out = tmp_path / "o.ivrflow"
    code, _, err = _run(capsys, "import", "twiml", str(tmp_path), "-o", str(out))
    assert code == 1 and "none of the documents" in _one_line_error(err)
    assert not out.exists()


def test_too_many_documents_are_refused(tmp_path: Path, capsys, monkeypatch):
    from ivr_studio.interop import twiml_import

    monkeypatch.setattr(twiml_import, "MAX_DOCUMENTS", 5)
    for i in range(6):
        (tmp_path / f"d{i}.xml").write_bytes(b"<Response/>")
    code, _, err = _run(capsys, "import", "twiml", str(tmp_path), "-o", str(tmp_path / "o.ivrflow"))
    assert code == 1 and "more than 5 documents" in _one_line_error(err)


def test_output_must_be_an_ivrflow_file(tmp_path: Path, capsys):
    (tmp_path / "a.xml").write_bytes(b"<Response/>")
    code, _, err = _run(capsys, "import", "twiml", str(tmp_path / "a.xml"), "-o", str(tmp_path / "o.json"))
    assert code == 2 and ".ivrflow" in _one_line_error(err)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"states": [1, 2', "JSON"),
        (b'{"states": NaN}', "NaN"),
        (b'{"states": [], "states": []}', "states"),
        (b"\xff\xfe{\x00}\x00", "UTF"),
        (b'{"description": "x"}', "$.states"),
        (b'{"states": [{"name": "a", "type": "say-play", "transitions": "no"}]}', "$.states[0].transitions"),
        (b"[" * 100_000 + b"]" * 100_000, "flow.json"),
    ],
)
def test_a_bad_studio_definition_is_one_clear_line(tmp_path: Path, capsys, content: bytes, expected: str):
    src = tmp_path / "flow.json"
    src.write_bytes(content)
    out = tmp_path / "o.ivrflow"
    code, _, err = _run(capsys, "import", "studio", str(src), "-o", str(out))
    assert code == 1
    line = _one_line_error(err)
    assert "flow.json" in line and expected.lower() in line.lower()
    assert not out.exists()


def test_too_many_widgets_and_huge_names_are_refused_without_echoing_them(tmp_path: Path, capsys):
    import json

    src = tmp_path / "flow.json"
    states = [{"name": f"w{i}", "type": "say-play"} for i in range(6000)]
    src.write_text(json.dumps({"states": states}))
    code, _, err = _run(capsys, "import", "studio", str(src), "-o", str(tmp_path / "o.ivrflow"))
    assert code == 1 and "at most 5,000" in _one_line_error(err)
    huge = "x" * 1_000_000
    src.write_text(json.dumps({"states": [{"name": huge, "type": "a"}, {"name": huge, "type": "a"}]}))
    code, _, err = _run(capsys, "import", "studio", str(src), "-o", str(tmp_path / "o.ivrflow"))
    assert code == 1 and "used twice" in _one_line_error(err)


def test_a_tampered_export_note_is_ignored_not_trusted(tmp_path: Path, capsys):
    import json

    from ivr_studio.flow.ivrflow import load_flow
    from ivr_studio.interop.studio_export import export_studio

    examples = Path(__file__).resolve().parents[2] / "resources" / "examples"
    definition = export_studio(load_flow(examples / "support-line.ivrflow"))
    extras = json.loads(definition["description"][len("ivr-studio:") :])
    extras["flow"]["nodes"][0]["kind"] = "no-such-kind"  # the digest still matches: the flow must not load
    definition["description"] = "ivr-studio:" + json.dumps(extras)
    src = tmp_path / "flow.json"
    src.write_text(json.dumps(definition))
    out = tmp_path / "o.ivrflow"
    code, text, _ = _run(capsys, "import", "studio", str(src), "-o", str(out))
    assert code == 0 and "could not be read" in text
    assert load_flow(out).node("welcome").kind == "say"
