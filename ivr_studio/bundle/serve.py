"""Serve a flow in-process: the handler app for an ``.ivrflow`` file or an exported bundle folder.

The local call runtime and the editor drive the very handler code that gets deployed, through WSGI and
without an export step: a flow file is turned into TwiML documents and routing data in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ivr_studio.bundle.documents import all_documents
from ivr_studio.bundle.handler import BundleError, BundleSource, create_app
from ivr_studio.bundle.routing import routing_data
from ivr_studio.flow.ivrflow import SUFFIX, FlowFileError, load_flow

WSGIApp = Callable[..., Any]
ENTRY_URL = "http://ivr-studio.local/voice"
BUNDLE_MARKER = "routing.json"


def source_for_target(path: Path) -> BundleSource | Path:
    """The handler's source for ``path`` (a flow file → in-memory data; a bundle folder → the folder)."""
    path = Path(path)
    if path.is_dir():
        if not (path / BUNDLE_MARKER).is_file():
            raise ValueError(f"{path} is a folder but not an exported bundle (it has no {BUNDLE_MARKER})")
        return path
    if not path.exists():
        raise ValueError(f"{path}: no such file or folder")
    if path.suffix != SUFFIX:
        raise ValueError(f"{path} is neither a {SUFFIX} flow file nor a bundle folder")
    try:
        flow = load_flow(path)
    except FlowFileError as exc:
        raise ValueError(f"cannot load the flow: {exc}") from exc
    return BundleSource(routing_data(flow), all_documents(flow))


def wsgi_app_for_target(path: Path, *, auth_token: str | None = None) -> tuple[WSGIApp, str]:
    """The handler app for a flow file or bundle folder, and its entry URL.

    Signature checks are off unless ``auth_token`` is given (the local runtime then signs its requests
    with it); the process environment is not consulted, so a developer's deployment settings never leak
    into a local test call. Raises ValueError with a message fit for the user.
    """
    source = source_for_target(Path(path))
    try:
        app = create_app(source, auth_token=auth_token or "", environ={}, log_to_stderr=False)
    except BundleError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return app.wsgi_app, ENTRY_URL
