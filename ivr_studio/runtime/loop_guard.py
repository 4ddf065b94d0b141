"""Spotting a call that loops without end (spec §2.10): the same request made again and again, or many
requests without any call time passing (a ``<Redirect>`` to itself, wait music that takes no time).

:class:`LoopGuard` counts the requests; the engine warns (IVR901) and stops the call (IVR902) on what it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ivr_studio.runtime.clock import Clock
from ivr_studio.runtime.settings import RuntimeSettings


@dataclass
class Verdict:
    """What the guard makes of one request: a warning to give, and why the call must stop (empty: go on)."""

    warning: str = ""
    stop: str = ""


class LoopGuard:
    """Counts a call's requests: the same one in a row, and how many came at one instant of call time."""

    def __init__(self, clock: Clock, settings: RuntimeSettings):
        self.clock = clock
        self.settings = settings
        self._last_key: tuple | None = None
        self._same_count = 0
        self._last_fetch_t: float | None = None
        self._instant = 0

    def request(self, url: str, method: str, extra: dict[str, str], cause: str) -> Verdict:
        """A document request of the call's own, made by ``cause`` (a verb, in words)."""
        self._count_instant()
        key = (method, url, tuple(sorted(extra.items())))
        self._same_count = self._same_count + 1 if key == self._last_key else 1
        self._last_key = key
        by = f", each time by {cause}" if cause else ""
        verdict = Verdict()
        if self._same_count == self.settings.loop_warn_after:
            verdict.warning = (
                f"{method} {url} was requested {self._same_count} times in a row{by}: the call may be looping"
            )
        if self._same_count >= self.settings.loop_stop_after:
            verdict.stop = f"{method} {url} was requested {self._same_count} times in a row{by}"
        elif self._instant >= self.settings.max_instant_fetches:
            verdict.stop = f"{self._instant} requests without any call time passing"
        return verdict

    def inner_request(self) -> str:
        """A request a verb makes for itself (wait music, a whisper): these repeat by design, so only
        ``max_instant_fetches`` of them — the call's own requests included — without call time passing stop
        the call. Returns why it must stop, or ""."""
        self._count_instant()
        if self._instant < self.settings.max_instant_fetches:
            return ""
        return f"{self._instant} requests without any call time passing"

    def _count_instant(self) -> None:
        now = self.clock.now()
        self._instant = self._instant + 1 if now == self._last_fetch_t else 0
        self._last_fetch_t = now


def transfer_cause(activity: Any) -> str:
    """Which verb asked for a document, in words for the loop warnings: an empty ``<Redirect/>`` asks for
    its own document again (§1.6), and so does a Gather, Record or Dial without ``action`` (§2.10)."""
    el = getattr(activity, "el", None)
    if el is None:
        return ""
    tag = el.tag
    if tag == "Redirect":
        if not (el.text or "").strip():
            return "an empty <Redirect/>, which requests its own document again"
        return "a <Redirect>"
    if tag in ("Gather", "Record", "Dial") and el.get("action") is None:
        return f"a <{tag}> without action, which sends its result to its own document"
    return f"the action of a <{tag}>"
