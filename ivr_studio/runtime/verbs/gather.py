"""``<Gather>`` (spec §2): prompts with barge-in, DTMF termination rules D1–D4 and F0, speech, partial results.

States follow §2.2: *prompting* (nested verbs play, input is heard) → *listening* (the timer runs) →
collecting DTMF or speech → done. The first input type detected locks the mode (§2.5). Timers start only once
every nested verb has finished, or at barge-in (§2.2 "When the timer starts").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import Dtmf, Event, SpeechEnded, SpeechFinal, SpeechPartial, SpeechStarted
from ivr_studio.runtime.player import PromptPlayer
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.rules import read_verb

if TYPE_CHECKING:
    from ivr_studio.runtime.engine import CallEngine

#: Words masked when profanityFilter="true" (§2.1): first letter kept, the rest replaced by "*".
PROFANITIES = frozenset(
    {
        "fuck",
        "fucking",
        "shit",
        "bitch",
        "bastard",
        "asshole",
        "damn",
        "crap",
        "dick",
        "piss",
        "bollocks",
        "wanker",
    }
)
_WORD = re.compile(r"[A-Za-z']+")


def mask_profanity(text: str) -> str:
    """ "fuck off" → "f*** off" (§2.1 profanityFilter)."""
    return _WORD.sub(
        lambda m: (
            m.group(0)[0] + "*" * (len(m.group(0)) - 1) if m.group(0).lower() in PROFANITIES else m.group(0)
        ),
        text,
    )


def punctuate(text: str) -> str:
    """Twilio's transcripts start with a capital and end with a full stop ("sales" → "Sales.")."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


class GatherActivity:
    """One running ``<Gather>``."""

    def __init__(self, call: CallEngine, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = attrs = read_verb(el)
        settings = call.settings
        self.modes: frozenset[str] = attrs["input"]
        self.finish_key: str = attrs["finishOnKey"]
        self.num_digits: int | None = attrs["numDigits"]
        self.timeout: int = attrs["timeout"]
        st = attrs["speechTimeout"]
        self.speech_timeout = settings.auto_speech_timeout if st == "auto" else float(st)
        self.max_speech: int = attrs["maxSpeechTime"]
        self.barge_in: bool = attrs["bargeIn"]
        self.digits = ""
        self.lock: str | None = None  # "dtmf" | "speech" once the first input is detected (§2.5)
        self.listening = False
        self.done = False
        self.pending: tuple[str, str] | None = None  # a result reached during a bargeIn="false" prompt
        self.speaking = False
        self.speech_parts: list[str] = []
        self.partial = ""
        self.confidence: float | None = None
        self.sent_partial = ""
        self.sequence = 0
        self.timer: TimerHandle | None = None
        self.max_timer: TimerHandle | None = None
        self.partial_timer: TimerHandle | None = None
        self.player = PromptPlayer(call, list(el), self._prompts_done, in_gather=True)

    # ----- lifecycle -----
    def start(self) -> None:
        for d in self.attrs.diagnostics:
            self.call.warn(d.code, d.message)
        self.call.trace.emit("gather_start", attributes=dict(self.el.attrib))
        self.player.start()

    def stop(self) -> None:
        self.done = True
        self.player.stop()
        for t in (self.timer, self.max_timer, self.partial_timer):
            if t:
                t.cancel()

    def _prompts_done(self) -> None:
        if self.pending is not None:
            self._finish(*self.pending)
            return
        self._listen()

    def _listen(self) -> None:
        """Prompts are over (or were cut by barge-in): the timers of §2.2 start now."""
        if self.listening or self.done:
            return
        self.listening = True
        self.call.trace.emit("listening", timeout=self.timeout)
        if self.lock == "speech":
            if not self.speaking:
                self._set_timer(self.speech_timeout, "speech")
        else:
            self._set_timer(self.timeout, "timeout")

    def _set_timer(self, seconds: float, reason: str) -> None:
        if self.timer:
            self.timer.cancel()
        self.timer = self.call.clock.call_later(seconds, lambda: self._finish(reason, ""))

    # ----- input -----
    def wants(self, event: Event) -> bool:
        if self.done:
            return False
        if isinstance(event, Dtmf):
            if "dtmf" not in self.modes or self.lock == "speech":
                return False
            return self.listening or self.barge_in or self.call.settings.keep_keys_without_barge_in
        if isinstance(event, (SpeechStarted, SpeechPartial, SpeechFinal, SpeechEnded)):
            return "speech" in self.modes and self.lock != "dtmf"
        return False

    def on_event(self, event: Event) -> None:
        if isinstance(event, Dtmf):
            self._key(event.key)
        elif isinstance(event, SpeechStarted):
            self._speech_start()
        elif isinstance(event, SpeechPartial):
            if self.lock is None:  # late partials after the caller stopped do not restart speech
                self._speech_start()
            self.partial = event.text
        elif isinstance(event, SpeechFinal):
            if self.lock is None:
                self._speech_start()
            if event.text.strip():
                self.speech_parts.append(event.text.strip())
            self.partial = ""
            if event.confidence is not None:
                self.confidence = event.confidence
        elif isinstance(event, SpeechEnded):
            self.speaking = False
            if self.partial_timer:
                self.partial_timer.cancel()
            if self.listening:
                self._set_timer(self.speech_timeout, "speech")

    def _first_input(self) -> None:
        """Barge-in (§2.6): input during the prompt stops it at once and the timers start."""
        if not self.listening and self.barge_in:
            self.player.stop()
            self._listen()

    def _key(self, key: str) -> None:
        if self.finish_key and key == self.finish_key:
            if self.digits:  # D2
                self._finish("finishOnKey", key)
            elif self.call.settings.terminator_first == "legacy":  # F0, legacy docs
                self._finish("terminator-first", key)
            elif self.call.settings.ignored_terminator_restarts_timer and self.listening:
                self._set_timer(self.timeout, "timeout")
            return
        self.lock = "dtmf"
        self.digits += key
        self._first_input()
        if self.num_digits and len(self.digits) >= self.num_digits:  # D1
            self._finish("numDigits", "")
        elif self.listening:  # D3: each key restarts the timeout
            self._set_timer(self.timeout, "timeout")

    def _speech_start(self) -> None:
        if self.speaking:
            return
        self.speaking = True
        if self.lock is None:
            self.lock = "speech"
            self.max_timer = self.call.clock.call_later(
                self.max_speech, lambda: self._finish("maxSpeechTime", "")
            )
        if self.timer:
            self.timer.cancel()
        self._first_input()
        if self.attrs["partialResultCallback"] and not self.partial_timer_active():
            self.partial_timer = self.call.clock.call_later(
                self.call.settings.partial_interval, self._partial_tick
            )

    def partial_timer_active(self) -> bool:
        return self.partial_timer is not None and not self.partial_timer.cancelled

    def _transcript(self, include_partial: bool) -> str:
        parts = list(self.speech_parts)
        if include_partial and self.partial:
            parts.append(self.partial)
        return " ".join(parts).strip()

    def _partial_tick(self) -> None:
        """§2.9: asynchronous interim results every ~0.5 s while the caller speaks; responses are ignored."""
        if self.done or not self.speaking:
            return
        text = self._transcript(include_partial=True)
        if text and text != self.sent_partial:
            self.sequence += 1
            stable = " ".join(
                w for w, v in zip(self.sent_partial.split(), text.split(), strict=False) if w == v
            )
            self.sent_partial = text
            url = resolve(self.call.doc_url, self.attrs["partialResultCallback"])
            self.call.send_callback(
                url,
                self.attrs["partialResultCallbackMethod"],
                {
                    "UnstableSpeechResult": text,
                    "StableSpeechResult": stable,
                    "Stability": "0.8",
                    "SequenceNumber": str(self.sequence),
                    "LanguageCode": self.attrs["language"],
                },
            )
        self.partial_timer = self.call.clock.call_later(
            self.call.settings.partial_interval, self._partial_tick
        )

    # ----- result -----
    def _finish(self, reason: str, finished_on_key: str) -> None:
        if self.done:
            return
        if (
            not self.listening
            and not self.barge_in
            and not self.player.finished
            and reason in ("numDigits", "finishOnKey")
        ):
            self.pending = (reason, finished_on_key)  # §2.6: bargeIn="false" lets the prompt finish first
            return
        self.stop()
        speech = self._transcript(include_partial=reason == "maxSpeechTime")
        if speech and self.attrs["profanityFilter"]:
            speech = mask_profanity(speech)
        if speech and self.call.settings.punctuate_speech:
            speech = punctuate(speech)
        confidence = None
        if speech:
            confidence = (
                self.confidence if self.confidence is not None else self.call.settings.default_confidence
            )
        digits = self.digits if self.lock == "dtmf" else ""
        self.call.trace.emit(
            "gather_end",
            digits=digits,
            speech=speech,
            confidence=confidence,
            reason=reason,
            finished_on_key=finished_on_key,
        )
        nonempty = bool(digits or speech)
        if not nonempty and not self.attrs["actionOnEmptyResult"]:
            self.call.verb_done(self, None)  # §2.7: fall through to the next verb
            return
        params: dict[str, str] = {}
        if self.call.settings.send_gather_end_params:
            params["msg"] = "Gather End"
            params["FinishedOnKey"] = finished_on_key
        if digits:
            params["Digits"] = digits
        if speech:
            params["SpeechResult"] = speech
            params["Confidence"] = f"{confidence:g}"
        from ivr_studio.runtime.engine import Outcome

        url = resolve(self.call.doc_url, self.attrs["action"] or "")  # §2.10: default is the current document
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))
