"""The bounded reader: regular files only, limits counted in bytes read, clear errors, never a hang."""

from __future__ import annotations

import os

import pytest

from ivr_studio.files import InputFileError, open_bounded, read_bytes, read_text


def test_reads_a_regular_file_whole(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 5000)
    assert read_bytes(path, 5000) == b"x" * 5000


def test_one_byte_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 5001)
    with pytest.raises(InputFileError, match=r"a\.txt: is larger than the limit of 5,000 bytes"):
        read_bytes(path, 5000)


@pytest.mark.parametrize(
    ("path", "kind"), [("/dev/zero", "a character device"), ("/dev/null", "a character device")]
)
def test_devices_are_refused_before_reading(path, kind):
    with pytest.raises(InputFileError, match=f"{path}: is {kind}, not a regular file"):
        read_bytes(path, 10**9)


def test_a_fifo_with_no_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="is a FIFO, not a regular file"):
        read_text(fifo)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="is a folder"):
        read_bytes(tmp_path, 100)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match=r"nope\.yaml: no such file"):
        read_text(tmp_path / "nope.yaml")


def test_proc_files_report_no_size_but_are_still_bounded():
    # /proc/self/maps says st_size 0; the limit holds because bytes are counted as they are read.
    with pytest.raises(InputFileError, match="larger than the limit of 10 bytes"):
        read_bytes("/proc/self/maps", 10)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("steps: []".encode("utf-16"), "is UTF-16 text; save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file, not UTF-8 text"),
        (b"steps:\n  - say: caf\xe9\n", r"is not UTF-8 text \(byte 0xe9 on line 2\)"),
    ],
)
def test_text_that_is_not_utf8_names_the_problem(tmp_path, raw, message):
    path = tmp_path / "script.yaml"
    path.write_bytes(raw)
    with pytest.raises(InputFileError, match=message):
        read_text(path)


def test_utf8_with_a_byte_order_mark_reads(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes('\ufeff{"a": "é"}'.encode())
    assert read_text(path) == '{"a": "é"}'


def test_open_bounded_streams_until_the_limit(tmp_path):
    path = tmp_path / "big.wav"
    path.write_bytes(b"\x01" * 3000)
    with open_bounded(path, 2500) as fh:
        assert fh.read(1000) == b"\x01" * 1000
        fh.seek(0)
        assert fh.read(2000) == b"\x01" * 2000
        with pytest.raises(InputFileError, match="larger than the limit of 2,500 bytes"):
            fh.read(1000)


def test_open_bounded_refuses_devices():
    with pytest.raises(InputFileError, match="character device"), open_bounded("/dev/zero", 10):
        pass
