"""Autosave to a recovery file, and recovery after a crash.

Every ``interval_ms`` (30 s by default) a document with unsaved changes is written to
``<recovery dir>/<name>-<hash>.ivrflow`` (atomically), with a small ``.json`` beside it naming the file it
belongs to by its absolute path, so a recovery made in one folder saves to the right file from any other.
Saving or closing cleanly removes both. Recovery files still there at the next start are what a crash left
behind: the app offers to reopen them.

The recovery folder is ``recovery/`` in IVR Studio's one data folder (:func:`ivr_studio.paths.user_data_dir`,
beside the speech models). Earlier versions kept it under Qt's per-application folder
(``IVR Studio/IVR Studio/recovery``); recoveries left there are still offered.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from ivr_studio.files import load_json, read_text, write_text_atomic
from ivr_studio.flow.ivrflow import dumps
from ivr_studio.ui.document import FlowDocument

DEFAULT_INTERVAL_MS = 30_000
#: The metadata beside a recovery file is a path and a process id.
META_LIMIT = 64 * 1024


def default_recovery_dir() -> Path:
    from ivr_studio.paths import user_data_dir

    return user_data_dir() / "recovery"


def legacy_recovery_dir() -> Path | None:
    """Where versions before 0.2 wrote recovery files (Qt's application data folder), if Qt knows one."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery" if base else None


@dataclass(frozen=True)
class Recovery:
    """A recovery file left behind, and the file (if any) it belongs to."""

    file: Path
    original: Path | None
    saved_at: float

    def discard(self) -> None:
        self.file.unlink(missing_ok=True)
        self.file.with_suffix(".json").unlink(missing_ok=True)


def _process_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else (or the platform cannot tell): leave it alone
        return True
    return True


def _original(meta: dict) -> Path | None:
    """The file a recovery belongs to. A relative path (written by earlier versions) is only trusted with
    the folder it was relative to; without one the recovery is treated as untitled, so it is saved with
    Save As rather than over whatever file has that name in today's working folder."""
    name = meta.get("original")
    if not name:
        return None
    path = Path(name)
    if path.is_absolute():
        return path
    cwd = meta.get("cwd")
    return Path(cwd) / path if isinstance(cwd, str) and Path(cwd).is_absolute() else None


def find_recoveries(directory: Path) -> list[Recovery]:
    """Recovery files in ``directory`` left by editors that are no longer running, newest first.

    A file whose writer is still running is another window's live autosave, not something to recover."""
    found = []
    if not directory.is_dir():
        return []
    for file in directory.glob("*.ivrflow"):
        meta_path = file.with_suffix(".json")
        original = None
        try:
            meta = load_json(read_text(meta_path, META_LIMIT), meta_path)
            original = _original(meta)
            if _process_alive(meta.get("pid")):
                continue
        except (ValueError, KeyError, TypeError, AttributeError):  # unreadable: still worth recovering
            original = None
        found.append(Recovery(file, original, file.stat().st_mtime))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


class Autosaver(QObject):
    """Writes the document's unsaved state to a recovery file on a timer."""

    def __init__(
        self,
        document: FlowDocument,
        directory: Path | None = None,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.document = document
        self.directory = Path(directory) if directory else default_recovery_dir()
        #: Folders recoveries are looked for in: this one, and the old one when the default is used.
        legacy = None if directory else legacy_recovery_dir()
        self.search_dirs = [self.directory] + ([legacy] if legacy and legacy != self.directory else [])
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.last_error: str | None = None
        self._session = f"{os.getpid()}-{id(self):x}"
        self._written: Path | None = None
        document.dirtyChanged.connect(self._dirty_changed)
        self.timer.start()

    def recovery_file(self) -> Path:
        """This document's recovery file (one per original file, or per window for untitled flows)."""
        key = str(self.document.path.resolve()) if self.document.path else f"untitled-{self._session}"
        digest = hashlib.sha1(key.encode()).hexdigest()[:10]
        stem = self.document.path.stem if self.document.path else "untitled"
        return self.directory / f"{stem}-{digest}.ivrflow"

    def autosave(self) -> Path | None:
        """Write the recovery file now if there are unsaved changes; returns it (None when clean or failed)."""
        if not self.document.is_dirty():
            return None
        target = self.recovery_file()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_text_atomic(target, dumps(self.document.flow))
            original = str(Path(os.path.abspath(self.document.path))) if self.document.path else None
            meta = {"original": original, "pid": os.getpid()}
            write_text_atomic(target.with_suffix(".json"), json.dumps(meta))
        except OSError as exc:  # autosave must never interrupt editing; the status bar shows this
            self.last_error = f"Autosave failed: {exc}"
            return None
        self.last_error = None
        self._written = target
        return target

    def discard(self) -> None:
        """Remove this document's recovery file (after a save, or a clean close)."""
        for target in {self.recovery_file(), self._written} - {None}:
            target.unlink(missing_ok=True)
            target.with_suffix(".json").unlink(missing_ok=True)
        self._written = None

    def _dirty_changed(self, dirty: bool) -> None:
        if not dirty:
            self.discard()

    def stop(self) -> None:
        self.timer.stop()
