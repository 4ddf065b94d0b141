"""Editor benchmarks: start-up to the first frame with an example open, measured side by side with a bare
PySide6 window holding 500 items, opening and rendering a 500-node flow, a full repaint, the auto-layout,
and opening big flows (2,000 and 10,000 menus with every node at the default position, as a script writes
them) with the peak memory of the process. Prints the numbers; ``--write`` also updates the "Editor"
section of benchmarks/README.md.

Runs headless (QT_QPA_PLATFORM=offscreen). Targets: start-up within 3× of the bare window (the ratio of
the medians of interleaved runs, so a busy machine slows both alike), open 500 nodes < 1 s, repaint < 16 ms;
a 2,000-menu flow opens in < 1 s and < 400 MB, a 10,000-menu flow in < 2 GB. Each big flow opens in a fresh
process, as ``ivr-studio open FILE`` does; wall time and CPU time are both shown, because on a shared
machine the wall time mostly measures the other processes.

``--against DIR`` opens the 2,000-menu flow alternately with an older checkout in ``DIR`` (five pairs of
fresh processes) and prints the medians and the per-pair ratio.

``--routing`` measures only the link routing of a 500-node flow and of 2,000 menus, with the editor's limit
of cards searched round at once and with a raised one, and how soon the links drawn in a view 75 % down the
2,000 menus are routed (``--routing --write`` updates its part of the README; ``--routing --against DIR``
measures the router of an older checkout in ``DIR`` side by side).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine  # noqa: E402

NODES = 500
REPEAT = 7
BIG = (2_000, 10_000)
BIG_REPEAT = 3
README = Path(__file__).resolve().parent / "README.md"
SECTION = "## Editor (benchmarks/editor.py)"


EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "support-line.ivrflow"
STARTUP_RUNS = 9


def child_startup() -> None:
    """Runs in a fresh process: build the editor, open the support-line example, show the window and
    paint its first frame, then report and exit."""
    from ivr_studio.ui.app import make_app

    app = make_app()
    from PySide6.QtCore import QSettings

    from ivr_studio.ui.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp())
    window = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat), recovery_dir=tmp / "r")
    window.open_path(EXAMPLE)
    window.show()
    app.processEvents()
    window.view.viewport().repaint()
    print("shown", len(window.document.flow), flush=True)
    os._exit(0)  # measuring start-up, not tear-down


def child_open_big(path: str) -> None:
    """Runs in a fresh process: open ``path`` as ``ivr-studio open FILE`` does (the window is shown but has
    not painted yet), render it, and print the times and the peak memory. Then, as the editor does after
    its first frame: the Problems check, and making the links the first frame did not need (their peak
    memory is the last figure). The garbage collector's passes are timed too."""
    import gc
    import json

    from ivr_studio.ui.app import make_app

    app = make_app()
    from PySide6.QtCore import QSettings

    from ivr_studio.ui.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp())
    window = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat), recovery_dir=tmp / "r")
    window.resize(1400, 880)
    window.show()
    before = peak_rss_mb()
    collecting = {"since": 0.0, "spent": 0.0}

    def collector(phase: str, _info: dict) -> None:
        if phase == "start":
            collecting["since"] = time.process_time()
        else:
            collecting["spent"] += time.process_time() - collecting["since"]

    gc.callbacks.append(collector)
    wall, cpu = time.perf_counter(), time.process_time()
    window.open_path(path)
    window.view.viewport().grab()  # the first render of the canvas, as for the 500-node row
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc_open, collecting["spent"] = collecting["spent"], 0.0
    app.processEvents()  # the window's own first paint: counted in the memory, not in the time
    opened_mb = peak_rss_mb()
    check = time.process_time()
    window.problems.refresh()  # what the Problems panel runs once the edits (here: the open) pause
    check = time.process_time() - check
    from ivr_studio.ui import collector

    while collector.collect_due() is not None:  # the passes the GUI thread's collector timer runs next
        pass
    gc_after, collecting["spent"] = collecting["spent"], 0.0
    rest = time.process_time()
    window.scene.build_all_links()  # what the editor makes between events after the first frame
    rest = time.process_time() - rest
    out = {
        "wall": wall,
        "cpu": cpu,
        "gc_open": gc_open,
        "check": check,
        "gc_after": gc_after,
        "rest": rest,
        "gc_rest": collecting["spent"],
        "problems": len(window.problems.diagnostics),
        "opened_mb": opened_mb,
        "peak_mb": peak_rss_mb(),
        "window_mb": before,
    }
    print(json.dumps(out), flush=True)
    os._exit(0)  # measuring the open, not tear-down


AGAINST_PAIRS = 5


def against(old_tree: str, n: int = 2_000, pairs: int = AGAINST_PAIRS) -> None:
    """``--against DIR``: open the ``n``-menu flow in fresh processes, alternately with the checkout in
    ``DIR`` (its own ``benchmarks/editor.py``, its own package) and with this one, ``pairs`` times; print
    each run with the load average, then the medians and the median of the per-pair ratios."""
    import json

    from ivr_studio.flow.ivrflow import save_flow

    path = Path(tempfile.mkdtemp()) / f"menus-{n}.ivrflow"
    save_flow(menu_flow(n), path)
    old = Path(old_tree).resolve()
    trees = {
        "before": (old, {**os.environ, "PYTHONPATH": str(old)}),
        "now": (Path(__file__).parent.parent, None),
    }
    runs: dict[str, list[dict]] = {"before": [], "now": []}
    loads = []
    for _ in range(pairs):
        for name, (tree, env) in trees.items():
            loads.append(os.getloadavg()[0])
            out = subprocess.run(
                [sys.executable, str(tree / "benchmarks" / "editor.py"), "--child-open", str(path)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
                cwd=tree,
            ).stdout
            runs[name].append(json.loads(out.strip().splitlines()[-1]))
            print(
                f"load {loads[-1]:.2f} {name:6} wall {runs[name][-1]['wall']:.2f} s cpu {runs[name][-1]['cpu']:.2f} s",
                flush=True,
            )
    for name, results in runs.items():
        for key in ("wall", "cpu"):
            values = [r[key] for r in results]
            print(
                f"{name:6} {key}: median {statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"
            )
    for key in ("wall", "cpu"):
        ratio = statistics.median(b[key] / a[key] for a, b in zip(runs["before"], runs["now"], strict=True))
        print(f"now ÷ before, {key}: median of the pairs {ratio:.2f}")
    print(f"load average {min(loads):.2f}–{max(loads):.2f}")


def peak_rss_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` belongs to the process's own memory, unlike
    ``ru_maxrss``, which Linux carries over from the parent through fork and exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def menu_flow(n: int):
    """``n`` menus as a script would write them: no positions (all at the default spot). Each menu has a
    prompt, three key-and-phrase choices leading to the next level and "no input" asking again; the last
    level's choices go back to the main menu."""
    from ivr_studio.flow.kinds import NodeKind
    from ivr_studio.flow.model import Branch, Flow, Node, Prompt

    nodes = []
    for i in range(n):
        text = f"Menu {i}. For billing press 1, for support press 2, for anything else press 3."
        node = Node(
            f"menu_{i}",
            NodeKind.GATHER,
            f"Menu {i}",
            attributes={"input": "dtmf speech"},
            prompts=[Prompt("say", text)],
        )
        node.branches = [Branch(f"b{k}", str(k), [f"option {k}", f"choice {k}"]) for k in (1, 2, 3)]
        for k in (1, 2, 3):
            child = 3 * i + k
            node.links[f"branch:b{k}"] = f"menu_{child}" if child < n else "menu_0"
        node.links["no_input"] = node.id
        nodes.append(node)
    return Flow(f"{n} menus", nodes, start="menu_0")


def open_big(n: int, tmp: Path) -> dict[str, float]:
    """Median wall and CPU time and the largest peak RSS over :data:`BIG_REPEAT` fresh processes."""
    import json

    from ivr_studio.flow.ivrflow import save_flow

    path = tmp / f"menus-{n}.ivrflow"
    flow = menu_flow(n)
    save_flow(flow, path)
    runs = []
    for _ in range(BIG_REPEAT):
        out = subprocess.run(
            [sys.executable, __file__, "--child-open", str(path)], capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {
        "size_mb": path.stat().st_size / 1e6,
        "links": len(list(flow.links())),
        "wall": statistics.median(r["wall"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        **{k: statistics.median(r[k] for r in runs) for k in ("gc_open", "check", "gc_after", "rest")},
        "opened_mb": max(r["opened_mb"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "window_mb": statistics.median(r["window_mb"] for r in runs),
    }


#: How many cards around a link the search goes round at once (past it, only those in its way), measured;
#: the first is the editor's.
ROUTING_LIMITS = (20, 40)  # 20: ivr_studio.flow.routing.MAX_CARDS
ROUTING_REPEAT = 3
ROUTING_SECTION = "### Link routing on big flows (benchmarks/editor.py --routing)"


def child_route(path: str, max_cards: int) -> None:
    """Runs in a fresh process: open ``path`` into the canvas (laid out, links waiting to be routed), then
    route every link at once as the editor does in slices between events, and print the times and what
    became of the links."""
    import json

    from ivr_studio.ui.app import make_app

    make_app()
    from ivr_studio.flow import lanes, routing
    from ivr_studio.ui.canvas.scene import FlowScene
    from ivr_studio.ui.document import FlowDocument

    spent = {"lanes": 0.0}
    for name in ("set", "settle"):  # how much of the routing the lanes take
        plain = getattr(lanes.Lanes, name)

        def timed(self, *args, _plain=plain):
            t0 = time.process_time()
            try:
                return _plain(self, *args)
            finally:
                spent["lanes"] += time.process_time() - t0

        setattr(lanes.Lanes, name, timed)
    document = FlowDocument()
    document.open(path)
    scene = FlowScene(document)
    scene.build_all_links()  # a big flow's links are otherwise made just after its first frame
    router = scene.router
    router.max_cards = max_cards
    for link in scene.link_items.values():  # a flow of ≤ 150 cards was routed while it was built: again
        scene.route_link(link, now=False)
    spent["lanes"] = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    router.route_pending()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    clear = unrouted = 0  # unrouted: kept its curve though it is not clear (the router's safety net)
    for link in scene.link_items.values():
        if link.route is not None:
            continue
        s, e = link.path().elementAt(0), link.end_point()
        s, e = (s.x, s.y), (e.x(), e.y())
        forward = link.source_id != link.target_id and e[0] - s[0] >= 40
        if forward and routing.curve_is_clear(s, e, router.cards, (link.source_id, link.target_id)):
            clear += 1
        else:
            unrouted += 1
    routed = [link for link in scene.link_items.values() if link.route is not None]
    laned = sum(1 for link in routed if link.route != router.lanes.base.get(link.key))
    out = {
        "wall": wall,
        "cpu": cpu,
        "lanes": spent["lanes"],
        "links": len(scene.link_items),
        "routed": len(routed),
        "laned": laned,
        "clear": clear,
        "unrouted": unrouted,
    }
    print(json.dumps(out), flush=True)
    os._exit(0)


VIEW_AT = 0.75  # how far down the 2,000 menus the view of "what the user sees first" looks


def child_view(path: str, down: float) -> None:
    """Runs in a fresh process: open ``path`` in a 1400 × 880 view at 100 % looking at the last column
    ``down`` of the way down the flow, then run the router's background slices one after another until every
    link drawn in the view is routed; print the CPU and wall time from the router's start, the slices and
    the links (those of the cards in view, all drawn in it)."""
    import json

    from ivr_studio.ui.app import make_app

    make_app()
    from ivr_studio.ui.canvas.link_item import LinkItem
    from ivr_studio.ui.canvas.node_item import NodeItem
    from ivr_studio.ui.canvas.scene import FlowScene
    from ivr_studio.ui.canvas.view import FlowView
    from ivr_studio.ui.document import FlowDocument

    document = FlowDocument()
    document.open(path)
    scene = FlowScene(document)
    scene.build_all_links()
    view = FlowView(scene)
    view.resize(1400, 880)
    view.show()
    view.fit_scroll_area()
    nodes = scene.nodes_rect()
    view.centerOn(nodes.right() - 500, nodes.top() + nodes.height() * down)
    items = scene.items(view.visible_scene_rect())
    cards = {item.node_id for item in items if isinstance(item, NodeItem)}
    router = scene.router
    drawn = {item.key for item in items if isinstance(item, LinkItem)} & router.pending
    theirs = {k for k in drawn if k[0] in cards or scene.link_items[k].target_id in cards}
    wall, cpu = time.perf_counter(), time.process_time()
    slices, theirs_cpu = 0, None
    while drawn & router.pending:
        router._work()  # one slice, as the router's timer runs it between events
        slices += 1
        if theirs_cpu is None and not theirs & router.pending:
            theirs_cpu = time.process_time() - cpu
    out = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "theirs_cpu": theirs_cpu if theirs_cpu is not None else 0.0,
        "slices": slices,
        "drawn": len(drawn),
        "theirs": len(theirs),
    }
    print(json.dumps(out), flush=True)
    os._exit(0)


def _child(args: list[str], old: Path | None) -> dict:
    """Run this script with ``args`` in a fresh process, with this checkout's package or (``old``) that of
    an older checkout; its last line of output, decoded."""
    import json

    env = None if old is None else {**os.environ, "PYTHONPATH": str(old)}
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, env=env
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def routing_runs(tmp: Path, old: Path | None = None) -> tuple[list[dict], list[dict]]:
    """Each flow with each of :data:`ROUTING_LIMITS`, :data:`ROUTING_REPEAT` fresh processes each
    (interleaved, so a busy machine slows them alike): medians of the times, the counts of the last run;
    then the view :data:`VIEW_AT` down the 2,000 menus. With ``old`` (an older checkout), each run with the
    editor's limit is paired with one of the older router, side by side."""
    from ivr_studio.flow.ivrflow import save_flow
    from ivr_studio.flow.layout import auto_layout
    from ivr_studio.ui.canvas.style import node_size

    flow = generated_flow()
    for node_id, pos in auto_layout(flow, node_size).items():
        flow.node(node_id).position = pos
    flows = {
        f"{NODES}-node flow of the table above": tmp / "route-500.ivrflow",
        "2,000 menus": tmp / "route-2000.ivrflow",
    }
    save_flow(flow, flows[f"{NODES}-node flow of the table above"])
    save_flow(menu_flow(2_000), flows["2,000 menus"])
    runs: dict[tuple[str, int], list[dict]] = {}
    before: dict[tuple[str, int], list[dict]] = {}
    views: dict[str, list[dict]] = {}
    for _ in range(ROUTING_REPEAT):
        for name, path in flows.items():
            for index, cards in enumerate(ROUTING_LIMITS):
                args = ["--child-route", str(path), str(cards)]
                if old is not None and index == 0:
                    before.setdefault((name, index), []).append(_child(args, old))
                runs.setdefault((name, index), []).append(_child(args, None))
        for code, tree in (("before", old), ("now", None)):
            if code == "now" or old is not None:
                args = ["--child-view", str(flows["2,000 menus"]), str(VIEW_AT)]
                views.setdefault(code, []).append(_child(args, tree))
    rows = []
    for (name, index), results in runs.items():
        last = results[-1]
        was = before.get((name, index))
        rows.append(
            {
                "flow": name,
                "limits": ROUTING_LIMITS[index],
                "load": os.getloadavg()[0],
                **{k: statistics.median(r[k] for r in results) for k in ("wall", "cpu", "lanes")},
                **{k: last[k] for k in ("links", "routed", "laned", "clear", "unrouted")},
                "before": None if was is None else statistics.median(r["cpu"] for r in was),
            }
        )
    view_rows = [
        {"code": code, **{k: statistics.median(r[k] for r in results) for k in results[0]}}
        for code, results in views.items()
    ]
    return rows, view_rows


def routing_table(rows: list[dict], views: list[dict], loads: tuple[float, float]) -> str:
    lines = [
        "| flow | links | cards searched round at once | routing: CPU time | wall time | of it lanes (CPU) "
        "| routed round cards | of them in a lane | plain curve, clear | curve not clear (safety net) "
        "| the older router (CPU) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        was = "" if r["before"] is None else f"{r['before']:.2f} s"
        lines.append(
            f"| {r['flow']} | {r['links']:,} | {r['limits']} | {r['cpu']:.2f} s | {r['wall']:.2f} s | "
            f"{r['lanes']:.2f} s | {r['routed']:,} | {r['laned']:,} | {r['clear']:,} | {r['unrouted']:,} | {was} |"
        )
    lines += [
        "",
        f"A view {VIEW_AT * 100:.0f} % down the 2,000 menus (1400 × 880 at 100 %, on the last column), from the router's "
        "start until every link drawn in it is routed:",
        "",
        "| router | links drawn in the view | of them, of its cards | CPU until its cards' links are routed "
        "| CPU until all are routed | wall time | slices |",
        "|---|---|---|---|---|---|---|",
    ]
    for v in views:
        name = "the older router" if v["code"] == "before" else "now"
        lines.append(
            f"| {name} | {v['drawn']:,.0f} | {v['theirs']:,.0f} | {v['theirs_cpu']:.2f} s | {v['cpu']:.2f} s | "
            f"{v['wall']:.2f} s | {v['slices']:,.0f} |"
        )
    lines += [
        "",
        f"Medians of {ROUTING_REPEAT} fresh processes per row, interleaved; load average {loads[0]:.1f} when the "
        f"runs began and {loads[1]:.1f} when they ended.",
    ]
    return "\n".join(lines)


def child_bare() -> None:
    """The yardstick, in a fresh process: a bare PySide6 main window whose central widget is a graphics
    view holding 500 items (a rounded card and a label each), shown and painted once."""
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView, QMainWindow

    app = QApplication(sys.argv[:1])
    scene = QGraphicsScene()
    for i in range(250):
        x, y = (i % 25) * 260.0, (i // 25) * 160.0
        scene.addRect(QRectF(x, y, 236, 120))
        scene.addText(f"Node {i}").setPos(x + 8, y + 6)
    window = QMainWindow()
    view = QGraphicsView(scene)
    window.setCentralWidget(view)
    window.resize(1400, 880)
    window.show()
    app.processEvents()
    view.viewport().repaint()
    print("shown", len(scene.items()), flush=True)
    os._exit(0)


def _cached_bytecode_env() -> dict[str, str]:
    """The environment of a start-up child: Python keeps its compiled modules (``__pycache__``), as it does
    on a user's machine from the second start on. A shell or CI that sets PYTHONDONTWRITEBYTECODE would
    otherwise have every start compile the editor's modules from source, which no user waits for twice."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _time_child(flag: str) -> float:
    """Seconds from starting a new Python process to its first painted frame (its "shown" line)."""
    t0 = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, __file__, flag],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_cached_bytecode_env(),
    ) as child:
        line = child.stdout.readline() if child.stdout else ""
        elapsed = time.perf_counter() - t0
        child.wait()
    assert line.startswith("shown"), f"{flag} did not start: {line!r}"
    return elapsed


def startup_seconds(runs: int = STARTUP_RUNS) -> tuple[float, float, float]:
    """(editor, bare window, median of the per-pair ratios), medians of interleaved runs."""
    editor, bare, ratios = [], [], []
    _time_child("--child-bare")  # untimed: writes the compiled modules, as a first start does
    _time_child("--child-startup")
    for _ in range(runs):
        b = _time_child("--child-bare")
        e = _time_child("--child-startup")
        bare.append(b)
        editor.append(e)
        ratios.append(e / b)
    return statistics.median(editor), statistics.median(bare), statistics.median(ratios)


def generated_flow(n: int = NODES):
    """Menus with three choices each leading onward, plus says and a shared goodbye: a wide, deep flow."""
    from ivr_studio.flow.kinds import NodeKind
    from ivr_studio.flow.model import Branch, Flow, Node, Prompt

    nodes = []
    for i in range(n - 1):
        if i % 2 == 0:
            node = Node(
                f"m{i}", NodeKind.GATHER, f"Menu {i}", prompts=[Prompt("say", f"Menu {i}: press 1, 2 or 3.")]
            )
            node.branches = [Branch(f"b{k}", str(k), [f"option {k}"]) for k in (1, 2, 3)]
            for k in (1, 2, 3):
                target = 2 * i + k
                if target < n - 1:
                    node.links[f"branch:b{k}"] = f"m{target}" if target % 2 == 0 else f"s{target}"
            node.links["no_input"] = f"m{i}"
            node.links["max_attempts"] = "bye"
        else:
            node = Node(f"s{i}", NodeKind.SAY, f"Say {i}", text=f"This is message number {i}.")
            node.links["next"] = "bye"
        nodes.append(node)
    nodes.append(Node("bye", NodeKind.HANGUP, "Goodbye"))
    return Flow("Benchmark", nodes, start="m0")


def median_ms(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    if "--child-startup" in sys.argv:
        child_startup()
        return
    if "--child-bare" in sys.argv:
        child_bare()
        return
    if "--child-open" in sys.argv:
        child_open_big(sys.argv[sys.argv.index("--child-open") + 1])
        return
    if "--child-route" in sys.argv:
        at = sys.argv.index("--child-route")
        child_route(sys.argv[at + 1], int(sys.argv[at + 2]))
        return
    if "--child-view" in sys.argv:
        at = sys.argv.index("--child-view")
        child_view(sys.argv[at + 1], float(sys.argv[at + 2]))
        return
    if "--routing" in sys.argv:
        routing_main()
        return
    if "--against" in sys.argv:
        against(sys.argv[sys.argv.index("--against") + 1])
        return
    from ivr_studio.ui.app import make_app

    app = make_app()
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QImage, QPainter

    from ivr_studio.flow.ivrflow import save_flow
    from ivr_studio.flow.layout import auto_layout
    from ivr_studio.ui.canvas.style import node_size
    from ivr_studio.ui.main_window import MainWindow

    editor_start, bare_start, pair_ratio = startup_seconds()
    results: dict[str, float] = {"start": editor_start * 1000, "bare": bare_start * 1000, "ratio": pair_ratio}

    flow = generated_flow()
    results["layout"] = median_ms(lambda: auto_layout(flow, node_size))
    for node_id, pos in auto_layout(flow, node_size).items():
        flow.node(node_id).position = pos
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "big.ivrflow"
    save_flow(flow, path)

    window = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat), recovery_dir=tmp / "r")
    window.resize(1400, 880)
    window.show()
    app.processEvents()

    def open_and_render() -> None:
        window.document.replace(window.document.flow, None)  # clean, so opening does not ask
        window.open_path(path)
        window.view.viewport().grab()

    results["open"] = median_ms(open_and_render, 5)

    view = window.view
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)

    def repaint() -> None:
        painter = QPainter(image)
        view.render(painter)
        painter.end()

    view.set_zoom(1.0)
    view.centerOn(window.scene.node_items["m0"])
    repaint()
    results["repaint"] = median_ms(repaint, 20)
    view.fit()
    repaint()
    results["repaint_fit"] = median_ms(repaint, 10)
    results["fit_zoom"] = view.zoom() * 100
    window.document.replace(window.document.flow, None)
    window.close()
    big = {n: open_big(n, tmp) for n in BIG}

    rows = [
        (
            "start to the first frame with the support-line example open (new process)",
            f"{results['start']:.0f} ms",
            "—",
        ),
        ("bare PySide6 window with 500 items, same runs (new process)", f"{results['bare']:.0f} ms", "—"),
        (
            "start-up ÷ bare window (median of interleaved pairs)",
            f"**{results['ratio']:.2f}×**",
            "≤ 3×",
        ),
        (f"open + render a {NODES}-node flow", f"{results['open']:.0f} ms", "< 1,000 ms"),
        ("full repaint of the canvas at 100 % (view → QImage)", f"{results['repaint']:.1f} ms", "< 16 ms"),
        (
            f"full repaint with all {NODES} nodes visible (fit, {results['fit_zoom']:.0f} %)",
            f"{results['repaint_fit']:.1f} ms",
            "—",
        ),
        (f"auto-layout of {NODES} nodes (pure Python)", f"{results['layout']:.0f} ms", "—"),
    ]
    table = "\n".join(
        ["| step | time | target |", "|---|---|---|", *[f"| {a} | {b} | {c} |" for a, b, c in rows]]
    )
    table += "\n\n" + big_table(big)
    print(table)
    if "--write" in sys.argv:
        write_section(table)


def big_table(big: dict[int, dict[str, float]]) -> str:
    targets = {2_000: ("< 1 s", "< 400 MB"), 10_000: ("—", "< 2,000 MB")}
    rows = [
        f"| {n:,} menus, {r['links']:,} links, at the default position ({r['size_mb']:.1f} MB file) | "
        f"{r['wall']:.2f} s | {r['cpu']:.2f} s | {r['gc_open']:.2f} s | {r['check']:.2f} s "
        f"| {r['gc_after']:.2f} s | {r['rest']:.2f} s | {r['opened_mb']:,.0f} MB | "
        f"{r['peak_mb']:,.0f} MB | {targets[n][0]} / {targets[n][1]} |"
        for n, r in big.items()
    ]
    window_mb = statistics.median(r["window_mb"] for r in big.values())
    return "\n".join(
        [
            "| `ivr-studio open FILE` | open, lay out, render: wall time | CPU time | of it the garbage "
            "collector | then the Problems check: CPU time | the collector's passes held back till "
            "then: CPU time | then the links not in view: CPU time | peak RSS when shown | peak RSS at the end | target (open time / memory) |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"The window alone, before opening, takes {window_mb:.0f} MB. Wall and CPU times are medians of "
            f"{BIG_REPEAT} fresh processes, peak RSS (VmHWM) the largest of them. After its first frame the "
            "editor checks the flow and makes the links the first frame did not need, between events; here "
            "both are timed one after the other, and the last peak is with every link made.",
        ]
    )


STARTUP_NOTE = """
Start-up is measured from starting a new Python process to the window's first painted frame, with the
support-line example open, and compared with a bare PySide6 window whose graphics view holds 500 items
(250 cards and 250 labels), started in the same run, alternately, so a busy machine slows both alike. The
editor loads what its first frame does not draw later: the graph library and the validator (the flow is
checked just after the first frame), the call engine, the audio and speech code (the devices are probed
after the first frame), the exporter, the handler app, PyYAML and the package metadata. Before that
change the same comparison gave 5.2–6.2× (560 ms against 93 ms on an idle machine); the test
`tests/ui/test_startup_imports.py` keeps the heavy modules out of the first frame. Both children keep
Python's compiled modules, as a user's machine does from the second start on (one untimed start of each
writes them first), whatever PYTHONDONTWRITEBYTECODE says in the shell that runs the benchmark.
"""


ROUTING_NOTE = """
Routing runs after a big flow is shown (in flows of more than 150 nodes, a few milliseconds at a time
between events, the links in view first), so it does not add to the open times above; here every link is
routed at once. Up to the number of cards shown around a link, the search goes round all of them; past it
(a link across the flow, such as the last menus' links back to the main menu) it goes round only the cards
in its way, learning those along each path it tries (`flow/routing.py`). Every link is routed or keeps a
plain curve that is clear of every card; the column "curve not clear" counts the links the router's safety
net left with a curve that is not (24 searches or 600 cards learnt for one link): none.

Links across the flow to one port share the way there (`flow/trunks.py`): the paths found to a port form a
tree rooted at it, and the next link to that port searches only a small window round its own exit for the
cheapest way onto the tree (counting what the way on along it costs), then follows it. Of the 4,001 links
back to the main menu of the 2,000 menus, a few dozen search across the flow and the others join. Before
the shared ways each of them searched across the flow: 28.4 s of CPU for the 2,000 menus.

"The older router" in both tables is the main branch just before the routes were made repeatable and
faster (7508cf4, `--against` an export of it) with today's lanes copied in (`flow/lanes.py`,
`flow/lane_groups.py`), run side by side; the machine was busy (the wall times). **The target of 5 s of CPU
for routing the 2,000 menus is met**; the 500-node flow and the view 75 % down are quicker too. Three
earlier runs, with the lanes of 7508cf4 on both sides, within ten minutes (load average 1.6–5.6 over them)
gave **2,000 menus 2.29–3.55 s of CPU against 6.58–7.27 s** (of it the lanes 0.61–0.97 s, so 1.7–2.7 s not
the lanes), the 500-node flow 0.27–0.37 s against 0.39–0.48 s, and every link drawn in the view 75 % down
routed in 0.31–0.53 s against 0.50–0.63 s: the machine's speed drifted between runs (the older router's
times moved with the new ones), not the routes (the same counts in every run). Three things changed:

- **Repeatable routes, in a cheap order.** A link's route depends on which links to the same port were
  routed before it. Past the links in and around the view, the router took the next link from a set of
  string keys, whose order changes in every process (Python hashes strings with a new seed each run): the
  same file opened twice could be drawn differently, and the 2,000 menus took 6.5–7.3 s of CPU or more
  depending on that order. Waiting links are now routed in reading order (their card's column, then its
  top, then the exit's height on the card: `LinkRouter.reading_order`), also within the links in and
  around the view. In that order the shared ways put fewer links side by side, so the lanes have far less
  to spread (0.6–1.0 s of CPU instead of 3.0–3.2 s). `tests/ui/test_link_routing_repeatable.py` routes the
  300-menu test flow under two hash seeds and compares every route point (672 of its 1,200 links differed
  before). The examples route exactly as before (they are routed as their links are made; route points
  compared).
- **Each routed link drawn once.** During background routing and `route_pending()` a routed link was drawn
  on the line it was routed on and again when the lanes spread it (11,409 drawings for the 6,001 routed
  links of the 2,000 menus); it is now drawn when its batch's lanes are spread, or at the end of its slice.
- **Quicker look-ups and searches, the same answers.** `CardIndex.near` (about 50,000 queries) unites each
  cell's cards as sets: 0.45–0.50 s of CPU against 0.69–0.88 s, replayed on the same cards. The grid
  searches (`flow/orthogonal.py`, `flow/trunks.py`) number crossings and states as integers and take the
  four steps inline: the 7,412 searches and joins, replayed, give the same paths in 0.38 s against 0.72 s
  (searches) and 0.47 s against 0.57 s (joins).

The last two, side by side with the reading order alone (one run of `--routing --against`, load average
1.7–1.8): **2,000 menus 2.49 s of CPU against 3.50 s**, the 500-node flow 0.32 s against 0.40 s, every link
drawn in the view 75 % down routed in 0.36 s against 0.47 s. Where the CPU of the 2,000 menus goes now
(one run with each part timed, load average about 6): `route()` about 1.1 s (joining the shared ways
0.6 s, the grid searches 0.35 s), drawing the routed links about 0.45 s (rounded paths, and checking that a
link's lane keeps clear of the cards), the lanes 0.6–1.0 s, the plain curves' checks 0.1 s.

The view of the second table is what a user sees first: the links of its cards are routed first, then the
other links drawn in it — most of them links back to the main menu from further down. The lanes of the
links routed meanwhile are spread at most every 0.5 s during background routing
(`ui/canvas/link_router.py`); a link not spread yet is drawn on the line it was routed on, clear of the
cards.
"""


def routing_main() -> None:
    """``--routing``: only the routing rows; with ``--write`` they replace their part of benchmarks/README.md;
    with ``--against DIR`` the editor's limit and the view are measured side by side with the router of an
    older checkout in ``DIR``."""
    from ivr_studio.ui.app import make_app

    make_app()  # the cards' sizes the layout needs come from Qt's fonts
    old = Path(sys.argv[sys.argv.index("--against") + 1]).resolve() if "--against" in sys.argv else None
    before = os.getloadavg()[0]
    rows, views = routing_runs(Path(tempfile.mkdtemp()), old)
    table = routing_table(rows, views, (before, os.getloadavg()[0]))
    print(table)
    if "--write" in sys.argv:
        write_routing(table)


def write_routing(table: str) -> None:
    body = f"{ROUTING_SECTION}\n\nMachine: {machine()}.\n\n{table}\n{ROUTING_NOTE}"
    text = README.read_text(encoding="utf-8")
    if ROUTING_SECTION in text:
        start = text.index(ROUTING_SECTION)
        ends = [i for i in (text.find("\n## ", start + 1), text.find("\n### ", start + 1)) if i != -1]
        text = text[:start] + body + (text[min(ends) :] if ends else "")
    else:
        at = text.index(SECTION)
        nxt = text.find("\n## ", at + len(SECTION))
        text = text[:nxt].rstrip("\n") + "\n\n" + body + (text[nxt:] if nxt != -1 else "")
    README.write_text(text, encoding="utf-8")


def write_section(table: str) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    busy = f" The machine was shared and busy (load average {load:.1f} on its cores)." if load > 1.5 else ""
    body = (
        f"{SECTION}\n\n"
        f"Headless (offscreen), a 1400×880 window; medians of 5–20 runs. Machine: {machine()}.{busy}\n\n"
        f"{table}\n{STARTUP_NOTE}"
    )
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        old = text[start : nxt if nxt != -1 else len(text)]
        if ROUTING_SECTION in old and ROUTING_SECTION not in body:  # written by --routing: kept
            body = body.rstrip("\n") + "\n\n" + old[old.index(ROUTING_SECTION) :].rstrip("\n") + "\n"
        text = text[:start] + body + (text[nxt:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
