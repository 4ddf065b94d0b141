"""Who may drive the phone menu: only Twilio, proven by the ``X-Twilio-Signature`` header (spec §6).

The signature is an HMAC of the full URL Twilio requested plus the POST parameters, keyed with the
account's auth token, so the app must rebuild the exact public URL. Behind a proxy or tunnel the app sees
a different scheme and host, so it honours, in order: ``PUBLIC_BASE_URL`` (prepended to the path the app
receives), else ``X-Forwarded-Proto``/``X-Forwarded-Host``, else the request's own scheme and Host.
Trusting the forwarded headers is safe here: they only choose which URL is checked, and a forged URL still
needs a valid HMAC.

twilio-python's ``RequestValidator`` does the comparison (it also accepts the URL with and without the
default port, spec §6.2). It is built once per token, and the variant of the URL that came in is tried
first: the request's own URL is one of the two ``validate`` accepts, so a request it signs is accepted
with one HMAC instead of two, and any other request still gets the full ``validate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlparse, urlsplit

from twilio.request_validator import RequestValidator, add_port, compare, remove_port

PRODUCTION_VALUES = frozenset({"production", "prod"})


class ConfigError(RuntimeError):
    """The app's settings are unsafe or wrong; the message says which setting to fix."""


@dataclass(frozen=True)
class Settings:
    """The deployment settings, read from the environment (or passed in by tests and the local runtime)."""

    auth_token: str | None
    public_base_url: str | None
    production: bool
    state_secret: str | None = None

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str],
        auth_token: str | None = None,
        public_base_url: str | None = None,
    ) -> Settings:
        token = environ.get("TWILIO_AUTH_TOKEN") if auth_token is None else auth_token
        base = environ.get("PUBLIC_BASE_URL") if public_base_url is None else public_base_url
        production = environ.get("IVR_ENV", "").strip().lower() in PRODUCTION_VALUES
        secret = (environ.get("IVR_STATE_SECRET") or "").strip() or None
        settings = cls(
            (token or "").strip() or None, (base or "").strip().rstrip("/") or None, production, secret
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.production and not self.auth_token:
            raise ConfigError(
                "TWILIO_AUTH_TOKEN is not set, and IVR_ENV=production: refusing to start, because anyone "
                "could then drive this phone menu. Set TWILIO_AUTH_TOKEN to your Twilio auth token "
                "(Console → Account → API keys & tokens)."
            )
        if self.public_base_url:
            parts = urlsplit(self.public_base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
                raise ConfigError(
                    f"PUBLIC_BASE_URL {self.public_base_url!r} must look like https://ivr.example.com "
                    "(scheme and host; no query)"
                )
            if parts.path.strip("/"):
                # The TwiML documents use root-relative URLs (/node/...), so a path prefix would send
                # Twilio's next requests outside the app.
                raise ConfigError(
                    f"PUBLIC_BASE_URL {self.public_base_url!r} has a path; serve the app at the root of "
                    "its own host name (e.g. https://ivr.example.com), not under a path prefix"
                )


def _first(value: str | None) -> str | None:
    """The first (client-most) entry of a comma-separated forwarded header."""
    if not value:
        return None
    return value.split(",", 1)[0].strip() or None


def request_path(environ: Mapping[str, object]) -> str:
    """The path and query exactly as the client sent them (percent-encoding kept)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw:
        path = urlsplit(raw).path or "/"
    else:
        script = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
        # WSGI hands over the path as latin-1-decoded bytes (PEP 3333); re-encode it as sent.
        path = quote(script.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=-._~%")
    # QUERY_STRING is undecoded in WSGI, and some servers leave the query out of RAW_URI.
    query = str(environ.get("QUERY_STRING", ""))
    return f"{path}?{query}" if query else path


def public_url(environ: Mapping[str, object], headers: Mapping[str, str], settings: Settings) -> str:
    """The URL Twilio requested, as Twilio saw it (the one it signed)."""
    path = request_path(environ)
    if settings.public_base_url:
        return settings.public_base_url + path
    scheme = _first(headers.get("X-Forwarded-Proto")) or str(environ.get("wsgi.url_scheme", "http"))
    host = (
        _first(headers.get("X-Forwarded-Host")) or headers.get("Host") or str(environ.get("SERVER_NAME", ""))
    )
    return f"{scheme.lower()}://{host}{path}"


class _Params(dict):
    """POST parameters as the validator reads them (``getall(name)``: the name's values): a werkzeug form
    has ``getlist`` only, so the validator would raise and catch an AttributeError for every name."""

    def getall(self, name: str) -> list[str]:
        return self[name]


@lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def signature_ok(settings: Settings, url: str, form: object, signature: str | None) -> bool:
    """True when ``signature`` is Twilio's signature of ``url`` and the POST parameters ``form``."""
    if not settings.auth_token:
        return True
    if not signature:
        return False
    validator = _validator(settings.auth_token)
    lists = getattr(form, "lists", None)
    params = _Params(lists()) if callable(lists) else (form or {})
    try:
        parsed = urlparse(url)
        # The URL as it came, with or without its port: one of the two variants validate() accepts.
        as_sent = add_port(parsed) if parsed.port else remove_port(parsed)
        if compare(validator.compute_signature(as_sent, params), signature):
            return True
        return bool(validator.validate(url, params, signature))
    except ValueError:  # e.g. a Host header with a port that is not a number
        return False
