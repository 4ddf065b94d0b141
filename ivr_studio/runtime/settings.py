"""Every choice the runtime makes where Twilio's behaviour is undocumented ([INF] in the spec), as settings.

Defaults follow the spec (§8 and the [INF] notes in §1–§5). Each field's comment names the section.
``RuntimeSettings.from_mapping`` builds settings from a scenario file or JSON, rejecting unknown names.

Which setting answers each [INF] tag of twiml-runtime.md (line numbers of the spec as of this writing):

=========  ===========  ===================================================================================
Spec line  Section      Setting(s)
=========  ===========  ===================================================================================
72, 75     §1.3         ``strict_twiml`` (bad elements/attributes skipped, bad values defaulted, or fatal)
106, 107   §1.5         ``strict_twiml`` (Connect, Pay, Refer, Start, Stop … skipped, or fatal)
119        §1.6         ``redirect_base_is_final_url``
121        §1.6         ``strip_added_params_on_rerequest``
127        §1.7         ``strict_twiml`` (a bad Gather child, 13320, skipped or fatal)
136        §1.8         ``type_ahead``
170        §2.1         ``zero_timeout_seconds``
195        §2.2         ``loop_cap``
199        §2.3 D1      ``symbols_count_as_digits``
211        §2.3 F0      ``terminator_first``
212        §2.3 F0      ``ignored_terminator_restarts_timer``
223        §2.4         ``default_confidence`` (also ``auto_speech_timeout``, ``punctuate_speech``,
                        ``max_speech_final_wait``)
228, 229   §2.5         ``other_input_barges_in`` (input the Gather does not collect is ignored, even for
                        barge-in, unless this is on)
230        §2.5         ``lock_input_mode``
236        §2.6         ``keep_keys_without_barge_in``
244, 245   §2.7, §8.3   ``empty_result_params`` (also ``send_gather_end_params``, §8.4)
246        §2.7         ``empty_transcript_is_no_input``
247        §2.7         ``gather_action_on_hangup`` (a hang-up during a Gather sends no action request)
273        §2.9         ``partial_interval``
278        §2.10        ``loop_warn_after``, ``loop_stop_after`` (and ``max_instant_fetches``)
289        §2.11        ``sign_redirected_url`` (the signature covers the redirected URL as sent)
346        §3           ``trial_notice``, ``trial_notice_text``
358        §4.1         ``loop_cap``
372        §4.1         ``ssml_speaks_aliases``, ``ssml_break_pauses`` (SSML becomes plain text)
380        §4.2         ``play_W_seconds`` (also ``play_w_seconds``, ``play_digit_seconds``)
404        §4.6         ``rejected_status``
406        §4.6, §8.12  ``reject_after_answer``
(§4.7)     Dial nouns   ``whisper_hangup_status`` (a whisper that hangs up on the callee)
(§4.9)     Enqueue      ``hold_music_seconds`` (Twilio's default hold music, not fetched), ``max_queue_size``
491        §5.2, §8.7   ``fallback_for_all_fetches``
494        §5.2         ``retry_fallback``
498        §5.3         ``strict_twiml``
505        §5.5         not applicable: the runtime always has a document URL (no inline TwiML)
585        §6.2         ``sign_with_default_port``
639        §6.4, §8.11  ``sign_url_fragment`` (``user:pass@`` in URLs: signed as sent, no setting)
641        §6.4         not applicable: CallToken/StirVerstat are not sent
679        §7 #25       ``media_failure_fatal``
696        §7 #42       ``type_ahead``
703        §7 #49       ``keep_keys_without_barge_in``
(wording)  §5.2, §8.10  ``application_error_text``
=========  ===========  ===================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from ivr_studio.files import cut

APPLICATION_ERROR_TEXT = "We are sorry, an application error has occurred. Goodbye."
TRIAL_NOTICE_TEXT = "This call is from a trial account."


@dataclass(frozen=True)
class RuntimeSettings:
    """How the emulated Twilio behaves where the documentation leaves a choice (spec §8)."""

    # --- Gather (§2, §8.1, §8.2, §8.3, §8.8) ---
    #: §2.3 F0: "current" ignores a terminator pressed before any digit; "legacy" ends the Gather at once.
    terminator_first: str = "current"
    #: §8.8: whether an ignored terminator (F0, current mode) restarts the timeout.
    ignored_terminator_restarts_timer: bool = False
    #: §2.6/§8.2: keys pressed during a bargeIn="false" prompt count (the audio still plays to the end).
    keep_keys_without_barge_in: bool = True
    #: §8.5: keep DTMF pressed outside a Gather and feed it to the next Gather (Twilio: not documented).
    type_ahead: bool = False
    #: §2.4: seconds of silence that end speech when speechTimeout="auto" (the provider's endpointing).
    auto_speech_timeout: float = 0.8
    #: §2.4: Confidence reported for speech given as text (a script's "say" step).
    default_confidence: float = 0.9
    #: §2.9: seconds between partialResultCallback requests while the caller speaks.
    partial_interval: float = 0.5
    #: §2.4: when maxSpeechTime ends a Gather while the caller is still talking, seconds to wait for the
    #: recogniser's final transcript of what was said so far (a recogniser needs a moment to finish one);
    #: 0 ends the Gather at once with the interim text.
    max_speech_final_wait: float = 1.0
    #: Twilio returns "Sales." for "sales": capitalise the first letter and end with a full stop.
    punctuate_speech: bool = True
    #: §2.7: send FinishedOnKey and msg=Gather End with every Gather action request (§8.4).
    send_gather_end_params: bool = True
    #: §2.1/§8.8: seconds a timeout="0" Gather waits after its prompt (and between keys); 0 ends it at once.
    zero_timeout_seconds: float = 0.0
    #: §2.3 D1: "*" and "#" that are not finishOnKey count as digits; False ignores them.
    symbols_count_as_digits: bool = True
    #: §2.5: in an input="dtmf speech" Gather the first input type locks the mode (the other is ignored);
    #: False lets later input of the other type count too, and whichever completes first wins.
    lock_input_mode: bool = True
    #: §2.5: input of a type the Gather does not collect (speech on input="dtmf", keys on input="speech")
    #: still barges in (stops the prompt and starts the timer) without being collected.
    other_input_barges_in: bool = False
    #: §2.7/§8.3: an empty actionOnEmptyResult request "absent" (no Digits/SpeechResult) or "empty"
    #: (Digits="" and/or SpeechResult="", for the Gather's input types).
    empty_result_params: str = "absent"
    #: §2.7: speech was detected but the transcript is empty: treat it as no input (True), or send the
    #: action request with an empty result as if actionOnEmptyResult were set (False).
    empty_transcript_is_no_input: bool = True
    #: §2.7: a caller hanging up during a Gather makes no action request (False), or sends what was
    #: collected with CallStatus=completed (True); the response is ignored either way.
    gather_action_on_hangup: bool = False

    # --- TwiML (§1.3, §1.5, §5.3) ---
    #: §1.3/§1.5/§5.3: a schema warning (12200), a verb value warning (13xxx) or a verb the runtime does not
    #: run (Connect, Pay, Start …, IVR904) fails the document like a fetch failure (fallback, then the
    #: application error with that code) instead of being warned about and skipped.
    strict_twiml: bool = False

    # --- Audio duration estimates, used when no synthesizer or decoder is injected (§4.1, §4.2) ---
    #: <Say> without TTS lasts words / say_words_per_second + say_overhead seconds.
    say_words_per_second: float = 2.5
    say_overhead: float = 0.3
    #: §4.1: loop="0" repeats until hang-up; the emulator caps it like <Play> at this many iterations.
    loop_cap: int = 1000
    #: <Play digits>: seconds per DTMF tone; "w" is 0.5 s (DOC) and "W" 1 s (INF).
    play_digit_seconds: float = 0.3
    play_w_seconds: float = 0.5
    play_W_seconds: float = 1.0
    #: §4.1: SSML for local speech: speak <sub alias> instead of its text (True), and pause for <break>.
    ssml_speaks_aliases: bool = True
    ssml_break_pauses: bool = True
    #: Bit rate assumed for compressed media (MP3 …) when no decoder is injected, from Content-Length.
    media_kbps: int = 128
    #: §4.2/§7 #25: a media failure in <Play> skips the Play (False) or ends the call (True).
    media_failure_fatal: bool = False

    # --- HTTP (§1.2, §5) ---
    #: §1.6/§8.6: after a 3xx, relative URLs resolve against the final URL (True) or the requested one.
    redirect_base_is_final_url: bool = True
    max_redirects: int = 10
    #: §1.2 connection overrides: defaults for ct/rt/tt (ms) and rc.
    connect_timeout_ms: int = 5000
    read_timeout_ms: int = 15000
    total_timeout_ms: int = 15000
    retry_count: int = 1
    #: §8.7: the fallback URL also covers action/Redirect fetches, not only the first one.
    fallback_for_all_fetches: bool = True
    #: §5.2 step 4: when the fallback fetch fails, request the fallback once more before the application error.
    retry_fallback: bool = False
    #: §1.6: the current document URL (for relative URLs and re-requests such as <Redirect/> or a Gather
    #: without action) is the URL as configured; False keeps the call parameters a GET added to its query.
    strip_added_params_on_rerequest: bool = True
    #: §5.2/§8.10: what the caller hears when the application fails.
    application_error_text: str = APPLICATION_ERROR_TEXT
    #: §6.2: sign the https URL with ":443" added (a compatibility toggle).
    sign_with_default_port: bool = False
    #: §6.4 notes/§8.11: sign the URL with its "#ct=…" connection-override fragment kept (it is never sent).
    sign_url_fragment: bool = False
    #: §2.11: after an HTTP redirect, sign the URL actually requested (True) or keep the original URL's
    #: signature (False), for apps that validate against the URL they published.
    sign_redirected_url: bool = True
    #: §2.10: warn after this many identical consecutive fetches; stop the call after loop_stop_after.
    loop_warn_after: int = 5
    loop_stop_after: int = 100
    #: Fetches allowed without simulated time passing (catches <Redirect/> ping-pong that never waits).
    max_instant_fetches: int = 50

    # --- Call (§1.1, §3, §4.6, §4.7, §4.8) ---
    #: §4.6: first-verb <Reject reason="rejected"> ends as this status (busy always gives "busy").
    rejected_status: str = "no-answer"
    #: §4.6/§8.12: <Reject> after the call was answered: "hangup" (with a warning) or "ignore" (skipped, warned).
    reject_after_answer: str = "hangup"
    #: §3: play a trial-account notice once, before the call's first document runs (it answers the call).
    trial_notice: bool = False
    trial_notice_text: str = TRIAL_NOTICE_TEXT
    #: §4.7: what the dialled party does when nobody says otherwise.
    default_dial_outcome: str = "no-answer"
    #: §4.8: seconds of the <Record> beep.
    beep_seconds: float = 0.5
    #: §4.8: where recordings are written (None: a temporary directory per process).
    recordings_dir: str | None = None
    #: §4.9: seconds of Twilio's default hold music (played, not fetched, while a caller waits in a queue or
    #: a conference without a waitUrl) before it plays again.
    hold_music_seconds: float = 30.0
    #: §4.7: a whisper (<Number url>) that hangs up on the callee ends the Dial as this DialCallStatus.
    whisper_hangup_status: str = "no-answer"
    #: §4.9: how many callers a queue holds (Twilio's default, changed with the REST API).
    max_queue_size: int = 1000

    def with_changes(self, **changes: Any) -> RuntimeSettings:
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> RuntimeSettings:
        """Settings from a mapping of field names; unknown names or wrong types raise ValueError."""
        if not isinstance(data, dict):
            raise ValueError(f"settings are a mapping of setting names to values, not {cut(data)}")
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown runtime setting(s): {', '.join(unknown)}")
        base = cls()
        for name, value in data.items():
            current = getattr(base, name)
            wrong_type = current is not None and not isinstance(value, type(current))
            if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
                wrong_type = False
            if isinstance(current, int) and not isinstance(current, bool) and isinstance(value, bool):
                wrong_type = True
            if wrong_type:
                raise ValueError(f"setting {name} must be {type(current).__name__}, not {cut(value)}")
            if name in RANGES:
                low, high = RANGES[name]
                if not low <= value <= high:  # NaN fails this too
                    raise ValueError(f"setting {name} must be between {low:g} and {high:g}, not {cut(value)}")
        for name, allowed in CHOICES.items():
            if name in data and data[name] not in allowed:
                raise ValueError(f"setting {name} must be {' or '.join(repr(a) for a in allowed)}")
        return replace(base, **data)


#: The values each numeric setting may take (inclusive). Every number has a range: a zero rate divides by
#: zero, a zero interval never lets time pass, and an absurd count or time holds a call for ever.
RANGES: dict[str, tuple[float, float]] = {
    "auto_speech_timeout": (0.1, 60),
    "default_confidence": (0, 1),
    "partial_interval": (0.1, 60),
    "max_speech_final_wait": (0, 60),
    "zero_timeout_seconds": (0, 60),
    "say_words_per_second": (0.1, 100),
    "say_overhead": (0, 60),
    "loop_cap": (1, 10_000),
    "play_digit_seconds": (0.01, 60),
    "play_w_seconds": (0, 60),
    "play_W_seconds": (0, 60),
    "media_kbps": (1, 100_000),
    "max_redirects": (0, 100),
    "connect_timeout_ms": (100, 10_000),  # §1.2: Twilio's ranges for the #ct, #rt, #tt and #rc overrides
    "read_timeout_ms": (100, 15_000),
    "total_timeout_ms": (100, 15_000),
    "retry_count": (0, 5),
    "loop_warn_after": (1, 100_000),
    "loop_stop_after": (1, 100_000),
    "max_instant_fetches": (1, 100_000),
    "beep_seconds": (0, 60),
    # a stretch of at least a second: hold music that takes no time would never end
    "hold_music_seconds": (1, 3600),
    "max_queue_size": (1, 5000),  # Twilio's most for a queue
}

#: Settings whose value is one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {
    "terminator_first": ("current", "legacy"),
    "empty_result_params": ("absent", "empty"),
    "reject_after_answer": ("hangup", "ignore"),
    "whisper_hangup_status": ("no-answer", "completed", "busy", "failed", "canceled"),
}
