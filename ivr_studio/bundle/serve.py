"""Serve a flow in process: the one way a local call gets the bundle's handler app.

``ivr-studio call``, ``ivr-studio test`` and the editor's test-call panel all drive the very handler code
that gets deployed, through WSGI and without an export step: a flow (an ``.ivrflow`` file, or the flow open
in the editor) is turned into TwiML documents and routing data in memory; an exported bundle folder is
served from its files. :class:`ServeOptions` carries what a local call asks of the app beyond the flow
(the auth token its requests are signed with); the process environment is never consulted, so a
developer's deployment settings never leak into a local test call.

:class:`Served` also hands back the routing data, which the coverage overlay and ``--coverage`` read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr_studio.bundle.documents import all_documents
from ivr_studio.bundle.export import BUNDLE_MARKER
from ivr_studio.bundle.handler import BundleError, BundleSource, create_app
from ivr_studio.bundle.handler.data import NODE_ID
from ivr_studio.bundle.routing import routing_data
from ivr_studio.files import InputFileError, StructuredDataError, cut, load_json, read_bytes, read_text
from ivr_studio.flow.ivrflow import SUFFIX, FlowFileError, load_flow
from ivr_studio.flow.model import Flow

WSGIApp = Callable[..., Any]
ENTRY_URL = "http://ivr-studio.local/voice"
#: routing.json holds one entry per node; 16 MiB is far beyond a 10,000-node flow.
ROUTING_LIMIT = 16 * 1024 * 1024
#: One node's TwiML document: a few kB; 1 MiB leaves room for long prompts.
DOCUMENT_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class ServeOptions:
    """What a local call asks of the handler app beyond the flow.

    ``auth_token``: when set, the app checks ``X-Twilio-Signature`` with it (the runtime signs with the
    same token); None or empty turns the checks off.
    """

    auth_token: str | None = None


@dataclass(frozen=True)
class Served:
    """The handler app serving one flow, the URL a call starts at, and the flow's routing data."""

    app: WSGIApp
    url: str
    routing: Mapping[str, Any]


def source_for_flow(flow: Flow) -> BundleSource:
    """The handler's in-memory source for a flow: its routing data and TwiML documents."""
    return BundleSource(routing_data(flow), all_documents(flow))


def read_bundle(folder: Path) -> BundleSource:
    """A bundle folder's routing data and TwiML documents, read through the bounded reader.

    Raises ValueError naming the file and the problem (a FIFO or device, too large, not UTF-8, not JSON).
    """
    folder = Path(folder)
    routing_file = folder / BUNDLE_MARKER
    if not os.path.lexists(routing_file):
        raise ValueError(f"{folder} is a folder but not an exported bundle (it has no {BUNDLE_MARKER})")
    try:
        routing = load_json(read_text(routing_file, ROUTING_LIMIT), routing_file)
    except (InputFileError, StructuredDataError) as exc:
        raise ValueError(str(exc)) from None
    nodes = routing.get("nodes") if isinstance(routing, dict) else None
    if not isinstance(nodes, dict):
        raise ValueError(f"{routing_file}: has no 'nodes' table")
    documents: dict[str, bytes] = {}
    for node_id in nodes:
        if not NODE_ID.match(node_id):
            raise ValueError(f"{routing_file}: {cut(node_id)} is not a valid node id")
        try:
            documents[node_id] = read_bytes(folder / "twiml" / f"{node_id}.xml", DOCUMENT_LIMIT)
        except InputFileError as exc:
            raise ValueError(f"the TwiML of node {node_id!r} cannot be read: {exc}") from None
    return BundleSource(routing, documents)


def source_for_target(path: Path) -> BundleSource:
    """The handler's source for ``path`` (a flow file → in-memory data; a bundle folder → its files).

    Raises ValueError with a message fit for the user.
    """
    path = Path(path)
    if path.is_dir():
        return read_bundle(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file or folder")
    if path.suffix != SUFFIX:
        raise ValueError(f"{path} is neither a {SUFFIX} flow file nor a bundle folder")
    try:
        flow = load_flow(path)
    except FlowFileError as exc:
        raise ValueError(f"cannot load the flow: {exc}") from exc
    return source_for_flow(flow)


def serve_source(
    source: BundleSource, options: ServeOptions = ServeOptions(), name: str = "the flow"
) -> Served:
    """The handler app for ``source``; ValueError naming ``name`` when the flow data cannot be served."""
    try:
        app = create_app(source, auth_token=options.auth_token or "", environ={}, log_to_stderr=False)
    except BundleError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    return Served(app.wsgi_app, ENTRY_URL, source.routing)


def serve_flow(flow: Flow, options: ServeOptions = ServeOptions()) -> Served:
    """Serve the flow as it is now (the editor's test call); ValueError saying why it cannot be served."""
    return serve_source(source_for_flow(flow), options)


def serve_target(path: Path, options: ServeOptions = ServeOptions()) -> Served:
    """Serve a ``.ivrflow`` file or an exported bundle folder; ValueError with a message fit for the user."""
    return serve_source(source_for_target(Path(path)), options, str(path))


def routing_for_target(path: Path) -> Mapping[str, Any]:
    """The routing data of a flow file or bundle folder (for coverage); ValueError when it is unusable."""
    return source_for_target(Path(path)).routing


def wsgi_app_for_target(path: Path, *, auth_token: str | None = None) -> tuple[WSGIApp, str]:
    """The handler app for a flow file or bundle folder, and its entry URL (see :func:`serve_target`)."""
    served = serve_target(path, ServeOptions(auth_token=auth_token))
    return served.app, served.url
