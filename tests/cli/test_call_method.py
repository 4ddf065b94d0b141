"""The Voice URL's method: ``ivr-studio call --method GET`` and ``--fallback-method``, and ``method:`` /
``fallback_method:`` in scenario files, against a GET-only Flask app on a real HTTP server on 127.0.0.1
(like Twilio's automated-survey sample, whose Voice URL answers GET only).

Spec rows: §1.1 (the Voice URL is requested "with the configured method"), §1.2 (for GET every parameter
goes in the query string), §5.2 and row 32 (the fallback URL gets ErrorCode and ErrorUrl), rows 15 and 43
(a GET request is signed over its full URL with no body parameters).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from ivr_studio.cli import main
from ivr_studio.runtime.trace import read_jsonl

TOKEN = "survey-token"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def survey_app(seen: list[tuple[str, str, dict, bool]]) -> Flask:
    """A survey whose Voice URL (and fallback) answer GET only; each request notes whether it was signed."""
    app = Flask("survey")

    def twiml(body: str) -> Response:
        return Response(f"<Response>{body}</Response>", mimetype="text/xml")

    def note() -> None:
        params = request.args.to_dict() if request.method == "GET" else request.form.to_dict()
        query = request.environ.get("QUERY_STRING", "")  # as sent: request.url would decode %3A and %2F
        url = request.host_url.rstrip("/") + request.path + (f"?{query}" if query else "")
        signed = RequestValidator(TOKEN).validate(
            url, {} if request.method == "GET" else request.form, request.headers["X-Twilio-Signature"]
        )
        seen.append((request.method, request.path, params, signed))

    @app.get("/survey")
    def survey() -> Response:
        note()
        return twiml(
            "<Say>Thank you for taking our survey.</Say>"
            '<Gather action="/answer" numDigits="1"><Say>Rate us from 1 to 5.</Say></Gather>'
        )

    @app.post("/answer")
    def answer() -> Response:
        note()
        return twiml(f"<Say>You gave us {request.form['Digits']}.</Say><Hangup/>")

    @app.route("/broken", methods=["GET", "POST"])
    def broken() -> Response:
        note()
        return Response("oops", status=500)

    return app


@pytest.fixture
def server() -> Iterator[tuple[str, list]]:
    seen: list[tuple[str, str, dict, bool]] = []
    httpd = make_server("127.0.0.1", 0, survey_app(seen), server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


def _script(tmp_path: Path) -> str:
    path = tmp_path / "script.json"
    path.write_text(
        json.dumps({"steps": [{"wait_for": "listening"}, {"press": "4"}, {"wait_for": "hangup"}]})
    )
    return str(path)


def test_a_get_voice_url_is_requested_with_get_and_its_parameters_in_the_query(server, tmp_path, capsys):
    base, seen = server
    trace = tmp_path / "trace.jsonl"
    argv = ["call", f"{base}/survey", "--method", "get", "--auth-token", TOKEN, "--script", _script(tmp_path)]
    assert main([*argv, "--trace", str(trace), "--quiet"]) == 0, capsys.readouterr().err
    (method, path, params, signed), answer = seen
    assert (method, path, signed) == ("GET", "/survey", True)
    assert params["CallStatus"] == "ringing" and params["CallSid"].startswith("CA")  # in the query (§1.2)
    assert answer[:2] == ("POST", "/answer") and answer[2]["Digits"] == "4" and answer[3] is True
    events = read_jsonl(trace.read_text().splitlines())
    first = next(e for e in events if e["event"] == "request")
    assert first["method"] == "GET" and first["status"] == 200
    assert "You gave us 4." in [e["text"] for e in events if e["event"] == "say"]


def test_the_default_post_meets_the_get_only_url_with_a_405(server, tmp_path, capsys):
    base, seen = server
    trace = tmp_path / "trace.jsonl"
    assert main(["call", f"{base}/survey", "--auth-token", TOKEN, "--trace", str(trace), "--quiet"]) == 1
    events = read_jsonl(trace.read_text().splitlines())
    first = next(e for e in events if e["event"] == "request")
    assert (first["method"], first["status"]) == ("POST", 405)
    assert [e["code"] for e in events if e["event"] == "error"] == ["11200"]
    assert seen == []  # Flask refused the POST before the view ran


def test_the_fallback_url_is_requested_with_its_own_method(server, tmp_path, capsys):
    base, seen = server
    argv = ["call", f"{base}/broken", "--auth-token", TOKEN, "--fallback-url", f"{base}/survey"]
    argv += ["--fallback-method", "GET", "--script", _script(tmp_path), "--quiet"]
    assert main(argv) == 0, capsys.readouterr().err
    assert [(m, p) for m, p, _, _ in seen] == [("POST", "/broken"), ("GET", "/survey"), ("POST", "/answer")]
    fallback = seen[1][2]
    assert fallback["ErrorCode"] == "11200" and fallback["ErrorUrl"] == f"{base}/broken"  # §5.2, row 32
    assert seen[1][3] is True


def test_a_bad_method_is_refused_before_the_call(server, capsys):
    base, seen = server
    with pytest.raises(SystemExit) as stopped:
        main(["call", f"{base}/survey", "--method", "PUT"])
    assert stopped.value.code == 2
    assert "argument --method: must be GET or POST, not 'PUT'" in capsys.readouterr().err
    assert main(["call", f"{base}/survey", "--fallback-method", "GET"]) == 2
    assert capsys.readouterr().err == "error: --fallback-method needs --fallback-url\n"
    assert seen == []


def test_scenario_files_name_the_voice_url_method_and_the_fallback_method(server, tmp_path, capsys):
    base, seen = server
    scenario = tmp_path / "survey.test.yaml"
    scenario.write_text(
        f"target: {base}/broken\nauth_token: {TOKEN}\nmethod: post\n"
        f"fallback_url: {base}/survey\nfallback_method: GET\n"
        "calls:\n  - name: rates 4\n    steps: [{wait_for: listening}, {press: '4'}]\n"
        "    expect_say: ['You gave us 4.']\n    expect_request: [{path: /survey, method: GET}]\n"
    )
    assert main(["test", str(scenario)]) == 0, capsys.readouterr().out
    assert [(m, p) for m, p, _, _ in seen] == [("POST", "/broken"), ("GET", "/survey"), ("POST", "/answer")]
    scenario.write_text(scenario.read_text().replace("method: post", "method: PUT"))
    assert main(["test", str(scenario)]) == 2
    assert f"ERROR {scenario}: method must be GET or POST, not 'PUT'" in capsys.readouterr().out
