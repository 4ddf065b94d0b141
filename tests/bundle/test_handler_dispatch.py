"""The dispatcher in front of the Flask app: the three routes answered directly, exactly as Flask would."""

from __future__ import annotations

import pytest
from handler_helpers import CALL, app_for, clinic_flow
from twilio.request_validator import RequestValidator
from werkzeug.test import Client

from ivr_studio.bundle.handler.dispatch import MAX_REQUEST_BYTES, Dispatcher

TOKEN = "dispatch-token"
BASE = "http://localhost"
SHOWN = ("Content-Type", "X-IVR-Node", "X-IVR-Outcome", "X-IVR-Exit", "X-IVR-Path", "Set-Cookie")


class Counting:
    """The Flask app, counting the requests that reach it."""

    def __init__(self, app):
        self.app = app
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


def clients(**kw):
    app = app_for(clinic_flow(), **kw)
    dispatcher = app.wsgi_app
    assert isinstance(dispatcher, Dispatcher)
    flask_only = Counting(dispatcher.fallback)
    dispatcher.fallback = flask_only
    return Client(dispatcher), Client(flask_only), flask_only


def answer(response) -> tuple:
    headers = tuple((name, response.headers.get(name)) for name in SHOWN)
    return response.status_code, response.get_data(), headers


def signed(path: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(BASE + path, form)}


REQUESTS = [
    ("POST", "/voice", CALL),
    ("GET", "/node/menu", {}),
    ("POST", "/node/menu/result", {**CALL, "Digits": "1"}),
    ("POST", "/node/menu/result", {**CALL, "Digits": "9"}),
    ("POST", "/node/menu/result", {**CALL, "SpeechResult": "talk to a nurse", "Confidence": "0.9"}),
    ("POST", "/node/no_such_node/result", CALL),
    ("POST", "/node/breath", CALL),
]


@pytest.mark.parametrize(("method", "path", "form"), REQUESTS)
def test_the_three_routes_answer_as_the_flask_routes_do_without_reaching_flask(method, path, form):
    direct, flask, counted = clients()
    data = form if method == "POST" else None
    query = form if method == "GET" else None
    ours = direct.open(path, method=method, data=data, query_string=query)
    theirs = flask.open(path, method=method, data=data, query_string=query)
    assert counted.calls == 1  # only the comparison request went through Flask
    assert answer(ours) == answer(theirs)
    assert ours.status_code == 200 and ours.headers["X-IVR-Node"]


def test_a_call_remembers_its_attempts_through_the_dispatcher():
    direct, flask, counted = clients()
    for client in (direct, flask):
        client.post("/node/menu/result", data={**CALL, "Digits": "9"})
    again = {**CALL, "Digits": "9"}
    ours, theirs = direct.post("/node/menu/result", data=again), flask.post("/node/menu/result", data=again)
    assert answer(ours) == answer(theirs)
    assert ours.headers["X-IVR-Outcome"] == "no_match" and "Set-Cookie" in ours.headers
    assert counted.calls == 2


def test_a_tampered_state_cookie_is_refused_alike():
    direct, flask, _ = clients()
    for client in (direct, flask):
        client.set_cookie("ivr_state", "1.eyJzaWQiOiJ4In0.bad", domain="localhost")
    ours = direct.post("/node/menu/result", data={**CALL, "Digits": "9"})
    theirs = flask.post("/node/menu/result", data={**CALL, "Digits": "9"})
    assert ours.status_code == 403 and answer(ours) == answer(theirs)


def test_signatures_are_checked_on_the_direct_way_too():
    direct, flask, counted = clients(auth_token=TOKEN)
    form = {**CALL, "Digits": "1"}
    for headers, status in (
        ({}, 403),
        ({"X-Twilio-Signature": "forged"}, 403),
        (signed("/node/menu/result", form), 200),
    ):
        ours = direct.post("/node/menu/result", data=form, headers=headers)
        theirs = flask.post("/node/menu/result", data=form, headers=headers)
        assert ours.status_code == status and answer(ours) == answer(theirs)
    assert counted.calls == 3


def test_an_oversized_body_is_refused_with_413_and_twiml():
    direct, flask, counted = clients()
    form = {**CALL, "SpeechResult": "x" * (MAX_REQUEST_BYTES + 1)}
    ours = direct.post("/node/menu/result", data=form)
    theirs = flask.post("/node/menu/result", data=form)
    assert ours.status_code == 413 and answer(ours) == answer(theirs)
    assert counted.calls == 1


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", "/voice", 405),
        ("GET", "/elsewhere", 404),
        ("POST", "/node//result", 404),
        ("POST", "/node/a/b", 404),
    ],
)
def test_other_requests_go_to_flask(method, path, status):
    direct, _flask, counted = clients()
    response = direct.open(path, method=method, data=CALL)
    assert response.status_code == status and response.headers["X-IVR-Node"] == "(error)"
    assert counted.calls == 1


def test_a_bug_in_a_route_is_the_apology_on_both_ways(monkeypatch):
    direct, flask, _ = clients()
    dispatcher = direct.application

    def broken(req, node_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(dispatcher.router, "result", broken)
    ours = direct.post("/node/menu/result", data=CALL)
    assert ours.status_code == 200 and ours.headers["X-IVR-Outcome"] == "error"
    assert b"<Redirect" in ours.get_data()


def test_responses_go_out_with_the_headers_werkzeug_would_send():
    """The handler's responses skip werkzeug's last copy of their headers only where it changes nothing."""
    from flask import Response
    from werkzeug.test import EnvironBuilder

    from ivr_studio.bundle.handler.dispatch import HandlerResponse

    environ = EnvironBuilder(path="/node/menu/result", method="POST").get_environ()
    twiml = HandlerResponse(b"<Response/>", 200, [("X-IVR-Node", "menu")], content_type="text/xml")
    twiml.headers.add("Set-Cookie", "ivr_state=1.x.y; HttpOnly; Max-Age=60; Path=/")
    moved = HandlerResponse(b"", 302)
    moved.headers["Location"] = "/voice"
    responses = [twiml, HandlerResponse("Forbidden\n", 403), HandlerResponse(b"", 204), moved]
    for response in responses:
        sent = response.get_wsgi_headers(environ).to_wsgi_list()
        assert sent == Response.get_wsgi_headers(response, environ).to_wsgi_list()
    assert dict(twiml.get_wsgi_headers(environ))["Content-Length"] == "11"
    assert dict(moved.get_wsgi_headers(environ))["Location"] == "/voice"
