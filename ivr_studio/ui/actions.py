"""The main window's actions and menus (File Edit View Flow Call Help), each with an objectName.

Canvas-only shortcuts (Tab, F, Delete, Ctrl+C/V/D) are bound to the canvas widget, so they never steal keys
from the inspector's text fields; the menus still show them and trigger them from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from ivr_studio.flow.kinds import NodeKind, kind_title
from ivr_studio.ui.canvas.palette import kind_icon

if TYPE_CHECKING:
    from ivr_studio.ui.main_window import MainWindow

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


def build_menus(w: MainWindow) -> dict[str, QAction]:
    """Create every action, put it in its menu, and return them by objectName."""
    actions: dict[str, QAction] = {}
    bar = w.menuBar()

    def act(
        menu: QMenu,
        name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: Shortcut = None,
        canvas_only: bool = False,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, w)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(
                QKeySequence(shortcut) if isinstance(shortcut, str) else QKeySequence(shortcut)
            )
        if canvas_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            w.view.addAction(action)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        actions[name] = action
        return action

    view = w.view
    scene = w.scene
    doc = w.document

    file_menu = bar.addMenu("&File")
    act(file_menu, "action_new", "&New", w.new_flow, QKeySequence.StandardKey.New)
    act(file_menu, "action_open", "&Open…", w.open_dialog, QKeySequence.StandardKey.Open)
    w.recent_menu = file_menu.addMenu("Open &Recent")
    w.recent_menu.setObjectName("menu_recent")
    w.refresh_recent_menu()
    file_menu.addSeparator()
    act(file_menu, "action_save", "&Save", w.save, QKeySequence.StandardKey.Save)
    act(file_menu, "action_save_as", "Save &As…", w.save_as, "Ctrl+Shift+S")
    file_menu.addSeparator()
    import_menu = file_menu.addMenu("&Import")
    import_menu.setObjectName("menu_import")
    act(import_menu, "action_import_studio", "&Studio flow (JSON)…", lambda: w.import_flow("studio"))
    act(import_menu, "action_import_twiml", "&TwiML documents…", lambda: w.import_flow("twiml"))
    act(file_menu, "action_export", "&Export bundle…", w.export_bundle, "Ctrl+E")
    file_menu.addSeparator()
    act(file_menu, "action_quit", "&Quit", w.close, QKeySequence.StandardKey.Quit)

    edit = bar.addMenu("&Edit")
    undo = doc.undo_stack.createUndoAction(w, "&Undo")
    undo.setObjectName("action_undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = doc.undo_stack.createRedoAction(w, "&Redo")
    redo.setObjectName("action_redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    edit.addAction(undo)
    edit.addAction(redo)
    actions["action_undo"], actions["action_redo"] = undo, redo
    edit.addSeparator()
    act(edit, "action_copy", "&Copy", view.copy_selection, QKeySequence.StandardKey.Copy, canvas_only=True)
    act(edit, "action_paste", "&Paste", view.paste, QKeySequence.StandardKey.Paste, canvas_only=True)
    act(edit, "action_duplicate", "&Duplicate", view.duplicate_selection, "Ctrl+D", canvas_only=True)
    act(
        edit,
        "action_delete",
        "De&lete",
        view.delete_selection,
        QKeySequence.StandardKey.Delete,
        canvas_only=True,
    )
    act(
        edit,
        "action_select_all",
        "Select &All",
        lambda: scene.select_nodes(scene.node_items),
        "Ctrl+A",
        canvas_only=True,
    )
    act(
        edit,
        "action_rename",
        "Re&name node",
        lambda: scene.selected_node_ids() and view.begin_rename(scene.selected_node_ids()[0]),
        "F2",
        canvas_only=True,
    )

    view_menu = bar.addMenu("&View")
    act(view_menu, "action_zoom_in", "Zoom &in", lambda: view.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
    act(
        view_menu, "action_zoom_out", "Zoom &out", lambda: view.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut
    )
    act(view_menu, "action_zoom_reset", "&Actual size", lambda: view.set_zoom(1.0), "Ctrl+0")
    act(view_menu, "action_fit", "&Fit flow to window", view.fit, "F", canvas_only=True)
    view_menu.addSeparator()
    snap = act(view_menu, "action_snap", "&Snap to grid", lambda: None)
    snap.setCheckable(True)
    snap.setChecked(scene.snap_to_grid)
    snap.toggled.connect(lambda on: setattr(scene, "snap_to_grid", on))
    minimap = act(view_menu, "action_minimap", "&Overview map", lambda: None)
    minimap.setCheckable(True)
    # shown or hidden, and the corner it was dragged to, are remembered between runs
    shown = str(w.settings.value("canvas/overview_map", "true")).lower() not in ("false", "0")
    minimap.setChecked(shown)
    view.minimap.set_wanted(shown)
    view.minimap.set_corner(str(w.settings.value("canvas/overview_corner", "bottom-right")))
    minimap.toggled.connect(view.minimap.set_wanted)
    minimap.toggled.connect(lambda on: w.settings.setValue("canvas/overview_map", on))
    view.minimap.cornerChanged.connect(lambda corner: w.settings.setValue("canvas/overview_corner", corner))
    view_menu.addSeparator()
    w.panels_menu = view_menu.addMenu("&Panels")
    w.panels_menu.setObjectName("menu_panels")
    for dock in w.docks.values():
        toggle = dock.toggleViewAction()
        toggle.setObjectName(f"action_toggle_{dock.objectName()}")
        w.panels_menu.addAction(toggle)

    flow_menu = bar.addMenu("F&low")
    add_menu = flow_menu.addMenu("&Add node")
    add_menu.setObjectName("menu_add_node")
    for kind in NodeKind:
        action = act(
            add_menu,
            f"action_add_{kind.value}",
            kind_title(kind),
            lambda k=kind.value: view.add_node_at(k, view.visible_scene_rect().center()),
        )
        action.setIcon(kind_icon(kind))
    act(flow_menu, "action_quick_add", "&Quick add…", view.open_quick_add_at_cursor, "Tab", canvas_only=True)
    act(flow_menu, "action_auto_layout", "Auto &layout", lambda: (scene.auto_layout(), view.show_flow()), "Ctrl+L")
    act(
        flow_menu,
        "action_set_start",
        "Set as &start node",
        lambda: len(scene.selected_node_ids()) == 1 and doc.set_start(scene.selected_node_ids()[0]),
    )
    act(flow_menu, "action_validate", "&Check for problems", w.problems.refresh, "Ctrl+Shift+V")

    call = bar.addMenu("&Call")
    call.setObjectName("menu_call")
    w.call_menu = call  # filled by ivr_studio.ui.call.install

    help_menu = bar.addMenu("&Help")
    act(help_menu, "action_about", "&About IVR Studio", w.show_about)
    return actions
