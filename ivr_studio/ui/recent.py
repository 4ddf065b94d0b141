"""The Open Recent list, kept in QSettings (most recent first, at most ten, no duplicates)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "recentFiles"
LIMIT = 10


def recent_files(settings: QSettings) -> list[Path]:
    value = settings.value(KEY, [])
    if isinstance(value, str):  # QSettings returns a single-item list as a plain string
        value = [value]
    return [Path(p) for p in (value or [])]


def add_recent(settings: QSettings, path: Path) -> list[Path]:
    path = Path(path).resolve()
    files = [path] + [p for p in recent_files(settings) if p != path]
    files = files[:LIMIT]
    settings.setValue(KEY, [str(p) for p in files])
    return files


def clear_recent(settings: QSettings) -> None:
    settings.setValue(KEY, [])
