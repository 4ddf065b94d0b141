"""Save as test writes the caller's part of a live call as steps that replay as they happened (no Qt)."""

from __future__ import annotations

from ivr_studio.ui.call.scenario_writer import caller_steps


def test_keys_and_speech_the_live_call_ignored_may_be_ignored_in_the_replay():
    trace = [
        {"t": 0.5, "event": "dtmf", "key": "5", "accepted": False},  # during the welcome
        {"t": 2.0, "event": "dtmf", "key": "1", "accepted": True},
        {"t": 3.0, "event": "speech", "phase": "start", "accepted": False},
        {"t": 3.5, "event": "speech", "phase": "partial", "text": "hello", "accepted": False},
        {
            "t": 4.0,
            "event": "speech",
            "phase": "final",
            "text": "hello",
            "confidence": 0.8,
            "accepted": False,
        },
        {"t": 6.0, "event": "speech", "phase": "start", "accepted": True},
        {
            "t": 7.0,
            "event": "speech",
            "phase": "final",
            "text": "sales",
            "confidence": 0.9,
            "accepted": False,
        },
    ]
    assert caller_steps(trace) == [
        {"wait": 0.5},
        {"press": "5", "may_be_ignored": True},
        {"wait": 1.5},
        {"press": "1"},
        {"wait": 1.0},
        {"say": "hello", "duration": 1.0, "confidence": 0.8, "may_be_ignored": True},
        {"wait": 2.0},
        {"say": "sales", "duration": 1.0, "confidence": 0.9},  # its start was heard
    ]
