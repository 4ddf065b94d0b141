"""``<Say>``, ``<Play>`` and ``<Pause>`` as prompt segments (spec §4.1–§4.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ivr_studio.runtime.audio import digits_seconds, estimate_speech_seconds, media_seconds, ssml_text
from ivr_studio.runtime.player import BuiltPrompt, Segment
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.diagnostics import error
from ivr_studio.twiml.rules import read_verb

if TYPE_CHECKING:
    from ivr_studio.runtime.engine import CallEngine


def build_prompt(call: CallEngine, el: etree._Element, in_gather: bool = False) -> BuiltPrompt:
    attrs = read_verb(el)
    for d in attrs.diagnostics:
        call.warn(d.code, d.message)
    if el.tag == "Say":
        text, pauses = ssml_text(el, aliases=call.settings.ssml_speaks_aliases)
        if not call.settings.ssml_break_pauses:
            pauses = 0.0
        return say_segments(call, text, attrs["voice"], attrs["language"], attrs["loop"], pauses)
    if el.tag == "Pause":
        length = attrs["length"]
        return BuiltPrompt([Segment(float(length), None, ("pause", {"length": length}))])
    if el.tag == "Play":
        return _play(call, el, attrs["loop"], attrs["digits"], in_gather)
    return BuiltPrompt()


def _loops(call: CallEngine, loop: int) -> int:
    return call.settings.loop_cap if loop == 0 else min(loop, call.settings.loop_cap)


def say_segments(
    call: CallEngine,
    text: str,
    voice: str = "man",
    language: str = "en-US",
    loop: int = 1,
    pauses: float = 0.0,
) -> BuiltPrompt:
    """Speech for ``text``: TTS audio when a synthesizer is injected, else an estimated duration."""
    clip = None
    synthesizer = call.voice.synthesizer
    if synthesizer is not None and text:
        try:
            clip = synthesizer.synthesize(text, language, voice)
        except Exception as exc:
            call.warn("IVR909", f"Text to speech failed ({exc}); using an estimated duration")
    duration = clip.duration if clip is not None else estimate_speech_seconds(text, call.settings) + pauses
    count = _loops(call, loop)
    info = {"text": text, "voice": voice, "language": language, "duration": round(duration, 3), "loop": loop}
    return BuiltPrompt([Segment(duration, clip, ("say", info) if i == 0 else None) for i in range(count)])


def _play(
    call: CallEngine, el: etree._Element, loop: int, digits: str | None, in_gather: bool
) -> BuiltPrompt:
    count = _loops(call, loop)
    if digits:
        duration = digits_seconds(digits, call.settings)
        info = {"url": None, "loop": loop, "duration": duration, "digits": digits}
        return BuiltPrompt(
            [Segment(duration, None, ("play", info) if i == 0 else None) for i in range(count)]
        )
    url = resolve(call.doc_url, (el.text or "").strip())
    if not url:
        call.warn("13410", "<Play> has no media URL; it was skipped")
        return BuiltPrompt()
    result = call.fetch_media(url)
    if not result.ok:
        err = result.error
        if err is not None and err.code == "12300":
            err = error(13325 if in_gather else 13420, f"<Play> media is not audio: {err.message}")
        call.report_error(err)
        return BuiltPrompt(fatal=err) if call.settings.media_failure_fatal else BuiltPrompt()
    return audio_segments(call, result.url, result.body, result.content_type, loop, count)


def audio_segments(
    call: CallEngine, url: str, body: bytes, content_type: str, loop: int = 1, count: int = 1
) -> BuiltPrompt:
    clip = None
    decoder = call.voice.decoder
    if decoder is not None:
        try:
            clip = decoder.decode(body, content_type)
        except Exception as exc:
            call.warn("IVR909", f"Could not decode {url} ({exc}); using an estimated duration")
    duration = clip.duration if clip is not None else media_seconds(body, content_type, call.settings)
    info = {"url": url, "loop": loop, "duration": round(duration, 3), "digits": None}
    return BuiltPrompt([Segment(duration, clip, ("play", info) if i == 0 else None) for i in range(count)])
