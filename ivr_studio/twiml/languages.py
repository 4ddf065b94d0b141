"""The languages ``<Gather>`` can recognise, and which of them support enhanced and experimental models.

Read once from the bundled ``gather-languages.csv`` (language, tag, enhanced_model, experimental_models).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from ivr_studio.paths import resource_path


@dataclass(frozen=True)
class GatherLanguage:
    name: str
    tag: str
    enhanced: bool
    experimental: bool


@cache
def gather_languages() -> dict[str, GatherLanguage]:
    """Tag → language, in the file's order."""
    path = resource_path("data", "gather-languages.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        row["tag"]: GatherLanguage(
            name=row["language"],
            tag=row["tag"],
            enhanced=row["enhanced_model"].strip().lower() == "yes",
            experimental=row["experimental_models"].strip().lower() == "yes",
        )
        for row in rows
    }


def gather_language_tags() -> frozenset[str]:
    return frozenset(gather_languages())
