"""Atomic writes: the file and its backup are each wholly old or wholly new, links are written through."""

from __future__ import annotations

import os

import pytest

from ivr_studio.files import write_text_atomic


def test_replaces_and_keeps_a_backup(tmp_path):
    path = tmp_path / "flow.ivrflow"
    path.write_text("old\n")
    write_text_atomic(path, "new\n", keep_backup=True)
    assert path.read_text() == "new\n"
    assert (tmp_path / "flow.ivrflow.bak").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.ivrflow", "flow.ivrflow.bak"]


def test_a_symlink_is_written_through(tmp_path):
    real = tmp_path / "real" / "flow.ivrflow"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.ivrflow"
    link.symlink_to(real)
    write_text_atomic(link, "new\n", keep_backup=True)
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert (real.parent / "flow.ivrflow.bak").read_text() == "old\n"


def test_a_failed_write_leaves_file_and_backup_as_they_were(tmp_path, monkeypatch):
    path = tmp_path / "flow.ivrflow"
    path.write_text("current\n")
    (tmp_path / "flow.ivrflow.bak").write_text("previous\n")
    real_fsync = os.fsync
    calls = []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:  # the new content is written; the backup copy fails as on a full disk
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(path, "new\n", keep_backup=True)
    monkeypatch.undo()
    assert path.read_text() == "current\n"
    assert (tmp_path / "flow.ivrflow.bak").read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.ivrflow", "flow.ivrflow.bak"]


def test_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "flow.ivrflow"
    path.write_text("old\n")
    path.chmod(0o640)
    write_text_atomic(path, "new\n")
    assert path.stat().st_mode & 0o777 == 0o640
