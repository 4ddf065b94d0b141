"""Reading files whose content comes from outside: bounded in bytes, never blocking, never a traceback.

Every file IVR Studio reads (flows, scripts, scenario files, WAV and media, model lists, imported flows)
goes through :func:`read_bytes`, :func:`read_text` or :func:`open_bounded`. They

- refuse anything that is not a regular file (a folder, a FIFO, a device such as ``/dev/zero``) before
  reading a byte, and open without blocking, so a FIFO with no writer cannot hang the caller;
- enforce the size limit by counting the bytes actually read, not by trusting ``st_size`` (``/proc`` files
  report 0, a file can grow while it is read);
- turn every failure into :class:`InputFileError`, whose message starts with the file's name and says the
  problem in a few words: ``song.wav: is a FIFO, not a regular file``.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: Text files (flows, scripts, scenario files) are small; 16 MiB leaves room for a 10,000-node flow.
TEXT_LIMIT = 16 * 1024 * 1024
_CHUNK = 1024 * 1024


class InputFileError(ValueError):
    """A file that cannot be read as asked. ``str()`` is ``"<file>: <problem>"``, fit to show a user."""

    def __init__(self, file: str | os.PathLike, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__(f"{self.file}: {problem}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _os_problem(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a folder"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return (exc.strerror or str(exc)).lower()


def _open_regular(path: Path) -> int:
    """A read-only descriptor for ``path`` if it is a regular file; :class:`InputFileError` otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputFileError(path, _os_problem(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _kind(mode)
            raise InputFileError(path, f"is {kind}, not a regular file" if kind.startswith("a ") else kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _too_big(path: Path, limit: int) -> InputFileError:
    return InputFileError(path, f"is larger than the limit of {limit:,} bytes")


def read_bytes(path: str | os.PathLike, limit: int) -> bytes:
    """The whole content of a regular file of at most ``limit`` bytes."""
    path = Path(path)
    fd = _open_regular(path)
    parts: list[bytes] = []
    total = 0
    try:
        while True:
            try:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            except OSError as exc:
                raise InputFileError(path, f"cannot be read: {_os_problem(exc)}") from None
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise _too_big(path, limit)
            parts.append(chunk)
    finally:
        os.close(fd)
    return b"".join(parts)


_UTF16_32_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def decode_text(raw: bytes, file: str | os.PathLike) -> str:
    """``raw`` as UTF-8 text (a UTF-8 byte-order mark is dropped); a clear error for anything else."""
    for bom, name in _UTF16_32_BOMS.items():
        if raw.startswith(bom):
            raise InputFileError(file, f"is {name} text; save it as UTF-8")
    if b"\x00" in raw:
        raise InputFileError(file, "is a binary file, not UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            file, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8"
        ) from None


def read_text(path: str | os.PathLike, limit: int = TEXT_LIMIT) -> str:
    """The content of a UTF-8 text file of at most ``limit`` bytes."""
    return decode_text(read_bytes(path, limit), path)


class _BoundedReader:
    """A binary file object that fails as soon as a read reaches past byte ``limit`` of the file."""

    def __init__(self, raw: BinaryIO, path: Path, limit: int) -> None:
        self._raw = raw
        self._path = path
        self._limit = limit

    def read(self, size: int = -1) -> bytes:
        room = self._limit + 1 - self._raw.tell()
        size = room if size is None or size < 0 else min(size, max(room, 0))
        try:
            data = self._raw.read(size)
        except OSError as exc:
            raise InputFileError(self._path, f"cannot be read: {_os_problem(exc)}") from None
        if self._raw.tell() > self._limit:
            raise _too_big(self._path, self._limit)
        return data

    def readinto(self, buffer) -> int:  # noqa: ANN001 - any writable buffer
        data = self.read(len(memoryview(buffer)))
        memoryview(buffer)[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    @property
    def closed(self) -> bool:
        return self._raw.closed

    @property
    def name(self) -> str:
        return str(self._path)


@contextmanager
def open_bounded(path: str | os.PathLike, limit: int) -> Iterator[BinaryIO]:
    """A binary reader of a regular file for streaming (WAV frames, archives): it fails with
    :class:`InputFileError` as soon as a read reaches past byte ``limit`` of the file, so a file larger
    than ``limit`` (sparse or growing included) is never read to its end."""
    path = Path(path)
    fd = _open_regular(path)
    raw = os.fdopen(fd, "rb")
    reader = _BoundedReader(raw, path, limit)
    try:
        yield reader  # type: ignore[misc]
    finally:
        raw.close()
