"""``ivr-studio test FILES... [--junit OUT] [--coverage OUT]``: run scenario files (scripted test calls).

Any file name is accepted; scenario files are named ``*.test.yaml`` so that ``pytest`` collects them too
(the plugin in :mod:`ivr_studio.cli.pytest_plugin` shares this command's code, :mod:`.scenario_runs`).

``--coverage OUT`` writes the flow exits the calls took as JSON (for the editor's coverage overlay: Call ▸
Load test coverage…); exits are read from the flow targets' routing data.

Prints one PASS/FAIL line per call, the mismatch with the trace around it for failures, and a summary line.
A call whose script did not go as written fails, with the reason: a step that failed (a ``say_wav`` with no
speech model for the Gather's language), had no effect (a key outside any Gather) or never ran.
Exit codes: 0 all passed, 1 some call failed, 2 a scenario file could not be run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "test",
        help="run scenario files of scripted test calls",
        description="Run the scripted calls of YAML scenario files on virtual time and check their "
        "expectations. Exits 0 when every call passed, 1 when a call failed, 2 when a file could not be run "
        "or a report could not be written.",
    )
    p.add_argument("files", nargs="+", help="scenario files (YAML)")
    p.add_argument("--junit", metavar="OUT", help="also write a JUnit XML report here")
    p.add_argument(
        "--coverage",
        metavar="OUT",
        help="also write the flow exits the calls took here (JSON; the editor's Call ▸ Load test coverage… "
        "shows them)",
    )
    p.add_argument(
        "--phone-fidelity",
        action="store_true",
        help="pass say_wav audio through an 8 kHz mu-law phone line before recognition, as a real call would",
    )
    p.set_defaults(func=run)


def _routing_for(scenario: str) -> Mapping[str, Any] | None:
    """The routing data of a scenario's flow or bundle target (None for a URL or an unusable target)."""
    from ivr_studio.bundle.serve import routing_for_target
    from ivr_studio.runtime.scenario import ScenarioError, load_scenario

    try:
        target = str(load_scenario(Path(scenario))["target"])
    except ScenarioError:
        return None
    if target.startswith(("http://", "https://")):
        return None
    try:
        return routing_for_target(Path(scenario).parent / target)
    except ValueError:
        return None


def write_coverage(out: str, reports: list) -> None:
    """The exits every call took (per the routing data of its scenario's target), as coverage JSON."""
    from ivr_studio.bundle.coverage import CoverageTracker, coverage_json
    from ivr_studio.files import write_text_atomic

    taken: set[tuple[str, str]] = set()
    routings: dict[str, Mapping[str, Any] | None] = {}
    for r in reports:
        if r.file not in routings:
            routings[r.file] = _routing_for(r.file)
        tracker = CoverageTracker(routings[r.file] or {})
        for event in r.trace:
            tracker.feed(event)
        taken.update(tracker.taken)
    flows = [x for x in routings.values() if x is not None]
    single = flows[0] if flows and all(f == flows[0] for f in flows) else None
    write_text_atomic(out, coverage_json(taken, single))


def run(args: argparse.Namespace) -> int:
    from ivr_studio.cli.scenario_runs import ScenarioCalls, failure_text, resolve_scenario_target
    from ivr_studio.files import write_bytes_atomic
    from ivr_studio.runtime.scenario import ScenarioError, junit_xml, run_scenario_file

    calls = ScenarioCalls(phone_fidelity=args.phone_fidelity)

    passed = failed = 0
    reports = []
    errors: dict[str, str] = {}
    for file in args.files:
        try:
            file_reports = run_scenario_file(
                file, resolve_scenario_target, calls.feeder, recognizers=calls.provider
            )
        except ScenarioError as exc:
            errors[file] = str(exc)
            print(f"ERROR {exc}")  # the message starts with the file's name
            continue
        for r in file_reports:
            reports.append(r)
            if r.passed:
                passed += 1
                print(
                    f"PASS  {file} › {r.name}  ({r.call_seconds:.1f} s call, {r.wall_seconds * 1000:.0f} ms)"
                )
            else:
                failed += 1
                print(f"FAIL  {file} › {r.name}")
                print(failure_text(r, indent="      "))
    summary = f"{passed} passed, {failed} failed"
    if errors:
        summary += f", {len(errors)} file(s) could not be run"
    print(summary)
    if args.junit:
        try:
            write_bytes_atomic(args.junit, junit_xml(reports, errors))
        except OSError as exc:
            print(f"error: cannot write {args.junit}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if args.coverage:
        try:
            write_coverage(args.coverage, reports)
        except OSError as exc:
            print(f"error: cannot write {args.coverage}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if errors:
        return 2
    return 1 if failed else 0
