"""Writing a file so that a crash, a full disk or a failed write never leaves it half-written.

The new content goes to a temporary file in the same folder, is flushed to disk, and replaces the old file
in one rename. With ``keep_backup`` the previous content becomes ``<name>.bak`` the same way, before the file
itself is replaced: whatever fails, the file and its backup are each either wholly old or wholly new.
A path that is a symbolic link is written through: the file the link points to is updated, the link stays.
Failures are ``OSError`` carrying the file name, for the caller to report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def current_umask() -> int:
    """The process's file-creation mask (read without changing it for longer than a moment)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_beside(target: Path, write) -> str:  # noqa: ANN001 - write(fileobj)
    """A fully written, fsynced temporary file next to ``target``; the caller renames or removes it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~current_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_bytes_atomic(path: str | os.PathLike, data: bytes, keep_backup: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically (through a symbolic link to the file it names)."""
    target = Path(os.path.realpath(path))
    tmp = _temp_beside(target, lambda fh: fh.write(data))
    try:
        if keep_backup and target.is_file():
            backup = target.with_name(target.name + ".bak")

            def copy_old(fh) -> None:  # noqa: ANN001
                with open(target, "rb") as old:
                    shutil.copyfileobj(old, fh)

            os.replace(_temp_beside(backup, copy_old), backup)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def write_text_atomic(path: str | os.PathLike, text: str, keep_backup: bool = False) -> None:
    """Replace ``path`` with UTF-8 ``text`` (``\\n`` line ends) atomically; see :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"), keep_backup=keep_backup)
