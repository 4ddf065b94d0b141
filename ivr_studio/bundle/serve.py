"""Serve a flow in process: the one way a local call gets the bundle's handler app.

``ivr-studio call``, ``ivr-studio test`` and the editor's test-call panel all drive the very handler code
that gets deployed, through WSGI and without an export step: a flow (an ``.ivrflow`` file, or the flow open
in the editor) is turned into TwiML documents and routing data in memory; an exported bundle folder is
served from its files. :class:`ServeOptions` carries what a local call asks of the app beyond the flow:
the auth token its requests are signed with, the handler's "now" (``--at``/``--tz``, ``at:`` in scenario
files; the call's own clock then moves it on), back-end stubs (``--backend``, ``backend:``; requests no
stub answers go out for real), and the values of the flow's declared environment variables. Deployment
settings in the process environment (``TWILIO_AUTH_TOKEN``, ``IVR_ENV`` …) never leak into a local call.

:func:`options_from` turns the options a scenario file or the command line wrote (which the runtime hands
over without reading them) into :class:`ServeOptions`.

:class:`Served` also hands back the routing data, which the coverage overlay and ``--coverage`` read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr_studio.bundle.documents import all_documents
from ivr_studio.bundle.export import BUNDLE_MARKER
from ivr_studio.bundle.handler import BundleError, BundleSource, create_app
from ivr_studio.bundle.handler.backend import (
    Backend,
    HttpBackend,
    StubBackend,
    StubError,
    StubRule,
    parse_stubs,
)
from ivr_studio.bundle.handler.data import NODE_ID
from ivr_studio.bundle.routing import routing_data
from ivr_studio.files import (
    InputFileError,
    StructuredDataError,
    cut,
    load_json,
    load_yaml,
    read_bytes,
    read_text,
)
from ivr_studio.flow.calendars import CalendarError
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
    same token); None or empty turns the checks off. ``clock``: the handler's "now" (None: the real time).
    ``backend``: where Look ups go (None: real HTTP). ``environ``: values of the flow's declared
    environment variables (``{{ env.NAME }}``). ``base_dir``: where files a flow names are found.
    """

    auth_token: str | None = None
    clock: Callable[[], datetime] | None = None
    backend: Backend | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    base_dir: Path | None = None


#: The options a scenario file (``at:``, ``tz:``, ``backend:``) or ``ivr-studio call`` gives a local target.
TARGET_OPTIONS = ("at", "tz", "backend")
MAX_STUB_FILE_BYTES = 1024 * 1024


def parse_at(at: Any, tz: Any = None) -> datetime:
    """``2026-12-24T18:30`` (in ``tz``, else UTC) or an ISO date-time with its offset, as an aware datetime."""
    zone: tzinfo = UTC
    if tz not in (None, ""):
        try:
            zone = ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"tz: {str(tz)[:40]!r} is not a time zone (e.g. Europe/Berlin)") from None
    if isinstance(at, datetime):
        when = at
    elif isinstance(at, date):
        when = datetime(at.year, at.month, at.day)
    else:
        text = str(at).strip()
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"at: {text[:40]!r} is not a date and time like 2026-12-24T18:30 (optionally with +01:00)"
            ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    elif tz not in (None, ""):
        when = when.astimezone(zone)
    return when


def load_stubs(value: Any, base_dir: Path) -> list[StubRule]:
    """Stub rules from a file name (YAML or JSON, relative to ``base_dir``) or written inline."""
    if isinstance(value, (str, Path)):
        path = base_dir / value
        try:
            text = read_text(path, MAX_STUB_FILE_BYTES)
            data = load_yaml(text, path)
        except (InputFileError, StructuredDataError) as exc:
            raise ValueError(f"backend: {exc}") from None
        where = str(path)
    else:
        data, where = value, "backend"
    try:
        return parse_stubs(data, where)
    except StubError as exc:
        raise ValueError(str(exc)) from None


def options_from(
    raw: Mapping[str, Any] | None,
    base_dir: Path,
    auth_token: str | None,
    clock: Any = None,
    *,
    requests_go_out: bool = True,
) -> ServeOptions:
    """ServeOptions from a local call's target options (``at``, ``tz``, ``backend``) and the call's clock.

    ``clock`` is the runtime's clock of the call (anything with ``now()`` in seconds): the handler's time
    is ``at`` plus the call time that has passed. With ``backend`` given, a request no stub answers is
    made for real, or (``requests_go_out=False``, the test-call panel's choice) fails. Raises ValueError
    naming the option.
    """
    raw = raw or {}
    handler_clock = None
    if raw.get("at") not in (None, ""):
        start = parse_at(raw["at"], raw.get("tz"))
        t0 = clock.now() if clock is not None else 0.0

        def handler_clock() -> datetime:
            return start + timedelta(seconds=(clock.now() - t0) if clock is not None else 0.0)

    elif raw.get("tz") not in (None, ""):
        raise ValueError("tz is given without at: say when the call happens (at: 2026-12-24T18:30)")
    backend = None
    if raw.get("backend") not in (None, ""):
        fallback = HttpBackend() if requests_go_out else None
        backend = StubBackend(load_stubs(raw["backend"], base_dir), fallback=fallback)
    return ServeOptions(
        auth_token=auth_token,
        clock=handler_clock,
        backend=backend,
        environ=dict(os.environ),
        base_dir=base_dir,
    )


@dataclass(frozen=True)
class Served:
    """The handler app serving one flow, the URL a call starts at, and the flow's routing data."""

    app: WSGIApp
    url: str
    routing: Mapping[str, Any]


def source_for_flow(flow: Flow, base_dir: Path | None = None) -> BundleSource:
    """The handler's in-memory source for a flow: its routing data and TwiML documents."""
    try:
        return BundleSource(routing_data(flow, base_dir), all_documents(flow))
    except CalendarError as exc:
        raise ValueError(str(exc)) from None


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
    for node_id, raw in nodes.items():
        if not NODE_ID.match(node_id):
            raise ValueError(f"{routing_file}: {cut(node_id)} is not a valid node id")
        if isinstance(raw, dict) and "config" in raw:
            continue  # a logic node has no TwiML document
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
    return source_for_flow(flow, path.parent)


def serve_source(
    source: BundleSource, options: ServeOptions = ServeOptions(), name: str = "the flow"
) -> Served:
    """The handler app for ``source``; ValueError naming ``name`` when the flow data cannot be served."""
    declared = source.routing.get("env") or [] if isinstance(source.routing, Mapping) else []
    environ = {name: options.environ[name] for name in declared if name in options.environ}
    try:
        app = create_app(
            source,
            auth_token=options.auth_token or "",
            environ=environ,
            log_to_stderr=False,
            clock=options.clock,
            backend=options.backend,
            trace_lookups=True,  # a local call's trace shows every back-end request
        )
    except BundleError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    return Served(app.wsgi_app, ENTRY_URL, source.routing)


def serve_flow(flow: Flow, options: ServeOptions = ServeOptions()) -> Served:
    """Serve the flow as it is now (the editor's test call); ValueError saying why it cannot be served."""
    return serve_source(source_for_flow(flow, options.base_dir), options)


def serve_target(path: Path, options: ServeOptions = ServeOptions()) -> Served:
    """Serve a ``.ivrflow`` file or an exported bundle folder; ValueError with a message fit for the user."""
    return serve_source(source_for_target(Path(path)), options, str(path))


def serve_target_with(
    path: Path,
    raw: Mapping[str, Any] | None,
    auth_token: str | None,
    clock: Any = None,
    base_dir: Path | None = None,
) -> Served:
    """Serve a target with the options a scenario or the command line wrote (see :func:`options_from`);
    a back-end stub file is found relative to ``base_dir`` (the scenario's folder; else the working folder)."""
    return serve_target(Path(path), options_from(raw, base_dir or Path.cwd(), auth_token, clock))


def routing_for_target(path: Path) -> Mapping[str, Any]:
    """The routing data of a flow file or bundle folder (for coverage); ValueError when it is unusable."""
    return source_for_target(Path(path)).routing


def wsgi_app_for_target(path: Path, *, auth_token: str | None = None) -> tuple[WSGIApp, str]:
    """The handler app for a flow file or bundle folder, and its entry URL (see :func:`serve_target`)."""
    served = serve_target(path, ServeOptions(auth_token=auth_token))
    return served.app, served.url
