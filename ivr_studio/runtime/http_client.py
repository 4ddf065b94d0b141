"""Fetching a webhook the way Twilio does (spec §1.2, §2.11, §5.1, §6).

:class:`Fetcher` adds the headers and the signature, sends GET parameters in the query and POST parameters in
the body, keeps cookies for the call, follows 301/302/303/307 itself (a POST becomes a bodiless GET on
301/302/303, with a warning when that loses the caller's input; a GET's parameters are not added to the
``Location`` again), and turns every failure into Twilio's error code. It reports each HTTP exchange to the
trace as a ``request`` event.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from ivr_studio.runtime import codes
from ivr_studio.runtime.handler_report import HandlerReport, read_report, trace_fields
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.signature import twilio_signature, with_default_port
from ivr_studio.runtime.transports import HttpRequest, HttpResponse, Transport, TransportError
from ivr_studio.runtime.urls import is_absolute_http, split_overrides, with_query
from ivr_studio.twiml.diagnostics import Diagnostic, error, warning
from ivr_studio.twiml.verbs import MAX_DOCUMENT_BYTES

TWIML_TYPES = frozenset({"text/xml", "application/xml", "text/html"})
AUDIO_TYPES = frozenset(
    {
        "audio/mpeg",
        "audio/mp3",
        "audio/wav",
        "audio/wave",
        "audio/x-wav",
        "audio/aiff",
        "audio/x-aifc",
        "audio/x-aiff",
        "audio/x-gsm",
        "audio/gsm",
        "audio/ulaw",
        "audio/basic",
    }
)
FOLLOWED_REDIRECTS = frozenset({301, 302, 303, 307})
#: Media bodies may be larger than TwiML; they are still read only up to this size.
MAX_MEDIA_BYTES = 32 * 1024 * 1024
_INPUT_PARAMS = ("Digits", "SpeechResult", "RecordingUrl", "DialCallStatus")


@dataclass
class FetchResult:
    """The outcome of one fetch including its redirects.

    ``kind`` is "twiml", "audio" or "text" on success; ``error`` is set on failure. ``url`` is the URL the
    body came from (the final one after redirects); ``sent_url`` is that URL as sent (with a GET's call
    parameters in its query); ``latency`` is simulated call time in seconds.
    """

    url: str
    sent_url: str = ""
    kind: str | None = None
    body: bytes = b""
    content_type: str = ""
    error: Diagnostic | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    latency: float = 0.0
    node: str | None = None
    status: int | None = None
    first_signed_url: str | None = None  # the URL the first request of this fetch was signed over
    #: what an IVR Studio handler reported with the answer (its logic hops, back-end requests and, for
    #: local test calls, the call's state), as in the ``request`` and ``lookup`` trace events
    report: HandlerReport = field(default_factory=HandlerReport)

    @property
    def ok(self) -> bool:
        return self.error is None


RequestListener = Callable[[dict], None]
#: Told of each failed attempt that is tried again (spec §1.2 ``rc``): method, url, purpose, attempt (the
#: one that failed, from 1), attempts (how many the URL allows), error (Twilio's code) and message.
RetryListener = Callable[[dict], None]


def stub_seconds(lookups: list[dict[str, Any]]) -> float:
    """The call time a webhook's stubbed back-end requests declared (``ms`` of each ``stubbed`` one).

    A real back-end request already took its time while the handler answered; a stub answers at once
    with the delay it was given, which the call has to wait out all the same."""
    total = 0.0
    for lookup in lookups:
        ms = lookup.get("ms")
        if lookup.get("stubbed") is True and isinstance(ms, (int, float)) and not isinstance(ms, bool):
            total += min(max(float(ms), 0.0), 60_000.0) / 1000
    return total


class Fetcher:
    """One call's HTTP client: cookies, signature, redirects and Twilio's error rules."""

    def __init__(
        self,
        transport: Transport,
        settings: RuntimeSettings,
        auth_token: str,
        on_request: RequestListener | None = None,
        on_retry: RetryListener | None = None,
    ) -> None:
        self.transport = transport
        self.settings = settings
        self.auth_token = auth_token
        self.on_request = on_request
        self.on_retry = on_retry
        self.cookies: dict[str, dict[str, str]] = {}

    def fetch(self, url: str, method: str, params: dict[str, str], purpose: str = "twiml") -> FetchResult:
        """Fetch ``url``. ``purpose`` is "twiml", "media" (no parameters, bigger bodies) or "callback"."""
        fragment = urlsplit(url).fragment  # signed too when sign_url_fragment (§6.4 notes)
        url, limits, problems = split_overrides(url, self.settings)
        result = FetchResult(url)
        result.warnings += [warning(codes.CONNECTION_OVERRIDE, p) for p in problems]
        if not is_absolute_http(url):
            result.error = error(11100, f"{url!r} is not an absolute http(s) URL")
            return result
        max_body = MAX_MEDIA_BYTES if purpose == "media" else MAX_DOCUMENT_BYTES
        hops = 0
        while True:
            response = self._send(url, method, params, limits, max_body, result, purpose, fragment)
            if response is None:
                return result
            if 300 <= response.status < 400:
                location = response.header("location")
                if response.status not in FOLLOWED_REDIRECTS or not location:
                    why = "has no Location header" if not location else "is not one Twilio follows"
                    result.error = error(11216, f"HTTP {response.status} redirect from {url} {why}")
                    return result
                hops += 1
                if hops > self.settings.max_redirects:
                    result.error = error(
                        11215, f"More than {self.settings.max_redirects} redirects from {url}"
                    )
                    return result
                target = urljoin(url, location.strip())
                if method == "POST" and response.status != 307:
                    lost = [p for p in _INPUT_PARAMS if p in params]
                    if lost:
                        result.warnings.append(
                            warning(
                                codes.REDIRECT_DROPPED_INPUT,
                                f"POST→GET redirect dropped {', '.join(lost)}: {url} answered "
                                f"{response.status} to {target}, which receives no form body",
                            )
                        )
                    method, params = "GET", {}
                elif method == "GET":
                    params = {}  # Twilio requests Location exactly as given (§1.2, §2.11)
                url, fragment = target, ""
                result.url = url
                continue
            return self._finish(response, result, purpose)

    def _send(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        limits,
        max_body: int,
        result: FetchResult,
        purpose: str,
        fragment: str = "",
    ) -> HttpResponse | None:
        sent_url = with_query(url, params) if method == "GET" else url
        body = urlencode(list(params.items())).encode("utf-8") if method == "POST" else None
        headers = {
            "User-Agent": "TwilioProxy/1.1",
            "Accept": "*/*",
            "Cache-Control": "max-age=259200",
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        }
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        signed_url = with_default_port(sent_url) if self.settings.sign_with_default_port else sent_url
        if fragment and self.settings.sign_url_fragment:
            signed_url += "#" + fragment
        if result.first_signed_url is None:
            result.first_signed_url = signed_url
        elif not self.settings.sign_redirected_url:
            signed_url = result.first_signed_url  # §2.11 [INF]: keep signing the URL first requested
        headers["X-Twilio-Signature"] = twilio_signature(
            self.auth_token, signed_url, params if method == "POST" else None
        )
        cookie = self._cookie_header(url)
        if cookie:
            headers["Cookie"] = cookie
        request = HttpRequest(method, sent_url, headers, body)
        result.sent_url = sent_url
        started = time.perf_counter()
        attempts = 1 + max(0, limits.retries)
        response: HttpResponse | None = None
        failure: TransportError | None = None
        attempt = 0
        for attempt in range(1, attempts + 1):
            try:
                response = self.transport.send(request, limits, max_body)
                failure = None
                break
            except TransportError as exc:
                failure = exc
                if exc.timed_out:
                    break  # a timeout is not retried: it already used the whole time budget
            except Exception as exc:  # a broken transport must end in Twilio's error path, not a crash
                failure = TransportError(11200, f"The request failed: {type(exc).__name__}: {exc}")
                break
            if attempt < attempts and self.on_retry is not None:
                # the retry is part of what the call did: say what failed and that it is tried again
                self.on_retry(
                    {
                        "method": method,
                        "url": url,
                        "purpose": purpose,
                        "attempt": attempt,
                        "attempts": attempts,
                        "error": str(failure.code),
                        "message": failure.message,
                    }
                )
        elapsed_ms = (time.perf_counter() - started) * 1000
        record = {
            "method": method,
            "url": url,
            "params": dict(params),
            "status": None,
            "elapsed_ms": round(elapsed_ms, 3),
            "node": None,
            "purpose": purpose,
        }
        if attempt > 1:
            record["attempts"] = attempt  # the outcome of a retried request: which attempt this is
        if failure is not None or response is None:
            if failure is not None and failure.timed_out:
                # the whole time budget was used: that much call time passes (real time is not call time)
                result.latency += limits.total
                record["elapsed_ms"] = round(max(elapsed_ms, limits.total * 1000), 3)
                record["timed_out"] = True  # the response did not come within the time limit
            code = failure.code if failure else 11200
            message = failure.message if failure else "No response"
            record["error"] = str(code)
            result.error = error(code, f"{message} ({method} {url})")
            self._report(record)
            return None
        reported = trace_fields(report := read_report(response.header))
        if "lookups" in reported:
            record["lookups"] = reported.pop("lookups")
        # A stubbed back-end's declared delay is time the handler would have waited: it passes on the
        # call's clock like the app's own latency, and counts against the webhook's time limit.
        took = (response.latency or 0.0) + stub_seconds(record.get("lookups") or [])
        if took > limits.total:
            result.latency += limits.total
            record["elapsed_ms"] = round(max(elapsed_ms, limits.total * 1000), 3)
            record["timed_out"] = True
            record["error"] = "11205"
            result.error = error(
                11205,
                f"The webhook did not answer within {limits.total:g} s (it took {took:g} s, "
                f"its back-end requests included) ({method} {url})",
            )
            self._report(record)
            return None
        if took:
            result.latency += took
            record["elapsed_ms"] = round(elapsed_ms + took * 1000, 3)
        self._store_cookies(url, response)
        record["status"] = response.status
        record["node"] = response.header("x-ivr-node")
        exit_taken = response.header("x-ivr-exit")
        if exit_taken:
            record["exit"] = exit_taken  # "<node id> <exit name>", set by IVR Studio's handler app
        # the logic hops ("hours open, vip case:gold") and, for local test calls, what decided each and
        # the call's state afterwards: see handler_report
        record.update(reported)
        result.status = response.status
        result.node = record["node"]
        result.report = report
        self._report(record)
        return response

    def _report(self, record: dict) -> None:
        if self.on_request:
            self.on_request(record)

    def _finish(self, response: HttpResponse, result: FetchResult, purpose: str) -> FetchResult:
        status = response.status
        content_type = (response.header("content-type") or "").split(";")[0].strip().lower()
        result.content_type = content_type
        if status >= 400:
            result.error = error(11200, f"HTTP {status} from {result.url}")
            return result
        body = response.body
        if purpose == "media":
            result.body = body
            result.kind = "audio" if content_type in AUDIO_TYPES else None
            if result.kind is None:
                result.error = error(
                    12300, f"Media at {result.url} has Content-Type {content_type or 'none'!r}"
                )
            return result
        if content_type in TWIML_TYPES:
            if not body.strip():
                result.error = error(11770, f"The response body from {result.url} is empty")
            elif len(body) > MAX_DOCUMENT_BYTES:
                result.error = error(
                    11750, f"The document from {result.url} is over 64 kB; Twilio accepts at most 64 kB"
                )
            else:
                result.kind, result.body = "twiml", body
        elif content_type in AUDIO_TYPES:
            result.kind, result.body = "audio", body
        elif content_type == "text/plain":
            if not body.strip():
                result.error = error(11770, f"The response body from {result.url} is empty")
            else:
                result.kind, result.body = "text", body
        else:
            shown = content_type or "missing"
            result.error = error(12300, f"Invalid Content-Type {shown!r} from {result.url}")
        return result

    def _cookie_header(self, url: str) -> str:
        jar = self.cookies.get(urlsplit(url).hostname or "", {})
        return "; ".join(f"{k}={v}" for k, v in jar.items())

    def _store_cookies(self, url: str, response: HttpResponse) -> None:
        host = urlsplit(url).hostname or ""
        for raw in response.header_all("set-cookie"):
            try:
                parsed = SimpleCookie()
                parsed.load(raw)
            except CookieError:
                continue
            jar = self.cookies.setdefault(host, {})
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0":
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value
