"""X-Twilio-Signature, computed exactly as Twilio signs form-encoded webhooks (spec §6.1, §6.2)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str | list[str]] | None = None) -> str:
    """base64(HMAC-SHA1(token, url + name+value for each POST parameter in code-point order)).

    Repeated names have their values sorted and de-duplicated, as the helper libraries do (§6.1).
    GET requests pass ``params=None``: their parameters are already in the URL.
    """
    data = url
    for name in sorted(params or {}):
        raw = params[name]  # type: ignore[index]
        values = [raw] if isinstance(raw, str) else list(raw)
        for value in sorted(set(values)):
            data += name + value
    mac = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def with_default_port(url: str) -> str:
    """The URL with its scheme's default port written out (the ``:443`` form of §6.2)."""
    parts = urlsplit(url)
    if parts.port is not None or not parts.hostname:
        return url
    port = 443 if parts.scheme == "https" else 80
    return urlunsplit(parts._replace(netloc=f"{parts.netloc}:{port}"))
