"""What a running verb is, what it can end with, and what it may use of its call.

The call engine runs one :class:`Activity` at a time (a verb that takes time, or one that ends at once) and
hands it a :class:`CallContext`: the few services of the call a verb needs. Verbs import only this module,
never the engine, so the engine can import every verb at the top and a verb can be tested against a small
fake context with a virtual clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from ivr_studio.runtime.audio import VoiceIO
    from ivr_studio.runtime.callbacks import Background
    from ivr_studio.runtime.clock import Clock
    from ivr_studio.runtime.events import DialOutcome, Event
    from ivr_studio.runtime.http_client import FetchResult
    from ivr_studio.runtime.params import CallIdentity
    from ivr_studio.runtime.settings import RuntimeSettings
    from ivr_studio.runtime.status_callbacks import WallClock
    from ivr_studio.runtime.trace import Trace
    from ivr_studio.runtime.world import World
    from ivr_studio.twiml.diagnostics import Diagnostic


@dataclass(frozen=True)
class Outcome:
    """A verb ends the document: request ``url`` (transfer) or hang up with ``status``."""

    kind: str  # "transfer" | "hangup"
    url: str = ""
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    status: str = "completed"
    reason: str = ""


class Activity(Protocol):
    """A running verb. It reports its end once with ``CallContext.verb_done`` (``None``: the next verb)."""

    def start(self) -> None:
        """Begin; may report the end at once (Redirect, Hangup)."""
        ...

    def wants(self, event: Event) -> bool:
        """Whether the verb takes this caller event now (a key outside a Gather is not wanted, §1.8)."""
        ...

    def on_event(self, event: Event) -> None:
        """Handle an event :meth:`wants` accepted."""
        ...

    def stop(self) -> None:
        """Stop now without reporting an end (the call is over, or the engine moves on)."""
        ...

    def on_caller_hangup(self) -> None:
        """The caller hung up while this verb ran (before :meth:`stop`): send what Twilio sends then."""
        ...


class CallContext(Protocol):
    """What a verb uses of its call: the clock, settings, voice I/O, trace, document URL and a few services."""

    clock: Clock
    settings: RuntimeSettings
    voice: VoiceIO
    trace: Trace
    #: The current document URL, which relative URLs resolve against (§1.6).
    doc_url: str | None
    answered: bool
    #: Who calls whom (the parent leg's standard parameters).
    identity: CallIdentity
    #: The date each callback reports as its Timestamp.
    wall: WallClock
    #: The conference rooms and call queues around the call.
    world: World

    def warn(self, code: str | int, message: str) -> None:
        """Put a warning in the trace."""
        ...

    def report_error(self, diagnostic: Diagnostic | None) -> None:
        """Put an error in the trace (the call goes on)."""
        ...

    def fetch_media(self, url: str) -> FetchResult:
        """GET media for ``<Play>`` (no call parameters, §4.2)."""
        ...

    def fetch_document(
        self, url: str, method: str, params: dict[str, str], what: str, leg: str
    ) -> FetchResult:
        """Fetch a document a verb runs inside itself (a ``waitUrl`` …) with exactly ``params``; its trace
        record names ``what`` it is for and the ``leg`` it runs on."""
        ...

    def send_callback(
        self,
        url: str,
        method: str,
        params: dict[str, str],
        *,
        kind: str = "partialResultCallback",
        with_call_params: bool = True,
        keep: bool = False,
    ) -> None:
        """An asynchronous webhook whose response is ignored: ``params`` added to the call's standard
        parameters (unless ``with_call_params`` is false); ``kind`` names it in the trace; ``keep`` sends it
        even when the call ends first."""
        ...

    def in_background(self, job: Callable[[Background], None]) -> None:
        """Run slow work (a transcription) off the clock's thread on a live call, at once on virtual time;
        the job reaches the trace and sends callbacks through its :class:`Background` argument."""
        ...

    def params(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The call's standard parameters (§3) as they are now, plus ``extra``."""
        ...

    def request_ignored(self, url: str, method: str, extra: dict[str, str]) -> None:
        """A request sent now, with the call parameters plus ``extra``, whose response is ignored."""
        ...

    def take_pending_dial(self) -> DialOutcome | None:
        """The dialled party's behaviour posted before the Dial started (once)."""
        ...

    def verb_done(self, activity: Activity, outcome: Outcome | None) -> None:
        """The activity is over: ``None`` runs the next verb, an :class:`Outcome` transfers or hangs up."""
        ...

    def application_error(self, diagnostic: Diagnostic | None = None) -> None:
        """Twilio's application-error message, then hang up (§5.2)."""
        ...
