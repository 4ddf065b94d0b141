"""Playing prompt verbs (Say, Play, Pause) one after another on the clock, stoppable at any moment.

The clock decides when a segment ends (so virtual and real time behave alike); an injected audio sink only
makes it audible. :class:`PromptsActivity` is the activity of top-level prompts and announcements.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from ivr_studio.runtime.activity import CallContext, Outcome
from ivr_studio.runtime.clock import TimerHandle
from ivr_studio.runtime.events import Event
from ivr_studio.runtime.verbs.prompts import Segment, build_prompt


class PromptPlayer:
    """Plays the given prompt verbs in order, then calls ``on_done``; ``stop()`` cuts it short (barge-in).

    ``segments`` already built (an announcement such as the application-error message) play before the verbs.
    """

    def __init__(
        self,
        call: CallContext,
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
        self._prompt_event: dict[str, Any] | None = None  # the trace event of the verb playing now

    def start(self) -> None:
        self.playing = True
        self._advance()

    def cut(self) -> None:
        """Barge-in: stop now, and the prompt playing says where it was cut (``interrupted_at``)."""
        if self.playing and self._prompt_event is not None:
            self.call.trace.amend(self._prompt_event, interrupted_at=self.call.trace.now())
        self.stop()

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
            built = build_prompt(self.call, el, self.in_gather)
            if built.fatal is not None:
                self.stop()
                self.call.application_error(built.fatal)
                return
            self._queue = list(built.segments)
        segment = self._queue.pop(0)
        if segment.trace:
            kind, fields = segment.trace
            self._prompt_event = self.call.trace.emit(kind, **fields)
        sink = self.call.voice.sink
        if sink is not None and segment.clip is not None:
            try:
                self._handle = sink.play(segment.clip)
            except Exception as exc:
                self.call.warn("IVR909", f"The audio output failed: {exc}")
        self._timer = self.call.clock.call_later(segment.duration, self._advance)


class PromptsActivity:
    """Audio the caller hears, then ``outcome`` (None: go on with the next verb).

    Top-level Say/Play/Pause (keys are not wanted, §1.8), and announcements made of ready segments: the
    application-error message and text/plain or audio responses (which hang up after) and the trial notice.
    Everything goes through the same player as Say/Play, so it is heard on a live call and stops on hang-up.
    """

    def __init__(
        self,
        call: CallContext,
        el: etree._Element | None = None,
        *,
        segments: Sequence[Segment] = (),
        outcome: Outcome | None = None,
    ) -> None:
        self.call = call
        self.outcome = outcome
        self.player = PromptPlayer(call, [] if el is None else [el], self._done, segments=segments)

    def start(self) -> None:
        self.player.start()

    def _done(self) -> None:
        self.call.verb_done(self, self.outcome)

    def wants(self, event: Event) -> bool:
        return False

    def on_event(self, event: Event) -> None:
        pass

    def stop(self) -> None:
        self.player.stop()

    def on_caller_hangup(self) -> None:
        pass
