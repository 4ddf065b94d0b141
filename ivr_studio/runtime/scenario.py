"""Scenario files: scripted calls with expectations, for ``ivr-studio test`` and CI.

A scenario file (YAML) names a target and one or more calls::

    target: support-line.ivrflow        # URL, .ivrflow file or bundle folder, relative to this file
    settings: {type_ahead: true}        # optional RuntimeSettings fields
    method: GET                         # optional: the Voice URL's method (default POST)
    fallback_url: https://example.com/fallback      # optional, with fallback_method (default POST)
    status_callback: http://127.0.0.1:9000/status   # optional: the call's status callback, with
    status_callback_event: [initiated, ringing, answered, completed]   # (default: completed)
    status_callback_method: POST
    calls:
      - name: sales
        steps: [{wait_for: listening}, {press: "1"}]
        expect_say: [Welcome, "/sales team/i"]      # in order; substring, or /regex/ with flags
        expect_request: [{path: /voice/menu, params: {Digits: "1"}}]
        expect_not_request: [{path: /voice/support}]  # never made
        expect_node: [welcome, menu, sales]          # X-IVR-Node of requests, in order
        expect_trace: [{event: dial, status: answered}]   # any trace events, in order
        expect_end: completed                        # call status

``at``, ``tz`` and ``backend`` (at the top, or per call) are options for the target — the handler's date
and time, back-end stubs — handed to the target resolver as written; this module does not read them.

The expectations are checked by :mod:`.expectations`: each ordered list must match in order (other events
may come between). A file without calls, or a call without any expectation, is an error: it would pass
while testing nothing; so is a malformed expectation (an unknown trace field, say). Every call's steps are checked and
the target is found before the first call runs. The target is resolved by a function the caller passes in, so
this module never needs the flow or bundle packages.

:func:`run_scenario_file` is ``ivr-studio test``. :func:`read_scenario` and :func:`run_scenario_call` are its
parts, for callers that run the calls themselves (a load run plays them many times at once, on either clock).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ivr_studio.files import InputFileError, StructuredDataError, cut, load_yaml, names, read_text
from ivr_studio.runtime.audio import VoiceIO
from ivr_studio.runtime.clock import Clock, VirtualClock
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.expectations import EXPECT_KEYS, as_list, check_call, check_expectations
from ivr_studio.runtime.params import CallIdentity
from ivr_studio.runtime.script import Script, ScriptError, SpeechFeeder, parse_script, run_virtual
from ivr_studio.runtime.script_steps import MAX_CALL_SECONDS
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.status_callbacks import StatusCallback, parse_method
from ivr_studio.runtime.trace import Listener, TraceEvent
from ivr_studio.runtime.transports import callback_transport
from ivr_studio.voice.interfaces import RecognizerProvider

#: resolver(target text, scenario folder, auth token[, options, clock]) -> (transport, entry URL); raises
#: ValueError. ``options`` (the TARGET_OPTIONS a scenario gives) and the call's ``clock`` are passed only
#: when the scenario gives options.
TargetResolver = Callable[..., tuple[Any, str]]

#: Options for the target, passed through to the resolver unread (the flow's time, back-end stubs).
TARGET_OPTIONS = ("at", "tz", "backend")
CALL_KEYS = {"name", "steps", "from", "to", "max_duration", *EXPECT_KEYS, *TARGET_OPTIONS}


#: Scenario files are written by people or saved by the editor: 4 MiB holds thousands of calls.
SCENARIO_LIMIT = 4 * 1024 * 1024


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message says where and why."""


@dataclass
class CallReport:
    """The outcome of one scenario call."""

    file: str
    name: str
    failures: list[str] = field(default_factory=list)
    trace: list[TraceEvent] = field(default_factory=list)
    wall_seconds: float = 0.0
    call_seconds: float = 0.0
    #: how the call ended (``completed``, ``busy`` …) and the Twilio code of an application error
    status: str | None = None
    app_error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


def _guess(unknown: set) -> str:
    """`` (did you mean expect_node?)`` for a misspelt call key (``expect_nodes``), else nothing."""
    guesses = {
        match
        for key in sorted(map(str, unknown))[:10]
        if len(key) <= 40  # difflib's cost grows with the length; no real key is that long
        for match in difflib.get_close_matches(key, sorted(CALL_KEYS), n=1, cutoff=0.8)
    }
    return f" (did you mean {' or '.join(sorted(guesses))}?)" if guesses else ""


def load_scenario(path: Path) -> dict:
    try:
        data = load_yaml(read_text(path, SCENARIO_LIMIT), path)
    except (InputFileError, StructuredDataError) as exc:
        raise ScenarioError(str(exc)) from None
    if not isinstance(data, dict) or "target" not in data or not isinstance(data.get("calls"), list):
        raise ScenarioError(f"{path}: a scenario needs a 'target' and a list of 'calls'")
    if not data["calls"]:
        raise ScenarioError(f"{path} has no calls: add at least one call with steps and expectations")
    for i, c in enumerate(data["calls"]):
        if not isinstance(c, dict):
            raise ScenarioError(f"{path}: call {i + 1} is not a mapping")
        unknown = set(c) - CALL_KEYS
        if unknown:
            raise ScenarioError(f"{path}: call {i + 1} has unknown key(s) {names(unknown)}{_guess(unknown)}")
        if not any(as_list(c.get(key)) for key in EXPECT_KEYS):
            name = c.get("name") or f"call {i + 1}"
            raise ScenarioError(
                f"{path}: call {cut(name)} has no expectations, so it tests nothing: "
                "add an expectation, e.g. expect_end: completed"
            )
        duration = c.get("max_duration", 600)
        if (
            isinstance(duration, bool)
            or not isinstance(duration, (int, float))
            or not 0 < duration <= MAX_CALL_SECONDS
        ):
            raise ScenarioError(
                f"{path}: call {i + 1}: max_duration must be a number of seconds above 0 and at most "
                f"{MAX_CALL_SECONDS:,.0f}, not {cut(duration)}"
            )
        try:
            check_expectations(c)
        except ValueError as exc:
            raise ScenarioError(f"{path}: call {i + 1}: {exc}") from None
    return data


@dataclass(frozen=True)
class ScenarioCall:
    """One call of a scenario file, its steps checked: ``spec`` is the call's mapping as written."""

    index: int
    name: str
    spec: dict[str, Any]
    script: Script


@dataclass(frozen=True)
class Scenario:
    """A scenario file read and checked, ready to run its calls one by one.

    ``ivr-studio test`` runs every call once on virtual time; a load run runs the same calls many times at
    once, on either clock, against a target of its own choosing. Both build each call with
    :meth:`new_engine` and check it with :func:`check_call`, so a scenario means the same thing everywhere.
    """

    path: Path
    data: dict[str, Any]
    settings: RuntimeSettings
    auth_token: str
    calls: tuple[ScenarioCall, ...]
    status_callback: StatusCallback | None = None
    method: str = "POST"  # the Voice URL's method (``method:``)
    fallback_method: str = "POST"  # the Voice fallback URL's (``fallback_method:``)

    def target_options(self, call: ScenarioCall | None = None) -> dict[str, Any]:
        """The target options of the file, overridden by the call's own (unread: the resolver's business)."""
        options = {k: self.data[k] for k in TARGET_OPTIONS if k in self.data}
        if call is not None:
            options.update({k: call.spec[k] for k in TARGET_OPTIONS if k in call.spec})
        return options

    def resolve_target(
        self, resolver: TargetResolver, call: ScenarioCall | None = None, clock: Clock | None = None
    ) -> tuple[Any, str]:
        """The transport and entry URL of the file's ``target``; ScenarioError when it is unusable."""
        options = self.target_options(call)
        extra: tuple[Any, ...] = (options, clock) if options else ()
        try:
            return resolver(str(self.data["target"]), self.path.parent, self.auth_token, *extra)
        except ValueError as exc:
            raise ScenarioError(f"{self.path}: target: {exc}") from None

    def new_engine(
        self,
        call: ScenarioCall,
        transport: Any,
        url: str,
        clock: Clock | None = None,
        recognizers: RecognizerProvider | None = None,
    ) -> CallEngine:
        """A call engine for ``call`` against ``url`` (on a new VirtualClock unless ``clock`` is given);
        ``recognizers`` transcribe recordings of the caller's audio."""
        spec = call.spec
        identity = CallIdentity(
            from_number=str(spec.get("from", "+15005550006")), to_number=str(spec.get("to", "+15005550001"))
        )
        return CallEngine(
            url,
            transport,
            clock=clock or VirtualClock(),
            settings=self.settings,
            identity=identity,
            voice=VoiceIO(recognizers=recognizers),
            auth_token=self.auth_token,
            method=self.method,
            fallback_url=self.data.get("fallback_url"),
            fallback_method=self.fallback_method,
            status_callback=self.status_callback,
            callback_transport=(
                callback_transport(self.status_callback.url, url, transport) if self.status_callback else None
            ),
        )


def read_scenario(path: str | Path) -> Scenario:
    """Read a scenario file and check every call's steps; raise ScenarioError for an unusable file."""
    path = Path(path)
    data = load_scenario(path)
    try:
        settings = RuntimeSettings.from_mapping(data.get("settings") or {})
    except ValueError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    calls = []
    for i, spec in enumerate(data["calls"]):
        name = str(spec.get("name") or f"call {i + 1}")
        try:
            script = parse_script(
                {"steps": spec.get("steps") or []}, path.parent, float(spec.get("max_duration", 600))
            )
        except ScriptError as exc:
            raise ScenarioError(f"{path}: {name}: {exc}") from None
        calls.append(ScenarioCall(i, name, spec, script))
    auth_token = str(data.get("auth_token", "ivr-studio-local-auth-token"))
    try:
        method = parse_method(data.get("method"), "method")
        fallback_method = parse_method(data.get("fallback_method"), "fallback_method")
    except ValueError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    if "fallback_method" in data and not data.get("fallback_url"):
        raise ScenarioError(f"{path}: fallback_method needs a fallback_url")
    return Scenario(
        path, data, settings, auth_token, tuple(calls), _status_callback(path, data), method, fallback_method
    )


def _status_callback(path: Path, data: dict[str, Any]) -> StatusCallback | None:
    """The file's ``status_callback`` (with ``status_callback_event`` and ``status_callback_method``)."""
    if data.get("status_callback") is None:
        for key in ("status_callback_event", "status_callback_method"):
            if key in data:
                raise ScenarioError(f"{path}: {key} needs a status_callback URL")
        return None
    try:
        return StatusCallback.build(
            data["status_callback"], data.get("status_callback_event"), data.get("status_callback_method")
        )
    except ValueError as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def run_scenario_call(
    scenario: Scenario,
    call: ScenarioCall,
    transport: Any,
    url: str,
    *,
    clock: Clock | None = None,
    speech_feeder: SpeechFeeder | None = None,
    listener: Listener | None = None,
    recognizers: RecognizerProvider | None = None,
) -> CallReport:
    """Run one call of a scenario and check its expectations.

    On a VirtualClock (the default) the call runs at once; on a RealClock it runs on the current thread at
    wall speed. ``listener`` sees every trace event as it happens.
    """
    engine = scenario.new_engine(call, transport, url, clock, recognizers)
    if listener is not None:
        engine.trace.subscribe(listener)
    max_duration = float(call.spec.get("max_duration", 600))
    started = time.perf_counter()
    if isinstance(engine.clock, VirtualClock):
        runner = run_virtual(engine, call.script, max_duration, speech_feeder)
    else:
        from ivr_studio.runtime.live import LiveCall

        live = LiveCall(engine, max_duration=max_duration)
        live.run(call.script, speech_feeder)
        runner = live.runner
    report = CallReport(str(scenario.path), call.name, trace=engine.trace.events)
    report.wall_seconds = time.perf_counter() - started
    report.call_seconds = engine.elapsed
    report.status = engine.end_status
    report.app_error = engine.app_error.code if engine.app_error is not None else None
    # the script's own failures first (a step with no effect, one the call ended before): they explain
    # the expectations that did not match
    steps = runner.failures if runner is not None else []
    report.failures = steps + check_call(engine.trace.events, call.spec, engine.end_status)
    return report


def run_scenario_file(
    path: str | Path,
    resolve_target: TargetResolver,
    speech_feeder: SpeechFeeder | None = None,
    recognizers: RecognizerProvider | None = None,
) -> list[CallReport]:
    """Run every call of a scenario file on virtual time; raise ScenarioError for an unusable file.

    Every call's steps are checked, and the target found, before any call runs; each call gets a fresh app.
    """
    scenario = read_scenario(path)
    clocks = [VirtualClock() for _ in scenario.calls]
    first = scenario.calls[0] if scenario.calls else None
    first_target = scenario.resolve_target(resolve_target, first, clocks[0] if clocks else None)
    reports = []
    for call, clock in zip(scenario.calls, clocks, strict=True):
        transport, url = (
            first_target if call.index == 0 else scenario.resolve_target(resolve_target, call, clock)
        )
        reports.append(
            run_scenario_call(
                scenario,
                call,
                transport,
                url,
                clock=clock,
                speech_feeder=speech_feeder,
                recognizers=recognizers,
            )
        )
    return reports


def junit_xml(reports: list[CallReport], errors: dict[str, str] | None = None) -> bytes:
    """JUnit XML for CI: one testsuite per scenario file, one testcase per call."""
    from xml.etree import ElementTree as ET

    root = ET.Element("testsuites", name="ivr-studio test")
    by_file: dict[str, list[CallReport]] = {}
    for r in reports:
        by_file.setdefault(r.file, []).append(r)
    for file in errors or {}:
        by_file.setdefault(file, [])
    for file, items in by_file.items():
        error = (errors or {}).get(file)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=file,
            tests=str(len(items) + (1 if error else 0)),
            failures=str(sum(not r.passed for r in items)),
            errors="1" if error else "0",
            time=f"{sum(r.wall_seconds for r in items):.3f}",
        )
        for r in items:
            case = ET.SubElement(
                suite, "testcase", classname=Path(file).stem, name=r.name, time=f"{r.wall_seconds:.3f}"
            )
            for failure in r.failures:
                el = ET.SubElement(case, "failure", message=failure.splitlines()[0])
                el.text = failure
        if error:
            case = ET.SubElement(suite, "testcase", classname=Path(file).stem, name="scenario file")
            ET.SubElement(case, "error", message=error).text = error
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
