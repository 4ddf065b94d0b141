"""``ivr-studio test FILES... [--junit OUT]``: run scenario files (scripted calls with expectations).

Prints one PASS/FAIL line per call, the mismatch with the trace around it for failures, and a summary line.
Exit codes: 0 all passed, 1 some call failed, 2 a scenario file could not be run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "test",
        help="run scenario files of scripted test calls",
        description="Run the scripted calls of YAML scenario files on virtual time and check their expectations.",
    )
    p.add_argument("files", nargs="+", help="scenario files (YAML)")
    p.add_argument("--junit", help="also write a JUnit XML report here")
    p.set_defaults(func=run)


def _resolver(target: str, base: Path, auth_token: str):
    from ivr_studio.cli.call import resolve_target

    if target.startswith(("http://", "https://")):
        return resolve_target(target, auth_token)
    return resolve_target(str(base / target), auth_token)


def run(args: argparse.Namespace) -> int:
    from ivr_studio.runtime.scenario import ScenarioError, junit_xml, run_scenario_file

    passed = failed = 0
    reports = []
    errors: dict[str, str] = {}
    for file in args.files:
        try:
            file_reports = run_scenario_file(file, _resolver)
        except ScenarioError as exc:
            errors[file] = str(exc)
            print(f"ERROR {file}: {exc}")
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
                for failure in r.failures:
                    print("      " + failure.replace("\n", "\n      "))
    summary = f"{passed} passed, {failed} failed"
    if errors:
        summary += f", {len(errors)} file(s) could not be run"
    print(summary)
    if args.junit:
        try:
            Path(args.junit).write_bytes(junit_xml(reports, errors))
        except OSError as exc:
            print(f"error: cannot write {args.junit}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if errors:
        return 2
    return 1 if failed else 0
