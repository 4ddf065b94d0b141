"""``<Say>``, ``<Play>`` and ``<Pause>`` as prompt segments (spec §4.1–§4.3).

A prompt is a list of :class:`Segment` s, each with a duration and optionally audio; the
:class:`~ivr_studio.runtime.player.PromptPlayer` plays them on the clock. Segments of a verb are built when
the verb starts, so a ``<Play>`` fetches its media when it is reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ivr_studio.runtime.activity import CallContext
from ivr_studio.runtime.audio import digits_seconds, estimate_speech_seconds, media_seconds
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.urls import resolve
from ivr_studio.twiml.diagnostics import error
from ivr_studio.twiml.rules import read_verb
from ivr_studio.voice.dtmf import DIGITS, tones
from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip
from ivr_studio.voice.pcm import silence
from ivr_studio.voice.ssml import Pause, Piece, ssml_pieces


@dataclass
class Segment:
    """One stretch of prompt: ``duration`` seconds, optional audio, and a trace event emitted when it starts."""

    duration: float
    clip: AudioClip | None = None
    trace: tuple[str, dict[str, Any]] | None = None


@dataclass
class BuiltPrompt:
    """The segments of one prompt verb, or the fatal problem that stops the call instead."""

    segments: list[Segment] = field(default_factory=list)
    fatal: Any = None


def build_prompt(call: CallContext, el: etree._Element, in_gather: bool = False) -> BuiltPrompt:
    attrs = read_verb(el)
    for d in attrs.diagnostics:
        call.warn(d.code, d.message)
    if el.tag == "Say":
        pieces = ssml_pieces(el, aliases=call.settings.ssml_speaks_aliases)
        if not call.settings.ssml_break_pauses:
            pieces = [p for p in pieces if not isinstance(p, Pause)]
        return say_segments(call, pieces, attrs["voice"], attrs["language"], attrs["loop"])
    if el.tag == "Pause":
        length = attrs["length"]
        return BuiltPrompt([Segment(float(length), None, ("pause", {"length": length}))])
    if el.tag == "Play":
        return _play(call, el, attrs["loop"], attrs["digits"], in_gather)
    return BuiltPrompt()


def _loops(call: CallContext, loop: int) -> int:
    return call.settings.loop_cap if loop == 0 else min(loop, call.settings.loop_cap)


def say_segments(
    call: CallContext,
    text: str | Sequence[Piece],
    voice: str = "man",
    language: str = "en-US",
    loop: int = 1,
) -> BuiltPrompt:
    """Speech for ``text`` (plain, or SSML pieces: text and ``<break>`` pauses): TTS audio with the pauses
    as silence when a synthesizer is injected, else an estimated duration plus the pauses."""
    pieces: list[Piece] = [text] if isinstance(text, str) else list(text)
    words = " ".join(p for p in pieces if isinstance(p, str))
    pauses = sum(p.seconds for p in pieces if isinstance(p, Pause))
    clip = None
    synthesizer = call.voice.synthesizer
    if synthesizer is not None and words:
        try:
            audio = (
                synthesizer.synthesize(p, language, voice).pcm if isinstance(p, str) else silence(p.seconds)
                for p in pieces
            )
            clip = AudioClip(b"".join(audio), SAMPLE_RATE)
        except Exception as exc:
            call.warn("IVR909", f"Text to speech failed ({exc}); using an estimated duration")
    duration = clip.duration if clip is not None else estimate_speech_seconds(words, call.settings) + pauses
    count = _loops(call, loop)
    info = {"text": words, "voice": voice, "language": language, "duration": round(duration, 3), "loop": loop}
    return BuiltPrompt([Segment(duration, clip, ("say", info) if i == 0 else None) for i in range(count)])


def digit_tones(digits: str, settings: RuntimeSettings) -> AudioClip:
    """``<Play digits>`` as keypad tones: each key sounds for two thirds of ``play_digit_seconds`` with a
    silent third after it; ``w`` and ``W`` are ``play_w_seconds`` and ``play_W_seconds`` of silence (§4.2)."""
    parts: list[bytes] = []
    for c in digits:
        if c == "w":
            parts.append(silence(settings.play_w_seconds))
        elif c == "W":
            parts.append(silence(settings.play_W_seconds))
        elif c in DIGITS:
            tone = settings.play_digit_seconds * 2 / 3
            parts.append(tones(c, tone_seconds=tone, gap_seconds=settings.play_digit_seconds - tone).pcm)
    return AudioClip(b"".join(parts), SAMPLE_RATE)


def _play(
    call: CallContext, el: etree._Element, loop: int, digits: str | None, in_gather: bool
) -> BuiltPrompt:
    count = _loops(call, loop)
    if digits:
        duration = digits_seconds(digits, call.settings)
        clip = digit_tones(digits, call.settings) if call.voice.sink is not None else None
        info = {"url": None, "loop": loop, "duration": duration, "digits": digits}
        return BuiltPrompt(
            [Segment(duration, clip, ("play", info) if i == 0 else None) for i in range(count)]
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
    call: CallContext, url: str, body: bytes, content_type: str, loop: int = 1, count: int = 1
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
