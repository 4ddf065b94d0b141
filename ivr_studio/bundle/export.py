"""Export a flow as a deployable bundle folder.

The folder holds ``twiml/<node>.xml`` (one static TwiML document per node), ``routing.json`` (what the
handler needs to pick branches), and the handler app with its deployment files (see :mod:`.scaffold`).
It is built in a temporary folder beside the target and swapped in at the end, so a failed export never
leaves a half-written bundle, and an existing bundle is replaced only once the new one is complete.
"""

from __future__ import annotations

import contextlib
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
from ivr_studio.flow.calendars import CalendarError
from ivr_studio.flow.model import Flow

__all__ = ["BUNDLE_MARKER", "ExportError", "export_bundle", "node_document", "write_bundle_contents"]

BUNDLE_MARKER = ROUTING_FILE
Progress = Callable[[int, int, str], None]


class ExportError(OSError):
    """The bundle could not be written; the message names the folder and the reason."""


def write_bundle_contents(
    flow: Flow, folder: Path, progress: Progress | None = None, base_dir: Path | None = None
) -> None:
    """Write every bundle file into ``folder`` (which must exist and be empty); ``base_dir`` is where the
    files the flow names (an Hours node's iCalendar file) are found."""
    docs = all_documents(flow)
    total = len(docs) + 2
    twiml_dir = folder / "twiml"
    twiml_dir.mkdir()
    for i, (node_id, body) in enumerate(docs.items(), 1):
        (twiml_dir / f"{node_id}.xml").write_bytes(body)
        if progress:
            progress(i, total, f"twiml/{node_id}.xml")
    try:
        routing = json.dumps(routing_data(flow, base_dir), indent=2, ensure_ascii=False) + "\n"
    except CalendarError as exc:
        raise ExportError(str(exc)) from None
    (folder / BUNDLE_MARKER).write_text(routing, encoding="utf-8")
    if progress:
        progress(total - 1, total, BUNDLE_MARKER)
    write_scaffold(folder, flow, base_dir)
    if progress:
        progress(total, total, "handler app")


#: Folders the exporter owns outright: replaced whole, so documents of deleted nodes disappear.
OWNED_FOLDERS = ("twiml", "ivr_handler")


def _reason(exc: OSError) -> str:
    """``strerror`` and the path it concerns: "Permission denied: /srv/bundle/.twiml.x1y2"."""
    reason = exc.strerror or str(exc)
    return f"{reason}: {exc.filename}" if exc.filename else reason


def export_bundle(
    flow: Flow, out_dir: str | Path, progress: Progress | None = None, base_dir: Path | None = None
) -> Path:
    """Write the bundle to ``out_dir`` and return it. Refuses to overwrite a folder that is not a bundle.

    Re-exporting replaces only what the exporter writes: the ``twiml/`` and ``ivr_handler/`` folders and
    the generated files (``app.py``, ``routing.json``, ``tests/test_flow.py`` …). Anything else a user put
    in the bundle — their own tests, a ``.venv``, ``.env``, a git repository — is left alone. A generated
    path that is a symbolic link, or a file where a folder belongs (or the reverse), is the user's: the
    export is refused, naming it, before anything is written. If replacing fails half-way, everything
    already replaced is put back, so the bundle is either wholly old or wholly new.
    """
    out = Path(os.path.abspath(out_dir))
    try:
        out = out.resolve()
        if out.exists():
            if not out.is_dir():
                raise ExportError(f"{out} exists and is not a folder")
            if any(out.iterdir()) and not (out / BUNDLE_MARKER).exists():
                raise ExportError(
                    f"{out} is not empty and is not an IVR Studio bundle; choose an empty folder"
                )
        ancestor = next(p for p in out.parents if p.exists())
        if not ancestor.is_dir():
            raise ExportError(f"could not write the bundle to {out}: {ancestor} is not a folder")
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"could not write the bundle to {out}: {_reason(exc)}") from exc
    try:
        # mkdtemp makes it private; a bundle is served by other users too
        staging.chmod(0o777 & ~current_umask())
        write_bundle_contents(flow, staging, progress, base_dir)
        if not out.exists():
            staging.rename(out)
            return out
        plan = _plan(staging, out)
        _refuse_foreign_paths(plan, out)
        _replace(plan)
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"could not write the bundle to {out}: {_reason(exc)}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _plan(staging: Path, out: Path) -> list[tuple[Path | None, Path]]:
    """What replacing ``out`` with ``staging`` takes, in order: ``(None, folder)`` creates a folder,
    ``(source, target)`` moves a generated file or owned folder over ``target``."""
    steps: list[tuple[Path | None, Path]] = []
    for entry in sorted(staging.iterdir()):
        target = out / entry.name
        if entry.name in OWNED_FOLDERS or not entry.is_dir():
            steps.append((entry, target))
        else:
            steps.append((None, target))
            steps.extend(_plan(entry, target))
    return steps


def _refuse_foreign_paths(plan: list[tuple[Path | None, Path]], out: Path) -> None:
    """ExportError naming the first generated path that is a symbolic link or of the wrong kind."""
    for source, target in plan:
        shown = target.relative_to(out)
        if target.is_symlink():
            raise ExportError(
                f"{target} is a symbolic link; the export will not write through it (to {os.readlink(target)}). "
                f"Remove {shown} or export to another folder"
            )
        want_folder = source is None or source.is_dir()
        if target.exists() and target.is_dir() != want_folder:
            kind = "a folder" if want_folder else "a file"
            raise ExportError(
                f"{target} is in the way: the bundle needs {kind} there. Move {shown} aside and export again"
            )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _replace(plan: list[tuple[Path | None, Path]]) -> None:
    """Carry out ``plan``; on any failure undo what was done (the old files come back) and re-raise."""
    done: list[tuple[Path, Path | None, bool]] = []  # (target, its backup, created as a folder)
    try:
        for source, target in plan:
            if source is None:
                if not target.exists():
                    target.mkdir()
                    done.append((target, None, True))
                continue
            backup = None
            if os.path.lexists(target):
                backup = target.with_name(f".{target.name}.old")
                if os.path.lexists(backup):
                    _remove(backup)  # left by an export that was killed; the current file is the truth
                target.rename(backup)
                done.append((target, backup, False))
            source.rename(target)
            if backup is None:
                done.append((target, None, False))
    except OSError:
        for target, backup, created in reversed(done):
            try:
                if created:
                    target.rmdir()
                    continue
                if os.path.lexists(target) and (backup is None or os.path.lexists(backup)):
                    _remove(target)
                if backup is not None:
                    backup.rename(target)
            except OSError:
                pass
        raise
    for _target, backup, _created in done:
        if backup is not None:
            with contextlib.suppress(OSError):  # only a leftover; the next export removes it
                _remove(backup)
