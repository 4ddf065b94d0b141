"""Reading call scripts: the steps a simulated caller takes, checked before the call starts.

:mod:`ivr_studio.runtime.script` describes the steps and plays them; this module turns a decoded script
(JSON or YAML) into :class:`Step` objects and refuses a bad one with a :class:`ScriptError` that names the
step and the problem, so nothing runs half-way. It also says what each ``wait_for`` target matches in the
trace (:data:`WAIT_TARGETS`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ivr_studio.files import (
    InputFileError,
    StructuredDataError,
    cut,
    load_json,
    load_yaml,
    names,
    read_text,
)
from ivr_studio.runtime.events import DIAL_OUTCOMES, DTMF_KEYS
from ivr_studio.runtime.telephony_steps import (
    CALLEE_KINDS,
    TELEPHONY_KINDS,
    TELEPHONY_OPTIONS,
    parse_telephony_step,
)
from ivr_studio.runtime.trace import TraceEvent

STEP_KINDS = ("wait", "wait_for", "press", "say", "say_wav", "dial_outcome", "hangup", *TELEPHONY_KINDS)
#: Options each step kind takes besides its own key (every kind also takes ``may_be_ignored``).
_OPTIONS: dict[str, set[str]] = {
    "wait": set(),
    "wait_for": {"timeout", "text", "path"},
    "press": {"gap"},
    "say": {"confidence", "duration"},
    "say_wav": set(),
    "dial_outcome": {"duration", "ring"},
    "hangup": set(),
    **TELEPHONY_OPTIONS,
}


#: A script is a list of steps a person wrote or the editor saved; 1 MiB is thousands of steps.
SCRIPT_LIMIT = 1024 * 1024
#: The longest a call can last (Twilio ends every call after 24 hours): no time in a script is longer.
MAX_CALL_SECONDS = 86_400.0
#: One ``say`` step is one utterance: at most this long and this many characters (its interim results are
#: posted every ``partial_interval``, so an absurd length would be an absurd number of events).
MAX_SAY_SECONDS = 600.0
MAX_SAY_CHARS = 2_000


class ScriptError(ValueError):
    """A script that cannot run; the message names the step and the problem."""


@dataclass(frozen=True)
class Step:
    """One step of a script: its position (0-based), kind, value and options.

    ``may_be_ignored`` says the step is allowed to have no effect (a key the call may discard, a
    ``wait_for`` that may not happen, a step the call may end before): otherwise that is a failure.
    """

    index: int
    kind: str
    value: Any
    options: dict[str, Any]
    may_be_ignored: bool = False

    def describe(self) -> str:
        """``step 3 (press)``, ``step 4 (wait_for gather)``: how messages name the step (numbered from 1)."""
        what = f"wait_for {self.value}" if self.kind == "wait_for" else self.kind
        return f"step {self.index + 1} ({what})"


@dataclass(frozen=True)
class Script:
    steps: tuple[Step, ...] = ()
    base_dir: Path = Path(".")


def text_matcher(pattern: str) -> Callable[[str], bool]:
    """``/regex/flags`` (flags: i, m, s) or a plain substring; ValueError for a bad regular expression."""
    m = re.fullmatch(r"/(.*)/([ims]*)", pattern, flags=re.S)
    if m:
        flags = 0
        for f in m.group(2):
            flags |= {"i": re.I, "m": re.M, "s": re.S}[f]
        try:
            with warnings.catch_warnings():  # "possible nested set": Python's own notice, not the user's error
                warnings.simplefilter("ignore", FutureWarning)
                regex = re.compile(m.group(1), flags)
        except re.error as exc:
            raise ValueError(f"bad regular expression {pattern[:80]!r}: {exc}") from None
        except RecursionError:  # thousands of nested groups exhaust the parser
            raise ValueError(f"bad regular expression {pattern[:80]!r}: nested too deeply") from None
        return lambda text: regex.search(text) is not None
    return lambda text: pattern in text


@dataclass(frozen=True)
class WaitTarget:
    """What a ``wait_for`` waits for: the trace event ``kind``, narrowed by ``accepts`` (event, step).

    ``noun`` and ``verb`` word the messages: "a Gather began", "no Gather began within 5 s".
    """

    kind: str
    noun: str
    verb: str
    accepts: Callable[[TraceEvent, Step], bool] = lambda event, step: True

    def words(self, step: Step, article: str = "a") -> str:
        """``a <Say> containing 'billing' began`` (``article`` "no" for what did not happen)."""
        qualifier = ""
        if "text" in step.options:
            qualifier = f" matching {step.options['text'][:60]!r}"
        if "path" in step.options:
            qualifier = f" to {step.options['path'][:60]}"
        return f"{article} {self.noun}{qualifier} {self.verb}"


def _says(event: TraceEvent, step: Step) -> bool:
    text = step.options.get("text")
    return text is None or text_matcher(text)(str(event.get("text") or ""))


def _requests(event: TraceEvent, step: Step) -> bool:
    path = step.options.get("path")
    return path is None or urlsplit(str(event.get("url") or "")).path == path


#: ``wait_for`` targets: the trace event each one waits for.
WAIT_TARGETS: dict[str, WaitTarget] = {
    "gather": WaitTarget("gather_start", "Gather", "began"),
    "listening": WaitTarget("listening", "Gather", "was listening"),
    "hangup": WaitTarget("call_end", "call end", "came"),
    "record": WaitTarget("record", "recording", "began", lambda e, s: e.get("status") == "recording"),
    "dial": WaitTarget("dial", "<Dial>", "rang", lambda e, s: e.get("status") == "ringing"),
    # the <Record> beep is traced as a play with neither url nor digits: it is not a <Play>
    "play": WaitTarget("play", "<Play>", "began", lambda e, s: bool(e.get("url") or e.get("digits"))),
    "say": WaitTarget("say", "<Say>", "began", _says),
    "request": WaitTarget("request", "request", "was made", _requests),
    "conference": WaitTarget("conference", "conference", "was joined", lambda e, s: e.get("status") == "joined"),
    "queue": WaitTarget("queue", "queue", "was entered", lambda e, s: e.get("status") == "enqueued"),
}


def _number(
    step: str, name: str, value: Any, minimum: float = 0.0, maximum: float = MAX_CALL_SECONDS
) -> float:
    """``value`` as a float in [minimum, maximum]; NaN, infinities and absurd values are a ScriptError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= maximum:
        raise ScriptError(f"{step}: {name} must be a number from {minimum:g} to {maximum:,g}, not {cut(value)}")
    return float(value)


def _wait_for_options(where: str, value: Any, options: dict[str, Any]) -> None:
    if not isinstance(value, str) or value not in WAIT_TARGETS:
        raise ScriptError(f"{where}: wait_for must be one of {', '.join(WAIT_TARGETS)}, not {cut(value)}")
    if "timeout" in options:
        options["timeout"] = _number(where, "timeout", options["timeout"])
    if "text" in options:
        if value != "say":
            raise ScriptError(f"{where}: text goes with wait_for: say, not with wait_for: {value}")
        if not isinstance(options["text"], str) or not options["text"]:
            raise ScriptError(f"{where}: text is a substring or /regex/ to find in the <Say>")
        try:
            text_matcher(options["text"])
        except ValueError as exc:
            raise ScriptError(f"{where}: {exc}") from None
    if "path" in options:
        if value != "request":
            raise ScriptError(f"{where}: path goes with wait_for: request, not with wait_for: {value}")
        path = options["path"]
        if not isinstance(path, str) or not path.startswith("/"):
            raise ScriptError(f"{where}: path is a URL path starting with /, not {str(path)[:80]!r}")


def parse_step(i: int, raw: Any, base_dir: Path | str, max_audio_seconds: float = MAX_CALL_SECONDS) -> Step:
    """One checked step; ``i`` is its position in the script. A ``say_wav`` file longer than
    ``max_audio_seconds`` (the call's maximum duration) is refused."""
    where = f"step {i + 1}"
    if not isinstance(raw, dict):
        raise ScriptError(f'{where}: a step is an object such as {{"press": "1"}}, not {str(raw)[:80]}')
    kinds = [k for k in raw if k in STEP_KINDS]
    if len(kinds) != 1:
        raise ScriptError(f"{where}: needs exactly one of {', '.join(STEP_KINDS)}; got {names(raw)}")
    kind = kinds[0]
    where = f"{where} ({kind})"
    extra = set(raw) - {kind, "may_be_ignored"} - _OPTIONS[kind]
    if extra:
        raise ScriptError(f"{where}: unknown option(s) {names(extra)}")
    may_be_ignored = raw.get("may_be_ignored", False)
    if not isinstance(may_be_ignored, bool):
        raise ScriptError(f"{where}: may_be_ignored is true or false, not {str(may_be_ignored)[:40]!r}")
    value = raw[kind]
    options = {k: v for k, v in raw.items() if k not in (kind, "may_be_ignored")}
    if kind == "wait":
        value = _number(where, "wait", value)
    elif kind == "wait_for":
        _wait_for_options(where, value, options)
    elif kind == "press":
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(value, str) or not value or any(c not in DTMF_KEYS for c in value):
            raise ScriptError(f"{where}: press takes keys from 0-9, * and #, not {cut(value)}")
        options["gap"] = _number(where, "gap", options.get("gap", 0.2))
    elif kind == "say":
        if not isinstance(value, str):
            raise ScriptError(f"{where}: say takes the recognised text, not {cut(value)}")
        if len(value) > MAX_SAY_CHARS:
            raise ScriptError(f"{where}: say takes at most {MAX_SAY_CHARS:,} characters, not {len(value):,}")
        if "confidence" in options:
            options["confidence"] = _number(where, "confidence", options["confidence"], maximum=1.0)
        if "duration" in options:
            options["duration"] = _number(where, "duration", options["duration"], maximum=MAX_SAY_SECONDS)
    elif kind == "say_wav":
        value = _wav_path(where, value, base_dir, max_audio_seconds)
    elif kind == "dial_outcome":
        if not isinstance(value, str) or value not in DIAL_OUTCOMES:
            raise ScriptError(
                f"{where}: dial_outcome must be one of {', '.join(DIAL_OUTCOMES)}, not {cut(value)}"
            )
        for name in ("duration", "ring"):
            if name in options:
                options[name] = _number(where, name, options[name])
    elif kind == "hangup" and value is not True:
        raise ScriptError(f'{where}: write {{"hangup": true}}')
    elif kind in TELEPHONY_KINDS:
        try:
            value = parse_telephony_step(
                where,
                kind,
                value,
                options,
                _number,
                lambda raw: _callee_step(i, raw, base_dir),
            )
        except ValueError as exc:
            raise ScriptError(str(exc)) from None
    return Step(i, kind, value, options, may_be_ignored)


def _callee_step(i: int, raw: dict, base_dir: Path | str) -> Step:
    """The callee's own step inside ``{"callee": {...}}``: a press, say or hangup, checked like the caller's."""
    step = parse_step(i, raw, base_dir)
    if step.kind not in CALLEE_KINDS or step.may_be_ignored:
        raise ScriptError(f"step {i + 1} (callee): the callee can press, say or hang up, with no may_be_ignored")
    return step


def _wav_path(where: str, value: Any, base_dir: Path | str, max_audio_seconds: float) -> str:
    if not isinstance(value, str) or not value:
        raise ScriptError(f"{where}: say_wav takes a WAV file name, not {str(value)[:80]!r}")
    path = Path(base_dir) / value
    if not path.is_file():
        raise ScriptError(f"{where}: {path} does not exist")
    from ivr_studio.voice.pcm import MAX_AUDIO_SECONDS, audio_seconds

    try:  # an unreadable or overlong file stops the script before the call starts (its header only)
        audio_seconds(path, min(max_audio_seconds, MAX_AUDIO_SECONDS))
    except ValueError as exc:
        raise ScriptError(f"{where}: {exc}") from None
    return str(path)


def parse_script(data: Any, base_dir: Path | str = ".", max_audio_seconds: float = MAX_CALL_SECONDS) -> Script:
    """Check a decoded script and return it; raise :class:`ScriptError` naming the bad step.

    ``max_audio_seconds`` is the call's maximum duration: a ``say_wav`` file longer than the call is refused.
    """
    if isinstance(data, list):
        data = {"steps": data}
    if not isinstance(data, dict) or not isinstance(data.get("steps", []), list):
        raise ScriptError('a script is an object with a list of "steps"')
    unknown = set(data) - {"steps"}
    if unknown:
        raise ScriptError(f"unknown script key(s): {names(unknown)}")
    steps = tuple(parse_step(i, raw, base_dir, max_audio_seconds) for i, raw in enumerate(data.get("steps", [])))
    return Script(steps, Path(base_dir))


def load_script(path: str | Path, max_audio_seconds: float = MAX_CALL_SECONDS) -> Script:
    """Read a JSON or YAML script file (YAML when the name ends in .yaml or .yml).

    Every :class:`ScriptError` names the file first (``calls.yaml: step 3 (press): …``), so the person
    running several scripts knows which one to fix.
    """
    path = Path(path)
    try:
        text = read_text(path, SCRIPT_LIMIT)
        data = load_yaml(text, path) if path.suffix.lower() in (".yaml", ".yml") else load_json(text, path)
    except (InputFileError, StructuredDataError) as exc:
        raise ScriptError(str(exc)) from None  # these messages start with the file's name already
    try:
        return parse_script(data if data is not None else {"steps": []}, path.parent, max_audio_seconds)
    except ScriptError as exc:
        raise ScriptError(f"{path}: {exc}") from None
