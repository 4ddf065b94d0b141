"""A scene (and its document) may outlive a view of it: nothing the scene or the document does afterwards
reaches the view that is gone."""

from __future__ import annotations

import warnings

from PySide6.QtCore import QCoreApplication, QEvent, QRectF

from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.view import FlowView
from ivr_studio.ui.document import FlowDocument


def test_a_scene_that_outlives_its_view_changes_and_edits_without_error(qtbot, qtlog):
    document = FlowDocument()
    scene = FlowScene(document)
    view = FlowView(scene)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    listeners = len(document.flow_events._listeners)

    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    del view

    with qtbot.captureExceptions() as exceptions, warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        scene.changed.emit([QRectF(0, 0, 10, 10)])
        node_id = next(iter(document.flow.nodes))
        document.set_field(node_id, "title", "Renamed")  # the scene redraws the card: changed again
        document.move_nodes({node_id: (400.0, 300.0)})
        QCoreApplication.processEvents()
    assert scene.node_items[node_id].isVisible(), "the scene itself still follows the document"
    assert exceptions == []
    assert [str(w.message) for w in warned] == []
    assert [r.message for r in qtlog.records] == []
    assert len(document.flow_events._listeners) == listeners - 1, "the document lets go of the view"
