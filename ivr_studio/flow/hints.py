"""The ``hints`` a menu sends to Twilio's recogniser: the author's own hints plus every branch phrase.

De-duplicated (case-insensitively) and kept within Twilio's limits of 500 entries of at most 100 characters
(spec §2.1); what does not fit is reported by the validator and left out of the export.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr_studio.flow.model import Node
from ivr_studio.twiml.values import HINT_MAX_CHARS, HINTS_MAX_ENTRIES, join_hints, split_hints


@dataclass(frozen=True)
class Hints:
    entries: list[str]
    too_long: list[str]
    dropped_for_count: int

    @property
    def text(self) -> str | None:
        return join_hints(self.entries) if self.entries else None


def gather_hints(node: Node) -> Hints:
    own = node.attributes.get("hints")
    candidates = split_hints(own) if isinstance(own, str) else []
    candidates += [p for b in node.branches for p in b.phrases]
    entries: list[str] = []
    too_long: list[str] = []
    seen: set[str] = set()
    dropped = 0
    for raw in candidates:
        entry = " ".join(raw.replace(",", " ").split())
        key = entry.lower()
        if not entry or key in seen:
            continue
        seen.add(key)
        if len(entry) > HINT_MAX_CHARS:
            too_long.append(entry)
        elif len(entries) == HINTS_MAX_ENTRIES:
            dropped += 1
        else:
            entries.append(entry)
    return Hints(entries, too_long, dropped)
