"""Running scenario files: what ``ivr-studio test`` and the pytest plugin share.

Scenario files are named ``*.test.yaml`` (:data:`SCENARIO_SUFFIX`): the test-call panel saves them so, the
pytest plugin collects them so. ``ivr-studio test`` runs any file it is given, whatever its name, so files
named the older way (``*.tests.yaml``) still run. Both run a call the same way (:class:`ScenarioCalls`): the
target is resolved afresh for every call, so each call meets a new app, and ``say_wav`` audio goes through
the offline recogniser (loaded only when a call needs it). A failed call reads the same in both
(:func:`failure_text`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The one file-name ending of scenario files.
SCENARIO_SUFFIX = ".test.yaml"


def is_scenario_file(path: Path) -> bool:
    """A file the pytest plugin collects: ``NAME.test.yaml``."""
    return path.name.endswith(SCENARIO_SUFFIX) and len(path.name) > len(SCENARIO_SUFFIX)


def resolve_scenario_target(
    target: str, base: Path, auth_token: str, options: dict | None = None, clock: Any = None
) -> tuple[Any, str]:
    """A scenario's ``target``: an http(s) URL, or a flow file or bundle folder relative to the scenario;
    ``options`` are the scenario's target options (``at``, ``tz``, ``backend``) and ``clock`` the call's."""
    from ivr_studio.cli.call import resolve_target

    if not target.startswith(("http://", "https://")):
        target = str(base / target)
    return resolve_target(target, auth_token, options, clock=clock, base_dir=base)


class ScenarioCalls:
    """Runs scenario calls on virtual time with the offline recogniser for their ``say_wav`` steps."""

    def __init__(self, phone_fidelity: bool = False) -> None:
        from ivr_studio.cli.call import default_recognizer_provider
        from ivr_studio.runtime.speech_feed import wav_feeder

        # engines load only when a say_wav step runs (or a recording of its audio is transcribed)
        self.provider = default_recognizer_provider()
        self.feeder = wav_feeder(self.provider, phone_fidelity=phone_fidelity)

    def run(self, scenario: Any, call: Any) -> Any:
        """Run one call of a read scenario (a fresh app for it) and return its CallReport; ScenarioError
        when the target cannot be used."""
        from ivr_studio.runtime.clock import VirtualClock
        from ivr_studio.runtime.scenario import run_scenario_call

        clock = VirtualClock()  # the call's, shared with the app it calls (a flow's time of day)
        transport, url = scenario.resolve_target(resolve_scenario_target, call, clock)
        return run_scenario_call(
            scenario, call, transport, url, clock=clock, speech_feeder=self.feeder, recognizers=self.provider
        )


def failure_text(report: Any, indent: str = "") -> str:
    """A failed call's mismatches, each with the trace around it, as ``ivr-studio test`` prints them."""
    return "\n".join(indent + failure.replace("\n", "\n" + indent) for failure in report.failures)
