"""How a Look up reaches its back-end: real HTTP, or stub answers for tests and offline calls.

A :class:`Backend` takes one request and returns a :class:`BackendAnswer` (status, body, how long it
took) or an ``error`` (a timeout, a refused connection). :class:`HttpBackend` makes the real request with
the standard library, honouring the timeout and reading at most ``MAX_RESPONSE_BYTES``.
:class:`StubBackend` answers from rules (method + URL pattern → status, JSON or text, delay, failure),
which is how scenario files and ``ivr-studio call --backend`` make back-ends part of a test; a request no
rule matches goes to the ``fallback`` back-end (real HTTP unless told otherwise), or fails.
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

MAX_RESPONSE_BYTES = 256 * 1024
MAX_STUB_RULES = 500


@dataclass(frozen=True)
class BackendRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout: float


@dataclass(frozen=True)
class BackendAnswer:
    """What came back: ``status`` and ``body`` or, when no response arrived, ``error``."""

    status: int | None
    body: bytes = b""
    content_type: str = ""
    elapsed: float = 0.0  # seconds the request took (a stub's declared delay)
    error: str | None = None
    stubbed: bool = False


class Backend(Protocol):
    def fetch(self, request: BackendRequest) -> BackendAnswer: ...


class HttpBackend:
    """Real HTTP(S) requests with the Look up's timeout and a bounded response."""

    def fetch(self, request: BackendRequest) -> BackendAnswer:
        started = time.monotonic()
        req = urllib.request.Request(
            request.url, data=request.body, headers=request.headers, method=request.method
        )
        try:
            with urllib.request.urlopen(req, timeout=request.timeout) as resp:  # noqa: S310 - http(s) only
                body = resp.read(MAX_RESPONSE_BYTES + 1)
                status, content_type = resp.status, resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            body = exc.read(MAX_RESPONSE_BYTES + 1) if exc.fp else b""
            status, content_type = exc.code, exc.headers.get("Content-Type", "") if exc.headers else ""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            kind = "timed out" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else "failed"
            return BackendAnswer(
                None, elapsed=time.monotonic() - started, error=f"{kind}: {str(reason)[:120]}"
            )
        elapsed = time.monotonic() - started
        if len(body) > MAX_RESPONSE_BYTES:
            return BackendAnswer(
                status, elapsed=elapsed, error=f"the response is over {MAX_RESPONSE_BYTES:,} bytes"
            )
        return BackendAnswer(status, body, content_type, elapsed)


class StubError(ValueError):
    """A stub definition is unusable; the message names the rule and the field."""


@dataclass(frozen=True)
class StubRule:
    """One stub answer: for ``method`` (or any) and a URL matching ``url`` (a glob, or /regex/)."""

    url: str
    method: str = "*"
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    fail: str | None = None  # "timeout" or "connection"
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches(self, request: BackendRequest) -> bool:
        if self.method not in ("*", request.method):
            return False
        if self._regex is not None:
            return self._regex.search(request.url) is not None
        return fnmatch.fnmatchcase(request.url, self.url)


def _rule(raw: Any, where: str) -> StubRule:
    if not isinstance(raw, dict):
        raise StubError(f"{where}: expected a mapping with url (and method, status, json, text, delay, fail)")
    unknown = set(raw) - {"url", "method", "status", "json", "text", "delay", "fail"}
    if unknown:
        raise StubError(f"{where}: unknown field {sorted(unknown)[0][:30]!r}")
    url = raw.get("url")
    if not isinstance(url, str) or not url or len(url) > 2000:
        raise StubError(f"{where}.url: expected a URL pattern (a glob such as https://api.example.com/*)")
    regex = None
    if len(url) > 1 and url.startswith("/") and url.endswith("/"):
        try:
            regex = re.compile(url[1:-1])
        except re.error as exc:
            raise StubError(f"{where}.url: bad regular expression: {exc}") from None
        except RecursionError:  # groups nested hundreds deep: the parser recurses once per level
            raise StubError(f"{where}.url: bad regular expression: nested too deeply") from None
    method = raw.get("method", "*")
    if not isinstance(method, str) or method.upper() not in ("*", "GET", "POST", "PUT", "PATCH", "DELETE"):
        raise StubError(f"{where}.method: expected GET, POST, PUT, PATCH, DELETE or *")
    status = raw.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise StubError(f"{where}.status: expected an HTTP status from 100 to 599")
    delay = raw.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= 60:
        raise StubError(f"{where}.delay: expected seconds from 0 to 60")
    fail = raw.get("fail")
    if fail not in (None, "timeout", "connection"):
        raise StubError(f"{where}.fail: expected timeout or connection")
    if "json" in raw and "text" in raw:
        raise StubError(f"{where}: give json or text, not both")
    if "text" in raw:
        if not isinstance(raw["text"], str):
            raise StubError(f"{where}.text: expected text")
        body, content_type = raw["text"].encode("utf-8"), "text/plain; charset=utf-8"
    else:
        body = json.dumps(raw.get("json", {}), ensure_ascii=False).encode("utf-8")
        content_type = "application/json"
    if len(body) > MAX_RESPONSE_BYTES:
        raise StubError(f"{where}: the answer is over {MAX_RESPONSE_BYTES:,} bytes")
    return StubRule(url, method.upper(), status, body, content_type, float(delay), fail, regex)


def parse_stubs(data: Any, where: str = "backend") -> list[StubRule]:
    """Stub rules from their file form: a list of mappings (or ``{"stubs": [...]}``)."""
    if isinstance(data, dict) and set(data) == {"stubs"}:
        data = data["stubs"]
    if not isinstance(data, list):
        raise StubError(f"{where}: expected a list of stub answers")
    if len(data) > MAX_STUB_RULES:
        raise StubError(f"{where}: {len(data)} stub answers; the limit is {MAX_STUB_RULES}")
    return [_rule(raw, f"{where}[{i}]") for i, raw in enumerate(data)]


class StubBackend:
    """Answers from stub rules, first match wins; other requests go to ``fallback`` (or fail)."""

    def __init__(self, rules: list[StubRule], fallback: Backend | None = None) -> None:
        self.rules = list(rules)
        self.fallback = fallback

    def fetch(self, request: BackendRequest) -> BackendAnswer:
        for rule in self.rules:
            if rule.matches(request):
                if rule.fail == "timeout" or rule.delay >= request.timeout:
                    return BackendAnswer(
                        None, elapsed=request.timeout, error="timed out (stub)", stubbed=True
                    )
                if rule.fail == "connection":
                    return BackendAnswer(
                        None, elapsed=rule.delay, error="failed: connection refused (stub)", stubbed=True
                    )
                return BackendAnswer(rule.status, rule.body, rule.content_type, rule.delay, stubbed=True)
        if self.fallback is not None:
            return self.fallback.fetch(request)
        return BackendAnswer(
            None, error=f"failed: no stub answers {request.method} {request.url[:100]}", stubbed=True
        )
