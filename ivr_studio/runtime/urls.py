"""URL rules of a Twilio fetch: relative resolution (§1.6), connection-override fragments (§1.2), GET queries."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ivr_studio.runtime.settings import RuntimeSettings


def resolve(base: str | None, ref: str | None) -> str:
    """``ref`` resolved against the current document URL per RFC 3986; ``""`` gives the base itself."""
    ref = (ref or "").strip()
    if not base:
        return ref
    if not ref:
        return base
    return urljoin(base, ref)


def is_absolute_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class Overrides:
    """Connection limits of one fetch (§1.2): connect, read and total timeouts in seconds, retry count."""

    connect: float
    read: float
    total: float
    retries: int


_RANGES = {"ct": (100, 10000), "rt": (100, 15000), "tt": (100, 15000), "rc": (0, 5)}


def split_overrides(url: str, settings: RuntimeSettings) -> tuple[str, Overrides, list[str]]:
    """Strip a ``#ct=…&rt=…&tt=…&rc=…`` fragment; return the URL to send, the limits and any problems.

    Values outside Twilio's ranges are clamped and reported; unknown keys (``rp``, ``e``, ``sni``) are ignored.
    """
    parts = urlsplit(url)
    values = {
        "ct": settings.connect_timeout_ms,
        "rt": settings.read_timeout_ms,
        "tt": settings.total_timeout_ms,
        "rc": settings.retry_count,
    }
    problems: list[str] = []
    if parts.fragment:
        for key, raw in parse_qsl(parts.fragment, keep_blank_values=True):
            if key not in _RANGES:
                continue
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"connection override {key}={raw!r} is not a number; ignored")
                continue
            low, high = _RANGES[key]
            if not low <= value <= high:
                problems.append(f"connection override {key}={value} is outside {low}–{high}; clamped")
                value = min(max(value, low), high)
            values[key] = value
    clean = urlunsplit(parts._replace(fragment=""))
    return (
        clean,
        Overrides(values["ct"] / 1000, values["rt"] / 1000, values["tt"] / 1000, int(values["rc"])),
        problems,
    )


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` appended to its existing query string (Twilio's GET requests, §1.2)."""
    if not params:
        return url
    parts = urlsplit(url)
    extra = urlencode(list(params.items()))
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
