"""Left-to-right layout by Graphviz's ``dot`` program, when it is installed (apt ``graphviz``).

``dot`` does the same layered drawing as :mod:`ivr_studio.flow.layout` (ranks, crossing reduction,
coordinates), with a stronger crossing reduction and per-port edge ordering: each card is a record whose
fields are its exits, so ``dot`` knows that exit ``1`` leaves above exit ``2``. Only the node positions are
used; the canvas routes the links itself, for these positions and for any the user makes by hand.

It runs as a subprocess (``dot -Tjson``) bounded in time and in output size. Any failure — no ``dot`` on the
PATH, a timeout, unreadable output — raises :class:`DotUnavailable`, and the caller falls back to the
hand-written layout.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable

from ivr_studio.flow.model import Flow, Node

Size = tuple[float, float]
POINTS_PER_INCH = 72.0  # dot measures in inches; scene units are treated as points
#: dot's answer is about 1 kB per node and link; anything far beyond that is not an answer to read
OUTPUT_BYTES_BASE = 1024 * 1024
OUTPUT_BYTES_PER_ITEM = 8 * 1024


class DotUnavailable(RuntimeError):
    """``dot`` is missing or did not lay the flow out (the message says why)."""


def dot_program() -> str | None:
    """Path of the ``dot`` program, or None when Graphviz is not installed."""
    return shutil.which("dot")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(
    flow: Flow, size: Callable[[Node], Size], column_gap: float, row_gap: float
) -> tuple[str, dict[str, str]]:
    """The graph in the DOT language, and the DOT name given to each node id (ids are not trusted as names)."""
    names = {node_id: f"n{i}" for i, node_id in enumerate(flow.nodes)}
    lines = [
        "digraph flow {",
        "  graph [rankdir=LR, splines=false, "
        f"nodesep={row_gap / POINTS_PER_INCH:.3f}, ranksep={column_gap / POINTS_PER_INCH:.3f}];",
        '  node [shape=record, fixedsize=true, label=""];',
    ]
    for node in flow:
        width, height = size(node)
        exits = node.exit_names()
        # In a left-to-right graph a record's fields stack top to bottom: the header, then one per exit.
        fields = "|".join(["<in>", *(f"<p{i}>" for i in range(len(exits)))])
        lines.append(
            f"  {names[node.id]} [width={width / POINTS_PER_INCH:.3f}, "
            f"height={height / POINTS_PER_INCH:.3f}, label={_quote(fields)}];"
        )
    if flow.start in names:
        lines.append(f"  {{rank=min; {names[flow.start]};}}")
    for node in flow:
        for i, exit_name in enumerate(node.exit_names()):
            target = node.links.get(exit_name)
            if target in names and target != node.id:
                lines.append(f"  {names[node.id]}:p{i}:e -> {names[target]}:in:w;")
    lines.append("}")
    return "\n".join(lines) + "\n", names


def dot_layout(
    flow: Flow,
    size: Callable[[Node], Size],
    column_gap: float = 110.0,
    row_gap: float = 36.0,
    timeout: float = 30.0,
    program: str | None = None,
) -> dict[str, tuple[float, float]]:
    """Top-left position of every node as ``dot`` places it (the start node leftmost, y growing down)."""
    if not flow.nodes:
        return {}
    exe = program or dot_program()
    if exe is None:
        raise DotUnavailable("Graphviz's dot program is not installed")
    source, names = dot_source(flow, size, column_gap, row_gap)
    limit = OUTPUT_BYTES_BASE + OUTPUT_BYTES_PER_ITEM * (len(flow.nodes) + sum(len(n.links) for n in flow))
    returncode, out, err = _run(exe, source.encode(), timeout, limit)
    if returncode != 0:
        detail = err.decode(errors="replace").strip().splitlines()[:1]
        raise DotUnavailable(f"dot failed ({returncode}): {detail[0][:120] if detail else 'no message'}")
    return _positions(out, flow, names, size)


def _run(exe: str, source: bytes, timeout: float, limit: int) -> tuple[int, bytes, bytes]:
    """Run ``exe -Tjson`` on ``source``: (exit status, standard output, the start of standard error).

    The answer is read as it comes, and the program is killed when it takes longer than ``timeout``
    seconds or says more than ``limit`` bytes.
    """
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
        stdin.write(source)
        stdin.seek(0)
        try:
            proc = subprocess.Popen([exe, "-Tjson"], stdin=stdin, stdout=subprocess.PIPE, stderr=stderr)
        except OSError as exc:
            raise DotUnavailable(f"dot could not be run: {exc.strerror or exc}") from exc
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + timeout
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(proc.stdout, selectors.EVENT_READ)
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise DotUnavailable(f"dot took longer than {timeout:g} s")
                    if not sel.select(left):
                        continue
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise DotUnavailable("dot's answer is too large")
                    chunks.append(chunk)
            returncode = proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired as exc:
            raise DotUnavailable(f"dot took longer than {timeout:g} s") from exc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        stderr.seek(0)
        return returncode, b"".join(chunks), stderr.read(4096)


def _positions(
    raw: bytes, flow: Flow, names: dict[str, str], size: Callable[[Node], Size]
) -> dict[str, tuple[float, float]]:
    try:
        graph = json.loads(raw)
        bottom = float(graph["bb"].split(",")[3])
        centres = {}
        for obj in graph.get("objects", []):
            if "pos" in obj:
                x, y = (float(v) for v in obj["pos"].split(","))
                centres[obj["name"]] = (x, bottom - y)  # dot's y grows upwards
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise DotUnavailable(f"dot's answer could not be read ({type(exc).__name__})") from exc
    positions: dict[str, tuple[float, float]] = {}
    for node in flow:
        centre = centres.get(names[node.id])
        if centre is None:
            raise DotUnavailable(f"dot gave no position for node {node.id[:40]!r}")
        width, height = size(node)
        positions[node.id] = (float(round(centre[0] - width / 2)), float(round(centre[1] - height / 2)))
    return positions
