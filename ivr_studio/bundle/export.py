"""Export a flow as a deployable bundle folder.

The folder holds ``twiml/<node>.xml`` (one static TwiML document per node), ``routing.json`` (what the
handler needs to pick branches), and the handler app with its deployment files (see :mod:`.scaffold`).
It is built in a temporary folder beside the target and swapped in at the end, so a failed export never
leaves a half-written bundle, and an existing bundle is replaced only once the new one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ivr_studio.bundle.documents import all_documents, node_document
from ivr_studio.bundle.handler.data import ROUTING_FILE
from ivr_studio.bundle.routing import routing_data
from ivr_studio.bundle.scaffold import write_scaffold
from ivr_studio.files.atomic import current_umask
from ivr_studio.flow.model import Flow

__all__ = ["BUNDLE_MARKER", "ExportError", "export_bundle", "node_document", "write_bundle_contents"]

BUNDLE_MARKER = ROUTING_FILE
Progress = Callable[[int, int, str], None]


class ExportError(OSError):
    """The bundle could not be written; the message names the folder and the reason."""


def write_bundle_contents(flow: Flow, folder: Path, progress: Progress | None = None) -> None:
    """Write every bundle file into ``folder`` (which must exist and be empty)."""
    docs = all_documents(flow)
    total = len(docs) + 2
    twiml_dir = folder / "twiml"
    twiml_dir.mkdir()
    for i, (node_id, body) in enumerate(docs.items(), 1):
        (twiml_dir / f"{node_id}.xml").write_bytes(body)
        if progress:
            progress(i, total, f"twiml/{node_id}.xml")
    routing = json.dumps(routing_data(flow), indent=2, ensure_ascii=False) + "\n"
    (folder / BUNDLE_MARKER).write_text(routing, encoding="utf-8")
    if progress:
        progress(total - 1, total, BUNDLE_MARKER)
    write_scaffold(folder, flow)
    if progress:
        progress(total, total, "handler app")


#: Folders the exporter owns outright: replaced whole, so documents of deleted nodes disappear.
OWNED_FOLDERS = ("twiml", "ivr_handler")


def export_bundle(flow: Flow, out_dir: str | Path, progress: Progress | None = None) -> Path:
    """Write the bundle to ``out_dir`` and return it. Refuses to overwrite a folder that is not a bundle.

    Re-exporting replaces only what the exporter writes: the ``twiml/`` and ``ivr_handler/`` folders and
    the generated files (``app.py``, ``routing.json``, ``tests/test_flow.py`` …). Anything else a user put
    in the bundle — their own tests, a ``.venv``, ``.env``, a git repository — is left alone.
    """
    out = Path(out_dir).resolve()
    if out.exists():
        if not out.is_dir():
            raise ExportError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / BUNDLE_MARKER).exists():
            raise ExportError(f"{out} is not empty and is not an IVR Studio bundle; choose an empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staging.chmod(
            0o777 & ~current_umask()
        )  # mkdtemp makes it private; a bundle is served by other users too
        write_bundle_contents(flow, staging, progress)
        if not out.exists():
            staging.rename(out)
            return out
        _merge_into(staging, out)
    except OSError as exc:
        raise ExportError(f"could not write the bundle to {out}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _merge_into(staging: Path, out: Path) -> None:
    """Move the freshly written bundle over an existing one, replacing only generated paths."""
    for entry in sorted(staging.iterdir()):
        target = out / entry.name
        if entry.name in OWNED_FOLDERS:
            old = out / f".{entry.name}.old"
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                target.rename(old)
            entry.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        elif entry.is_dir():
            target.mkdir(exist_ok=True)
            _merge_into(entry, target)
        else:
            os.replace(entry, target)
