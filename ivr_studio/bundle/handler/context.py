"""What the handler brings to every request of a dynamic flow: its clock, back-end, environment, evaluators.

Built once when the app boots (``create_app(..., clock=None, backend=None)``): the deployed handler reads
the real time and makes real back-end requests; a local test call (``ivr-studio call --at … --backend …``)
injects a clock set to the scenario's date and a stub back-end. The values a template reads are assembled
per request by :meth:`Context.call` from Twilio's parameters and the call's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from .backend import Backend, HttpBackend
from .data import BundleError, Flow, Node
from .kinds import KINDS
from .logic import Call, LogicError
from .state import CallState
from .templates import TemplateError
from .walk import MARGIN_SECONDS, WEBHOOK_BUDGET_SECONDS

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class Context:
    """The flow's evaluators and what they need from outside the request."""

    def __init__(
        self,
        flow: Flow,
        *,
        clock: Clock | None = None,
        backend: Backend | None = None,
        environ: Mapping[str, str] | None = None,
        trace_lookups: bool = False,
    ) -> None:
        self.flow = flow
        self.clock = clock or system_clock
        #: Report each back-end request (URL, status, the start of its answer) in ``X-IVR-Lookups``, each
        #: logic step in ``X-IVR-Steps`` and the call's variables in ``X-IVR-Vars``: for local test calls
        #: only, since URLs, answers and variables may hold account numbers or tokens.
        self.trace_lookups = trace_lookups
        self.backend = backend or HttpBackend()
        self.env = {name: str((environ or {}).get(name, "")) for name in flow.env}
        self.defaults = {v.name: v.default for v in flow.variables.values()}
        self.limits = {v.name: v.max_length for v in flow.variables.values()}
        self.evaluators: dict[str, Any] = {}
        for node in flow.nodes.values():
            build = KINDS[node.kind].evaluator if node.kind in KINDS else None
            if build is None:
                continue
            try:
                self.evaluators[node.id] = build(node.id, node.config, node.calendar)
            except (LogicError, TemplateError) as exc:
                raise BundleError(str(exc)) from None
            except (KeyError, TypeError, AttributeError, ValueError):
                raise BundleError(f"node {node.id!r}: its configuration is malformed") from None

    def call(self, state: CallState, params: Mapping[str, str]) -> Call:
        """The logic nodes' view of this request of the call (its variables are the state's own)."""
        now = self.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        identity = {
            "from": str(params.get("From", "")),
            "to": str(params.get("To", "")),
            "sid": str(params.get("CallSid", "")),
            "digits": str(params.get("Digits", "")),
            "speech": str(params.get("SpeechResult", "")),
        }

        def values() -> dict[str, Any]:
            return {
                "call": identity,
                "vars": {**self.defaults, **state.vars},
                "steps": state.steps,
                "env": self.env,
                "now": now.isoformat(),
                "language": self.flow.language,  # a logic node speaks the flow's language
            }

        return Call(
            values,
            state.vars,
            state.steps,
            now,
            self.backend,
            WEBHOOK_BUDGET_SECONDS - MARGIN_SECONDS,
            self.limits,
            explain=self.trace_lookups,
        )

    def capture(self, menu: Node, state: CallState, params: Mapping[str, str]) -> None:
        """Keep what the caller entered in the menu's capture variable (cut to its maximum length); the
        router calls it only for input the menu accepted (a branch, or its ``captured`` exit)."""
        if not menu.capture:
            return
        entered = str(params.get("Digits") or params.get("SpeechResult") or "").strip()
        if entered:
            state.vars[menu.capture] = entered[: self.limits.get(menu.capture, 64)]
