"""A caller who explores the menu on their own, so a load run also takes paths no scenario wrote.

At each Gather the caller draws what to do (:class:`~ivr_studio.load.mix.RandomMix`): pick one of the menu's
branches (by key or by phrase, as the Gather's input allows), press a key no branch has, stay silent, or hang
up, after a reply delay counted from the moment the menu starts listening. The menu's branches come from the
flow's routing data when the load run has it (the ``X-IVR-Node`` of the document names the menu); without it
the caller picks from the Gather's ``hints`` and the keys its prompts announce ("press 2 for …").

It drives the call the way a script does: events delivered on the call's own clock, so it behaves the same on
virtual and real time. Everything it decides is recorded in :attr:`RandomCaller.choices`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ivr_studio.load.mix import MenuBranch, Menus, RandomMix
from ivr_studio.runtime.audio import estimate_speech_seconds
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import CallerHangup, Dtmf
from ivr_studio.runtime.script import speech_events
from ivr_studio.runtime.trace import TraceEvent

#: What a caller says when picking a wrong answer on a speech-only menu.
OFF_MENU_PHRASE = "something completely different"
_ANNOUNCED_KEY = re.compile(r"\b(?:press|dial|enter|key)\s+([0-9*#])\b", re.I)
KEY_GAP = 0.2
#: The keypad in a fixed order (a set's order changes from process to process, and draws must repeat).
KEYPAD = "123456789*0#"


@dataclass(frozen=True)
class Choice:
    """One decision at one Gather: the menu (node id or ``?``), the action and what was pressed or said."""

    node: str
    action: str
    detail: str = ""


class RandomCaller:
    """Attach to a call before it starts; it answers every Gather of the call."""

    def __init__(
        self, engine: CallEngine, mix: RandomMix, rng: random.Random, menus: Menus | None = None
    ) -> None:
        self.engine = engine
        self.mix = mix
        self.rng = rng
        self.menus = menus or {}
        self.choices: list[Choice] = []
        self._node = "?"
        self._gather: dict[str, str] | None = None
        self._prompt_text: list[str] = []
        self._pending = None
        engine.trace.subscribe(self._on_event)

    # ----- watching the call -----
    def _on_event(self, event: TraceEvent) -> None:
        kind = event["event"]
        if kind == "request" and event.get("purpose", "twiml") == "twiml":
            self._node = event.get("node") or "?"
        elif kind == "gather_start":
            self._gather = {str(k): str(v) for k, v in (event.get("attributes") or {}).items()}
            self._prompt_text = []
        elif kind == "say" and self._gather is not None:
            self._prompt_text.append(str(event.get("text") or ""))
        elif kind == "listening" and self._gather is not None and self._pending is None:
            delay = self.mix.reply_delay(self.rng)
            self._pending = self.engine.clock.call_later(delay, self._act)
        elif kind in ("gather_end", "call_end"):
            self._gather = None
            if self._pending is not None:
                self._pending.cancel()
                self._pending = None

    # ----- answering -----
    def _act(self) -> None:
        self._pending = None
        gather = self._gather
        if gather is None or self.engine.ended:
            return
        action = self.mix.pick(self.rng)
        if action == "hangup":
            self.choices.append(Choice(self._node, "hangup"))
            self.engine.deliver(CallerHangup())
            return
        if action == "silent":
            self.choices.append(Choice(self._node, "silent"))
            return
        inputs = set(gather.get("input", "dtmf").split())
        branches = self._branches(gather)
        if action == "branch" and branches:
            self._answer_with(self.rng.choice(branches), inputs, gather)
        else:  # "wrong", or a menu with no branch the caller could find
            self._wrong(branches, inputs, gather)

    def _branches(self, gather: dict[str, str]) -> list[MenuBranch]:
        listed = self.menus.get(self._node)
        if listed:
            return list(listed)
        hints = [h.strip() for h in gather.get("hints", "").split(",") if h.strip()]
        keys = sorted(set(_ANNOUNCED_KEY.findall(" ".join(self._prompt_text))))
        return [MenuBranch(k, ()) for k in keys] + [MenuBranch("", (h,)) for h in hints]

    def _answer_with(self, branch: MenuBranch, inputs: set[str], gather: dict[str, str]) -> None:
        ways = []
        if "dtmf" in inputs and branch.keys:
            ways.append("press")
        if "speech" in inputs and branch.phrases:
            ways.append("say")
        if not ways:  # a branch this Gather cannot take (keys on a speech-only menu): nothing is heard
            self.choices.append(Choice(self._node, "silent", "branch not reachable by this input"))
            return
        if self.rng.choice(ways) == "press":
            self.choices.append(Choice(self._node, "branch", branch.keys))
            self._press(branch.keys, gather)
        else:
            phrase = self.rng.choice(branch.phrases)
            self.choices.append(Choice(self._node, "branch", phrase))
            self._say(phrase)

    def _wrong(self, branches: list[MenuBranch], inputs: set[str], gather: dict[str, str]) -> None:
        if "dtmf" in inputs:
            finish = gather.get("finishOnKey", "#")
            taken = {b.keys for b in branches} | set(finish)
            spare = [k for k in KEYPAD if k not in taken]
            if spare:
                key = self.rng.choice(spare)
                self.choices.append(Choice(self._node, "wrong", key))
                self._press(key, gather)
                return
        self.choices.append(Choice(self._node, "wrong", OFF_MENU_PHRASE))
        self._say(OFF_MENU_PHRASE)

    def _press(self, keys: str, gather: dict[str, str]) -> None:
        finish = gather.get("finishOnKey", "#")
        try:
            num_digits = int(gather.get("numDigits", "0"))
        except ValueError:
            num_digits = 0
        if finish and len(finish) == 1 and num_digits != len(keys):
            keys += finish  # submit at once instead of waiting out the timeout
        for i, key in enumerate(keys):
            self.engine.clock.call_later(i * KEY_GAP, lambda k=key: self.engine.deliver(Dtmf(k)))

    def _say(self, text: str) -> None:
        settings = self.engine.settings
        duration = max(0.3, estimate_speech_seconds(text, settings))
        for offset, event in speech_events(text, duration, None, settings.partial_interval):
            self.engine.clock.call_later(offset, lambda e=event: self.engine.deliver(e))
