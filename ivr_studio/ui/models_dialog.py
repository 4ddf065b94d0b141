"""The Speech models dialog: which offline speech models test calls can use, and getting or removing them.

One row per language the model catalog can download (plus any added model the catalog does not know),
with the model's name, its size and where the installed copy comes from. It drives
:class:`~ivr_studio.voice.models.ModelManager` and nothing else, so it installs exactly what
``ivr-studio models`` would.

A download runs in the background (:mod:`ivr_studio.ui.model_download`) with a progress bar and Cancel;
a cancelled download leaves nothing installed, and one that failed on the network resumes next time.

Open it with :func:`show_models_dialog`: one dialog per main window, modeless, so a download keeps running
(and showing progress) while the dialog is closed and opened again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.twiml.languages import gather_languages
from ivr_studio.ui.model_download import DownloadJob, next_step, plain
from ivr_studio.voice.model_catalog import CatalogModel, find_catalog_model, is_language_tag, primary
from ivr_studio.voice.models import InstalledModel, ModelError, ModelManager
from ivr_studio.voice.vosk_recognizer import vosk_model_problem

COLUMNS = ("Language", "Codes", "Model", "Size", "Status")


# ----------------------------------------------------------------------------------------------- rows


@dataclass
class ModelRow:
    """One language in the table: its catalog model (None for an added model the catalog lacks) and the
    installed copies that serve it."""

    language: str
    languages: tuple[str, ...]
    name: str
    entry: CatalogModel | None
    installed: list[InstalledModel] = field(default_factory=list)

    @property
    def removable(self) -> list[InstalledModel]:
        """Installed copies Remove can take away (a Python package is pip's to remove)."""
        return [m for m in self.installed if m.source != "package"]


def language_name(tags: tuple[str, ...]) -> str:
    """A readable name: "Spanish" for a model serving several regions, "English (India)" for one."""
    names = gather_languages()
    for tag in tags:
        known = names.get(tag)
        if known is not None:
            return known.name.split(" (")[0] if len(tags) > 1 else known.name
    return tags[0]


def size_text(entry: CatalogModel | None) -> str:
    if entry is None:
        return ""
    if entry.size is not None:
        return f"{entry.size / 1e6:.1f} MB"
    return f"about {entry.approx_mb} MB"


_SOURCE_TEXT = {"downloaded": "Installed", "registered": "Added folder", "package": "From a Python package"}


def status_text(row: ModelRow) -> str:
    if not row.installed:
        return "Not installed"
    texts = [_SOURCE_TEXT.get(m.source, m.source) for m in row.installed]
    return ", ".join(dict.fromkeys(texts))


def model_rows(manager: ModelManager) -> list[ModelRow]:
    """The catalog's languages in catalog order, then added models for languages the catalog lacks.

    An installed model belongs to the row of the language it serves (an added folder's language is the
    one the user gave it, whatever the folder is called)."""
    rows = [ModelRow(e.language, e.languages, e.name, e) for e in manager.catalog]
    by_entry = {row.name: row for row in rows}
    extra: dict[str, ModelRow] = {}
    for model in manager.installed():
        entry = find_catalog_model(model.language, manager.catalog)
        if entry is not None:
            row = by_entry[entry.name]
        else:
            row = extra.setdefault(
                model.language, ModelRow(model.language, (model.language,), model.name, None)
            )
        row.installed.append(model)
    return rows + list(extra.values())


# -------------------------------------------------------------------------------------------- dialog


class ModelsDialog(QDialog):
    """The table of models with Download, Remove and Add folder…; downloads run in the background."""

    modelsChanged = Signal()  # noqa: N815 - a model was installed, added or removed
    downloadEnded = Signal(str)  # noqa: N815 - "installed", "failed" or "cancelled"
    statusMessage = Signal(str)  # noqa: N815 - a one-line summary for the main window's status bar

    def __init__(self, manager: ModelManager | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelsDialog")
        self.setWindowTitle("Speech models")
        self.manager = manager if manager is not None else ModelManager()
        self.rows: list[ModelRow] = []
        self.job: DownloadJob | None = None
        self._build()
        self.refresh()
        self.resize(860, 560)

    # ----- building -----
    def _build(self) -> None:
        intro = QLabel(
            "Test calls understand what callers say with an offline speech model, one per language. "
            "English also works without one, through a basic built-in recogniser.",
            self,
        )
        intro.setWordWrap(True)
        folder = QLabel(f"Models folder: {self.manager.root}", self)
        folder.setObjectName("modelsFolder")
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("modelsTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the buttons
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.download())

        self.download_button = QPushButton("&Download", self)
        self.download_button.setObjectName("downloadModel")
        self.remove_button = QPushButton("&Remove…", self)
        self.remove_button.setObjectName("removeModel")
        self.add_button = QPushButton("&Add folder…", self)
        self.add_button.setObjectName("addModelFolder")
        self.add_button.setToolTip("Use a vosk model folder you already have (it is not copied)")
        self.download_button.clicked.connect(self.download)
        self.remove_button.clicked.connect(self.remove)
        self.add_button.clicked.connect(self.add_folder)
        actions = QHBoxLayout()
        for button in (self.download_button, self.remove_button, self.add_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addStretch(1)

        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("downloadStatus")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("downloadProgress")
        self.cancel_button = QPushButton("&Cancel download", self)
        self.cancel_button.setObjectName("cancelDownload")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.progress_row = QWidget(self)
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress_label)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.progress_row.hide()

        self.message_icon = QLabel(self)
        self.message = QLabel(self)
        self.message.setObjectName("modelsMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_row = QWidget(self)
        message_row = QHBoxLayout(self.message_row)
        message_row.setContentsMargins(0, 0, 0, 0)
        message_row.addWidget(self.message_icon, 0, Qt.AlignmentFlag.AlignTop)
        message_row.addWidget(self.message, 1)
        self.message_row.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(folder)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.message_row)
        layout.addWidget(buttons)

    # ----- the table -----
    def refresh(self) -> None:
        """Re-read what is installed; keeps the selected language selected."""
        selected = self.current_row()
        self.rows = model_rows(self.manager)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            downloading = self.job is not None and row.entry == self.job.entry
            cells = (
                language_name(row.languages),
                ", ".join(row.languages),
                row.name,
                size_text(row.entry),
                "Downloading…" if downloading else status_text(row),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 4 and row.installed:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setToolTip("\n".join(f"{m.name}: {m.path}" for m in row.installed))
                self.table.setItem(i, column, item)
        self._select_index(self._index_of(selected.language) if selected is not None else 0)
        self._update_buttons()

    def current_row(self) -> ModelRow | None:
        index = self.table.currentRow()
        selected = self.table.selectionModel().selectedRows()
        return self.rows[index] if selected and 0 <= index < len(self.rows) else None

    def _index_of(self, language: str) -> int:
        """The row serving ``language`` (its catalog model, else an added model of that tag), or -1."""
        entry = find_catalog_model(language, self.manager.catalog)
        for i, row in enumerate(self.rows):
            if entry is not None and row.entry == entry:
                return i
        for i, row in enumerate(self.rows):
            if row.language.lower() == language.lower():
                return i
        return -1

    def _select_index(self, index: int) -> None:
        if index < 0:
            self.table.clearSelection()
            return
        self.table.selectRow(index)
        self.table.setCurrentCell(index, 0)
        self.table.scrollToItem(self.table.item(index, 0), QAbstractItemView.ScrollHint.PositionAtCenter)

    def select_language(self, language: str) -> None:
        """Select the row for ``language`` and say what to do when it has no model (the test call's way in)."""
        index = self._index_of(language)
        self._select_index(index)
        row = self.rows[index] if index >= 0 else None
        if row is None:
            self.show_message(
                f"There is no downloadable speech model for {language}. If you have a vosk model for it, "
                "choose Add folder….",
                error=True,
            )
        elif not row.installed:
            self.show_message(
                f"Speech prompts in {language} need a speech model. Choose Download to get {row.name} "
                f"({size_text(row.entry)}), or Add folder… if you already have one."
            )
            self.download_button.setFocus()
        else:
            self.table.setFocus()

    def _update_buttons(self) -> None:
        row = self.current_row()
        busy = self.job is not None
        self.download_button.setEnabled(row is not None and row.entry is not None and not busy)
        if row is not None and row.entry is None:
            self.download_button.setToolTip(
                "This model was added from a folder; there is nothing to download"
            )
        elif row is not None and any(m.source == "downloaded" for m in row.installed):
            self.download_button.setToolTip("Download again and replace the installed copy")
        else:
            self.download_button.setToolTip("Download and install the selected model")
        downloading = busy and row is not None and self.job is not None and row.entry == self.job.entry
        self.remove_button.setEnabled(row is not None and bool(row.removable) and not downloading)
        packages = [m for m in row.installed if m.source == "package"] if row is not None else []
        if packages and not row.removable:
            self.remove_button.setToolTip(
                f"Installed with pip as {packages[0].name}: remove it with pip uninstall {packages[0].name}"
            )
        else:
            self.remove_button.setToolTip("Delete the downloaded model, or stop using an added folder")

    # ----- messages -----
    def show_message(self, text: str | None, error: bool = False) -> None:
        """A plain sentence under the table (an error gets the warning icon); None hides it."""
        if not text:
            self.message_row.hide()
            self.message.clear()
            return
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if error
            else QStyle.StandardPixmap.SP_MessageBoxInformation
        )
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.message_icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))
        self.message.setText(text)
        self.message_row.show()

    # ----- download -----
    def download(self) -> None:
        """Download the selected row's model in the background."""
        row = self.current_row()
        if row is None or row.entry is None or self.job is not None:
            return
        self.job = job = DownloadJob(self.manager, row.entry)
        queued = Qt.ConnectionType.QueuedConnection
        job.signals.progressed.connect(self._progressed, queued)
        job.signals.succeeded.connect(self._succeeded, queued)
        job.signals.failed.connect(self._failed, queued)
        job.signals.cancelled.connect(self._cancelled, queued)
        self.show_message(None)
        self.progress_label.setText(f"Downloading {row.entry.name}")
        self.progress.setRange(0, 0)  # busy until the server says how big it is
        self.progress.setFormat("")
        self.cancel_button.setEnabled(True)
        self.progress_row.show()
        self.refresh()
        self.cancel_button.setFocus()
        job.start()

    def cancel_download(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Cancelling…")

    @property
    def downloading(self) -> bool:
        return self.job is not None

    def _progressed(self, done: int, total: int | None) -> None:
        if self.job is None or self.job.cancel_requested:
            return
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(done, total) / total))
            self.progress.setFormat(f"%p %   {done / 1e6:.1f} of {total / 1e6:.1f} MB")
            if done >= total:  # all fetched: the manager now verifies and unpacks, which cannot be stopped
                self.progress_label.setText(f"Unpacking {self.job.entry.name}")
                self.progress.setRange(0, 0)
                self.cancel_button.setEnabled(False)
        else:
            self.progress.setRange(0, 0)
            self.progress_label.setText(f"Downloading {self.job.entry.name}: {done / 1e6:.1f} MB")

    def _succeeded(self, model: InstalledModel) -> None:
        late = self.job is not None and self.job.cancel_requested
        name = language_name(self._row_languages(model))
        text = (
            f"Installed {model.name} for {name} ({model.language}). Test calls use it from the next "
            "speech prompt."
        )
        if late:
            text = "The download had already finished when Cancel was chosen. " + text
        self._end_download("installed", text, installed=model)

    def _failed(self, detail: str) -> None:
        entry = self.job.entry if self.job is not None else None
        if entry is None:
            return
        text = (
            f"Could not download {entry.name}. {plain(detail)}. "
            f"{next_step(detail, entry, self.manager.base_url)}"
        )
        self._end_download("failed", text, error=True)

    def _cancelled(self) -> None:
        name = self.job.entry.name if self.job is not None else "the model"
        self._end_download("cancelled", f"Download of {name} cancelled. Nothing was installed.")

    def _row_languages(self, model: InstalledModel) -> tuple[str, ...]:
        entry = find_catalog_model(model.language, self.manager.catalog)
        return entry.languages if entry is not None else (model.language,)

    def _end_download(
        self, outcome: str, text: str, error: bool = False, installed: InstalledModel | None = None
    ) -> None:
        self.job = None
        self.progress_row.hide()
        self.show_message(text, error=error)
        self.refresh()
        if installed is not None:
            self._select_index(self._index_of(installed.language))
            self.modelsChanged.emit()
        self.statusMessage.emit(text)
        self.downloadEnded.emit(outcome)

    def shutdown(self) -> None:
        """Cancel a running download (when the editor closes); its thread never holds up quitting."""
        if self.job is not None:
            self.job.cancel()

    # ----- remove -----
    def remove(self) -> bool:
        """Delete the selected row's downloaded model and forget its added folder, after asking."""
        row = self.current_row()
        if row is None or not row.removable:
            return False
        lines = []
        for m in row.removable:
            if m.source == "registered":
                lines.append(f"Stop using the folder {m.path} (the folder itself stays where it is).")
            else:
                lines.append(f"Delete {m.name} from {m.path.parent}.")
        name = language_name(row.languages)
        question = "\n".join(lines) + f"\n\nSpeech prompts in {name} will need a model again."
        answer = QMessageBox.question(
            self,
            f"Remove the {name} speech model?",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            for language in dict.fromkeys(m.language for m in row.removable):
                still_there = {
                    (m.language, m.path) for m in self.manager.installed() if m.source != "package"
                }
                if any((m.language, m.path) in still_there for m in row.removable if m.language == language):
                    self.manager.remove(language)
        except (ModelError, OSError) as exc:
            self.show_message(
                f"Could not remove the {name} model: {exc}. Close any program using the models folder, "
                "then choose Remove again.",
                error=True,
            )
            self.refresh()
            return False
        self.show_message(f"Removed the {name} speech model.")
        self.refresh()
        self.modelsChanged.emit()
        return True

    # ----- add folder -----
    def add_folder(self) -> bool:
        """Ask for a model folder and its language, then register it."""
        chosen = QFileDialog.getExistingDirectory(
            self, "Choose an unpacked vosk model folder", str(Path.home())
        )
        if not chosen:
            return False
        folder = Path(chosen)
        problem = vosk_model_problem(folder)
        if problem:
            self._not_a_model(folder, problem)
            return False
        language = self._ask_language(folder)
        return bool(language) and self.add_folder_as(folder, language)

    def _ask_language(self, folder: Path) -> str | None:
        names = gather_languages()
        tags = list(dict.fromkeys(tag for entry in self.manager.catalog for tag in entry.languages))
        choices = [f"{tag}  {names[tag].name}" if tag in names else tag for tag in tags]
        guess = self._guess_language(folder)
        current = tags.index(guess) if guess in tags else 0
        text, ok = QInputDialog.getItem(
            self,
            "Language of the model",
            f"Which language does {folder.name} recognise?\nPick one, or type a language code such as es-MX.",
            choices,
            current,
            True,
        )
        language = text.split()[0] if ok and text.strip() else None
        if language is not None and not is_language_tag(language):
            self.show_message(
                f"“{language}” is not a language code. Choose Add folder… again and pick one from the list, "
                "or type a code such as es-MX.",
                error=True,
            )
            return None
        return language

    def _guess_language(self, folder: Path) -> str | None:
        """The catalog language a vosk folder name holds ("vosk-model-en-in-0.5" → en-IN), else the
        selected row's."""
        name = folder.name.lower().replace("_", "-")
        tokens = name.split("-")
        catalog = self.manager.catalog
        for entry in catalog:
            if entry.name.lower() == name:
                return entry.language
        for entry in catalog:  # a region in the name: the most specific match first
            for tag in entry.languages:
                if "-" in tag and f"-{tag.lower()}-" in f"-{name}-":
                    return tag
        for entry in catalog:
            own = [t for t in entry.name.lower().split("-") if t not in ("vosk", "model", "small")]
            if primary(entry.language) in tokens or (own and own[0] in tokens):
                return entry.language
        row = self.current_row()
        return row.language if row is not None else None

    def _not_a_model(self, folder: Path, problem: str) -> None:
        self.show_message(
            f"{folder.name} is not a vosk speech model: {problem.replace(str(folder), 'the folder')}. "
            "Choose the unpacked model folder, the one that holds the am, conf and graph folders.",
            error=True,
        )

    def add_folder_as(self, folder: str | Path, language: str) -> bool:
        """Register ``folder`` as the model for ``language`` (not copied); says what happened."""
        folder = Path(folder)
        try:
            model = self.manager.add(folder, language)
        except ModelError as exc:
            problem = vosk_model_problem(folder)
            if problem:
                self._not_a_model(folder, problem)
            else:
                self.show_message(f"Could not add {folder}: {exc}. Try another folder.", error=True)
            return False
        self.refresh()
        self._select_index(self._index_of(model.language))
        self.show_message(
            f"Added {model.path} for {model.language}. Test calls use it from the next speech prompt; "
            "the folder stays where it is."
        )
        self.modelsChanged.emit()
        return True

    # ----- closing: the dialog only hides, so a download carries on -----
    def done(self, result: int) -> None:
        if self.job is not None:
            self.statusMessage.emit(
                f"Still downloading {self.job.entry.name} in the background: Call ▸ Speech models… shows it"
            )
        super().done(result)


def show_models_dialog(
    parent: QWidget | None, language: str | None = None, manager: ModelManager | None = None
) -> ModelsDialog:
    """Show the window's one Speech models dialog (made on first use), optionally on ``language``'s row."""
    window = parent.window() if parent is not None else None
    dialog = window.findChild(ModelsDialog) if window is not None else None
    if dialog is None:
        dialog = ModelsDialog(manager, window)
        if isinstance(window, QMainWindow):
            bar = window.statusBar()
            dialog.statusMessage.connect(lambda text: bar.showMessage(text, 8000))
    else:
        dialog.refresh()
    if language:
        dialog.select_language(language)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
