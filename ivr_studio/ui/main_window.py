"""The main window: canvas in the middle; palette, inspector, Problems, TwiML preview and Variables as docks.

It wires panels to one :class:`FlowDocument` and owns the file workflow: New, Open, Open Recent, Save,
Save As, autosave with recovery, and asking before unsaved changes are lost. Other panels (the test-call
panel) join through :meth:`MainWindow.add_dock`; the canvas exposes ``set_active_node`` and
``set_exit_coverage`` on :attr:`MainWindow.scene`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

import ivr_studio
from ivr_studio.flow.ivrflow import SUFFIX, FlowFileError, load_flow
from ivr_studio.ui import collector
from ivr_studio.ui.actions import build_menus
from ivr_studio.ui.autosave import Autosaver, Recovery, find_recoveries
from ivr_studio.ui.call.install import install_call_panel
from ivr_studio.ui.canvas.palette import NodePalette
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.view import FlowView
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.panel import InspectorPanel
from ivr_studio.ui.problems import ProblemsPanel, summary
from ivr_studio.ui.read_only_bar import ReadOnlyBar, editing_actions
from ivr_studio.ui.recent import add_recent, menu_label, recent_files
from ivr_studio.ui.twiml_preview import TwimlPreview
from ivr_studio.ui.variables_panel import VariablesPanel
from ivr_studio.ui.window_layout import LayoutMemory

if TYPE_CHECKING:
    from ivr_studio.ui.call.controller import CallController

FILE_FILTER = f"IVR flows (*{SUFFIX});;All files (*)"


class MainWindow(QMainWindow):
    """One window editing one flow document."""

    def __init__(
        self,
        settings: QSettings | None = None,
        recovery_dir: Path | None = None,
        autosave_ms: int | None = None,
        parent: QWidget | None = None,
        call_controller: CallController | None = None,
    ):
        """``call_controller`` runs the Test call panel's calls (tests pass one with fast prompts and no audio)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.settings = settings if settings is not None else QSettings()
        self.document = FlowDocument(parent=self)
        self.scene = FlowScene(self.document, self)
        self.view = FlowView(self.scene, self)
        self.setCentralWidget(self.view)
        self.docks: dict[str, QDockWidget] = {}
        self._watching_screen = False

        self.palette = NodePalette()
        self.palette.addRequested.connect(
            lambda kind: self.view.add_node_at(kind, self.view.visible_scene_rect().center())
        )
        self.inspector = InspectorPanel(self.document)
        self.problems = ProblemsPanel(self.document, wait=True)  # resumed after the first frame
        self.preview = TwimlPreview(self.document)
        self.variables = VariablesPanel(self.document)
        self.add_dock(self.palette, "Palette", Qt.DockWidgetArea.LeftDockWidgetArea)
        self.add_dock(self.inspector, "Inspector", Qt.DockWidgetArea.RightDockWidgetArea)
        self.add_dock(self.problems, "Problems", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.add_dock(self.preview, "TwiML preview", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.add_dock(self.variables, "Variables", Qt.DockWidgetArea.BottomDockWidgetArea)
        self.docks["Problems"].raise_()
        self.read_only_bar = ReadOnlyBar(self.document, self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.read_only_bar)
        # a refused drag leaves cards where the mouse put them: draw the flow again, once the drag is over
        self.document.editRefused.connect(lambda _reason: QTimer.singleShot(0, self._undo_refused_edit))

        self.autosaver = Autosaver(
            self.document, recovery_dir, autosave_ms if autosave_ms is not None else 30_000, self
        )

        self.zoom_label = QLabel()
        self.count_label = QLabel()
        self.problems_label = QLabel()
        for label in (self.problems_label, self.count_label, self.zoom_label):
            self.statusBar().addPermanentWidget(label)

        self.actions_: dict[str, QAction] = build_menus(self)
        self.read_only_bar.guard(self.palette, *editing_actions(self.actions_))
        self.call_panel = install_call_panel(self, controller=call_controller)
        self.call_panel.probe_when_shown = False
        self._first_frame = _FirstFrame(self.view.viewport(), self._after_first_frame)
        self._connect()
        self._refresh_title()
        self._refresh_counts()
        self._zoom_changed(self.view.zoom())
        self.layout_memory = LayoutMemory(self, self.settings, self.docks)
        self.layout_memory.restore()

    def _undo_refused_edit(self) -> None:
        """A refused edit left a dragged card or a typed value on screen: show the flow as it is again."""
        self.scene.rebuild()
        self.inspector.sync()

    # ------------------------------------------------------------------ public hooks
    def add_dock(
        self, widget: QWidget, title: str, area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea
    ) -> QDockWidget:
        """Add a movable, closable dock (tabbed with others in the same area); listed in View ▸ Panels."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        same_area = [d for d in self.docks.values() if self.dockWidgetArea(d) == area]
        self.addDockWidget(area, dock)
        if same_area and area == Qt.DockWidgetArea.BottomDockWidgetArea:
            self.tabifyDockWidget(same_area[-1], dock)
        self.docks[title] = dock
        panels = getattr(self, "panels_menu", None)
        if panels is not None:
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"action_toggle_{dock.objectName()}")
            panels.addAction(toggle)
        return dock

    def open_path(self, path: str | Path) -> bool:
        """Open a file in this window (after asking about unsaved changes); False when it was not opened."""
        if not self.maybe_save():
            return False
        collector.hold()  # until the canvas has painted the flow (see ivr_studio.ui.collector)
        QTimer.singleShot(collector.LONGEST_HOLD_MS, collector.release)
        try:
            laid_out = self.document.open(path)
        except FlowFileError as exc:
            collector.release()
            # on stderr too: the terminal that ran ``ivr-studio open FILE`` says why
            print(f"IVR Studio: could not open the flow: {exc}", file=sys.stderr, flush=True)
            QMessageBox.critical(self, "Could not open the flow", f"{exc}\n\nNothing was opened.")
            return False
        except BaseException:
            collector.release()
            raise
        add_recent(self.settings, Path(path))
        self.refresh_recent_menu()
        self.scene.clearSelection()
        self.view.show_flow()
        if laid_out:
            self.statusBar().showMessage(
                f"Opened {self.document.path}: its nodes had no positions, so the flow was laid out "
                "— save to keep the layout",
                10000,
            )
        elif self.document.is_dirty():
            self.statusBar().showMessage(
                f"Opened {self.document.path}: some cards lay over others, so they were moved apart "
                "— save to keep their new places",
                10000,
            )
        else:
            self.statusBar().showMessage(f"Opened {self.document.path}", 4000)
        return True

    # ------------------------------------------------------------------ wiring
    def _connect(self) -> None:
        doc = self.document
        doc.dirtyChanged.connect(lambda _d: self._refresh_title())
        doc.pathChanged.connect(lambda _p: self._refresh_title())
        doc.flowReplaced.connect(self._refresh_counts)
        doc.undo_stack.indexChanged.connect(lambda _i: self._refresh_counts())
        self.scene.selectedNodesChanged.connect(self._selection_changed)
        self.problems.diagnosticsChanged.connect(self._diagnostics_changed)
        self.problems.nodeActivated.connect(self.reveal_node)
        self.view.zoomChanged.connect(self._zoom_changed)
        # the application outlives the window: a bound method is disconnected when the window goes, where a
        # lambda would keep it (and its call panel, controller and last call) for good
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._colour_scheme_changed)

    def _colour_scheme_changed(self, _scheme: object) -> None:
        self.scene.set_theme_from_palette()

    def _selection_changed(self, node_ids: list[str]) -> None:
        self.inspector.show_selection(node_ids)
        self.preview.show_node(node_ids[0] if len(node_ids) == 1 else None)

    def _diagnostics_changed(self, diagnostics: list) -> None:
        self.scene.set_problems(diagnostics)
        self.problems_label.setText(
            "Checking for problems…" if self.problems.checking else summary(diagnostics)
        )
        self.docks["Problems"].setWindowTitle(self.problems.title())

    def reveal_node(self, node_id: str) -> None:
        """Select and centre a node (clicking a problem does this)."""
        self.scene.select_nodes([node_id])
        self.view.centre_on_node(node_id)

    def _zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"Zoom {round(zoom * 100)} %")

    def _refresh_counts(self) -> None:
        n = len(self.document.flow)
        self.count_label.setText(f"{n} node{'s' if n != 1 else ''}")
        self.view.viewport().update()

    def _refresh_title(self) -> None:
        # "[*]" is where Qt shows the modified state; Qt draws nothing there on macOS (the close button
        # shows it instead), so the ● is ours on every platform and Qt's own mark is switched off.
        mark = " ●" if self.document.is_dirty() else ""
        self.setWindowTitle(f"{self.document.display_name()}{mark}[*] — IVR Studio")
        self.setWindowModified(False)
        if QGuiApplication.platformName() == "cocoa":
            self.setWindowModified(self.document.is_dirty())

    # ------------------------------------------------------------------ file actions
    def new_flow(self) -> None:
        if self.maybe_save():
            self.autosaver.discard()
            self.document.new()
            self.view.fit()

    def open_dialog(self) -> None:
        start = str(self.document.path.parent) if self.document.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open flow", start, FILE_FILTER)
        if path:
            self.open_path(path)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        start = str(self.document.path or Path.home() / f"{self.document.flow.name}{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self, "Save flow as", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(SUFFIX):
            path += SUFFIX
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as exc:
            QMessageBox.critical(
                self,
                "Could not save the flow",
                f"{path}: {exc.strerror or exc}.\n\nThe previous version of the file is unchanged; "
                "your edits are still open here. Try another folder with Save As.",
            )
            return False
        self.autosaver.discard()
        add_recent(self.settings, path)
        self.refresh_recent_menu()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes: Save / Discard / Cancel. True when it is fine to go on."""
        if not self.document.is_dirty():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.document.display_name()} before closing it?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def refresh_recent_menu(self) -> None:
        menu = getattr(self, "recent_menu", None)
        if menu is None:
            return
        menu.clear()
        files = recent_files(self.settings)
        for i, path in enumerate(files):
            action = menu.addAction(menu_label(i, path), lambda p=path: self.open_path(p))
            action.setObjectName(f"action_recent_{i}")
            action.setToolTip(str(path))
        menu.setEnabled(bool(files))

    def offer_recovery(self, opening: Path | None = None) -> bool:
        """If a crash left recovery files, offer to reopen the newest; True when one was recovered.

        When the user is opening a file, only that file's recovery is offered; the others wait for a later
        start. Declining discards only the recovery that was offered."""
        recoveries = sorted(
            (r for folder in self.autosaver.search_dirs for r in find_recoveries(folder)),
            key=lambda r: r.saved_at,
            reverse=True,
        )
        if opening is not None:
            wanted = Path(opening).resolve()
            recoveries = [r for r in recoveries if r.original is not None and r.original.resolve() == wanted]
        if not recoveries:
            return False
        newest: Recovery = recoveries[0]
        # the folder too: the same file name may be in several projects
        name = (
            f"{newest.original.name} (in {newest.original.parent})" if newest.original else "an untitled flow"
        )
        answer = QMessageBox.question(
            self,
            "Recover unsaved changes?",
            f"IVR Studio closed without saving changes to {name}. Recover them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            newest.discard()
            return False
        try:
            flow = load_flow(newest.file)
        except FlowFileError as exc:
            QMessageBox.critical(self, "Could not recover", str(exc))
            newest.discard()
            return False
        self.document.replace(flow, newest.original, dirty=True)
        newest.discard()
        self.autosaver.autosave()
        self.view.show_flow()
        return True

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About IVR Studio",
            f"<b>IVR Studio</b> {ivr_studio.__version__}<br>Design, export and test Twilio phone menus offline.",
        )

    def default_export_folder(self) -> Path:
        """Where Export suggests writing the bundle: ``<flow>-bundle`` next to the flow file (in the home
        folder for a flow not saved yet), always as an absolute path."""
        if self.document.path is not None:
            return self.document.path.parent / f"{self.document.path.stem}-bundle"
        return Path.home() / "flow-bundle"

    def import_flow(self, kind: str) -> None:
        """File ▸ Import: a Studio flow or TwiML documents become a new unsaved flow; the report follows."""
        from ivr_studio.ui.import_dialog import ask_and_import

        ask_and_import(self, kind)

    def export_bundle(self) -> None:
        from ivr_studio.ui.export_dialog import ExportDialog

        dialog = ExportDialog(self.document.flow, self.default_export_folder(), self)
        dialog.exec()
        dialog.wait()
        dialog.deleteLater()

    # ------------------------------------------------------------------ window state
    def _after_first_frame(self) -> None:
        """What the first frame does not need, once it is on screen: checking the flow (the validator and
        its graph library), probing the audio devices (PortAudio) and, in the background, loading the call
        engine for the first test call."""
        from ivr_studio.ui.warm_up import warm_up

        self.problems.resume()
        self.call_panel.probe_audio()
        self.warm_up = warm_up()  # so the first F5 does not wait for the call engine to load

    def save_layout(self) -> None:
        """Remember the window's size and docks for the screen it is on (see :mod:`.window_layout`)."""
        self.layout_memory.save()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None and not self._watching_screen:
            self._watching_screen = True
            handle.screenChanged.connect(lambda _screen: self.layout_memory.screen_changed())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_save():
            event.ignore()
            return
        self.call_panel.controller.shutdown()
        models = sys.modules.get("ivr_studio.ui.models_dialog")  # never opened: no dialog to close
        for dialog in self.findChildren(models.ModelsDialog) if models is not None else ():
            dialog.shutdown()
        self.autosaver.stop()
        self.autosaver.discard()
        self.save_layout()
        event.accept()


class _FirstFrame(QObject):
    """Calls ``then`` on the event-loop turn after ``widget`` is first painted (once)."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self, self._then)  # not once the widget (and this filter) are gone
        return False
