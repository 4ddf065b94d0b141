"""The app's WSGI entry: Twilio's requests to the three routes go straight to the router, the rest to Flask.

Every request of a call is one of ``/voice``, ``/node/<id>`` and ``/node/<id>/result`` with GET or POST.
For those, Flask's per-request machinery (the request and app contexts, URL matching, the before- and
after-request hooks, the session) cost more than the handler's own work, so :class:`Dispatcher` matches
the path itself, builds one werkzeug request (with the app's size limits), checks the signature and calls
the router, replying as the Flask routes would, with the same error replies. Anything else (another path
or method, a node id Flask's URL rules would not accept as it is) goes to the Flask app unchanged, whose
routes call the same router, so both ways give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Response
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

if TYPE_CHECKING:
    from .routes import Router

#: Twilio's own requests are a few kB; anything this big is not from Twilio.
MAX_REQUEST_BYTES = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_NODE = "/node/"
_RESULT = "/result"


class HandlerRequest(Request):
    """A request bounded like the Flask app's (``MAX_CONTENT_LENGTH``, ``MAX_FORM_MEMORY_SIZE``)."""

    max_content_length = MAX_REQUEST_BYTES
    max_form_memory_size = MAX_REQUEST_BYTES


class HandlerResponse(Response):
    """The app's responses: sent with their own headers when nothing in them needs fixing for the request.

    werkzeug copies (and re-checks) every header of every response just before sending it, to make a
    ``Location`` absolute and to fix ``Content-Length`` for 1xx, 204 and 304 answers. The handler's answers
    have no ``Location`` and a ``Content-Length`` already (their bodies are bytes), so the copy would
    change nothing; any response that does need it still gets it.
    """

    def get_wsgi_headers(self, environ: dict[str, Any]) -> Headers:
        headers = self.headers
        if (
            200 <= self.status_code < 600
            and self.status_code not in (204, 304)
            and "Content-Length" in headers
            and "Location" not in headers
            and "Content-Location" not in headers
        ):
            return headers
        return super().get_wsgi_headers(environ)


class Dispatcher:
    """WSGI middleware in front of the Flask app: serves the three routes through ``router`` directly."""

    def __init__(self, router: Router, fallback: WSGIApp, *, check_signatures: bool) -> None:
        self.router = router
        self.fallback = fallback
        self.check_signatures = check_signatures

    def _route(self, path: str) -> tuple[Callable[..., Any], tuple[str, ...]] | None:
        """The router method and its arguments for ``path``, or None for Flask to answer."""
        if path == "/voice":
            return self.router.voice, ()
        if not path.startswith(_NODE) or not path.isascii():
            return None
        rest = path[len(_NODE) :]
        if rest.endswith(_RESULT):
            node_id, method = rest[: -len(_RESULT)], self.router.result
        else:
            node_id, method = rest, self.router.node
        if not node_id or "/" in node_id:
            return None  # Flask's rules: a node id is one non-empty path segment
        return method, (node_id,)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        route = None
        if environ.get("REQUEST_METHOD") in ("GET", "POST"):
            route = self._route(environ.get("PATH_INFO", ""))
        if route is None:
            return self.fallback(environ, start_response)
        method, args = route
        req = HandlerRequest(environ)
        try:
            response = self.router.check_signature(req) if self.check_signatures else None
            if response is None:
                response = method(req, *args)
        except HTTPException as exc:
            response = self.router.http_error(req, exc)
        except Exception as exc:  # the Flask app's catch-all: the apology, never a 500
            response = self.router.unexpected(req, exc)
        return response(environ, start_response)
