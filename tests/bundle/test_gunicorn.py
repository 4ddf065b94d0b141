"""The exported bundle under real gunicorn on loopback, as it would run behind a Twilio number."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_helpers import clean_env, server_log, start_gunicorn, stop, wait_until_up
from twilio.request_validator import RequestValidator

from ivr_studio.bundle.export import export_bundle
from ivr_studio.flow import load_flow

pytestmark = pytest.mark.slow
TOKEN = "gunicorn-test-token"


def request(url: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None):
    data = urllib.parse.urlencode(form or {}).encode()
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    flow = load_flow(Path(__file__).resolve().parents[2] / "resources" / "examples" / "support-line.ivrflow")
    return export_bundle(flow, tmp_path_factory.mktemp("gunicorn") / "support-line")


@pytest.fixture(scope="module")
def server(bundle) -> Iterator[str]:
    proc, base = start_gunicorn(bundle, clean_env(bundle))
    try:
        wait_until_up(proc, base)
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def guarded_server(bundle) -> Iterator[str]:
    proc, base = start_gunicorn(bundle, clean_env(bundle, TWILIO_AUTH_TOKEN=TOKEN, IVR_ENV="production"))
    try:
        wait_until_up(proc, base)
        yield base
    finally:
        stop(proc)


def test_voice_and_a_branch_over_http(server):
    status, headers, body = request(f"{server}/voice", {"CallSid": "CA1"})
    assert status == 200
    assert headers["X-IVR-Node"] == "welcome"
    assert headers["Content-Type"].startswith("text/xml")
    assert body.startswith(b"<?xml")
    status, headers, _ = request(f"{server}/node/main_menu/result", {"CallSid": "CA1", "Digits": "2"})
    assert (status, headers["X-IVR-Node"]) == (200, "support_menu")
    status, headers, _ = request(
        f"{server}/node/main_menu/result",
        {"CallSid": "CA1", "SpeechResult": "I want billing please."},
    )
    assert (status, headers["X-IVR-Node"]) == (200, "billing_info")


def test_hostile_requests_over_http_are_not_500(server):
    for url, form in (
        ("/node/main_menu/result?attempt=abc", {"Digits": "9" * 4000}),
        ("/node/does-not-exist", {}),
        ("/node/sorry?retry_of=main_menu&attempt=-1", {}),
    ):
        status, headers, body = request(server + url, form)
        assert status == 200, (url, body)
        assert b"<Response>" in body


def test_signed_requests_pass_and_unsigned_are_refused(guarded_server):
    url = f"{guarded_server}/node/main_menu/result?attempt=1"
    form = {"CallSid": "CA1", "Digits": "1"}
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    status, headers, _ = request(url, form, {"X-Twilio-Signature": signature})
    assert (status, headers["X-IVR-Node"]) == (200, "to_sales")
    assert request(url, form)[0] == 403
    assert request(url, {**form, "Digits": "3"}, {"X-Twilio-Signature": signature})[0] == 403


def test_production_without_a_token_refuses_to_boot(bundle):
    proc, _ = start_gunicorn(bundle, clean_env(bundle, IVR_ENV="production"))
    try:
        proc.wait(timeout=30)
        stderr = server_log(proc)
    finally:
        stop(proc)
    assert proc.returncode != 0
    assert "TWILIO_AUTH_TOKEN is not set" in stderr
