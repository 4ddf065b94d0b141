"""The app's three routes: ``/voice`` (the entry), ``/node/<id>`` (a node's TwiML), ``/node/<id>/result``.

The result route answers a Gather's, Dial's or Record's action request with the *next node's TwiML
directly*, not with an HTTP redirect: a 301/302/303 would turn Twilio's POST into a GET and drop
``Digits`` (spec §2.11), and skipping the round trip saves the caller a fetch.

Every response names the node whose TwiML it carries in ``X-IVR-Node`` (a pseudo id in parentheses for
canned replies: ``(goodbye)``, ``(hangup)``, ``(error)``) and what happened in ``X-IVR-Outcome``. Anything
odd the caller's side sends (an unknown node, a flood of digits) is answered with sensible TwiML and one log
line saying why; no request ends in a 500. What a call remembers between requests (a menu's failed attempts)
is read from and written back to its state cookie (:mod:`.state`); a cookie that was tampered with, belongs
to another call or is oversized is refused with 403, like a bad signature.

The routes are served by :class:`~.dispatch.Dispatcher` in front of the Flask app (and by the Flask app
for anything else): each :class:`Router` method takes the request it answers.

For local test calls (``trace_lookups``) the answer also reports what the handler did on the way, for the
trace: ``X-IVR-Steps`` (each logic step: node, kind, exit and which case matched, which interval applied,
what the back-end answered), ``X-IVR-Lookups`` (each back-end request) and ``X-IVR-Vars`` (the call's
variables and kept results afterwards).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from . import steplog
from .context import Context
from .data import BundleError, Flow
from .dispatch import Dispatcher, HandlerResponse
from .documents import (
    APOLOGY,
    GOODBYE,
    HANGUP,
    Documents,
    apology_document,
    goodbye_document,
    hangup_document,
)
from .kinds import KINDS, Answer
from .retries import Step
from .security import Settings, public_url, signature_ok
from .state import COOKIE_NAME, MAX_AGE_SECONDS, CallState, StateCodec, StateRefused, StateTooLarge
from .templates import TemplateError
from .walk import Walk, walk

ENTRY_PATH = "/voice"
MAX_HEADER = 4000
TWIML_TYPE = "text/xml; charset=utf-8"
#: The longest value of a header the app sets from what a request carried (outcome names, node ids).
MAX_HEADER_CHARS = 120
#: The longest ``detail`` of a logic step reported in ``X-IVR-Steps`` (which case matched, and why).
MAX_DETAIL = 160


def header_value(text: str) -> str:
    """``text`` fit for a response header: printable ASCII only (a CR or LF from a request parameter must
    never split the header), cut to :data:`MAX_HEADER_CHARS`."""
    if len(text) <= MAX_HEADER_CHARS and text.isascii() and text.isprintable():
        return text  # node ids and outcome names: the usual case, already safe
    safe = "".join(c if " " <= c <= "~" else "?" for c in text[: MAX_HEADER_CHARS + 1])
    return safe if len(safe) <= MAX_HEADER_CHARS else safe[: MAX_HEADER_CHARS - 3] + "..."


def twilio_params(req: Request) -> dict[str, str]:
    """Twilio's request parameters: the POST body, or the query string for GET (spec §3).

    A plain dict (each name's first value): most names the handler asks for are absent from a given
    request (``SpeechResult`` on a key press), and a werkzeug MultiDict builds an exception per miss."""
    return (req.form if req.method == "POST" else req.args).to_dict()


class Router:
    """Turns requests into TwiML for one flow. Holds nothing per call: what a call remembers is in its cookie."""

    def __init__(self, flow: Flow, settings: Settings, codec: StateCodec, context: Context):
        for node in flow.nodes.values():
            if node.kind not in KINDS:
                raise BundleError(
                    f"node {node.id!r}: {node.kind[:30]!r} is not a kind of node this handler knows"
                )
            if KINDS[node.kind].family == "verb" and node.id not in flow.documents:
                raise BundleError(f"node {node.id!r} has no TwiML document")
        self.flow = flow
        self.settings = settings
        self.codec = codec
        self.context = context
        self.documents = Documents(flow.documents)
        self._goodbye = goodbye_document()
        self._hangup = hangup_document()
        self._apology = apology_document(ENTRY_PATH if flow.start else None)

    # ------------------------------------------------------------------ call state
    def read_state(self, req: Request, params: Mapping[str, str]) -> CallState:
        """This call's state from its cookie (fresh when it has none); raises StateRefused."""
        call_sid = str(params.get("CallSid", ""))[:64]
        if "HTTP_COOKIE" not in req.environ:
            return CallState(call_sid)  # the call's first requests, and every one that changed nothing
        return self.codec.decode(req.cookies.get(COOKIE_NAME), call_sid)

    def write_state(self, req: Request, response: Response, state: CallState) -> Response:
        """Send the state back in the cookie (or clear the cookie once there is nothing to remember).

        A state that is what the request's cookie already held is not sent again: Twilio keeps the
        cookie for the call, so re-encoding and re-signing it would only repeat the same bytes. Local test
        calls also get the call's variables in ``X-IVR-Vars`` on every answer, changed or not."""
        if self.context.trace_lookups:
            self._state_header(response, state)
        if state.is_empty():
            if "HTTP_COOKIE" in req.environ and COOKIE_NAME in req.cookies:
                response.delete_cookie(COOKIE_NAME, path="/", httponly=True)
            return response
        if state.unchanged():
            return response
        # The value is URL-safe base64 and dots, so it needs no quoting; Max-Age alone bounds its life.
        response.headers.add(
            "Set-Cookie",
            f"{COOKIE_NAME}={self.codec.encode(state)}; HttpOnly; Max-Age={MAX_AGE_SECONDS}; Path=/",
        )
        return response

    def _state_header(self, response: Response, state: CallState) -> None:
        """For local test calls: the call's state after this request — variables, kept step results and
        menu attempts — in ``X-IVR-Vars`` (``{"vars": {...}, "steps": {...}, "attempts": {...}}``), so the
        test-call panel and the call debugger can show it (they read it through the runtime's
        ``handler_report``). When it does not fit in a header, the step results are left out, then the
        values are cut."""
        shown: dict[str, Any] = {"vars": state.vars, "steps": state.steps, "attempts": state.attempts}
        text = json.dumps(shown, ensure_ascii=True, separators=(",", ":"))
        if len(text) > MAX_HEADER:
            cut_vars = {name: value[:40] for name, value in state.vars.items()}
            cut = {"vars": cut_vars, "attempts": state.attempts, "cut": True}
            text = json.dumps(cut, ensure_ascii=True, separators=(",", ":"))
        if len(text) <= MAX_HEADER:
            response.headers["X-IVR-Vars"] = text

    def refuse_state(self, req: Request, params: Mapping[str, str], why: str) -> Response:
        """A state cookie that cannot be trusted: 403, and the cookie cleared (the caller hears Twilio's error)."""
        steplog.emit(
            "refused",
            logging.WARNING,
            call_sid=params.get("CallSid"),
            path=req.path[:200],
            note=f"state cookie refused: {why}",
        )
        resp = HandlerResponse("Forbidden: the call's state cookie cannot be used.\n", 403)
        resp.headers["X-IVR-Node"] = "(forbidden)"
        resp.delete_cookie(COOKIE_NAME, path="/", httponly=True)
        return resp

    # ------------------------------------------------------------------ responses
    def _twiml(
        self, body: bytes, node: str, outcome: str, status: int = 200, exit_taken: str | None = None
    ) -> Response:
        headers = [("X-IVR-Node", header_value(node)), ("X-IVR-Outcome", header_value(outcome))]
        if exit_taken:
            headers.append(("X-IVR-Exit", header_value(exit_taken)))
        return HandlerResponse(body, status=status, headers=headers, content_type=TWIML_TYPE)

    def _log(
        self,
        route: str,
        node: str | None,
        outcome: str,
        shown: str,
        level: int = logging.INFO,
        params: Mapping[str, str] | None = None,
        **kw: Any,
    ):
        steplog.emit(
            "step",
            level,
            call_sid=None if params is None else params.get("CallSid"),
            route=route,
            node=node,
            outcome=outcome,
            next=shown,
            **kw,
        )

    def apology(
        self,
        route: str,
        node: str | None,
        why: str,
        walked: Walk | None = None,
        exit_taken: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Response:
        self._log(route, node, "error", APOLOGY, logging.WARNING, params, note=why)
        response = self._twiml(self._apology, APOLOGY, "error", exit_taken=exit_taken)
        if walked is not None:
            self._path_headers(response, walked)
        return response

    def render(
        self,
        req: Request,
        step: Step,
        route: str,
        source: str | None,
        state: CallState,
        params: Mapping[str, str],
        attempt: int | None = None,
    ) -> Response:
        """Answer with the step's node: logic nodes are walked first, then the verb node's TwiML (rendered
        when it holds templates), or goodbye / hang-up when the call has nowhere to go.

        The call's template values (clock, caller, variables) are only assembled when a logic node or a
        templated document needs them: a static menu's answer is its exported bytes."""
        call = None
        if step.node in self.context.evaluators:
            call = self.context.call(state, params)
            walked = walk(self.flow, step.node, self.context.evaluators, call)
        else:
            walked = Walk(step.node)
        exit_taken = f"{source} {step.exit}" if source and step.exit else None
        if walked.error is not None:
            response = self.apology(route, source, walked.error, walked, exit_taken, params)
            return self._with_state(req, response, state, route, source, params)
        if walked.node is None:
            goodbye = step.goodbye and not walked.hops
            body, shown = (self._goodbye, GOODBYE) if goodbye else (self._hangup, HANGUP)
        else:
            shown = walked.node
            if self.documents.is_dynamic(shown):
                if call is None:
                    call = self.context.call(state, params)
                try:
                    body = self.documents.render(shown, call.values())
                except TemplateError as exc:
                    response = self.apology(route, source, str(exc), walked, exit_taken, params)
                    return self._with_state(req, response, state, route, source, params)
            else:
                body = self.documents.static(shown)
        note = "; ".join(filter(None, [step.note, *(h.detail for h in walked.hops if h.notice)])) or None
        level = logging.WARNING if note else logging.INFO
        path = ", ".join(f"{h.node} {h.exit}" for h in walked.hops) or None
        self._log(route, source, step.outcome, shown, level, params, attempt=attempt, note=note, logic=path)
        response = self._twiml(body, shown, step.outcome, exit_taken=exit_taken)
        if path is not None:
            response.headers["X-IVR-Path"] = path[:MAX_HEADER]
        self._trace_headers(response, walked)
        return self._with_state(req, response, state, route, source, params)

    def _with_state(
        self,
        req: Request,
        response: Response,
        state: CallState,
        route: str,
        source: str | None,
        params: Mapping[str, str],
    ) -> Response:
        """``response`` with the call's state in its cookie; when the state has outgrown the cookie (a
        caller's words in a script of three bytes a character can exceed what the validator assumed),
        the apology instead, and the cookie cleared: the call starts again with nothing to remember."""
        try:
            return self.write_state(req, response, state)
        except StateTooLarge as exc:
            apology = self.apology(route, source, f"the call's state cannot be kept: {exc}", params=params)
            apology.delete_cookie(COOKIE_NAME, path="/", httponly=True)
            return apology

    def _path_headers(self, response: Response, walked: Walk) -> None:
        """``X-IVR-Path`` (the logic hops) and, for local test calls, ``X-IVR-Lookups`` (the back-end
        requests), for traces."""
        if walked.hops:
            response.headers["X-IVR-Path"] = ", ".join(f"{h.node} {h.exit}" for h in walked.hops)[:MAX_HEADER]
        self._trace_headers(response, walked)

    def _trace_headers(self, response: Response, walked: Walk) -> None:
        """For local test calls only: ``X-IVR-Steps`` (each logic hop with its kind and what decided it)
        and ``X-IVR-Lookups`` (the back-end requests)."""
        if walked.hops and self.context.trace_lookups:
            steps = [
                {
                    "node": h.node,
                    "kind": self.flow.nodes[h.node].kind,
                    "exit": h.exit,
                    "detail": h.detail[:MAX_DETAIL],
                }
                for h in walked.hops
            ]
            text = json.dumps(steps, ensure_ascii=True, separators=(",", ":"))
            if len(text) > MAX_HEADER:  # a long walk: the latest steps are the ones that decided
                while steps and len(text) > MAX_HEADER:
                    steps = steps[len(steps) // 4 + 1 :]
                    text = json.dumps(steps, ensure_ascii=True, separators=(",", ":"))
            if steps:
                response.headers["X-IVR-Steps"] = text
        if walked.lookups and self.context.trace_lookups:
            text = json.dumps(walked.lookups, ensure_ascii=True, separators=(",", ":"))
            if len(text) <= MAX_HEADER:
                response.headers["X-IVR-Lookups"] = text

    def _state_or_refusal(self, req: Request, params: Mapping[str, str]) -> CallState | Response:
        try:
            return self.read_state(req, params)
        except StateRefused as exc:
            return self.refuse_state(req, params, str(exc))

    # ------------------------------------------------------------------ routes
    def voice(self, req: Request) -> Response:
        params = twilio_params(req)
        if self.flow.start is None:
            return self.apology("voice", None, "the flow has no start node", params=params)
        state = self._state_or_refusal(req, params)
        if isinstance(state, Response):
            return state
        return self.render(req, Step(self.flow.start, "start"), "voice", None, state, params)

    def node(self, req: Request, node_id: str) -> Response:
        params = twilio_params(req)
        node = self.flow.nodes.get(node_id)
        if node is None:
            return self.apology("node", node_id[:64], "unknown node", params=params)
        state = self._state_or_refusal(req, params)
        if isinstance(state, Response):
            return state
        return self.render(req, Step(node.id, "node"), "node", node.id, state, params)

    def result(self, req: Request, node_id: str) -> Response:
        params = twilio_params(req)
        node = self.flow.nodes.get(node_id)
        if node is None:
            return self.apology("result", node_id[:64], "unknown node", params=params)
        state = self._state_or_refusal(req, params)
        if isinstance(state, Response):
            return state
        rule = KINDS[node.kind].result
        if rule is None:
            step = Step(node.id, "node", note=f"a {node.kind} node has no result; replaying it")
            return self.render(req, step, "result", node.id, state, params)
        attempt = None
        if node.is_gather:
            attempt = min(state.attempts.get(node.id, 0), node.max_attempts - 1) + 1
        answer = Answer(params, attempt or 1, req.args.get("noInput") == "true", self.flow.min_confidence)
        step = rule(node, answer)
        if node.is_gather:
            if step.failed_attempts:
                state.attempts[node.id] = step.failed_attempts
            else:
                state.attempts.pop(node.id, None)
            if step.accepted:  # a no-match's keys are not what the caller meant to enter
                self.context.capture(node, state, answer.params)
        return self.render(req, step, "result", node.id, state, params, attempt)

    # ------------------------------------------------------------------ refusals and errors
    def check_signature(self, req: Request) -> Response | None:
        """None when the request carries Twilio's valid signature (or none is needed), else the 403."""
        settings = self.settings
        url = public_url(req.environ, req.headers, settings)
        form = req.form if req.method == "POST" else None
        if signature_ok(settings, url, form, req.headers.get("X-Twilio-Signature")):
            return None
        reason = "missing" if "X-Twilio-Signature" not in req.headers else "invalid"
        steplog.emit(
            "refused",
            logging.WARNING,
            call_sid=twilio_params(req).get("CallSid"),
            path=req.path,
            note=f"{reason} X-Twilio-Signature for {url}",
        )
        resp = HandlerResponse("Forbidden: the X-Twilio-Signature does not match this request.\n", 403)
        resp.headers["X-IVR-Node"] = "(forbidden)"
        return resp

    def http_error(self, req: Request, exc: HTTPException) -> Response:
        """Unknown paths, wrong methods and oversized bodies keep their status, with TwiML a caller can hear."""
        steplog.emit("http_error", logging.WARNING, path=req.path[:200], status=exc.code, note=exc.name)
        resp = HandlerResponse(self._apology, exc.code or 400, content_type=TWIML_TYPE)
        resp.headers["X-IVR-Node"] = APOLOGY
        return resp

    def unexpected(self, req: Request, exc: Exception) -> Response:
        """A bug: one log line naming it, and the apology (never a 500 with a traceback)."""
        steplog.emit(
            "internal_error", logging.ERROR, path=req.path[:200], note=f"{type(exc).__name__}: {exc}"
        )
        resp = HandlerResponse(self._apology, 200, content_type=TWIML_TYPE)
        resp.headers["X-IVR-Node"] = APOLOGY
        resp.headers["X-IVR-Outcome"] = "error"
        return resp


def install(app: Flask, flow: Flow, settings: Settings, codec: StateCodec, context: Context) -> Router:
    """Register the routes, the signature check and the error replies on ``app``, and put the
    :class:`~.dispatch.Dispatcher` in front of it for the three routes."""
    router = Router(flow, settings, codec, context)
    # "/node//menu" must not be answered with a 308 to a merged path on whatever host the request named
    app.url_map.merge_slashes = False
    if settings.auth_token:
        app.before_request(lambda: router.check_signature(request))
    app.add_url_rule(ENTRY_PATH, "voice", lambda: router.voice(request), methods=["GET", "POST"])
    app.add_url_rule(
        "/node/<node_id>", "node", lambda node_id: router.node(request, node_id), methods=["GET", "POST"]
    )
    app.add_url_rule(
        "/node/<node_id>/result",
        "result",
        lambda node_id: router.result(request, node_id),
        methods=["GET", "POST"],
    )
    app.register_error_handler(HTTPException, lambda exc: router.http_error(request, exc))
    app.register_error_handler(Exception, lambda exc: router.unexpected(request, exc))
    app.wsgi_app = Dispatcher(router, app.wsgi_app, check_signatures=bool(settings.auth_token))  # type: ignore[method-assign]
    return router
