"""The call-state cookie: what a call remembers, signed, size-capped and bound to its CallSid."""

from __future__ import annotations

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


def test_a_state_that_would_not_fit_is_not_written():
    big = CallState(SID, vars={"notes": "x" * MAX_COOKIE_BYTES})
    with pytest.raises(StateTooLarge, match="limit"):
        CODEC.encode(big)
