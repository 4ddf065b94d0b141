"""Mutation scores of the modules ``make mutation`` checks, from mutmut's results in ``mutants/``.

Prints, per module: mutants, killed, survived, equivalent (survivors named in a test module's comment as
equivalent: the program does the same thing either way), timeouts and mutants no test reaches, and the
score — killed (timeouts count as killed) over the non-equivalent mutants that were run; mutants generated but not
run yet (a run of `make mutation` on another module) are left out and counted after the score.

    .venv/bin/python benchmarks/mutation_scores.py        (after make mutation)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from mutmut.stats import status_by_exit_code  # mutmut's own reading of its exit codes

ROOT = Path(__file__).resolve().parents[1]
MODULES = (
    "ivr_studio/bundle/handler/matching.py",
    "ivr_studio/bundle/handler/retries.py",
    "ivr_studio/runtime/verbs/gather.py",
)
#: How a test module names an equivalent mutant: the ``__mutmut_N`` suffix of its mutmut name.
EQUIVALENT = re.compile(r"(x[\wǁ]+__mutmut_\d+)")


def equivalent_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        if "Equivalent mutants" in text:
            names |= set(EQUIVALENT.findall(text))
    return names


def score(module: str, equivalent: set[str]) -> dict[str, object] | None:
    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        return None
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    counts = {"mutants": len(codes), "killed": 0, "survived": 0, "equivalent": 0, "timeout": 0, "no tests": 0}
    counts["not run"] = sum(code is None for code in codes.values())
    if counts["not run"] == len(codes):
        return None  # mutants generated, none run yet (mutmut was run on another module)
    survivors = []
    for name, code in codes.items():
        if code is None:  # not checked yet: neither killed nor survived; the score says how many
            continue
        short = name.rsplit(".", 1)[-1]
        status = status_by_exit_code[code]
        if status in ("killed", "caught by type check"):
            counts["killed"] += 1
        elif status == "timeout":  # a mutant that loops forever is caught too
            counts["timeout"] += 1
        elif short in equivalent:
            counts["equivalent"] += 1
        elif status == "no tests":
            counts["no tests"] += 1
            survivors.append(f"{short} (no test reaches it)")
        else:  # survived, suspicious, or not checked yet
            counts["survived"] += 1
            survivors.append(f"{short} ({status})")
    judged = counts["mutants"] - counts["not run"] - counts["equivalent"]
    counts["score"] = (counts["killed"] + counts["timeout"]) / judged if judged else 0.0
    counts["left"] = survivors
    return counts


def main() -> int:
    equivalent = equivalent_names()
    print(
        f"{'module':44} {'mutants':>7} {'killed':>6} {'surv.':>5} {'equiv.':>6} {'t/o':>4} {'none':>4} score"
    )
    for module in MODULES:
        counts = score(module, equivalent)
        if counts is None:
            print(f"{module:44} (not run)")
            continue
        print(
            f"{module:44} {counts['mutants']:>7} {counts['killed']:>6} {counts['survived']:>5} "
            f"{counts['equivalent']:>6} {counts['timeout']:>4} {counts['no tests']:>4} {counts['score']:.1%}"
            + (f" ({counts['not run']} not run yet)" if counts["not run"] else "")
        )
        if "-v" in sys.argv:
            for name in counts["left"]:  # type: ignore[union-attr]
                print(f"    survived: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
