"""The script timeline rule (``runtime/script.py``), checked with random scripts against the support line.

A small reference model of ``resources/examples/support-line.ivrflow`` knows, without any clock, what the
call does next when the caller is silent and what each key does in each phase; on top of it the model
applies the timeline rule as the README states it (marks, the same instant, a Gather that is listening).
Hypothesis draws scripts of ``wait_for``, ``press``, ``dial_outcome`` and ``hangup`` steps; the real call
(the exported handler app in process, the runtime on virtual time) must visit the same nodes and settle
every step the same way (done, no effect, never ran) as the model says. Keys are pressed with ``gap: 0``,
so call time passes only while a ``wait_for`` waits and the model needs no clock.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_support import call, doc, only

from ivr_studio.bundle.serve import wsgi_app_for_target
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.transports import WsgiTransport

# ----- the support line, as a caller meets it -----
SAYS = {  # say node -> where its Redirect goes
    "welcome": "main_menu",
    "sorry": "main_menu",
    "billing_info": "voicemail_prompt",
    "voicemail_prompt": "voicemail",
    "goodbye": "hangup",
    "thanks": "hangup",
}
MENUS = {  # menu -> {key: branch target}; other keys are no match
    "main_menu": {"1": "to_sales", "2": "support_menu", "3": "billing_info", "9": "main_menu"},
    "support_menu": {"1": "support_queue", "2": "support_queue"},
}
DIALS = {  # dial node -> {DialCallStatus: next node}
    "to_sales": {
        "completed": "thanks",
        "busy": "voicemail_prompt",
        "no-answer": "voicemail_prompt",
        "failed": "voicemail_prompt",
    },
    "support_queue": {
        "completed": "thanks",
        "busy": "voicemail_prompt",
        "no-answer": "voicemail_prompt",
        "failed": "thanks",
    },  # no "failed" exit: the Dial's next
}
NO_MATCH = {"main_menu": "sorry", "support_menu": "support_menu"}
MAX_ATTEMPTS = 3
KEYS = "1239" * 3 + "0123456789*#"  # the menus' own keys come up most, any key can
# Gathers are where keys matter, so their targets come up most; the others test the new targets and a
# target that never comes (the support line has no <Play>)
TARGETS = ("gather", "listening") * 3 + ("say", "dial", "record", "request", "play")
KINDS = ("wait_for",) * 4 + ("press",) * 4 + ("dial_outcome",)
EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@dataclass
class Model:
    """The call, phase by phase: ``say``, ``prompt``/``listening`` (a menu), ``dial``, ``beep``, ``recording``."""

    events: list[str] = field(default_factory=list)  # event kinds, in the order the call records them
    nodes: list[str] = field(default_factory=list)  # nodes requested
    phase: tuple = ()
    ended: bool = False
    mark: int = 0
    pending: int | None = None  # the step whose dial outcome waits for a <Dial>
    outcomes: dict[int, str] = field(default_factory=dict)  # dial outcome of each dial_outcome step
    verdicts: dict[int, str] = field(default_factory=dict)  # step -> done | ignored | not_run
    failed: dict[str, int] = field(default_factory=dict)  # menu -> failed attempts so far

    def __post_init__(self) -> None:
        self.enter("welcome")

    # the call
    def emit(self, kind: str) -> None:
        self.events.append(kind)

    def enter(self, node: str) -> None:
        self.nodes.append(node)
        self.emit("request")
        if node == "hangup":
            self.end()
        elif node in SAYS:
            self.emit("say")
            self.phase = ("say", node)
        elif node in MENUS:
            self.emit("gather")
            self.emit("say")  # the menu's prompt
            # the menu's failed attempts travel with the call (through "sorry", say)
            self.phase = ("prompt", node, self.failed.get(node, 0) + 1)
        elif node in DIALS:
            self.emit("dial")
            self.phase = ("dial", node, None)
            if self.pending is not None:  # a <Dial> takes the outcome kept for it
                step, self.pending = self.pending, None
                self.verdicts[step] = "done"
                self.outcome(self.outcomes[step])
        else:  # the voicemail <Record>: its beep, then the recording
            self.phase = ("beep",)

    def end(self) -> None:
        self.ended = True
        self.phase = ()

    def outcome(self, status: str) -> None:
        """The dialled party's behaviour: busy, failed and answered (for 0 s) end the Dial at once."""
        node = self.phase[1]
        if status == "no-answer":
            self.phase = ("dial", node, "no-answer")
        else:
            self.enter(DIALS[node]["completed" if status == "answered" else status])

    def silent(self) -> None:
        """The caller stays silent until the current phase is over."""
        kind = self.phase[0]
        if kind == "say":
            self.enter(SAYS[self.phase[1]])
        elif kind == "prompt":
            self.emit("listening")
            self.phase = ("listening", *self.phase[1:])
        elif kind == "listening":
            self.emit("gather_end")
            self.failed_attempt(self.phase[1])  # no input: both menus replay themselves
        elif kind == "dial":
            self.enter(DIALS[self.phase[1]]["no-answer"])
        elif kind == "beep":
            self.emit("record")  # the recording begins
            self.phase = ("recording",)
        elif kind == "recording":  # nothing said: an empty recording falls through to goodbye
            self.emit("record_end")
            self.enter("goodbye")

    def failed_attempt(self, exit_to: str) -> None:
        """No input or no match: the menu's exit, or goodbye after the last attempt (the count starts
        afresh then, as it does after a choice that matches)."""
        _, menu, attempt = self.phase
        if attempt >= MAX_ATTEMPTS:
            self.failed[menu] = 0
            self.enter("goodbye")
        else:
            self.failed[menu] = attempt
            self.enter(exit_to)

    def key(self, key: str) -> bool:
        """A key reaches the call; True when a verb took it."""
        kind = self.phase[0]
        if kind in ("prompt", "listening"):
            if key == "#":
                return True  # a Gather ignores a terminator before any digit, and keeps listening
            if kind == "prompt":
                self.emit("listening")  # barge-in: the prompt stops and the timer starts
            self.emit("gather_end")
            _, menu, _attempt = self.phase
            target = MENUS[menu].get(key)
            if target is None:
                self.failed_attempt(NO_MATCH[menu])
            else:
                self.failed[menu] = 0
                self.enter(target)
            return True
        if kind == "recording" and key == "#":
            self.emit("record_end")  # the recording ends, empty
            self.enter("goodbye")
            return True
        return False

    # the script, by the timeline rule
    def find(self, target: str) -> int | None:
        """The first event ``target`` waits for after the mark (None: not yet)."""
        for i in range(self.mark, len(self.events)):
            if self.events[i] != target:
                continue
            if target == "listening" and "gather_end" in self.events[i + 1 :]:
                continue  # that Gather is over: it is not listening
            return i
        return None

    def wait_for(self, step: int, target: str) -> None:
        if self.ended:
            self.verdicts[step] = "not_run"
            return
        while True:
            found = self.find(target)
            if found is not None:
                self.mark = found + 1
                self.verdicts[step] = "done"
                return
            if self.ended:
                self.verdicts[step] = "ignored"
                return
            self.silent()

    def dial_outcome(self, step: int, status: str) -> None:
        self.mark = len(self.events)
        self.outcomes[step] = status
        if self.phase and self.phase[0] == "dial":  # ringing: the <Dial> takes it
            self.verdicts[step] = "done"
            self.outcome(status)
            return
        if self.pending is not None:
            self.verdicts[self.pending] = "ignored"  # replaced before any <Dial> took it
        self.pending = step

    def hangup(self, step: int) -> None:
        self.mark = len(self.events)
        self.verdicts[step] = "done"
        self.end()

    def late_step(self, step: int, raw: dict) -> None:
        """A step after the others: when the call is over by then it never runs (a ``wait_for: hangup``
        is the exception: the end is what it waits for)."""
        if raw.get("wait_for") == "hangup":
            while not self.ended:
                self.silent()
            self.verdicts[step] = "done"
        elif "wait_for" in raw:
            self.wait_for(step, raw["wait_for"])
        elif self.ended:
            self.verdicts[step] = "not_run"
        else:
            self.mark = len(self.events)
            self.verdicts[step] = "done" if self.key(raw["press"]) else "ignored"

    def finish(self, steps: int) -> None:
        """After the last step: the call runs to its end; what is left is settled."""
        while not self.ended:
            self.silent()
        if self.pending is not None:
            self.verdicts[self.pending] = "ignored"


def the_script(data: st.DataObject) -> tuple[list[dict], Model]:
    """Draw steps one by one, playing each into the model (keys are drawn for the phase they meet)."""
    model = Model()
    steps: list[dict] = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=12), label="steps")):
        i = len(steps)
        if model.ended:
            break
        kind = data.draw(st.sampled_from(KINDS), label="kind")
        if kind == "wait_for":
            target = data.draw(st.sampled_from(TARGETS), label="target")
            steps.append({"wait_for": target})
            model.wait_for(i, target)
        elif kind == "press":
            keys, taken = "", True
            count = data.draw(st.integers(min_value=1, max_value=3), label="keys")
            for j in range(count):
                key = data.draw(st.sampled_from(KEYS))
                keys += key
                if model.ended:
                    taken = False  # the call ended before this key
                    continue
                if j == count - 1:
                    model.mark = len(model.events)  # the mark: just before the last key
                taken = model.key(key) and taken
            steps.append({"press": keys, "gap": 0})
            model.verdicts[i] = "done" if taken else "ignored"
        elif kind == "dial_outcome":
            status = data.draw(st.sampled_from(["answered", "busy", "no-answer", "failed"]), label="outcome")
            steps.append({"dial_outcome": status})
            model.dial_outcome(i, status)
    if not model.ended and data.draw(st.integers(0, 3), label="hang up") == 0:
        model.hangup(len(steps))
        steps.append({"hangup": True})
    if data.draw(st.integers(0, 3), label="one step too many") == 0:
        steps.append(
            data.draw(st.sampled_from([{"press": "1"}, {"wait_for": "gather"}, {"wait_for": "hangup"}]))
        )
        model.late_step(len(steps) - 1, steps[-1])
    model.finish(len(steps))
    return steps, model


@functools.cache
def support_line() -> tuple[object, str]:
    """The support line's handler app (stateless: every call carries its own state), built once."""
    return wsgi_app_for_target(EXAMPLES / "support-line.ivrflow")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_scripts_go_as_the_timeline_rule_says(data: st.DataObject) -> None:
    steps, model = the_script(data)
    app, url = support_line()
    engine = CallEngine(url, WsgiTransport(app))
    runner = run_virtual(engine, parse_script({"steps": steps}))
    nodes = [e["node"] for e in engine.trace.events if e["event"] == "request"]
    assert nodes == model.nodes, steps
    assert [r.state for r in runner.results] == [model.verdicts[i] for i in range(len(steps))], steps
    ignored = sorted(e["step"] - 1 for e in engine.trace.events if e["event"] == "step_ignored")
    assert ignored == [i for i in range(len(steps)) if model.verdicts[i] != "done"]  # each traced once
    assert engine.end_status == "completed" and engine.app_error is None


def test_a_key_sees_the_gather_the_previous_key_started_at_the_same_instant() -> None:
    """The case that used to pass while skipping a step: 2 opens the support menu at once, and the
    ``wait_for gather`` after it must see that menu, so 3 lands in it (a no match: the menu again)."""
    app, url = support_line()
    engine = CallEngine(url, WsgiTransport(app))
    script = [{"wait_for": "listening"}, {"press": "2"}, {"wait_for": "gather"}, {"press": "3"}]
    runner = run_virtual(engine, parse_script({"steps": script}))
    assert runner.failures == []
    keys = [(e["t"], e["key"]) for e in engine.trace.events if e["event"] == "dtmf"]
    assert keys == [(14.6, "2"), (14.6, "3")]
    results = [e for e in engine.trace.events if e["event"] == "request" and "result" in e["url"]]
    assert [(r["url"].split("/node/")[1], r["params"].get("Digits"), r["node"]) for r in results[:2]] == [
        ("main_menu/result", "2", "support_menu"),
        ("support_menu/result", "3", "support_menu"),  # no match: the support menu again
    ]


# ----- the call acts first at an instant -----
def test_a_key_at_the_instant_a_gather_times_out_comes_after_the_timeout() -> None:
    """Whatever order the timers were set in, the call's own work at an instant comes before the script's:
    a key pressed exactly when the Gather's 3 s run out meets the <Say> after it."""
    r = call(
        {"/menu": doc('<Gather timeout="3" action="/r"/><Say>Bye</Say>'), "/r": doc("<Hangup/>")},
        [{"wait": 3}, {"press": "1", "may_be_ignored": True}],
    )
    assert r.events("gather_end")[0]["reason"] == "timeout" and r.app.to("/r") == []
    assert r.allowed() == ["step 2 (press) had no effect: key '1': while <Say> played, outside any <Gather>"]


def test_a_dial_outcome_after_a_dial_that_already_ended_at_that_instant_waits_for_the_next_dial() -> None:
    """A busy callee kept for the <Dial> ends it at the instant it starts; the next step, at that same
    instant, sees the call after the Dial: its outcome is kept for a Dial that never comes."""
    r = call(
        {
            "/menu": doc('<Gather numDigits="1" action="/dial"/>'),
            "/dial": doc('<Dial action="/after">+15550100</Dial>'),
            "/after": doc("<Say>After</Say>"),
        },
        [{"dial_outcome": "busy"}, {"press": "1"}, {"dial_outcome": "answered", "may_be_ignored": True}],
    )
    assert [e["status"] for e in r.events("dial")] == ["ringing", "busy"]
    assert only(r.app.to("/after")).form["DialCallStatus"] == "busy"
    assert r.allowed() == [
        "step 3 (dial_outcome) had no effect: no <Dial> came to take it before the call ended"
    ]
