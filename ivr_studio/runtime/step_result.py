"""How one step of a scripted call went, and the one-line message a failed run prints for it.

Kept apart from :mod:`ivr_studio.runtime.script`, which plays the steps into a call: this is only the
verdict the runner records for each step (``ScriptRunner.results``) and turns into its ``failures``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr_studio.runtime.script_steps import Step
from ivr_studio.runtime.trace import step_verdict


@dataclass
class StepResult:
    """How one step went: ``pending`` → ``running`` → ``done``, ``ignored`` (no effect), ``failed`` (could
    not be carried out) or ``not_run`` (the call ended first); ``why`` says why it did not go as written."""

    step: Step
    state: str = "pending"
    why: str = ""

    @property
    def is_failure(self) -> bool:
        """The step did not go as written, and the script did not allow it."""
        if self.state == "failed":
            return True
        return self.state in ("ignored", "not_run") and not self.step.may_be_ignored

    def message(self) -> str:
        """``step 3 (press) had no effect: key '5': while <Say> played, outside any <Gather>``."""
        if self.state == "failed":
            verb = "failed"
        elif self.state in ("ignored", "not_run"):
            verb = step_verdict(self.step.kind, ran=self.state == "ignored")
        else:
            verb = "ran"
        return f"{self.step.describe()} {verb}: {self.why}"
