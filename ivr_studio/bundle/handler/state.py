"""Per-call state in a signed, size-capped cookie bound to the call: the handler keeps nothing in memory.

What a call has to remember between requests — how many times the caller has failed each menu so far, and
(for dynamic flows) its variables and the kept results of its back-end look-ups — travels with the call in
one cookie. Twilio keeps a call's cookies for the length of the call and sends them back with each webhook
request (the local runtime does the same), so any number of workers or hosts behind a load balancer can
serve one call, and nothing is lost when one restarts.

The cookie is ``ivr_state=1.<payload>.<mac>``: the payload is the state as compact JSON in URL-safe base64,
the mac an HMAC-SHA256 of version and payload. The payload names the call's ``CallSid``, so a valid cookie
of one call is refused on another. Reading checks the size before anything else, then the mac (in constant
time), then the shape of every field; anything wrong raises :class:`StateRefused` with the reason, and
the router answers 403 (the caller's side can only produce that by tampering). Writing a state that would
not fit raises :class:`StateTooLarge`: flows keep it small by declaring a maximum length for each variable
and by keeping only the look-up values they use (the validator checks the worst case at design time).

The key: ``IVR_STATE_SECRET`` when set, else one derived from ``TWILIO_AUTH_TOKEN`` (so a deployment needs
no new secret); without either, one derived from the flow itself, which is not secret — acceptable only
because without a token nothing checks who drives the menu anyway (``IVR_ENV=production`` demands a token).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

COOKIE_NAME = "ivr_state"
FORMAT_VERSION = "1"
#: The longest cookie value written or read (browsers and HTTP stacks keep at least 4,096 bytes a cookie).
MAX_COOKIE_BYTES = 4000
#: Twilio ends every call after at most 4 hours, so the state never needs to outlive that.
MAX_AGE_SECONDS = 4 * 3600
_MAX_ATTEMPTS = 100
_PAYLOAD_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True)


class StateRefused(ValueError):
    """The state cookie cannot be trusted or used; the message says why (never echoing the cookie)."""


class StateTooLarge(ValueError):
    """The call's state would not fit in the cookie."""


@dataclass
class CallState:
    """What one call remembers: failed attempts per menu, variables, and kept look-up results."""

    call_sid: str = ""
    attempts: dict[str, int] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The payload text the request's cookie held (None without one): a state still equal to it need not
    #: be encoded, signed and sent again.
    origin: str | None = field(default=None, compare=False, repr=False)

    def is_empty(self) -> bool:
        return not (self.attempts or self.vars or self.steps)

    def payload_text(self) -> str:
        """The state as the cookie's compact, key-sorted JSON."""
        return _PAYLOAD_JSON.encode(self.to_payload())

    def unchanged(self) -> bool:
        """Whether the state is still exactly what the request's cookie held."""
        return self.origin is not None and self.payload_text() == self.origin

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sid": self.call_sid}
        if self.attempts:
            out["att"] = self.attempts
        if self.vars:
            out["vars"] = self.vars
        if self.steps:
            out["steps"] = self.steps
        return out


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_key(secret: str | None, auth_token: str | None, flow_fingerprint: bytes) -> bytes:
    """The signing key: from the state secret, else the auth token, else (not secret) the flow."""
    if secret:
        return hashlib.sha256(b"ivr-studio state secret\0" + secret.encode("utf-8")).digest()
    if auth_token:
        return hmac.new(auth_token.encode("utf-8"), b"ivr-studio call state", hashlib.sha256).digest()
    return hashlib.sha256(b"ivr-studio unsigned deployment\0" + flow_fingerprint).digest()


def _check_mapping(value: Any, what: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise StateRefused(f"its {what} are not a table")
    return value


def _state_from(data: Any) -> CallState:
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        raise StateRefused("it has no call id")
    unknown = set(data) - {"sid", "att", "vars", "steps"}
    if unknown:
        raise StateRefused(f"it has unknown fields ({', '.join(sorted(unknown))[:60]})")
    attempts = _check_mapping(data.get("att", {}), "attempts")
    for n in attempts.values():
        if not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= _MAX_ATTEMPTS:
            raise StateRefused("an attempt count is not a whole number from 1 to 100")
    variables = _check_mapping(data.get("vars", {}), "variables")
    if not all(isinstance(v, str) for v in variables.values()):
        raise StateRefused("a variable is not text")
    steps = _check_mapping(data.get("steps", {}), "step results")
    if not all(isinstance(v, dict) for v in steps.values()):
        raise StateRefused("a step result is not a table")
    return CallState(data["sid"], dict(attempts), dict(variables), dict(steps))


class StateCodec:
    """Turns a :class:`CallState` into the cookie value and back, signing and checking it."""

    def __init__(self, key: bytes, max_bytes: int = MAX_COOKIE_BYTES) -> None:
        # The keyed HMAC state is set up once and copied per cookie: the same HMAC-SHA256, without
        # looking the digest up and hashing the key again on every request.
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self.max_bytes = max_bytes

    def _mac(self, signed: bytes) -> str:
        mac = self._keyed.copy()
        mac.update(signed)
        return _b64(mac.digest())

    def encode(self, state: CallState) -> str:
        """The cookie value for ``state``; :class:`StateTooLarge` when it would exceed the cap."""
        payload = state.payload_text()
        signed = f"{FORMAT_VERSION}.{_b64(payload.encode('utf-8'))}"
        value = f"{signed}.{self._mac(signed.encode('ascii'))}"
        if len(value) > self.max_bytes:
            raise StateTooLarge(
                f"the call's state takes {len(value):,} bytes in its cookie; the limit is {self.max_bytes:,}"
            )
        return value

    def decode(self, value: str | None, call_sid: str) -> CallState:
        """The state in cookie ``value`` (a fresh one when there is none) for call ``call_sid``."""
        if not value:
            return CallState(call_sid)
        if len(value) > self.max_bytes:
            raise StateRefused(f"the state cookie is {len(value):,} bytes; the limit is {self.max_bytes:,}")
        version, sep, rest = value.partition(".")
        payload, sep2, mac = rest.rpartition(".")
        if not sep or not sep2 or version != FORMAT_VERSION:
            raise StateRefused("the state cookie is not one this app writes")
        signed = f"{version}.{payload}".encode("ascii", "replace")
        if not hmac.compare_digest(self._mac(signed), mac):
            raise StateRefused(
                "the state cookie's signature does not match (changed, or signed with another key)"
            )
        try:
            text = _unb64(payload).decode("utf-8")
            data = json.loads(text)
        except (binascii.Error, ValueError, RecursionError):
            raise StateRefused("the state cookie's payload cannot be read") from None
        state = _state_from(data)
        if state.call_sid != call_sid:
            raise StateRefused("the state cookie belongs to another call")
        state.origin = text
        return state
