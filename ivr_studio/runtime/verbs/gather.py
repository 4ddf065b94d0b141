"""``<Gather>`` (spec §2): prompts with barge-in, DTMF termination rules D1–D4 and F0, speech, partial results.

States follow §2.2: *prompting* (nested verbs play, input is heard) → *listening* (the timer runs) →
collecting DTMF or speech → done. The first input type detected locks the mode (§2.5, setting
``lock_input_mode``). Timers start only once every nested verb has finished, or at barge-in (§2.2 "When the
timer starts"). Two timers run: ``timer`` (no input, then the gap between keys) and ``speech_timer``
(silence after speech), so with an unlocked mode whichever input completes first ends the Gather.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import Dtmf, Event, SpeechEnded, SpeechFinal, SpeechPartial, SpeechStarted
from ivr_studio.runtime.player import PromptPlayer
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.rules import read_verb

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
_SPEECH_EVENTS = (SpeechStarted, SpeechPartial, SpeechFinal, SpeechEnded)
#: Why speech the caller said has no transcript when the Gather ends before the recogniser could listen.
MODEL_LOADING_NOTE = "speech model still loading; nothing recognised"
#: How a Gather ended when its result is the keys pressed (the others end it with speech or nothing).
KEY_REASONS = frozenset({"numDigits", "finishOnKey", "terminator-first"})


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

    def __init__(self, call: CallContext, el: etree._Element) -> None:
        self.call = call
        self.el = el
        self.attrs = attrs = read_verb(el)
        settings = call.settings
        self.modes: frozenset[str] = attrs["input"]
        self.finish_key: str = attrs["finishOnKey"]
        self.num_digits: int | None = attrs["numDigits"]
        self.timeout: float = gather_timeout(attrs["timeout"], settings)
        st = attrs["speechTimeout"]
        self.speech_timeout = settings.auto_speech_timeout if st == "auto" else float(st)
        self.max_speech: int = attrs["maxSpeechTime"]
        self.barge_in: bool = attrs["bargeIn"]
        self.digits = ""
        self.lock: str | None = None  # "dtmf" | "speech": the first input type detected (§2.5)
        self.heard_speech = False  # the caller spoke (even if nothing was understood)
        self.transcript_pending = False  # speech heard while the speech model loads: its transcript is owed
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
        self.speech_timer: TimerHandle | None = None
        self.max_timer: TimerHandle | None = None
        # when maxSpeechTime ends the caller's speech: the max timer's own due time, so a transcript that
        # arrives at that instant counts as the last one whichever of the two runs first
        self.speech_deadline = math.inf
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
        for t in (self.timer, self.speech_timer, self.max_timer, self.partial_timer):
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
        spoke = self.lock == "speech" or (self.heard_speech and not self.call.settings.lock_input_mode)
        if spoke and not self.speaking:  # the caller spoke during a bargeIn="false" prompt and stopped
            self._set_speech_timer(self.speech_timeout)
        if self.lock != "speech":
            self._set_timer(self.timeout, "timeout")

    def _set_timer(self, seconds: float, reason: str) -> None:
        if self.timer:
            self.timer.cancel()
        self.timer = self.call.clock.call_later(seconds, lambda: self._finish(reason, ""))

    def _set_speech_timer(self, seconds: float) -> None:
        """Silence after speech: ``seconds`` from now the utterance is over (§2.4)."""
        if self.speech_timer:
            self.speech_timer.cancel()
        self.speech_timer = self.call.clock.call_later(max(0.0, seconds), lambda: self._finish("speech", ""))

    # ----- input -----
    def wants(self, event: Event) -> bool:
        if self.done:
            return False
        settings = self.call.settings
        locked = settings.lock_input_mode
        if isinstance(event, Dtmf):
            if "dtmf" not in self.modes:
                return self._barges_in(event)
            if locked and self.lock == "speech":
                return False
            if not settings.symbols_count_as_digits and event.key in "*#" and event.key != self.finish_key:
                return False  # §2.3 D1 setting: symbols that are not the terminator are not digits
            return self.listening or self.barge_in or settings.keep_keys_without_barge_in
        if isinstance(event, _SPEECH_EVENTS):
            if "speech" not in self.modes:
                return self._barges_in(event)
            return not (locked and self.lock == "dtmf")
        return False

    def _barges_in(self, event: Event) -> bool:
        """Setting other_input_barges_in: a key or speech start the Gather does not collect cuts the prompt."""
        return (
            self.call.settings.other_input_barges_in
            and isinstance(event, (Dtmf, SpeechStarted))
            and self.barge_in
            and not self.listening
        )

    def on_event(self, event: Event) -> None:
        if (isinstance(event, Dtmf) and "dtmf" not in self.modes) or (
            isinstance(event, _SPEECH_EVENTS) and "speech" not in self.modes
        ):
            self._first_input()  # heard, not collected (other_input_barges_in)
            return
        if isinstance(event, Dtmf):
            self._key(event.key)
        elif isinstance(event, SpeechStarted):
            self.transcript_pending = self.transcript_pending or event.pending
            self._speech_start()
        elif isinstance(event, SpeechPartial):
            if self.lock is None:  # late partials after the caller stopped do not restart speech
                self._speech_start()
            self.partial = event.text
        elif isinstance(event, SpeechFinal):
            if self.lock is None:
                self._speech_start()
            capped = self.call.clock.now() >= self.speech_deadline
            self.transcript_pending = False
            if event.text.strip():
                self.speech_parts.append(event.text.strip())
                self.partial = ""
                if event.confidence is not None:
                    self.confidence = event.confidence
            elif not capped:
                self.partial = ""  # nothing understood: an interim guess is not a result
            if capped:  # the transcript of the speech maxSpeechTime cut off (or, failing one, the last
                self._finish("maxSpeechTime", "")  # interim text: a phrase cut in half fits no grammar)
        elif isinstance(event, SpeechEnded):
            self.transcript_pending = self.transcript_pending or event.pending
            self.speaking = False
            if self.partial_timer:
                self.partial_timer.cancel()
            if self.listening:  # the silence began event.ago seconds before the event arrived
                self._set_speech_timer(self.speech_timeout - event.ago)

    def _first_input(self) -> None:
        """Barge-in (§2.6): input during the prompt stops it at once and the timers start."""
        if not self.listening and self.barge_in:
            self.player.cut()
            self._listen()

    def _max_speech_reached(self) -> None:
        """maxSpeechTime: end with the speech so far. A caller still talking has no final transcript yet:
        the recogniser ends the utterance at the same moment, so wait a little for it (setting)."""
        wait = self.call.settings.max_speech_final_wait
        if self.speaking and wait > 0:
            self.max_timer = self.call.clock.call_later(wait, lambda: self._finish("maxSpeechTime", ""))
        else:
            self._finish("maxSpeechTime", "")

    def _key(self, key: str) -> None:
        if self.finish_key and key == self.finish_key:
            if self.lock == "speech":
                return  # §2.5: after speech is detected, finishOnKey is ignored (unlocked mode only)
            if self.digits:  # D2
                self._finish("finishOnKey", key)
            elif self.call.settings.terminator_first == "legacy":  # F0, legacy docs
                self._finish("terminator-first", key)
            elif self.call.settings.ignored_terminator_restarts_timer and self.listening:
                self._set_timer(self.timeout, "timeout")
            return
        self.lock = self.lock or "dtmf"
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
        self.lock = self.lock or "speech"
        if not self.heard_speech:
            self.heard_speech = True
            self.speech_deadline = self.call.clock.now() + self.max_speech
            self.max_timer = self.call.clock.call_at(self.speech_deadline, self._max_speech_reached)
        if self.speech_timer:
            self.speech_timer.cancel()
        if self.timer and not self.digits:  # the no-input timer; keys already typed keep their own
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
    def on_caller_hangup(self) -> None:
        """§2.7: Twilio sends no action request when the caller hangs up during a Gather. With
        ``gather_action_on_hangup`` the emulator sends what was collected (CallStatus=completed), for apps
        that must cope with a provider that does; its response is ignored, as the call is over."""
        if self.done or not self.call.settings.gather_action_on_hangup:
            return
        by_speech = self.lock == "speech"
        params: dict[str, str] = {"CallStatus": "completed"}
        if self.call.settings.send_gather_end_params:
            params["msg"] = "Gather End"
            params["FinishedOnKey"] = ""
        digits = "" if by_speech else self.digits
        speech = self._transcript(include_partial=True) if by_speech else ""
        if digits:
            params["Digits"] = digits
        if speech:
            params["SpeechResult"] = self._as_sent(speech)
        url = resolve(self.call.doc_url, self.attrs["action"] or "")
        self.call.request_ignored(url, self.attrs["method"], params)

    def _as_sent(self, speech: str) -> str:
        """The transcript as Twilio sends it: profanity masked (profanityFilter), then punctuated."""
        if self.attrs["profanityFilter"]:
            speech = mask_profanity(speech)
        return punctuate(speech) if self.call.settings.punctuate_speech else speech

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
        settings = self.call.settings
        if settings.lock_input_mode:
            by_keys = self.lock == "dtmf"
        else:  # the input that completed wins
            by_keys = reason in KEY_REASONS or (reason == "timeout" and bool(self.digits))
        speech = "" if by_keys else self._as_sent(self._transcript(include_partial=reason == "maxSpeechTime"))
        confidence = None
        if speech:
            confidence = (
                self.confidence if self.confidence is not None else self.call.settings.default_confidence
            )
        digits = self.digits if by_keys else ""
        # the spec's timers end the Gather even when the recogniser never heard the caller: say why
        note = {"note": MODEL_LOADING_NOTE} if not by_keys and not speech and self.transcript_pending else {}
        self.call.trace.emit(
            "gather_end",
            digits=digits,
            speech=speech,
            confidence=confidence,
            reason=reason,
            finished_on_key=finished_on_key,
            **note,
        )
        nonempty = bool(digits or speech)
        unheard = self.heard_speech and not by_keys and not settings.empty_transcript_is_no_input
        if not nonempty and not unheard and not self.attrs["actionOnEmptyResult"]:
            self.call.verb_done(self, None)  # §2.7: fall through to the next verb
            return
        params: dict[str, str] = {}
        if settings.send_gather_end_params:
            params["msg"] = "Gather End"
            params["FinishedOnKey"] = finished_on_key
        if digits:
            params["Digits"] = digits
        if speech:
            params["SpeechResult"] = speech
            params["Confidence"] = f"{confidence:g}"
        if not nonempty:
            params.update(empty_result(self.modes, settings))

        url = resolve(self.call.doc_url, self.attrs["action"] or "")  # §2.10: default is the current document
        self.call.verb_done(self, Outcome("transfer", url, self.attrs["method"], params))


def gather_timeout(timeout: int, settings: RuntimeSettings) -> float:
    """Seconds of the Gather's timeout; ``timeout="0"`` waits ``zero_timeout_seconds`` (§2.1, §8.8)."""
    return settings.zero_timeout_seconds if timeout == 0 else float(timeout)


def empty_result(modes: frozenset[str], settings: RuntimeSettings) -> dict[str, str]:
    """The input parameters of an empty action request (§2.7, §8.3): none, or empty strings."""
    if settings.empty_result_params != "empty":
        return {}
    params = {}
    if "dtmf" in modes:
        params["Digits"] = ""
    if "speech" in modes:
        params["SpeechResult"] = ""
    return params
