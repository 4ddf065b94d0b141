"""The call controller's debugger controls: breakpoints for its calls, Continue and Step.

A mixin of :class:`~ivr_studio.ui.call.controller.CallController`, which gives each call a
:class:`~ivr_studio.runtime.debugger.CallDebugger` as its engine's gate and reports each pause with its
``paused`` signal (and ``resumed`` when the call goes on).
"""

from __future__ import annotations

from typing import Any


class DebugControls:
    """Breakpoints, Continue and Step; expects ``debugger``, ``pause``, ``running``, ``breakpoints`` and
    the ``paused``/``resumed`` signals of the controller it is mixed into."""

    debugger: Any
    pause: Any
    breakpoints: frozenset[str]
    paused: Any
    resumed: Any
    running: bool

    def set_breakpoints(self, node_ids: Any) -> None:
        """Hold calls when they reach any of ``node_ids`` (the running call too)."""
        self.breakpoints = frozenset(node_ids)
        if self.debugger is not None:
            self.debugger.set_breakpoints(self.breakpoints)

    def continue_call(self) -> bool:
        """Let the held call go on to the next breakpoint; False when it was not held."""
        if self.pause is None or self.debugger is None:
            return False
        self._set_pause(None)
        return self.debugger.resume()

    def step(self) -> bool:
        """Hold the call before its next request: a held call goes on until then, a running one is held
        there. False when there is no call to step (start one with ``step=True``)."""
        if not self.running or self.debugger is None:
            return False
        if self.pause is not None:
            self._set_pause(None)
            return self.debugger.resume(step=True)
        self.debugger.pause_at_next_request()
        return True

    def _set_pause(self, pause: Any) -> None:
        was, self.pause = self.pause, pause
        if pause is not None:
            self.paused.emit(pause)
        elif was is not None:
            self.resumed.emit()
