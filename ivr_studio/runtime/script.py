"""Call scripts: what a simulated caller does, step by step, on the call's timeline.

A script is ``{"steps": [...]}`` (JSON or YAML), read and checked by :mod:`.script_steps`. Steps run in
order; each starts at the instant the previous one ended. After the last step the caller stays silent
until the call ends.

==========================================  ===================================================================
``{"wait": 2.5}``                           wait 2.5 seconds
``{"wait_for": "gather"}``                  until a Gather begins (its prompts start)
``{"wait_for": "listening"}``               until a Gather is listening (its prompts are over, its timer runs)
``{"wait_for": "record"}``                  until a ``<Record>`` starts recording (after its beep)
``{"wait_for": "dial"}``                    until a ``<Dial>`` starts ringing
``{"wait_for": "play"}``                    until a ``<Play>`` begins
``{"wait_for": "say", "text": "billing"}``  until a ``<Say>`` begins (``text``: one containing this
                                            substring, or matching ``/regex/flags``)
``{"wait_for": "request", "path": "/x"}``   until a request is made (``path``: to this URL path)
``{"wait_for": "hangup"}``                  until the call ends
``{"press": "12#", "gap": 0.3}``            press keys, ``gap`` seconds apart (default 0.2)
``{"say": "sales", "confidence": 0.9}``     speak recognised text (start, partials every 0.5 s, end); optional
                                            ``duration`` (default: the <Say> estimate for the text)
``{"say_wav": "file.wav"}``                 speak a WAV file through the injected recogniser provider
``{"dial_outcome": "busy"}``                the dialled party's behaviour; ``duration`` (answered), ``ring``
``{"hangup": true}``                        hang up
==========================================  ===================================================================

Every ``wait_for`` also takes ``timeout`` (seconds). Every step takes ``"may_be_ignored": true``.

**The timeline rule.** A step starts at the instant the previous one ended: a ``wait`` when its time is up,
a ``wait_for`` when its event happened, a ``press`` at its last key, a ``say``/``say_wav`` at the end of the
speech, ``dial_outcome`` and ``hangup`` at once. Several things can happen at one virtual instant — a key
ends a Gather, the app answers, the next Gather begins — and the trace records them in the order they
happened. At any instant the call acts first: the caller's input of that instant comes after everything
else due then (a Gather whose timeout runs out at 5 s has ended when a key pressed at 5 s arrives).

Each step leaves a *mark* in the trace, and a ``wait_for`` is satisfied by the first matching event
recorded after the mark — at once, with no call time passing, when that event is already there:

- an input step (``press``, ``say``, ``say_wav``, ``dial_outcome``, ``hangup``) marks the moment just before
  its *last* input reaches the call, so everything that input causes, at the same instant or later, is
  after the mark: after ``{"press": "2"}``, ``{"wait_for": "gather"}`` sees the Gather the key started;
- a ``wait`` (and a ``wait_for`` that gave up at its ``timeout``) marks the first event of the instant it
  ended at: every event of that instant counts;
- a ``wait_for`` marks just after the event it matched, so two ``{"wait_for": "gather"}`` in a row wait
  for two Gathers;
- ``listening`` means a Gather *is* listening: a Gather that started listening and already ended before
  the ``wait_for`` began (a key that cut its prompt and completed it) does not count.

A mark never moves backwards.

**Steps that did not go as written fail.** A step the call ended before (except ``wait_for: hangup``), a
``wait_for`` whose event never came (the call ended, or ``timeout`` passed), and an input with no effect —
a key outside any Gather, speech while nothing listens, a ``say`` during the ``<Record>`` beep that never
reached the recording, a ``dial_outcome`` no ``<Dial>`` took — are traced as ``step_ignored`` (with
``why``) and make the call fail, unless the step says ``"may_be_ignored": true``. Every key of a ``press``
must be taken; a ``say``/``say_wav`` must be heard at least in part. A ``say_wav`` that cannot be played
(no speech model for the language) always fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ivr_studio.runtime import codes
from ivr_studio.runtime.audio import estimate_speech_seconds
from ivr_studio.runtime.clock import VirtualClock
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import (
    CalleeInput,
    CallerHangup,
    ConferenceEnds,
    Dequeue,
    DialOutcome,
    Dtmf,
    Event,
    ParticipantJoins,
    ParticipantLeaves,
    QueueCaller,
    SpeechFeeder,
    SpeechFinal,
    SpeechPartial,
    SpeechStarted,
)
from ivr_studio.runtime.script_steps import (
    STEP_KINDS,
    WAIT_TARGETS,
    Script,
    ScriptError,
    Step,
    load_script,
    parse_script,
)
from ivr_studio.runtime.scripted_speech import speech_events
from ivr_studio.runtime.step_effects import why_ignored
from ivr_studio.runtime.step_result import StepResult
from ivr_studio.runtime.trace import TraceEvent

__all__ = [
    "STEP_KINDS",
    "WAIT_TARGETS",
    "Script",
    "ScriptError",
    "ScriptRunner",
    "SpeechFeeder",
    "Step",
    "StepResult",
    "load_script",
    "parse_script",
    "run_virtual",
    "speech_events",
]

_SPEECH = (SpeechStarted, SpeechPartial, SpeechFinal)  # what the caller says (an end alone is not speech)
_SETTLE_TRIES = 10_000  # a call that keeps acting at one instant this often is stopped by its loop guard


@dataclass
class _Input:
    """An input step in progress: what it delivered, and what the call did with it."""

    result: StepResult
    pending: list[Event] = field(default_factory=list)  # scheduled, not yet delivered
    taken: int = 0  # keys or speech the call took
    ignored_keys: str = ""
    why: str = ""  # why the first ignored input was ignored


class ScriptRunner:
    """Plays a script into a call on the call's clock, and records how each step went (:attr:`results`)."""

    def __init__(self, engine: CallEngine, script: Script, speech_feeder: SpeechFeeder | None = None) -> None:
        self.engine = engine
        self.script = script
        self.feeder = speech_feeder
        self.results = [StepResult(step) for step in script.steps]
        self.position = 0
        self.mark = 0
        self.finished = False
        self._instant: tuple[float | None, int] = (None, 0)  # (clock time, first trace index at that time)
        self._unsubscribe: Callable[[], None] | None = None
        self._give_up = None
        self._input: _Input | None = None
        self._waiting: StepResult | None = None  # the wait_for in progress
        self._delivering: tuple[_Input, Event] | None = None
        self._dials: list[tuple[StepResult, DialOutcome]] = []  # outcomes kept for a later <Dial>
        engine.trace.subscribe(self._on_trace)
        engine.on_ending(self._call_ending)

    # ----- results -----
    @property
    def failures(self) -> list[str]:
        """One line per step that did not go as written (and was not allowed to), in step order."""
        return [r.message() for r in self.results if r.is_failure]

    @property
    def error(self) -> str | None:
        """The first failure, or None."""
        failures = self.failures
        return failures[0] if failures else None

    def start(self) -> None:
        self.engine.clock.post(self._next)

    # ----- the timeline -----
    def _on_trace(self, event: TraceEvent) -> None:
        now = self.engine.clock.now()
        if self._instant[0] != now:
            self._instant = (now, len(self.engine.trace.events) - 1)
        if self._delivering is not None and event["event"] in ("dtmf", "speech"):
            track, delivered = self._delivering
            self._delivering = None  # the first dtmf/speech event a delivery traces is its own
            self._heard(track, delivered, event)

    def _mark_this_instant(self) -> None:
        """The mark of a ``wait``: the first event recorded at this instant (never backwards)."""
        now = self.engine.clock.now()
        first = self._instant[1] if self._instant[0] == now else len(self.engine.trace.events)
        self.mark = max(self.mark, first)

    def _next(self) -> None:
        if self.engine.ended:
            return  # the call's end settled every step left (see _call_ending)
        if self.position >= len(self.results):
            self.finished = True
            return
        result = self.results[self.position]
        self.position += 1
        result.state = "running"
        step = result.step
        handler = getattr(self, f"_run_{step.kind}")
        handler(result)

    def _settle(self, result: StepResult, state: str, why: str = "", *, ran: bool = True) -> None:
        result.state, result.why = state, why
        if state in ("ignored", "not_run"):
            step = result.step
            self.engine.trace.emit(
                "step_ignored",
                step=step.index + 1,
                step_kind=step.kind,
                step_name=step.describe(),
                why=why,
                ran=ran,
                may_be_ignored=step.may_be_ignored,
            )

    # ----- wait and wait_for -----
    def _when_settled(self, fn: Callable[[], None], tries: int = 0) -> None:
        """Run ``fn`` once everything else due at this instant has happened: at any instant the call acts
        first and the scripted caller after it (a Gather's timeout at 5 s comes before a key pressed at 5 s).

        On a real clock there are no shared instants, so ``fn`` runs at once. The runner never has two of
        its own callbacks due at one instant, so waiting for the others to run always ends (capped anyway).
        """
        clock = self.engine.clock
        if isinstance(clock, VirtualClock) and tries < _SETTLE_TRIES and clock.next_time() == clock.now():
            clock.post(lambda: self._when_settled(fn, tries + 1))
            return
        fn()

    def _run_wait(self, result: StepResult) -> None:
        def over() -> None:
            self._mark_this_instant()
            self._settle(result, "done")
            self._next()

        self.engine.clock.call_later(result.step.value, lambda: self._when_settled(over))

    def _matches(self, step: Step, index: int, live: bool) -> bool:
        events = self.engine.trace.events
        event = events[index]
        target = WAIT_TARGETS[step.value]
        if event["event"] != target.kind or not target.accepts(event, step):
            return False
        if step.value == "listening" and not live:  # a Gather that already ended is not listening
            return not any(e["event"] == "gather_end" for e in events[index + 1 :])
        return True

    def _run_wait_for(self, result: StepResult) -> None:
        step = result.step
        events = self.engine.trace.events
        for i in range(self.mark, len(events)):
            if self._matches(step, i, live=False):
                self.mark = i + 1
                self._settle(result, "done")
                self.engine.clock.post(self._next)
                return

        def listener(event: TraceEvent) -> None:
            index = len(self.engine.trace.events) - 1
            if self._unsubscribe is None or not self._matches(step, index, live=True):
                return
            self._stop_waiting()
            self.mark = index + 1
            self._settle(result, "done")
            self.engine.clock.post(self._next)

        self._unsubscribe = self.engine.trace.subscribe(listener)
        self._waiting = result
        if "timeout" in step.options:
            timeout = step.options["timeout"]

            def give_up() -> None:
                if self._waiting is not result:
                    return  # the event came while the call settled
                self._stop_waiting()
                self._mark_this_instant()
                words = WAIT_TARGETS[step.value].words(step, "no")
                self._settle(result, "ignored", f"{words} within {timeout:g} s")
                self._next()

            self._give_up = self.engine.clock.call_later(timeout, lambda: self._when_settled(give_up))

    def _stop_waiting(self) -> None:
        self._waiting = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._give_up is not None:
            self._give_up.cancel()
            self._give_up = None

    # ----- input -----
    def _play_input(self, result: StepResult, timed: list[tuple[float, Event]]) -> None:
        """Deliver ``timed`` events at their offsets (one after another, each once the call has settled at
        its instant); the step ends with the last one.

        The mark goes before the step's last input: its last key, or the end of its speech (the final
        transcript and the end of speech that come at the same moment are one input).
        """
        timed = sorted(timed, key=lambda item: item[0])  # stable: events of one instant keep their order
        track = _Input(result, [event for _, event in timed])
        self._input = track
        start = self.engine.clock.now()
        end = timed[-1][0]
        last = len(timed) - 1
        if result.step.kind != "press":
            last = next(i for i, (offset, _) in enumerate(timed) if offset == end)

        def play(i: int) -> None:
            if i == len(timed):
                self._input_done(track)
                return
            offset, event = timed[i]

            def deliver() -> None:
                if self._input is not track:
                    return  # the call ended and settled the step
                self._deliver(track, event, i == last)
                play(i + 1)

            self.engine.clock.call_at(start + offset, lambda: self._when_settled(deliver))

        play(0)

    def _deliver(self, track: _Input, event: Event, mark: bool) -> None:
        if self.engine.ended:
            return
        track.pending.pop(0)
        if mark:
            self.mark = max(self.mark, len(self.engine.trace.events))
        if isinstance(_own(event), (Dtmf, *_SPEECH)):
            self._delivering = (track, event)  # _on_trace reads what the call did with it
        try:
            self.engine.deliver(event)
        finally:
            self._delivering = None

    def _heard(self, track: _Input, event: Event, traced: TraceEvent) -> None:
        """The call traced our key or speech: note whether a verb took it, and if not, why not (now, while
        the call is still in the state that ignored it)."""
        if traced.get("accepted"):
            track.taken += 1
            return
        if isinstance(_own(event), Dtmf):
            track.ignored_keys += _own(event).key
        track.why = track.why or why_ignored(self.engine, event)

    def _input_done(self, track: _Input) -> None:
        if self._input is not track:
            return
        self._input = None
        self._settle_input(track)
        self._next()

    def _settle_input(self, track: _Input, ended: bool = False) -> None:
        result = track.result
        unsent = "".join(_own(e).key for e in track.pending if isinstance(_own(e), Dtmf))
        if result.step.kind == "press" or _callee_kind(result.step) == "press":
            problems = []
            if track.ignored_keys:
                problems.append(f"{_keys(track.ignored_keys)}: {track.why}")
            if unsent:
                problems.append(f"the call ended before {_keys(unsent)} could be pressed")
            if problems:
                self._settle(result, "ignored", "; ".join(problems))
                return
        elif track.taken == 0:
            if track.why:
                why = track.why
            elif ended:
                why = "the call ended before the caller spoke"
            else:
                why = "no speech or key tones were found in the audio"
            self._settle(result, "ignored", why)
            return
        self._settle(result, "done")

    def _run_press(self, result: StepResult) -> None:
        gap = result.step.options["gap"]
        self._play_input(result, [(i * gap, Dtmf(key)) for i, key in enumerate(result.step.value)])

    def _run_say(self, result: StepResult) -> None:
        step = result.step
        text = step.value
        duration = step.options.get("duration") or max(
            0.3, estimate_speech_seconds(text, self.engine.settings)
        )
        _language, _phrases, max_speech = self._listening_gather()
        timed = speech_events(
            text, duration, step.options.get("confidence"), self.engine.settings.partial_interval, max_speech
        )
        self._play_input(result, timed)

    def _run_say_wav(self, result: StepResult) -> None:
        step = result.step
        if self.feeder is None:
            self._say_wav_failed(result, "say_wav needs a speech recogniser, and none is available")
            return
        language, phrases, max_speech = self._listening_gather()
        try:
            timed = self.feeder(step.value, language, phrases, max_speech)
        except Exception as exc:  # the feeder's own message says what is missing (a speech model …)
            self._say_wav_failed(result, str(exc))
            return
        if not timed:
            self._settle(result, "ignored", "no speech or key tones were found in the audio")
            self.engine.clock.post(self._next)
            return
        self._play_input(result, timed)

    def _say_wav_failed(self, result: StepResult, why: str) -> None:
        result.state, result.why = "failed", why
        self.engine.warn(codes.NO_RECOGNIZER, f"{result.step.describe()}: {why}")
        self.engine.clock.post(self._next)

    def _run_dial_outcome(self, result: StepResult) -> None:
        self._when_settled(lambda: self._dial_outcome(result))

    def _dial_outcome(self, result: StepResult) -> None:
        step = result.step
        outcome = DialOutcome(step.value, step.options.get("duration", 0.0), step.options.get("ring", 0.0))
        replaced = self.engine.pending_dial
        self.mark = max(self.mark, len(self.engine.trace.events))
        self.engine.deliver(outcome)
        if self.engine.pending_dial is outcome:  # no <Dial> takes it now: kept for the next one
            for earlier, kept in list(self._dials):
                if kept is replaced:
                    self._dials.remove((earlier, kept))
                    self._settle(earlier, "ignored", f"step {step.index + 1} replaced it before any <Dial>")
            self._dials.append((result, outcome))
        else:
            self._settle(result, "done")
        self.engine.clock.post(self._next)

    def _run_hangup(self, result: StepResult) -> None:
        self._when_settled(lambda: self._hangup(result))

    def _hangup(self, result: StepResult) -> None:
        if self.engine.ended:
            return
        self.mark = max(self.mark, len(self.engine.trace.events))
        self._settle(result, "done")
        self.engine.deliver(CallerHangup())
        self.engine.clock.post(self._next)

    # ----- the people around the caller (telephony_steps) -----
    def _run_callee(self, result: StepResult) -> None:
        """The callee's key, speech or hang-up on their own leg (a whisper's Gather hears it)."""
        inner: Step = result.step.value
        if inner.kind == "hangup":
            self._when_settled(lambda: self._around(result, CalleeInput(CallerHangup()), _NO_CALLEE))
            return
        if inner.kind == "press":
            gap = inner.options["gap"]
            timed = [(i * gap, Dtmf(key)) for i, key in enumerate(inner.value)]
        else:
            duration = inner.options.get("duration") or max(
                0.3, estimate_speech_seconds(inner.value, self.engine.settings)
            )
            timed = speech_events(
                inner.value, duration, inner.options.get("confidence"), self.engine.settings.partial_interval
            )
        self._play_input(result, [(t, CalleeInput(event)) for t, event in timed])

    def _run_conference(self, result: StepResult) -> None:
        step = result.step
        name = step.options.get("name")
        event: Event
        if step.value == "join":
            event = ParticipantJoins(
                step.options["label"],
                step.options.get("start_conference_on_enter", True),
                step.options.get("end_conference_on_exit", False),
                step.options.get("muted", False),
                name,
            )
        elif step.value == "leave":
            event = ParticipantLeaves(step.options["label"], name)
        else:
            event = ConferenceEnds(name)
        self._when_settled(lambda: self._around(result, event))

    def _run_dequeue(self, result: StepResult) -> None:
        o = result.step.options
        event = Dequeue(o.get("queue"), o.get("url"), o["method"], o["duration"])
        self._when_settled(lambda: self._around(result, event))

    def _run_queue_caller(self, result: StepResult) -> None:
        step = result.step
        event = QueueCaller(step.value, step.options.get("label", ""), step.options["duration"])
        self._when_settled(lambda: self._around(result, event))

    def _around(self, result: StepResult, event: Event, why: str = "") -> None:
        """Deliver an event of someone around the caller; the step had no effect when nothing took it."""
        if self.engine.ended:
            return
        self.mark = max(self.mark, len(self.engine.trace.events))
        self.engine.world.refusal = ""
        if self.engine.deliver(event):
            self._settle(result, "done")
        else:
            self._settle(result, "ignored", why or self.engine.world.refusal or "nothing in the call took it")
        self.engine.clock.post(self._next)

    def _listening_gather(self) -> tuple[str, Sequence[str] | None, float | None]:
        """The language, hints and maxSpeechTime of the Gather listening now (defaults outside one)."""
        attrs = getattr(self.engine.activity, "attrs", None)
        if attrs is None:
            return "en-US", None, None
        return (
            attrs.get("language", "en-US") or "en-US",
            attrs.get("hints") or None,
            attrs.get("maxSpeechTime"),
        )

    # ----- the end of the call -----
    def _call_ending(self) -> None:
        """The call is ending: settle, in step order, the step in progress, dial outcomes kept for a
        ``<Dial>`` that never came, and the steps never run."""
        self._stop_waiting()
        end = self.engine.elapsed
        kept = {id(result): outcome for result, outcome in self._dials}
        for result in self.results:
            step = result.step
            if id(result) in kept:
                if self.engine.pending_dial is kept[id(result)]:
                    self._settle(result, "ignored", "no <Dial> came to take it before the call ended")
                else:
                    self._settle(result, "done")
            elif result.state == "running":
                if step.kind == "wait_for" and step.value != "hangup":
                    words = WAIT_TARGETS[step.value].words(step)
                    self._settle(result, "ignored", f"the call ended before {words}")
                elif self._input is not None and self._input.result is result:
                    self._settle_input(self._input, ended=True)
                else:
                    self._settle(result, "done")
            elif result.state == "pending":
                if step.kind == "wait_for" and step.value == "hangup":
                    self._settle(result, "done")
                else:
                    self._settle(result, "not_run", f"the call ended at {end:.2f} s, before it", ran=False)
        self._input = None
        self._dials = []
        self.position = len(self.results)
        self.finished = True


def _keys(keys: str) -> str:
    return f"key {keys!r}" if len(keys) == 1 else f"keys {keys!r}"


def run_virtual(
    engine: CallEngine,
    script: Script | None = None,
    max_duration: float = 600.0,
    speech_feeder: SpeechFeeder | None = None,
) -> ScriptRunner:
    """Run a whole call on a virtual clock (the engine's clock must be a VirtualClock); returns the runner,
    whose :attr:`ScriptRunner.failures` list the steps that did not go as written."""
    clock = engine.clock
    if not isinstance(clock, VirtualClock):
        raise TypeError("run_virtual needs an engine on a VirtualClock")
    runner = ScriptRunner(engine, script or Script(), speech_feeder)
    limit = clock.now() + max_duration

    def time_up() -> None:
        if not engine.ended:
            engine.warn(codes.MAX_DURATION, f"The call reached the maximum duration of {max_duration:g} s")
            engine.end_call("completed", "maximum duration")

    clock.call_at(limit, time_up)
    engine.start()
    runner.start()
    clock.run(stop=lambda: engine.ended)
    return runner


_NO_CALLEE = "no dialled party was on the line to hang up"


def _own(event: Event) -> Event:
    """The key or speech inside a callee's input (the callee's own leg), or the event itself."""
    return event.event if isinstance(event, CalleeInput) else event


def _callee_kind(step: Step) -> str:
    """What a ``callee`` step does (press, say, hangup); "" for other steps."""
    return step.value.kind if step.kind == "callee" else ""
