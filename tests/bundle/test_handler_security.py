"""X-Twilio-Signature checks (spec §6), proxy awareness, production start-up rules and the request size limit."""

from __future__ import annotations

import pytest
from handler_helpers import CALL, app_for, clinic_flow
from twilio.request_validator import RequestValidator

from ivr_studio.bundle.handler import ConfigError

TOKEN = "12345-test-auth-token"


def sign(url: str, params: dict[str, str] | None = None, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params or {})


@pytest.fixture
def guarded():
    return app_for(clinic_flow(), auth_token=TOKEN).test_client()


def test_a_signed_request_passes(guarded):
    url = "http://localhost/node/menu/result?attempt=1"
    params = {**CALL, "Digits": "1"}
    response = guarded.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})
    assert response.status_code == 200
    assert response.headers["X-IVR-Node"] == "appts"


def test_a_signed_get_with_parameters_in_the_query_passes(guarded):
    url = "http://localhost/voice?CallSid=CA1&From=%2B15005550006"
    response = guarded.get(url, headers={"X-Twilio-Signature": sign(url)})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda url, params, headers: (url, {**params, "Digits": "2"}, headers), id="changed-param"
        ),
        pytest.param(lambda url, params, headers: (url, {**params, "Extra": "x"}, headers), id="added-param"),
        pytest.param(
            lambda url, params, headers: (url.replace("attempt=1", "attempt=3"), params, headers),
            id="changed-query",
        ),
        pytest.param(lambda url, params, headers: (url, params, {}), id="missing-header"),
        pytest.param(
            lambda url, params, headers: (url, params, {"X-Twilio-Signature": sign(url, params, "other")}),
            id="wrong-token",
        ),
        pytest.param(
            lambda url, params, headers: (url, params, {"X-Twilio-Signature": "not base64 at all!"}),
            id="garbage-header",
        ),
    ],
)
def test_tampered_requests_are_refused(guarded, tamper):
    url = "http://localhost/node/menu/result?attempt=1"
    params = {**CALL, "Digits": "1"}
    headers = {"X-Twilio-Signature": sign(url, params)}
    url, params, headers = tamper(url, params, headers)
    response = guarded.post(url, data=params, headers=headers)
    assert response.status_code == 403
    assert "X-IVR-Outcome" not in response.headers


def test_a_signature_for_another_url_is_refused(guarded):
    params = dict(CALL)
    response = guarded.post(
        "/voice", data=params, headers={"X-Twilio-Signature": sign("https://evil.example.com/voice", params)}
    )
    assert response.status_code == 403


def test_public_base_url_is_the_url_that_was_signed():
    client = app_for(
        clinic_flow(), auth_token=TOKEN, public_base_url="https://ivr.example.com/"
    ).test_client()
    params = dict(CALL)
    good = sign("https://ivr.example.com/voice", params)
    assert client.post("/voice", data=params, headers={"X-Twilio-Signature": good}).status_code == 200
    # the URL the app sees locally is not the one Twilio signed
    local = sign("http://localhost/voice", params)
    assert client.post("/voice", data=params, headers={"X-Twilio-Signature": local}).status_code == 403


def test_public_base_url_from_the_environment():
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": "https://ivr.example.com"}
    client = app_for(clinic_flow(), environ=env).test_client()
    url = "https://ivr.example.com/node/menu/result?attempt=1"
    params = {**CALL, "Digits": "2"}
    response = client.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})
    assert response.status_code == 200
    assert response.headers["X-IVR-Node"] == "nurse_line"


def test_forwarded_proto_and_host_are_honoured(guarded):
    params = dict(CALL)
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "abc123.ngrok.example",
        "X-Twilio-Signature": sign("https://abc123.ngrok.example/voice", params),
    }
    assert guarded.post("http://127.0.0.1:8000/voice", data=params, headers=headers).status_code == 200
    headers["X-Forwarded-Host"] = "other.example"
    assert guarded.post("http://127.0.0.1:8000/voice", data=params, headers=headers).status_code == 403


def test_the_default_port_may_or_may_not_be_in_the_signed_url(guarded):
    params = dict(CALL)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ivr.example.com"}
    for signed_url in ("https://ivr.example.com/voice", "https://ivr.example.com:443/voice"):
        headers["X-Twilio-Signature"] = sign(signed_url, params)
        assert guarded.post("/voice", data=params, headers=headers).status_code == 200


def test_without_a_token_signatures_are_not_required(clinic):
    assert clinic.post("/voice", data=CALL).status_code == 200


@pytest.mark.parametrize("env_value", ["production", "Production", "prod"])
def test_production_refuses_to_start_without_a_token(env_value):
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        app_for(clinic_flow(), environ={"IVR_ENV": env_value})
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        app_for(clinic_flow(), environ={"IVR_ENV": env_value, "TWILIO_AUTH_TOKEN": "  "})


def test_production_starts_with_a_token():
    app = app_for(clinic_flow(), environ={"IVR_ENV": "production", "TWILIO_AUTH_TOKEN": TOKEN})
    assert app.test_client().post("/voice", data=CALL).status_code == 403


def test_a_malformed_public_base_url_is_refused_at_start():
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        app_for(clinic_flow(), environ={"PUBLIC_BASE_URL": "ivr.example.com"})


def test_oversized_requests_are_refused_without_a_traceback(clinic):
    response = clinic.post("/node/menu/result?attempt=1", data={"Digits": "1" * 70_000})
    assert response.status_code == 413
    assert b"Traceback" not in response.get_data()
    assert response.headers["X-IVR-Node"] == "(error)"


def test_a_bad_port_in_the_host_header_is_refused_not_crashed(guarded):
    params = dict(CALL)
    response = guarded.post(
        "/voice", data=params, headers={"Host": "x:notaport", "X-Twilio-Signature": "abc="}
    )
    assert response.status_code == 403


def test_a_path_prefix_in_public_base_url_is_refused_at_start(examples_dir):
    from ivr_studio.bundle.handler import ConfigError, create_app
    from ivr_studio.bundle.serve import source_for_target

    with pytest.raises(ConfigError, match="path prefix"):
        create_app(
            source_for_target(examples_dir / "support-line.ivrflow"),
            public_base_url="https://h.example.com/ivr",
        )


def test_the_signature_check_accepts_exactly_what_twilios_validator_accepts():
    """The check tries the URL as it came first; every answer must still be RequestValidator's own."""
    from werkzeug.datastructures import MultiDict

    from ivr_studio.bundle.handler.security import Settings, signature_ok

    settings = Settings("secret-token", None, False)
    form = MultiDict([*CALL.items(), ("Digits", "1"), ("Digits", "2")])
    urls = (
        "https://ivr.example.com/voice",
        "https://ivr.example.com:443/voice",
        "https://ivr.example.com:8443/voice",
        "http://127.0.0.1:8000/node/menu/result?noInput=true",
        "http://127.0.0.1/node/menu/result?noInput=true",
    )
    checked = 0
    for signed_url in urls:
        for token in ("secret-token", "another-token"):
            signature = RequestValidator(token).compute_signature(signed_url, form)
            for url in urls:
                expected = RequestValidator("secret-token").validate(url, form, signature)
                assert signature_ok(settings, url, form, signature) is expected, (signed_url, token, url)
                checked += expected
    assert checked == 9  # each URL its own signature (5); a port taken away (3); the default port added (1)


def test_a_repeated_parameter_is_signed_with_all_its_values(guarded):
    url = "http://localhost/node/menu/result"
    pairs = [*CALL.items(), ("Digits", "1"), ("Digits", "2")]
    from werkzeug.datastructures import MultiDict

    signature = sign(url, MultiDict(pairs))
    headers = {"X-Twilio-Signature": signature}
    assert guarded.post(url, data=MultiDict(pairs), headers=headers).status_code == 200
    assert guarded.post(url, data=MultiDict(pairs[:-1]), headers=headers).status_code == 403
