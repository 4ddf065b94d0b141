"""The call debugger's runtime side: a call held on its clock at breakpoints and between steps.

A :class:`CallEngine` asks its ``gate`` twice per webhook exchange whether to go on:

* :meth:`CallDebugger.hold_request` — before a request for TwiML is sent, with the
  :class:`PendingRequest` (method, URL, the parameters it will carry, the node the call is at);
* :meth:`CallDebugger.hold_document` — when a response has arrived, before its TwiML runs, with the
  :class:`Arrival` (the node the response is for, from the handler's ``X-IVR-Node``).

A gate that holds keeps the engine's ``proceed`` callback and pauses the clock: call time stands still, no
timer fires (so no prompt starts, no Gather times out, the call's time limit waits too) and whatever the
caller does meanwhile waits in the clock's queue. :meth:`CallDebugger.resume` lets the held step go on —
to the next breakpoint (*continue*) or to the next request (*step*). The gate runs on the clock's thread;
``resume`` and the breakpoint setters are safe from any other thread (the editor's).

Breakpoints name nodes. A call reaches a node when a response for it arrives, so a breakpoint holds the call
there, before the node's TwiML runs; the request that brought it is the one shown. A logic node (Hours,
Decide, Set, Look up) is evaluated by the handler while it answers a request, so a breakpoint on one holds
the call when that answer arrives (the handler's ``X-IVR-Path`` names the logic it went through), before the
TwiML it led to runs. Stepping holds the call before each request it is about to send, so the request and its
parameters can be read before they leave. Calls of a URL work the same: an exported IVR Studio bundle names
its nodes in ``X-IVR-Node``; another app names none, and can still be stepped request by request.

Every arrival, held or not, is also reported to ``on_arrival``: it carries the call's state as the handler
reported it (its variables, for a local test call; see :mod:`.handler_report`), so a viewer can show them
for any moment of the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ivr_studio.runtime.clock import Clock
from ivr_studio.runtime.handler_report import CallValues

#: How much of a document an :class:`Arrival` keeps to show (bytes).
MAX_SHOWN_TWIML = 8000


@dataclass(frozen=True)
class PendingRequest:
    """A request for TwiML the call is about to send."""

    url: str
    method: str
    params: dict[str, str]  # what it will carry: the call's parameters and what the verb adds (Digits …)
    node: str | None  # the node the call is at (the last document's), None before the first
    t: float  # call time, seconds since the call began
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)  # host → the cookies it will send
    #: the document the call is in (its URL), None before the first: where a call of a URL whose app names
    #: no nodes stands
    document: str | None = None
    #: the verb of that document that asks for this request ("Gather", "Redirect" …; "" for the first)
    verb: str = ""


@dataclass(frozen=True)
class Arrival:
    """A response that has arrived and is about to run."""

    node: str | None  # the node it is for (``X-IVR-Node``), None when the app does not say
    url: str
    method: str
    params: dict[str, str]  # the parameters of the request that brought it
    status: int | None
    t: float
    #: the call's cookies, with those the response set
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the logic the handler went through on the way ("vip_check case:vip"), from ``X-IVR-Path``
    path: tuple[str, ...] = ()
    #: the back-end requests it made meanwhile (``X-IVR-Lookups``: node, method, url, status, outcome …)
    lookups: tuple[dict[str, Any], ...] = ()
    #: the start of the TwiML about to run
    twiml: str = ""
    #: the call's state after the request (variables, kept results, menu attempts), when the handler
    #: reports it (local test calls; see runtime.handler_report)
    values: CallValues | None = None


@dataclass(frozen=True)
class Pause:
    """Where a held call stands: ``reason`` is "breakpoint" (it reached ``node``, see ``arrival``) or
    "step" (it is about to send ``request``). ``via`` is the logic node whose breakpoint held it, when
    the breakpoint is on a logic node the handler went through on the way to ``node``."""

    reason: str
    t: float
    node: str | None
    request: PendingRequest | None = None
    arrival: Arrival | None = None
    via: str | None = None


def hop_node(hop: str) -> str:
    """The node of one ``X-IVR-Path`` hop ("vip_check case:vip" → "vip_check")."""
    return hop.partition(" ")[0]


class RequestGate(Protocol):
    """What the engine asks before a request and before a document runs (see the module docstring).

    Each returns True when it holds the call; it then calls ``proceed()`` (from any thread) to let it go on.
    """

    def hold_request(self, pending: PendingRequest, proceed: Callable[[], None]) -> bool: ...

    def hold_document(self, arrival: Arrival, proceed: Callable[[], None]) -> bool: ...


PauseListener = Callable[[Pause], None]
ArrivalListener = Callable[[Arrival], None]


class CallDebugger:
    """Breakpoints and stepping for one call (the engine's ``gate``).

    ``on_pause`` is called on the clock's thread each time the call is held (marshal it to a UI thread
    yourself); ``on_arrival`` with every response that arrives, held or not. ``step=True`` holds the call
    before its very first request.
    """

    def __init__(
        self,
        clock: Clock,
        breakpoints: Iterable[str] = (),
        on_pause: PauseListener | None = None,
        *,
        step: bool = False,
        on_arrival: ArrivalListener | None = None,
    ) -> None:
        self.clock = clock
        self.on_pause = on_pause
        self.on_arrival = on_arrival
        self._lock = threading.Lock()
        self._breakpoints = frozenset(breakpoints)
        self._step = step
        self._proceed: Callable[[], None] | None = None
        self.paused: Pause | None = None

    # ----- from any thread -----
    @property
    def breakpoints(self) -> frozenset[str]:
        return self._breakpoints

    def set_breakpoints(self, node_ids: Iterable[str]) -> None:
        """Hold the call when it reaches any of ``node_ids`` (replaces the previous set)."""
        self._breakpoints = frozenset(node_ids)

    def pause_at_next_request(self) -> None:
        """Hold the call before the next request it sends (the editor's Step while the call runs)."""
        with self._lock:
            self._step = True

    def resume(self, step: bool = False) -> bool:
        """Let a held call go on: to the next breakpoint, or with ``step`` to the next request. False when the
        call was not held."""
        with self._lock:
            proceed, self._proceed = self._proceed, None
            self._step = step
            self.paused = None
        if proceed is None:
            return False
        proceed()
        self.clock.resume()
        return True

    def abandon(self) -> None:
        """Forget a held step without running it (the call is being hung up) and let the clock go on."""
        with self._lock:
            self._proceed = None
            self.paused = None
            self._step = False
        self.clock.resume()

    # ----- the gate (on the clock's thread) -----
    def hold_request(self, pending: PendingRequest, proceed: Callable[[], None]) -> bool:
        with self._lock:
            if not self._step:
                return False
            self._step = False
        self._hold(Pause("step", pending.t, pending.node, request=pending), proceed)
        return True

    def hold_document(self, arrival: Arrival, proceed: Callable[[], None]) -> bool:
        if self.on_arrival is not None:
            self.on_arrival(arrival)
        breakpoints = self._breakpoints
        via = next((hop_node(h) for h in arrival.path if hop_node(h) in breakpoints), None)
        if via is None and (arrival.node is None or arrival.node not in breakpoints):
            return False
        self._hold(Pause("breakpoint", arrival.t, arrival.node, arrival=arrival, via=via), proceed)
        return True

    def _hold(self, pause: Pause, proceed: Callable[[], None]) -> None:
        with self._lock:  # the clock stops before resume() can see the step to let go
            self.clock.pause()
            self._proceed = proceed
            self.paused = pause
        if self.on_pause is not None:
            self.on_pause(pause)
