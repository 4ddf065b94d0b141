"""The Export dialog: choose a folder, write the deployable bundle in the background, say where it went.

The export runs on a QThreadPool worker from a snapshot of the flow (a copy made through the file format),
so the user can keep editing while it runs and the worker never touches the live model.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.flow.ivrflow import flow_from_dict, flow_to_dict
from ivr_studio.flow.model import Flow

try:
    from ivr_studio.bundle.export import export_bundle
except ImportError:  # the exporter is not there yet
    export_bundle = None  # type: ignore[assignment]


class ExportSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(str)
    failed = Signal(str)


class ExportJob(QRunnable):
    """Writes one bundle; reports through :class:`ExportSignals` (delivered on the GUI thread)."""

    def __init__(self, flow: Flow, folder: Path, exporter=None):
        super().__init__()
        self.flow, self.folder = flow, folder
        self.exporter = exporter if exporter is not None else export_bundle
        self.signals = ExportSignals()

    def run(self) -> None:
        try:
            if self.exporter is None:
                raise RuntimeError("the bundle exporter is not available in this build")
            out = self.exporter(self.flow, self.folder, progress=self.signals.progress.emit)
        except Exception as exc:  # report any failure to the user instead of losing it in a thread
            self.signals.failed.emit(str(exc))
        else:
            self.signals.finished.emit(str(out))


def snapshot(flow: Flow) -> Flow:
    """An independent copy of ``flow`` (no event listeners), safe to hand to another thread."""
    return flow_from_dict(flow_to_dict(flow))


class ExportDialog(QDialog):
    """Pick a folder and export; progress and the result are shown in the dialog."""

    def __init__(self, flow: Flow, default_folder: Path, parent: QWidget | None = None, exporter=None):
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export bundle")
        self.flow, self.exporter = flow, exporter
        self.pool = QThreadPool.globalInstance()
        self.job: ExportJob | None = None
        self.result_path: Path | None = None
        self.folder = QLineEdit(str(default_folder), self)
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(
            "The bundle holds one TwiML document per node and the handler app to deploy behind Twilio.", self
        )
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button = self.buttons.addButton("Open folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.open_button.clicked.connect(self._open_folder)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Export to folder:", self))
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(520, 200)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export bundle to", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def start(self) -> None:
        """Start the export in the background (the dialog stays responsive)."""
        folder = Path(self.folder.text().strip()).expanduser()
        if not self.folder.text().strip():
            self.status.setText("Choose a folder first.")
            return
        self.export_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.status.setText(f"Exporting to {folder} …")
        self.job = ExportJob(snapshot(self.flow), folder, self.exporter)
        self.job.signals.progress.connect(self._progress)
        self.job.signals.finished.connect(self._finished)
        self.job.signals.failed.connect(self._failed)
        self.pool.start(self.job)

    def _progress(self, done: int, total: int, what: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"Writing {what} ({done}/{total})")

    def _finished(self, out: str) -> None:
        self.result_path = Path(out)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status.setText(f"Exported to {out}")
        self.export_button.setEnabled(True)
        self.open_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(f"The export failed: {message}. Nothing was changed in the folder.")
        self.export_button.setEnabled(True)

    def _open_folder(self) -> None:
        if self.result_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result_path)))

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the background export is done (for tests and for closing the app)."""
        return self.pool.waitForDone(msecs)
