"""The handler app and deployment files of a bundle (app.py, requirements, README, Dockerfile, tests)."""

from __future__ import annotations

from pathlib import Path

from ivr_studio.flow.model import Flow


def write_scaffold(folder: Path, flow: Flow) -> None:
    """Write the handler app and its deployment files into ``folder``."""
