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


def folder_label(folder: Path, limit: int = 48) -> str:
    """A folder as a person reads it: the home folder as ``~``, and a long path cut in the middle so its
    beginning and (more telling) its last folders both show."""
    home = Path.home()
    try:
        text = "~/" + str(folder.relative_to(home)) if folder != home else "~"
    except ValueError:
        text = str(folder)
    if len(text) <= limit:
        return text
    head = limit // 3
    return f"{text[:head]}…{text[-(limit - head - 1) :]}"


def menu_label(index: int, path: Path) -> str:
    """``&1 support-line.ivrflow — ~/work/acme``: the name, then where it is, so two files of the same
    name can be told apart (``&`` is doubled: Qt would take it for a mnemonic)."""
    text = f"{path.name} — {folder_label(path.parent)}".replace("&", "&&")
    return f"&{index + 1} {text}" if index < 9 else text
