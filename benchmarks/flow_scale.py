"""Flow scale: load, validate and export a generated 1,000-node flow (target: each < 0.5 s).

Run: .venv/bin/python benchmarks/flow_scale.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import machine  # noqa: E402

from ivr_studio.bundle.documents import all_documents  # noqa: E402
from ivr_studio.bundle.export import export_bundle  # noqa: E402
from ivr_studio.flow import Branch, Flow, Node, NodeKind, Prompt, load_flow, save_flow  # noqa: E402
from ivr_studio.flow.validate import validate_flow  # noqa: E402

NODES = 1000
REPEAT = 5


def generated_flow(n: int = NODES) -> Flow:
    """A tree of menus: each menu has four branches to says or sub-menus, like a large real IVR."""
    f = Flow("Generated")
    menus = 0
    queue = []
    f.add_node(
        Node(
            "m0",
            NodeKind.GATHER,
            attributes={"input": "dtmf speech", "numDigits": 1},
            prompts=[Prompt("say", "Main menu")],
        )
    )
    queue.append("m0")
    count = 1
    while queue and count < n:
        parent = queue.pop(0)
        for k in range(1, 5):
            if count >= n:
                break
            is_menu = k < 3 and count + 4 < n
            node_id = f"n{count}"
            if is_menu:
                menus += 1
                f.add_node(
                    Node(
                        node_id,
                        NodeKind.GATHER,
                        attributes={"input": "dtmf speech", "numDigits": 1},
                        prompts=[Prompt("say", f"Menu {node_id}: press one to four")],
                    )
                )
                queue.append(node_id)
            else:
                f.add_node(Node(node_id, NodeKind.SAY, text=f"You chose option {k} of {parent}."))
            count += 1
            f.add_branch(parent, Branch(f"o{k}", str(k), [f"option {k}", f"choice {k}"]))
            f.set_link(parent, f"branch:o{k}", node_id)
        f.set_link(parent, "no_input", parent)
    return f


def timed(fn, repeat: int = REPEAT) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    flow = generated_flow()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "big.ivrflow"
        save_flow(flow, path)
        size = path.stat().st_size
        t_save, _ = timed(lambda: save_flow(flow, path))
        t_load, loaded = timed(lambda: load_flow(path))
        t_validate, diags = timed(lambda: validate_flow(loaded))
        t_docs, docs = timed(lambda: all_documents(loaded))
        t_export, _ = timed(lambda: export_bundle(loaded, Path(d) / "bundle"))
    print(f"machine: {machine()}")
    print(
        f"flow: {len(loaded)} nodes, file {size / 1024:.0f} KiB, {len(diags)} diagnostics, {len(docs)} documents"
    )
    for name, t in [
        ("save", t_save),
        ("load", t_load),
        ("validate", t_validate),
        ("export TwiML (in memory)", t_docs),
        ("export bundle (to disk)", t_export),
    ]:
        print(f"{name:26s} {t * 1000:8.1f} ms  (median of {REPEAT}; target < 500 ms)")


if __name__ == "__main__":
    main()
