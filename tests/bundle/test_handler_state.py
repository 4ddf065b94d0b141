"""The call-state cookie: what a call remembers, signed, size-capped and bound to its CallSid."""

from __future__ import annotations

import base64
import json

import pytest

from ivr_studio.bundle.handler.state import (
    MAX_COOKIE_BYTES,
    CallState,
    StateCodec,
    StateRefused,
    StateTooLarge,
    derive_key,
)

SID = "CA" + "1" * 32
CODEC = StateCodec(derive_key(None, "token", b"flow"))


def sample() -> CallState:
    return CallState(SID, {"menu": 2}, {"account": "12345", "name": "Zoë"}, {"lookup": {"status": 200}})


def test_a_state_comes_back_as_it_was_written():
    value = CODEC.encode(sample())
    assert CODEC.decode(value, SID) == sample()


def test_no_cookie_is_a_fresh_state():
    assert CODEC.decode(None, SID) == CallState(SID)
    assert CODEC.decode("", SID).is_empty()


def test_every_changed_character_is_refused():
    value = CODEC.encode(sample())
    for i in range(0, len(value), 7):
        changed = value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1 :]
        with pytest.raises(StateRefused):
            CODEC.decode(changed, SID)


def test_a_forged_payload_with_the_old_signature_is_refused():
    version, payload, mac = CODEC.encode(sample()).split(".")
    forged = (
        base64.urlsafe_b64encode(json.dumps({"sid": SID, "att": {"menu": 1}}).encode()).decode().rstrip("=")
    )
    with pytest.raises(StateRefused, match="signature"):
        CODEC.decode(f"{version}.{forged}.{mac}", SID)


def test_another_calls_cookie_is_refused():
    with pytest.raises(StateRefused, match="another call"):
        CODEC.decode(CODEC.encode(sample()), "CA" + "2" * 32)


def test_a_cookie_signed_with_another_key_is_refused():
    other = StateCodec(derive_key(None, "another token", b"flow"))
    with pytest.raises(StateRefused, match="signature"):
        CODEC.decode(other.encode(sample()), SID)


def test_keys_differ_by_source_and_the_secret_wins():
    assert derive_key("s", "t", b"f") == derive_key("s", "other", b"other")
    assert derive_key(None, "t", b"f") != derive_key(None, None, b"f")
    assert derive_key(None, None, b"f") != derive_key(None, None, b"g")


def test_an_oversized_cookie_is_refused_before_it_is_read():
    with pytest.raises(StateRefused, match="limit"):
        CODEC.decode("1." + "A" * (MAX_COOKIE_BYTES + 1) + ".x", SID)


@pytest.mark.parametrize("value", ["garbage", "2.abc.def", "1..", "1.%%%.abc", "1.abc"])
def test_malformed_cookies_are_refused(value):
    with pytest.raises(StateRefused):
        CODEC.decode(value, SID)


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"att": {}},
        {"sid": SID, "att": {"m": 0}},
        {"sid": SID, "att": {"m": True}},
        {"sid": SID, "att": {"m": 101}},
        {"sid": SID, "vars": {"a": 1}},
        {"sid": SID, "steps": {"a": "x"}},
        {"sid": SID, "extra": 1},
    ],
)
def test_a_validly_signed_state_of_the_wrong_shape_is_refused(payload):
    # Only a leaked key could produce these; they are still checked field by field.
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    signed = f"1.{body}"
    value = f"{signed}.{CODEC._mac(signed.encode())}"
    with pytest.raises(StateRefused):
        CODEC.decode(value, SID)


def test_a_state_that_would_not_fit_is_not_written():
    big = CallState(SID, vars={"notes": "x" * MAX_COOKIE_BYTES})
    with pytest.raises(StateTooLarge, match="limit"):
        CODEC.encode(big)
