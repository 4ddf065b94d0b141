"""What a load run measures of one call, read from the call's trace as it happens.

Every ``request`` event is a webhook sample (named by the node the response says it is, ``X-IVR-Node``, or
by the URL's path for apps that do not say), every ``lookup`` event a Look up back-end sample, and the
finished call one :class:`CallOutcome`: how it ended, the Twilio error codes it met, the nodes it went
through and, for scenario calls, the expectations it missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ivr_studio.runtime.trace import TraceEvent

#: The Twilio error code of a webhook that answered with an HTTP error status (spec §5.2).
HTTP_ERROR_CODE = "11200"
#: How a failed sample is named in the statistics, by Twilio error code.
ERROR_TEXT = {
    "11200": "HTTP retrieval failure",
    "11205": "HTTP connection failure or timeout",
    "11206": "HTTP protocol violation",
    "11210": "HTTP bad host name",
    "11215": "HTTP too many redirects",
    "11216": "HTTP bad redirect",
    "11220": "TLS handshake failure",
    "11750": "TwiML response body too large",
    "11770": "empty response body",
    "12100": "document parse failure",
    "12300": "invalid Content-Type",
}


def error_label(code: str) -> str:
    """``11205 HTTP connection failure or timeout``: a code and what it means, for tables."""
    text = ERROR_TEXT.get(code)
    return f"{code} {text}" if text else code


@dataclass(frozen=True)
class Sample:
    """One timed exchange: a webhook request (``kind`` "webhook") or a Look up request ("lookup").

    ``error`` is the failure as it is counted (a Twilio code, or the back-end's status); ``past_limit`` is
    true when the webhook used up its whole time limit (15 s unless the URL or settings say otherwise).
    """

    kind: str
    method: str
    name: str
    elapsed_ms: float
    error: str | None = None
    past_limit: bool = False


def webhook_sample(event: TraceEvent) -> Sample:
    """The sample of a ``request`` trace event."""
    purpose = event.get("purpose") or "twiml"
    path = urlsplit(str(event.get("url") or "")).path or "/"
    if purpose == "twiml":
        name = str(event.get("node") or path)
    else:  # callbacks and <Play> media are named by what they are, never by a node
        name = f"{purpose} {path}"
    status = event.get("status")
    error = event.get("error")
    if error is None and (status is None or int(status) >= 400):
        error = HTTP_ERROR_CODE
    past_limit = bool(event.get("timed_out"))
    return Sample("webhook", str(event.get("method") or "POST"), name, _ms(event), _str(error), past_limit)


def lookup_sample(event: TraceEvent) -> Sample:
    """The sample of a ``lookup`` trace event: a Look up node's request to its back-end.

    The event is the handler's record of the request (``node``, ``method``, ``url``, ``status``, ``ms``,
    ``outcome``, ``error``; see :data:`ivr_studio.runtime.trace.EVENT_FIELDS`). The back-end is named by
    the Look up node and the host it asked (never the query or path, which may hold the caller's account
    number). A sample failed when the Look up took its ``failed`` exit: no response (``error``, e.g. a
    timeout), a status outside 2xx, or a 2xx answer whose body was not usable JSON.
    """
    method = str(event.get("method") or "GET").upper()
    url = urlsplit(str(event.get("url") or ""))
    where = f"{url.hostname or ''}{url.path}" or "?"
    node = event.get("node")
    name = f"{node} ({method} {url.hostname})" if node and url.hostname else str(node or f"{method} {where}")
    status = event.get("status")
    error = _str(event.get("error"))
    if error is not None:
        error = error[:80]
    elif event.get("outcome") != "ok":
        if status is None:
            error = "no response"
        elif not 200 <= _int(status) < 300:
            error = f"HTTP {status}"
        else:
            error = f"HTTP {status}, body not usable"
    return Sample("lookup", "lookup", name, _number(event.get("ms")), error)


def _number(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return 0.0


def _ms(event: TraceEvent) -> float:
    for key in ("elapsed_ms", "duration_ms", "latency_ms"):
        value = event.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return 0.0


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def _str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


class CallObserver:
    """A trace listener that hands each webhook and Look up sample to ``on_sample`` as it happens."""

    def __init__(self, on_sample: Callable[[Sample], None]) -> None:
        self.on_sample = on_sample
        self.path: list[str] = []
        self.errors: list[str] = []

    def __call__(self, event: TraceEvent) -> None:
        kind = event["event"]
        if kind == "request":
            if (event.get("purpose") or "twiml") == "twiml" and event.get("node"):
                self.path.append(str(event["node"]))
            self.on_sample(webhook_sample(event))
        elif kind == "lookup":
            self.on_sample(lookup_sample(event))
        elif kind == "error":
            self.errors.append(str(event.get("code")))


@dataclass
class CallOutcome:
    """How one call of the load run went.

    ``app_error`` is the Twilio code that ended the call with Twilio's application-error message (None when
    it ended normally); ``errors`` every error code met on the way (a failed fetch the fallback URL saved
    counts here, not in ``app_error``); ``failures`` the scenario expectations it missed, each a readable
    text with the trace around the mismatch.
    """

    label: str
    is_random: bool
    status: str | None
    app_error: str | None
    errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    path: tuple[str, ...] = ()
    wall_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.app_error is None and not self.failures
