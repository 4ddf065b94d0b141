"""Save as test (the panel's side): where the scenario goes, making sure the flow it names is saved.

The scenario names its target as the saved ``.ivrflow`` path relative to the scenario file, so a flow that
has never been saved, or has unsaved edits (the call ran the edited flow), is saved first — with the
user's agreement. The scenario itself is built by :mod:`.scenario_writer`.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ivr_studio.files import write_text_atomic
from ivr_studio.ui.call.scenario_writer import scenario_for_call, scenario_yaml, target_relative_to

if TYPE_CHECKING:
    from ivr_studio.ui.call.panel import CallPanel

TITLE = "Save call as test"


def _flow_saved(panel: CallPanel) -> Path | None:
    """The flow's file once it is saved (asking to save it first), or None when the user declined."""
    doc = panel.document
    if doc.path is not None and not doc.is_dirty():
        return Path(doc.path)
    why = "has unsaved changes" if doc.path is not None else "has not been saved yet"
    answer = QMessageBox.question(
        panel,
        TITLE,
        f"The flow {why}. A test names the saved flow file, so save the flow first?",
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
    )
    if answer != QMessageBox.StandardButton.Save or panel.save_flow is None or not panel.save_flow():
        return None
    return Path(doc.path) if doc.path is not None and not doc.is_dirty() else None


def save_call_as_test(panel: CallPanel, path: str | Path | None = None) -> Path | None:
    """Write the last call as a scenario file; returns its path (None when nothing was written)."""
    record = panel.controller.record
    if record is None or not record.ended:
        panel.show_notice("Make a call first (and let it end); then it can be saved as a test.")
        return None
    flow_path = None
    if record.target == "flow":
        flow_path = _flow_saved(panel)
        if flow_path is None:
            return None
    if path is None:
        stem = flow_path.stem if flow_path is not None else "webhook"
        folder = flow_path.parent if flow_path is not None else _default_folder(panel)
        chosen, _ = QFileDialog.getSaveFileName(
            panel, TITLE, str(folder / f"{stem}-call.test.yaml"), "Scenario (*.yaml *.yml)"
        )
        if not chosen:
            return None
        path = chosen
    path = Path(path)
    target = target_relative_to(flow_path, path) if flow_path is not None else record.target
    data = scenario_for_call(
        record.trace,
        target,
        name=f"call recorded {len(record.trace)} events",
        status=record.status,
        settings=record.settings,
        dial_outcomes=record.dial_outcomes,
        around=record.around,
        options=record.options.scenario_options() if record.target == "flow" else None,
    )
    data["calls"][0]["name"] = _call_name(record.trace)
    try:
        write_text_atomic(path, scenario_yaml(data))
    except OSError as exc:
        QMessageBox.warning(panel, TITLE, f"Cannot write {path}: {exc.strerror or exc}")
        return None
    path = Path(os.path.abspath(path))
    panel.show_notice(
        f"Saved the call as a test: {path.name} in {path.parent} — run it with: ivr-studio test "
        f"{shlex.quote(str(path))}",
        tone="info",
    )
    return path


def _default_folder(panel: CallPanel) -> Path:
    """For a call of a URL: the open flow's folder if it has one, else the home folder (never the
    process's working folder, which a user starting the app from a launcher never chose)."""
    doc_path = getattr(panel.document, "path", None)
    return Path(doc_path).parent if doc_path is not None else Path.home()


def _call_name(trace: list[dict]) -> str:
    """A readable name: what the caller did ("press 2, 1" / "say billing") or "no input"."""
    bits = []
    for e in trace:
        if e.get("event") == "dtmf":
            bits.append(str(e.get("key")))
        elif e.get("event") == "speech" and e.get("phase") == "final" and e.get("text"):
            bits.append(f"“{e['text']}”")
    return ("caller: " + ", ".join(bits)) if bits else "no input"
