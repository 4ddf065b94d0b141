"""What a test call of the flow sets beyond the flow: when it happens and what the back-end answers.

The test-call panel's "Call at" and "Back-end" sections produce a :class:`CallOptions`; the controller
serves the flow with it (the handler's clock starts at ``at`` in ``tz`` and moves with the call; Look ups
are answered by the stubs), and "Save call as test" writes it into the scenario as ``at:``, ``tz:`` and
``backend:`` so ``ivr-studio test`` replays the call under the same conditions. Pure Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The stub a saved test ends its list with when the call let no request go out: the replay's requests
#: that no stub answers fail too (a scenario's stubs otherwise let such requests go out for real).
NOTHING_ELSE = {"url": "*", "fail": "connection"}


@dataclass(frozen=True)
class CallOptions:
    """``at`` (``2026-12-24T18:30``, None: now) in ``tz`` (IANA name, None: UTC); ``stubs`` in their file
    form (the mappings ``backend:`` holds); ``requests_go_out``: whether a request no stub answers is made
    for real (else it fails, as a back-end that cannot be reached)."""

    at: str | None = None
    tz: str | None = None
    stubs: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    requests_go_out: bool = True

    @property
    def stubbed(self) -> bool:
        """Whether the call's back-end is not simply the real one."""
        return bool(self.stubs) or not self.requests_go_out

    def serve_options(self) -> dict[str, Any]:
        """The target options ``bundle.serve.options_from`` reads (``at``, ``tz``, ``backend``)."""
        out: dict[str, Any] = {}
        if self.at:
            out["at"] = self.at
            if self.tz:
                out["tz"] = self.tz
        if self.stubbed:
            out["backend"] = [dict(s) for s in self.stubs]
        return out

    def scenario_options(self) -> dict[str, Any]:
        """What a saved test writes at its top level so its replay meets the same time and back-end."""
        out = self.serve_options()
        if "backend" in out and not self.requests_go_out:
            out["backend"] = [*out["backend"], dict(NOTHING_ELSE)]
        return out
