"""The pytest plugin: scenario files (``*.test.yaml``) are collected as tests, one item per call.

Installed with IVR Studio (entry point ``pytest11``), so ``pytest`` runs a phone menu's scenario files beside
its Python tests: ``pytest -k "sales"`` picks calls by name, ``--junitxml`` reports them, and pytest-xdist's
``-n auto`` spreads them over the machine's cores. A call runs exactly as under ``ivr-studio test`` (the
same code: :mod:`ivr_studio.cli.scenario_runs`) and fails with the same report: every mismatch with the
trace around it. A file that cannot be used (bad YAML, a bad step, no expectation) is a collection error
naming the file and the problem.

``--ivr-phone-fidelity`` passes ``say_wav`` audio through an 8 kHz μ-law phone line first, as
``ivr-studio test --phone-fidelity`` does. ``-p no:ivr_studio`` turns the plugin off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ivr_studio.cli.scenario_runs import ScenarioCalls, failure_text, is_scenario_file

_CALLS = pytest.StashKey[ScenarioCalls]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ivr-studio", "IVR Studio scenario files (*.test.yaml)")
    group.addoption(
        "--ivr-phone-fidelity",
        action="store_true",
        help="pass say_wav audio through an 8 kHz mu-law phone line before recognition, as a real call would",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if is_scenario_file(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFileError(Exception):
    """A scenario file that cannot be run; the message names the file and the problem."""


class CallFailed(Exception):
    """A scenario call whose expectations (or script) did not hold; carries the call's report."""

    def __init__(self, report: Any) -> None:
        super().__init__(report.name)
        self.report = report


class ScenarioFile(pytest.File):
    """One scenario file: an item per call, named by the call's ``name``."""

    def collect(self):  # noqa: ANN201 - pytest's own signature
        from ivr_studio.runtime.scenario import ScenarioError, read_scenario

        try:
            scenario = read_scenario(self.path)
        except ScenarioError as exc:
            raise ScenarioFileError(str(exc)) from None
        seen: set[str] = set()
        for call in scenario.calls:
            name = call.name if call.name not in seen else f"{call.name} [{call.index + 1}]"
            seen.add(name)
            yield ScenarioCallItem.from_parent(self, name=name, scenario=scenario, call=call)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, ScenarioFileError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))


class ScenarioCallItem(pytest.Item):
    """One call of a scenario file, run on virtual time against a fresh app."""

    def __init__(self, *, scenario: Any, call: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.call = call

    def runtest(self) -> None:
        calls = self.config.stash.get(_CALLS, None)
        if calls is None:
            calls = ScenarioCalls(phone_fidelity=self.config.getoption("ivr_phone_fidelity"))
            self.config.stash[_CALLS] = calls
        report = calls.run(self.scenario, self.call)
        if not report.passed:
            raise CallFailed(report)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # type: ignore[override]
        from ivr_studio.runtime.scenario import ScenarioError

        if isinstance(excinfo.value, CallFailed):
            return failure_text(excinfo.value.report)
        if isinstance(excinfo.value, ScenarioError):  # the target cannot be used
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name} › {self.name}"
