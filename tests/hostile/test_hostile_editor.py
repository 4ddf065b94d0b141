"""The editor against a flow that is heavy by its shape: thousands of menus that a script wrote without
positions, so every card sits on the same spot.

Qt's scene index files an item in every cell of its BSP tree that the item's box touches, with a tree as
deep as log2 of the item count; cards and links piled on one spot touch every cell. Opened with
``ivr-studio open FILE`` (the index is first built with the whole flow in it), the 2,000 menus below grew
the editor by 480 MB and every query of the index, such as the mouse moving, went through all of them
(10,000 took 15.6 GB). Now the editor lays such a flow out when it opens it and keeps its index shallow:
the same file grows it by less than 100 MB.
"""

from __future__ import annotations

import json


def menus_without_positions(n: int) -> str:
    nodes = []
    for i in range(n):
        links = {f"branch:b{k}": f"menu_{3 * i + k}" if 3 * i + k < n else "menu_0" for k in (1, 2, 3)}
        links["no_input"] = f"menu_{i}"
        nodes.append(
            {
                "id": f"menu_{i}",
                "kind": "gather",
                "title": f"Menu {i}",
                "attributes": {"input": "dtmf speech"},
                "prompts": [{"kind": "say", "text": f"Menu {i}. For billing press 1, for support press 2."}],
                "branches": [{"id": f"b{k}", "keys": str(k), "phrases": [f"option {k}"]} for k in (1, 2, 3)],
                "links": links,
            }
        )
    return json.dumps(
        {"format": "ivrflow", "version": 1, "name": "Generated", "start": "menu_0", "nodes": nodes}
    )


def test_two_thousand_menus_on_one_spot_open_laid_out_within_a_memory_cap(hostile):
    hostile.write("menus.ivrflow", menus_without_positions(2000))
    run = hostile.run_python(
        """
        from PySide6.QtCore import QPointF
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from ivr_studio.ui.main_window import MainWindow

        def peak_mb():  # this process's own peak (ru_maxrss would include the test runner's, inherited)
            with open("/proc/self/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024

        window = MainWindow()
        window.resize(1400, 880)
        window.show()  # and open before the first paint, as `ivr-studio open menus.ivrflow` does
        before = peak_mb()
        print("OPENED:", window.open_path("menus.ivrflow"))
        window.view.viewport().grab()
        app.processEvents()
        scene = window.scene
        for x in range(0, 3000, 150):  # the mouse over the busiest part: the links back to the main menu
            scene.items(QPointF(x, scene.node_items["menu_0"].y() + 15))
        grown = peak_mb() - before
        print("CARDS:", len(scene.node_items), "SPOTS:", len({(i.x(), i.y()) for i in scene.node_items.values()}))
        print("GREW BY LESS THAN 250 MB:", grown < 250, grown)
        print("FILE UNCHANGED UNTIL SAVED:", window.document.is_dirty())
        window.document.replace(window.document.flow, None)  # closing must not ask
        window.close()
        """,
        memory_mb=1536,
        seconds=120,
    )
    run.succeeds(changed=[".home/"])
    assert "OPENED: True" in run.stdout, run.stdout
    assert "CARDS: 2000 SPOTS: 2000" in run.stdout, run.stdout
    assert "GREW BY LESS THAN 250 MB: True" in run.stdout, run.stdout
    assert "FILE UNCHANGED UNTIL SAVED: True" in run.stdout, run.stdout
