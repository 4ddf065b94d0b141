"""Call scripts: what a simulated caller does, step by step, on the call's timeline.

A script is ``{"steps": [...]}`` (JSON or YAML). Steps run in order; each starts when the previous one is
over. After the last step the caller stays silent until the call ends.

========================================  =====================================================================
``{"wait": 2.5}``                         wait 2.5 seconds
``{"wait_for": "gather"}``                wait until a Gather begins (its prompts start)
``{"wait_for": "listening"}``             wait until a Gather's prompts are over and its timer runs
``{"wait_for": "hangup"}``                wait until the call ends
``{"press": "12#", "gap": 0.3}``          press keys, ``gap`` seconds apart (default 0.2)
``{"say": "sales", "confidence": 0.9}``   speak recognised text (start, partials every 0.5 s, end); optional
                                          ``duration`` (default: the <Say> estimate for the text)
``{"say_wav": "file.wav"}``               speak a WAV file through the injected recogniser provider (16-bit PCM,
                                          any rate, mono or stereo; an unreadable file is a script error)
``{"dial_outcome": "busy"}``              the dialled party's behaviour; ``duration`` (answered), ``ring``
``{"hangup": true}``                      hang up
========================================  =====================================================================

A ``wait_for`` looks at everything that happened since the previous step ended, so waiting for a Gather that
began at the same moment does not miss it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr_studio.files import InputFileError, StructuredDataError, load_json, load_yaml, read_text
from ivr_studio.runtime import codes
from ivr_studio.runtime.audio import estimate_speech_seconds
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import (
    DIAL_OUTCOMES,
    DTMF_KEYS,
    CallerHangup,
    DialOutcome,
    Dtmf,
    Event,
    SpeechEnded,
    SpeechFeeder,
    SpeechFinal,
    SpeechPartial,
    SpeechStarted,
)

WAIT_TARGETS = {"gather": "gather_start", "listening": "listening", "hangup": "call_end"}
STEP_KINDS = ("wait", "wait_for", "press", "say", "say_wav", "dial_outcome", "hangup")
_OPTIONS = {
    "wait": set(),
    "wait_for": {"timeout"},
    "press": {"gap"},
    "say": {"confidence", "duration"},
    "say_wav": set(),
    "dial_outcome": {"duration", "ring"},
    "hangup": set(),
}


#: A script is a list of steps a person wrote or the editor saved; 1 MiB is thousands of steps.
SCRIPT_LIMIT = 1024 * 1024


class ScriptError(ValueError):
    """A script that cannot run; the message names the step and the problem."""


@dataclass(frozen=True)
class Step:
    index: int
    kind: str
    value: Any
    options: dict[str, Any]

    def describe(self) -> str:
        return f"step {self.index + 1} ({self.kind})"


@dataclass(frozen=True)
class Script:
    steps: tuple[Step, ...] = ()
    base_dir: Path = Path(".")


def _number(step: str, name: str, value: Any, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ScriptError(f"{step}: {name} must be a number ≥ {minimum:g}, not {value!r}")
    return float(value)


def parse_script(data: Any, base_dir: Path | str = ".") -> Script:
    """Check a decoded script and return it; raise :class:`ScriptError` naming the bad step."""
    if isinstance(data, list):
        data = {"steps": data}
    if not isinstance(data, dict) or not isinstance(data.get("steps", []), list):
        raise ScriptError('a script is an object with a list of "steps"')
    unknown = set(data) - {"steps"}
    if unknown:
        raise ScriptError(f"unknown script key(s): {', '.join(sorted(unknown))}")
    steps = []
    for i, raw in enumerate(data.get("steps", [])):
        where = f"step {i + 1}"
        if not isinstance(raw, dict):
            raise ScriptError(f'{where}: a step is an object such as {{"press": "1"}}, not {raw!r}')
        kinds = [k for k in raw if k in STEP_KINDS]
        if len(kinds) != 1:
            raise ScriptError(f"{where}: needs exactly one of {', '.join(STEP_KINDS)}; got {sorted(raw)}")
        kind = kinds[0]
        where = f"{where} ({kind})"
        extra = set(raw) - {kind} - _OPTIONS[kind]
        if extra:
            raise ScriptError(f"{where}: unknown option(s) {', '.join(sorted(extra))}")
        value = raw[kind]
        options = {k: v for k, v in raw.items() if k != kind}
        if kind == "wait":
            value = _number(where, "wait", value)
        elif kind == "wait_for":
            if value not in WAIT_TARGETS:
                raise ScriptError(
                    f"{where}: wait_for must be one of {', '.join(WAIT_TARGETS)}, not {value!r}"
                )
            if "timeout" in options:
                options["timeout"] = _number(where, "timeout", options["timeout"])
        elif kind == "press":
            value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            if not isinstance(value, str) or not value or any(c not in DTMF_KEYS for c in value):
                raise ScriptError(f"{where}: press takes keys from 0-9, * and #, not {value!r}")
            options["gap"] = _number(where, "gap", options.get("gap", 0.2))
        elif kind == "say":
            if not isinstance(value, str):
                raise ScriptError(f"{where}: say takes the recognised text, not {value!r}")
            if "confidence" in options:
                c = _number(where, "confidence", options["confidence"])
                if c > 1:
                    raise ScriptError(f"{where}: confidence must be between 0 and 1, not {c:g}")
            if "duration" in options:
                options["duration"] = _number(where, "duration", options["duration"])
        elif kind == "say_wav":
            if not isinstance(value, str) or not value:
                raise ScriptError(f"{where}: say_wav takes a WAV file name, not {value!r}")
            path = Path(base_dir) / value
            if not path.is_file():
                raise ScriptError(f"{where}: {path} does not exist")
            from ivr_studio.voice.pcm import wav_pcm

            try:
                wav_pcm(path)  # an unreadable file stops the script before the call starts
            except ValueError as exc:
                raise ScriptError(f"{where}: {exc}") from None
            value = str(path)
        elif kind == "dial_outcome":
            if value not in DIAL_OUTCOMES:
                raise ScriptError(
                    f"{where}: dial_outcome must be one of {', '.join(DIAL_OUTCOMES)}, not {value!r}"
                )
            for name in ("duration", "ring"):
                if name in options:
                    options[name] = _number(where, name, options[name])
        elif kind == "hangup" and value is not True:
            raise ScriptError(f'{where}: write {{"hangup": true}}')
        steps.append(Step(i, kind, value, options))
    return Script(tuple(steps), Path(base_dir))


def load_script(path: str | Path) -> Script:
    """Read a JSON or YAML script file (YAML when the name ends in .yaml or .yml)."""
    path = Path(path)
    try:
        text = read_text(path, SCRIPT_LIMIT)
        data = load_yaml(text, path) if path.suffix.lower() in (".yaml", ".yml") else load_json(text, path)
    except (InputFileError, StructuredDataError) as exc:
        raise ScriptError(str(exc)) from None
    return parse_script(data if data is not None else {"steps": []}, path.parent)


def speech_events(
    text: str, duration: float, confidence: float | None, interval: float, max_speech: float | None = None
) -> list[tuple[float, Event]]:
    """Events of a caller saying ``text`` over ``duration`` s: start, growing partials, final, end.

    Speech longer than ``max_speech`` (the Gather's maxSpeechTime) is cut there as a recogniser would: the
    words said by then are one utterance, the rest another that starts at once.
    """
    words = text.split()
    if max_speech and duration > max_speech and len(words) > 1:
        cut = max(1, min(len(words) - 1, round(len(words) * max_speech / duration)))
        first = speech_events(" ".join(words[:cut]), max_speech, confidence, interval)
        rest = speech_events(" ".join(words[cut:]), duration - max_speech, confidence, interval)
        return first + [(t + max_speech, e) for t, e in rest]
    events: list[tuple[float, Event]] = [(0.0, SpeechStarted())]
    t = interval
    while t < duration and words:
        shown = max(1, min(len(words), round(len(words) * t / duration)))
        events.append((t, SpeechPartial(" ".join(words[:shown]))))
        t += interval
    events.append((duration, SpeechFinal(text, confidence)))
    events.append((duration, SpeechEnded()))
    return events


class ScriptRunner:
    """Plays a script into a call on the call's clock."""

    def __init__(self, engine: CallEngine, script: Script, speech_feeder: SpeechFeeder | None = None) -> None:
        self.engine = engine
        self.script = script
        self.feeder = speech_feeder
        self.position = 0
        self.mark = 0
        self.finished = False
        self.error: str | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        self.engine.clock.post(self._next)

    def _post_at(self, offset: float, event: Event) -> None:
        self.engine.clock.call_later(offset, lambda: self.engine.deliver(event))

    def _done(self) -> None:
        """The current step is over: later ``wait_for`` steps only look at what happens from now on."""
        self.mark = len(self.engine.trace.events)
        self._next()

    def _next(self) -> None:
        steps = self.script.steps
        if self.engine.ended and self.position < len(steps) and steps[self.position].kind != "wait_for":
            self.finished = True
            return
        if self.position >= len(self.script.steps):
            self.finished = True
            return
        step = self.script.steps[self.position]
        self.position += 1
        clock = self.engine.clock
        if step.kind == "wait":
            clock.call_later(step.value, self._done)
        elif step.kind == "wait_for":
            self._wait_for(WAIT_TARGETS[step.value], step)
        elif step.kind == "press":
            gap = step.options["gap"]
            for i, key in enumerate(step.value):
                self._post_at(i * gap, Dtmf(key))
            clock.call_later((len(step.value) - 1) * gap, self._done)
        elif step.kind == "say":
            text = step.value
            duration = step.options.get("duration") or max(
                0.3, estimate_speech_seconds(text, self.engine.settings)
            )
            confidence = step.options.get("confidence")
            _language, _phrases, max_speech = self._listening_gather()
            for offset, event in speech_events(
                text, duration, confidence, self.engine.settings.partial_interval, max_speech
            ):
                self._post_at(offset, event)
            clock.call_later(duration, self._done)
        elif step.kind == "say_wav":
            self._say_wav(step)
        elif step.kind == "dial_outcome":
            outcome = DialOutcome(
                step.value, step.options.get("duration", 0.0), step.options.get("ring", 0.0)
            )
            self.engine.deliver(outcome)
            clock.post(self._done)
        elif step.kind == "hangup":
            self.engine.deliver(CallerHangup())
            clock.post(self._done)

    def _say_wav(self, step: Step) -> None:
        if self.feeder is None:
            self.error = f"{step.describe()}: say_wav needs a speech recogniser, and none is available"
            self.engine.warn(codes.NO_RECOGNIZER, self.error)
            self.engine.clock.post(self._done)
            return
        language, phrases, max_speech = self._listening_gather()
        try:
            events = self.feeder(step.value, language, phrases, max_speech)
        except Exception as exc:
            self.error = f"{step.describe()}: {exc}"
            self.engine.warn(codes.NO_RECOGNIZER, self.error)
            self.engine.clock.post(self._done)
            return
        end = 0.0
        for offset, event in events:
            self._post_at(offset, event)
            end = max(end, offset)
        self.engine.clock.call_later(end, self._done)

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

    def _wait_for(self, kind: str, step: Step) -> None:
        events = self.engine.trace.events
        found = next((i for i in range(self.mark, len(events)) if events[i]["event"] == kind), None)
        if found is not None or self.engine.ended:
            self.mark = len(events) if found is None else found + 1
            self.engine.clock.post(self._next)
            return

        def listener(event: dict) -> None:
            if event["event"] in (kind, "call_end"):
                if self._unsubscribe:
                    self._unsubscribe()
                    self._unsubscribe = None
                self.mark = len(self.engine.trace.events)
                self.engine.clock.post(self._next)

        self._unsubscribe = self.engine.trace.subscribe(listener)
        if "timeout" in step.options:

            def give_up() -> None:
                if self._unsubscribe:
                    self._unsubscribe()
                    self._unsubscribe = None
                    self._done()

            self.engine.clock.call_later(step.options["timeout"], give_up)


def run_virtual(
    engine: CallEngine,
    script: Script | None = None,
    max_duration: float = 600.0,
    speech_feeder: SpeechFeeder | None = None,
) -> ScriptRunner:
    """Run a whole call on a virtual clock (the engine's clock must be a VirtualClock); returns the runner."""
    from ivr_studio.runtime.clock import VirtualClock

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
