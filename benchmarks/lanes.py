"""The lanes of parallel links side by side: how long ``flow/lanes.py`` of several git revisions takes on the
same work, and whether they give the same lanes.

The work is that of the editor routing every link of the 2,000-menu flow of ``benchmarks/editor.py`` (as
``--routing`` does): every call the router makes on its :class:`~ivr_studio.flow.lanes.Lanes` (``set`` with
a link's path, ``settle``) is recorded once, with the cards, and replayed against each revision's module in
fresh processes, alternately (so a busy machine slows them alike). Prints the median CPU time of each, its
ratio to the first, the load average before and after, and a digest of every link's final points (equal
digests: the same lanes).

    python benchmarks/lanes.py                       # ebed60e and the working tree
    python benchmarks/lanes.py ebed60e HEAD .        # "." is the working tree
    python benchmarks/lanes.py --repeat 5 --menus 500 main .

ebed60e is ``lanes.py`` before segments whose lanes come near another corridor were spread with it (the
reference of the lanes' time budget: at most 20 % more). Only ``lanes.py`` and ``lane_groups.py`` come from
each revision; the router and the rest are the working tree's, so the recorded paths are the same for all.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
MODULE = "ivr_studio/flow/lanes.py"
GROUPS = "ivr_studio/flow/lane_groups.py"
#: lanes.py before the transitive grouping of lanes, and the working tree
REVISIONS = ("ebed60e", ".")


def child_record(out: str, menus: int) -> None:
    """Runs in a fresh process: route every link of ``menus`` menus as the editor does and write the lanes'
    calls and the cards to ``out``."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import editor  # the benchmark's menu flow

    from ivr_studio.ui.app import make_app

    make_app()
    from ivr_studio.flow import lanes
    from ivr_studio.flow.ivrflow import save_flow
    from ivr_studio.ui.canvas.scene import FlowScene
    from ivr_studio.ui.document import FlowDocument

    path = Path(out).with_suffix(".ivrflow")
    save_flow(editor.menu_flow(menus), path)
    calls: list[tuple] = []
    plain_set, plain_settle = lanes.Lanes.set, lanes.Lanes.settle

    def recorded_set(self, key, points):
        calls.append(("set", key, None if points is None else list(points)))
        return plain_set(self, key, points)

    def recorded_settle(self):
        calls.append(("settle",))
        return plain_settle(self)

    lanes.Lanes.set, lanes.Lanes.settle = recorded_set, recorded_settle
    document = FlowDocument()
    document.open(str(path))
    scene = FlowScene(document)
    scene.build_all_links()
    for link in scene.link_items.values():
        scene.route_link(link, now=False)
    scene.router.route_pending()
    with open(out, "wb") as f:
        pickle.dump({"cards": dict(scene.router.cards.rects), "calls": calls}, f)
    os._exit(0)


def child_replay(recording: str, module: str) -> None:
    """Runs in a fresh process: replay ``recording`` against the lanes module in the file ``module`` (with
    the ``lane_groups.py`` beside it, if any); prints the CPU time, a digest of every link's final points
    and how many links there are."""
    if Path(module).parent != (ROOT / MODULE).parent:  # a revision's folder: its lane_groups.py
        sys.path.insert(0, str(Path(module).parent))
    spec = importlib.util.spec_from_file_location("lanes_under_test", module)
    assert spec is not None and spec.loader is not None
    lanes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lanes)
    from ivr_studio.flow.routing import CardIndex

    with open(recording, "rb") as f:
        recorded = pickle.load(f)
    cards = CardIndex()
    for card_id, rect in recorded["cards"].items():
        cards.put(card_id, rect)
    laned = lanes.Lanes(cards)
    cpu = time.process_time()
    for call in recorded["calls"]:
        if call[0] == "set":
            laned.set(call[1], call[2])
        else:
            laned.settle()
    cpu = time.process_time() - cpu
    final = sorted((key, laned.path(key)) for key in laned.base)
    digest = hashlib.sha1(repr(final).encode()).hexdigest()[:12]
    print(f"{cpu:.4f} {digest} {len(final)}", flush=True)


def module_of(revision: str, tmp: Path) -> str:
    """The file holding ``lanes.py`` as of ``revision`` ("." for the working tree), in a folder of its own
    with that revision's ``lane_groups.py`` (where it had one), which it imports."""
    if revision == ".":
        return str(ROOT / MODULE)
    folder = tmp / f"revision_{len(list(tmp.iterdir()))}"
    folder.mkdir()
    for name, path in ((MODULE, folder / "lanes.py"), (GROUPS, folder / "lane_groups.py")):
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:{name}"], capture_output=True, text=True
        )
        if shown.returncode == 0:
            path.write_text(
                shown.stdout.replace("from ivr_studio.flow.lane_groups import", "from lane_groups import")
            )
    return str(folder / "lanes.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "revisions",
        nargs="*",
        default=list(REVISIONS),
        help='git revisions of lanes.py ("." is the working tree; default: %(default)s)',
    )
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per revision (default 3)")
    parser.add_argument("--menus", type=int, default=2_000, help="menus of the flow (default 2,000)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    modules = [module_of(r, tmp) for r in args.revisions]
    recording = str(tmp / "calls.pickle")
    subprocess.run([sys.executable, __file__, "--child-record", recording, str(args.menus)], check=True)
    load_before = os.getloadavg()
    times: dict[int, list[float]] = {i: [] for i in range(len(modules))}
    digests: dict[int, str] = {}
    links = 0
    for _ in range(args.repeat):
        for i, module in enumerate(modules):
            out = subprocess.run(
                [sys.executable, __file__, "--child-replay", recording, module],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            times[i].append(float(out[0]))
            digests[i], links = out[1], int(out[2])
    load_after = os.getloadavg()
    first = statistics.median(times[0])
    print(f"lanes of {args.menus:,} menus ({links:,} routed links), CPU time, medians of {args.repeat}")
    for i, revision in enumerate(args.revisions):
        median = statistics.median(times[i])
        runs = ", ".join(f"{t:.2f}" for t in times[i])
        print(f"  {revision:>12}: {median:.2f} s ({median / first:.2f}×)  lanes {digests[i]}  runs {runs}")
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child-record"]:
        child_record(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["--child-replay"]:
        child_replay(sys.argv[2], sys.argv[3])
    else:
        main()
