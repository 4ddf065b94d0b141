"""Downloading one speech model in the background, with progress and Cancel, for the Speech models dialog.

:class:`DownloadJob` runs :meth:`ModelManager.download <ivr_studio.voice.models.ModelManager.download>` on a
daemon thread (so a stalled connection never holds up quitting) and reports through :class:`DownloadSignals`,
which the dialog connects with queued connections. The manager has no cancel of its own: Cancel makes the
progress callback raise :class:`DownloadCancelled`, and the job then deletes the partial archive. The manager
only unpacks a complete, verified archive and moves it into place with one rename, so a cancelled download
never leaves a half-installed model. A download that fails on the network keeps its partial archive, and the
next download of that model resumes it.
"""

from __future__ import annotations

import contextlib
import threading

from PySide6.QtCore import QObject, Signal

from ivr_studio.voice.model_catalog import CatalogModel
from ivr_studio.voice.models import ModelError, ModelManager


class DownloadCancelled(Exception):
    """Raised from the progress callback to stop a download. Deliberately not an OSError: the manager turns
    those into a resumable "interrupted" error, and a cancelled download should leave nothing behind."""


class DownloadSignals(QObject):
    progressed = Signal(object, object)  # bytes done, total bytes or None
    succeeded = Signal(object)  # the InstalledModel
    failed = Signal(str)  # the manager's explanation
    cancelled = Signal()


class DownloadJob:
    """Downloads one catalog model on a daemon thread; reports through :attr:`signals` (emitted there).

    Every progress callback is reported (one per 64 KB chunk: a few thousand for the largest model). A
    time-based throttle would drop the last report before a stalled connection and show stale progress.
    """

    def __init__(self, manager: ModelManager, entry: CatalogModel) -> None:
        self.manager, self.entry = manager, entry
        self.signals = DownloadSignals()
        self._cancel = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"download {entry.name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        """Stop at the next chunk; the partial archive is deleted. Too late once unpacking has begun."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int | None) -> None:
        if self._cancel.is_set():
            raise DownloadCancelled
        self.signals.progressed.emit(done, total)

    def _run(self) -> None:
        try:
            model = self.manager.download(self.entry.language, progress=self._progress)
        except DownloadCancelled:
            self._discard_partial()
            self.signals.cancelled.emit()
        except ModelError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a worker thread reports every failure instead of losing it
            self.signals.failed.emit(f"{exc.__class__.__name__}: {exc}")
        else:
            self.signals.succeeded.emit(model)

    def _discard_partial(self) -> None:
        """Delete what a cancelled download fetched (the manager's documented ``.partial`` layout)."""
        staging = self.manager.root / ".partial"
        (staging / f"{self.entry.name}.zip.part").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            staging.rmdir()  # only when empty


def plain(detail: str) -> str:
    """The manager's explanation without its command-line advice (the dialog gives its own next step)."""
    detail = detail.split("; run the same command")[0].strip().rstrip(".")
    return detail[:1].upper() + detail[1:]


def next_step(detail: str, entry: CatalogModel, base_url: str) -> str:
    """What to do after a failed download, in the dialog's words."""
    if "interrupted" in detail:
        return "Choose Download again to continue where it stopped."
    if "cannot reach" in detail:
        return "Check the internet connection, then choose Download again."
    url = entry.archive_url(base_url)
    where = "that address" if url in detail else url
    return (
        f"Choose Download to try again. If it keeps failing, download the archive from {where} yourself, "
        "unpack it and choose Add folder… to use it."
    )
