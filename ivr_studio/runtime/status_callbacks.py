"""Status callbacks: the asynchronous webhooks that tell an app how a call (or a dialled leg) progresses.

Twilio sends them for the call itself (the number's status callback, or ``--status-callback`` here) and for
each ``<Number>``/``<Client>``/``<Sip>`` leg of a ``<Dial>`` that has a ``statusCallback``. A leg subscribes
to some of the events ``initiated``, ``ringing``, ``answered`` and ``completed`` (only ``completed`` when none
are named). Each request carries the standard call parameters of that leg with its ``CallStatus`` at the
event, plus ``CallbackSource=call-progress-events``, ``SequenceNumber`` (from 0, counting the callbacks sent
for the leg), ``Timestamp`` (RFC 2822, UTC) and, on ``completed``, ``CallDuration`` (seconds) and
``Duration`` (billable minutes, rounded up — seen in real payloads, not documented). Responses are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from ivr_studio.runtime.urls import is_absolute_http

CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
#: The CallStatus a leg reports with each event; ``completed`` reports how the leg ended.
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}
METHODS = ("GET", "POST")


@dataclass(frozen=True)
class StatusCallback:
    """Where and how to send a leg's status callbacks, and which events to send."""

    url: str
    events: frozenset[str] = frozenset({"completed"})
    method: str = "POST"

    @classmethod
    def build(
        cls, url: str, events: Iterable[str] | str | None = None, method: str | None = None
    ) -> StatusCallback:
        """Check the values a user gave (CLI option, scenario file); ValueError names the bad one."""
        if not isinstance(url, str) or not is_absolute_http(url):
            raise ValueError(f"status callback URL must be an absolute http(s) URL, not {str(url)[:80]!r}")
        return cls(url, parse_events(events, CALL_EVENTS, "status callback event"), parse_method(method))


def parse_events(events: Iterable[str] | str | None, allowed: Iterable[str], what: str) -> frozenset[str]:
    """Space-separated (or listed) event names, each one of ``allowed``; none given means ``completed``."""
    allowed = tuple(allowed)
    if events is None:
        return frozenset({"completed"})
    names = events.split() if isinstance(events, str) else [str(e) for e in events]
    bad = [n for n in names if n not in allowed]
    if bad:
        raise ValueError(f"{what} {bad[0][:40]!r} is not one of {', '.join(allowed)}")
    return frozenset(names) or frozenset({"completed"})


def parse_method(method: str | None, what: str = "status callback method") -> str:
    """``GET`` or ``POST`` (any case; POST when absent); ValueError naming ``what`` for anything else."""
    value = (method or "POST").upper() if isinstance(method, str) or method is None else ""
    if value not in METHODS:
        raise ValueError(f"{what} must be GET or POST, not {str(method)[:20]!r}")
    return value


def rfc2822(when: datetime) -> str:
    """``Thu, 01 Jun 2017 20:48:32 +0000``: the Timestamp format of Twilio's callbacks."""
    return format_datetime(when.astimezone(UTC).replace(microsecond=0))


class WallClock:
    """Turns call time into the date a callback reports: the call began at ``started`` (UTC)."""

    def __init__(self, now: Callable[[], float], started: datetime | None = None) -> None:
        self._now = now
        self._t0 = now()
        self.started = (started or datetime.now(UTC)).replace(microsecond=0)

    def timestamp(self) -> str:
        return rfc2822(self.started + timedelta(seconds=self._now() - self._t0))


class LegProgress:
    """Sends one leg's call-progress events to its status callback, each at most once.

    ``send(url, method, params)`` delivers a callback; ``leg_params(status)`` gives the leg's standard call
    parameters with that CallStatus.
    """

    def __init__(
        self,
        callback: StatusCallback,
        leg_params: Callable[[str], dict[str, str]],
        send: Callable[[str, str, dict[str, str]], None],
        wall: WallClock,
    ) -> None:
        self.callback = callback
        self.leg_params = leg_params
        self.send = send
        self.wall = wall
        self.sequence = 0
        self.fired: set[str] = set()

    def fire(
        self,
        event: str,
        status: str | None = None,
        duration: float | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        """The leg reached ``event``; ``status``, ``duration`` (seconds answered) and ``extra`` parameters (a
        recording's) only for ``completed``."""
        if event in self.fired:
            return
        self.fired.add(event)
        if event not in self.callback.events:
            return
        params = self.leg_params(status or EVENT_STATUS[event])
        params.update(
            {
                "CallbackSource": "call-progress-events",
                "SequenceNumber": str(self.sequence),
                "Timestamp": self.wall.timestamp(),
            }
        )
        if event == "completed":
            seconds = max(0, round(duration or 0.0))
            params["CallDuration"] = str(seconds)
            params["Duration"] = str(math.ceil(seconds / 60))
            params.update(extra or {})
        self.sequence += 1
        self.send(self.callback.url, self.callback.method, params)
