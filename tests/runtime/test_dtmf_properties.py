"""Random key timings against a small reference model of the DTMF rules D1–D4 and F0 (spec §2.3)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_support import call, doc

from ivr_studio.runtime.settings import RuntimeSettings


@dataclass(frozen=True)
class Expected:
    digits: str
    finished_on_key: str
    t: float
    requested: bool


def reference(
    keys: list[tuple[float, str]], finish_key: str, num_digits: int | None, timeout: int, legacy: bool
) -> Expected:
    """What a Gather with no prompt does with keys at absolute times (spec §2.3)."""
    digits = ""
    deadline = float(timeout)
    for t, key in keys:
        if t > deadline:
            break
        if finish_key and key == finish_key:
            if digits:  # D2
                return Expected(digits, key, t, True)
            if legacy:  # F0, legacy docs: fall through at once
                return Expected("", key, t, False)
            continue  # F0, current docs: ignored, the timer is not restarted
        digits += key
        if num_digits and len(digits) >= num_digits:  # D1
            return Expected(digits, "", t, True)
        deadline = t + timeout  # D3
    return Expected(digits, "", deadline, bool(digits))


KEYS = st.sampled_from(list("0123456789*#"))
# Gaps of n × 0.5 + 0.13 s never coincide with a whole-second deadline, so no key ties with a timer.
GAPS = st.integers(min_value=0, max_value=8).map(lambda n: n * 0.5 + 0.13)


@settings(max_examples=150, deadline=None)
@given(
    presses=st.lists(st.tuples(GAPS, KEYS), max_size=8),
    finish_key=st.sampled_from(["#", "*", "", "5"]),
    num_digits=st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
    timeout=st.integers(min_value=1, max_value=4),
    legacy=st.booleans(),
)
def test_gather_follows_the_reference_dtmf_rules(presses, finish_key, num_digits, timeout, legacy):
    attrs = f'action="/r" timeout="{timeout}" finishOnKey="{finish_key}"'
    if num_digits:
        attrs += f' numDigits="{num_digits}"'
    t, keys = 0.0, []
    for gap, key in presses:
        t += gap
        keys.append((t, key))
    expected = reference(keys, finish_key, num_digits, timeout, legacy)
    steps = []
    for (gap, key), (t, _) in zip(presses, keys, strict=True):
        # keys after the Gather's end meet "Next" or a call that is over: the script says they may be
        # ignored; every key up to the end must reach the Gather (the helper fails the test otherwise)
        late = t > expected.t
        steps += [{"wait": gap, "may_be_ignored": late}, {"press": key, "may_be_ignored": late}]
    r = call(
        {"/menu": doc(f"<Gather {attrs}/><Say>Next</Say>"), "/r": doc("<Hangup/>")},
        steps,
        settings=RuntimeSettings(terminator_first="legacy" if legacy else "current"),
    )
    end = r.events("gather_end")[0]
    assert end["digits"] == expected.digits
    assert end["finished_on_key"] == expected.finished_on_key
    assert end["t"] == pytest.approx(expected.t, abs=1e-3)
    requests = r.app.to("/r")
    assert bool(requests) == expected.requested
    if requests:
        assert requests[0].form["Digits"] == expected.digits
        assert requests[0].form["FinishedOnKey"] == expected.finished_on_key
    else:
        assert r.said() == ["Next"]
