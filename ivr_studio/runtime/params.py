"""The standard parameters Twilio sends with every voice webhook (spec §3)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

API_VERSION = "2010-04-01"
_GEO = ("City", "State", "Zip", "Country")


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two letters and 32 lowercase hex digits (``CA…``, ``RE…``)."""
    return prefix + uuid.uuid4().hex


@dataclass(frozen=True)
class CallIdentity:
    """Who is calling whom; constant for the whole call."""

    from_number: str = "+15005550006"
    to_number: str = "+15005550001"
    account_sid: str = "AC" + "0" * 32
    call_sid: str = field(default_factory=lambda: new_sid("CA"))
    direction: str = "inbound"
    geo: dict[str, str] = field(default_factory=dict)

    def standard_params(self, call_status: str) -> dict[str, str]:
        """Every parameter of §3 with Twilio's spelling; unknown geo fields are empty strings."""
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": self.call_sid,
            "CallStatus": call_status,
            "Called": self.to_number,
            "Caller": self.from_number,
            "Direction": self.direction,
            "From": self.from_number,
            "To": self.to_number,
        }
        for side, legacy in (("From", "Caller"), ("To", "Called")):
            for part in _GEO:
                value = self.geo.get(f"{side}{part}", "")
                params[f"{side}{part}"] = value
                params[f"{legacy}{part}"] = value
        return params
