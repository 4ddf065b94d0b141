"""Playing prompt verbs (Say, Play, Pause) one after another on the clock, stoppable at any moment.

A prompt is a list of :class:`Segment` s, each with a duration and optionally audio. The clock decides when a
segment ends (so virtual and real time behave alike); an injected audio sink only makes it audible. Segments
of a verb are built when the verb starts, so a ``<Play>`` fetches its media when it is reached.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.voice.interfaces import AudioClip

if TYPE_CHECKING:
    from ivr_studio.runtime.engine import CallEngine


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


SegmentBuilder = Callable[["CallEngine", etree._Element, bool], BuiltPrompt]


class PromptPlayer:
    """Plays the given prompt verbs in order, then calls ``on_done``; ``stop()`` cuts it short (barge-in).

    ``segments`` already built (an announcement such as the application-error message) play before the verbs.
    """

    def __init__(
        self,
        call: CallEngine,
        elements: Sequence[etree._Element],
        on_done: Callable[[], None],
        in_gather: bool = False,
        *,
        segments: Sequence[Segment] = (),
    ) -> None:
        self.call = call
        self.elements = list(elements)
        self.on_done = on_done
        self.in_gather = in_gather
        self.playing = False
        self.finished = False
        self._queue: list[Segment] = list(segments)
        self._timer: TimerHandle | None = None
        self._handle: Any = None
        self._next_element = 0

    def start(self) -> None:
        self.playing = True
        self._advance()

    def stop(self) -> None:
        """Stop now; ``on_done`` is not called."""
        self.playing = False
        self.finished = True
        if self._timer:
            self._timer.cancel()
        self._stop_audio()

    def _stop_audio(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(Exception):  # a broken audio device must not break the call
                self._handle.stop()
            self._handle = None

    def _advance(self) -> None:
        if not self.playing:
            return
        self._stop_audio()
        while not self._queue:
            if self._next_element >= len(self.elements):
                self.playing = False
                self.finished = True
                self.on_done()
                return
            el = self.elements[self._next_element]
            self._next_element += 1
            from ivr_studio.runtime.verbs.prompts import build_prompt

            built = build_prompt(self.call, el, self.in_gather)
            if built.fatal is not None:
                self.stop()
                self.call.application_error(built.fatal)
                return
            self._queue = list(built.segments)
        segment = self._queue.pop(0)
        if segment.trace:
            kind, fields = segment.trace
            self.call.trace.emit(kind, **fields)
        sink = self.call.voice.sink
        if sink is not None and segment.clip is not None:
            try:
                self._handle = sink.play(segment.clip)
            except Exception as exc:
                self.call.warn("IVR909", f"The audio output failed: {exc}")
        self._timer = self.call.clock.call_later(segment.duration, self._advance)
