"""File ▸ Import: bring a Twilio Studio flow or TwiML documents into the editor, then show the report.

The import itself is :mod:`ivr_studio.interop` (no Qt); this module asks for the files, opens the imported
flow as a new unsaved document, and shows :class:`ImportReportDialog`: a summary line and one row per
widget or verb (what it became, or why it could not be mapped). Double-clicking a row selects its node.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.interop.report import MAPPED, OUTCOMES, PLACEHOLDER, SKIPPED, WARNING, ImportReport

#: Row colours by outcome, readable on light and dark palettes (only the outcome column is tinted).
OUTCOME_COLOURS = {MAPPED: "#2e7d32", PLACEHOLDER: "#1565c0", SKIPPED: "#c62828", WARNING: "#b26a00"}
STUDIO_FILTER = "Studio flow definitions (*.json);;All files (*)"
TWIML_FILTER = "TwiML documents (*.xml *.twiml);;All files (*)"


class ImportReportDialog(QDialog):
    """The report of one import: what mapped, what became a placeholder or was skipped, and why."""

    def __init__(
        self, report: ImportReport, parent: QWidget | None = None, reveal: Callable[[str], None] | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import_report")
        self.setWindowTitle("Import report")
        self.reveal = reveal
        layout = QVBoxLayout(self)
        self.summary = QLabel(f"<b>{report.origin}</b><br>{report.summary()}")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("import_report_rows")
        self.tree.setHeaderLabels(["Outcome", "From", "Kind", "Node", "Why"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        order = {o: i for i, o in enumerate((PLACEHOLDER, SKIPPED, WARNING, MAPPED))}
        for entry in sorted(report.entries, key=lambda e: order.get(e.outcome, len(OUTCOMES))):
            item = QTreeWidgetItem([entry.outcome, entry.source, entry.kind, entry.node or "", entry.note])
            item.setForeground(0, QBrush(QColor(OUTCOME_COLOURS[entry.outcome])))
            item.setToolTip(4, entry.note)
            item.setData(0, Qt.ItemDataRole.UserRole, entry.node)
            self.tree.addTopLevelItem(item)
        header = self.tree.header()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tree.itemDoubleClicked.connect(self._activated)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(860, 460)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        node = item.data(0, Qt.ItemDataRole.UserRole)
        if node and self.reveal is not None:
            self.reveal(node)


def import_into(window, kind: str, paths: list[str]) -> ImportReport | None:
    """Import ``paths`` (``kind`` is ``studio`` or ``twiml``) as a new unsaved document of ``window`` and
    show the report; None when nothing could be imported (the user is told why)."""
    from ivr_studio.interop.studio_import import StudioImportError, load_studio
    from ivr_studio.interop.twiml_import import TwimlImportError, collect_documents, import_twiml

    if not paths or not window.maybe_save():
        return None
    try:
        if kind == "studio":
            flow, report = load_studio(paths[0])
        else:
            flow, report = import_twiml(collect_documents(paths))
    except (StudioImportError, TwimlImportError) as exc:
        QMessageBox.critical(window, "Could not import", f"{exc}\n\nNothing was imported.")
        return None
    window.autosaver.discard()
    window.document.replace(flow, None, dirty=True)
    window.scene.clearSelection()
    window.view.show_flow()
    window.statusBar().showMessage(f"Imported {report.origin}: {report.summary()}", 6000)
    dialog = ImportReportDialog(report, window, reveal=window.reveal_node)
    window.import_report = dialog  # kept referenced while it is open
    dialog.open()
    return report


def ask_and_import(window, kind: str) -> ImportReport | None:
    """Ask for a Studio definition (one file) or TwiML documents (files) and import them."""
    start = str(window.document.path.parent) if window.document.path else str(Path.home())
    if kind == "studio":
        path, _ = QFileDialog.getOpenFileName(window, "Import a Studio flow", start, STUDIO_FILTER)
        paths = [path] if path else []
    else:
        paths, _ = QFileDialog.getOpenFileNames(window, "Import TwiML documents", start, TWIML_FILTER)
    return import_into(window, kind, paths)
