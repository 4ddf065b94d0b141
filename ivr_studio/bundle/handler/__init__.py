"""The handler app of an exported IVR Studio bundle: a small Flask app that serves one call flow to Twilio.

``create_app(source)`` builds the WSGI app from a bundle folder (``routing.json`` + ``twiml/``) or from an
in-memory :class:`BundleSource`, so the same code serves a deployed bundle, the local call runtime and the
editor. The app keeps nothing in memory between requests: what a call remembers travels with the call in a
signed cookie (:mod:`.state`), so it scales to any number of workers and hosts.

Settings come from the environment unless passed in:

- ``TWILIO_AUTH_TOKEN``: when set, every request must carry a valid ``X-Twilio-Signature`` (else 403);
- ``PUBLIC_BASE_URL``: the public origin Twilio calls (e.g. ``https://ivr.example.com``), for the signature
  check behind a proxy or tunnel that rewrites the host or scheme;
- ``IVR_ENV=production``: refuse to start without ``TWILIO_AUTH_TOKEN``;
- ``IVR_TRACE_LOOKUPS=1``: report each Look up's request and answer in an ``X-IVR-Lookups`` header, each
  logic step (which case matched, which interval applied) in ``X-IVR-Steps`` and the call's variables in
  ``X-IVR-Vars`` (off by default: back-end URLs, answers and variables may hold personal data);
- ``IVR_STATE_SECRET``: the key that signs the call-state cookie (by default one derived from
  ``TWILIO_AUTH_TOKEN``); every instance serving the same number must use the same.

This package is copied verbatim into every bundle as ``ivr_handler``: it uses only flask, twilio, liquid
(templates), the standard library's zoneinfo with tzdata, and holidays / icalendar / recurring-ical-events
(Hours nodes' holidays, imported only when a flow uses them), and only relative imports.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from . import steplog
from .backend import Backend
from .context import Clock, Context
from .data import BundleError, BundleSource, load_flow, read_folder
from .dispatch import MAX_REQUEST_BYTES
from .routes import ENTRY_PATH, install
from .security import ConfigError, Settings
from .state import StateCodec, derive_key

__all__ = ["ENTRY_PATH", "BundleError", "BundleSource", "ConfigError", "create_app"]


def create_app(
    source: str | os.PathLike[str] | BundleSource,
    *,
    auth_token: str | None = None,
    public_base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    log_to_stderr: bool = True,
    clock: Clock | None = None,
    backend: Backend | None = None,
    trace_lookups: bool | None = None,
) -> Flask:
    """Build the handler app for a bundle folder or in-memory flow data.

    ``auth_token`` and ``public_base_url`` override the environment (``""`` turns signature checks off);
    ``environ`` replaces ``os.environ`` as the place settings (and the flow's declared environment
    variables, ``{{ env.NAME }}``) are read from. ``clock`` (a function returning an aware ``datetime``)
    and ``backend`` (see :mod:`.backend`) replace the real time and real back-end requests, for tests and
    local calls. ``trace_lookups`` reports back-end requests in ``X-IVR-Lookups`` (default: only when
    ``IVR_TRACE_LOOKUPS=1``; their URLs and answers may hold personal data). Raises :class:`BundleError`
    when the flow data is unusable and :class:`ConfigError` when the settings are unsafe.
    """
    env = os.environ if environ is None else environ
    settings = Settings.from_environ(env, auth_token, public_base_url)
    data = source if isinstance(source, BundleSource) else read_folder(Path(source))
    flow = load_flow(data)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_REQUEST_BYTES
    fingerprint = json.dumps(data.routing, sort_keys=True, default=str).encode("utf-8")
    key = derive_key(settings.state_secret, settings.auth_token, fingerprint)
    if trace_lookups is None:
        trace_lookups = env.get("IVR_TRACE_LOOKUPS", "").strip() in ("1", "true", "yes")
    context = Context(flow, clock=clock, backend=backend, environ=env, trace_lookups=trace_lookups)
    install(app, flow, settings, StateCodec(key), context)
    if log_to_stderr:
        steplog.install_stderr_handler()
    steplog.emit(
        "startup",
        flow=flow.name,
        nodes=len(flow.nodes),
        start=flow.start,
        signatures="checked" if settings.auth_token else "NOT CHECKED (set TWILIO_AUTH_TOKEN)",
        public_base_url=settings.public_base_url,
    )
    return app
