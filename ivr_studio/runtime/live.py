"""Live calls on the real clock: the engine runs on a worker thread; the UI posts events from its own thread.

>>> call = LiveCall(CallEngine(url, transport, clock=RealClock(), voice=VoiceIO(...)))
>>> call.subscribe(on_trace_event)      # called on the worker thread: marshal to the UI thread yourself
>>> call.start()
>>> call.press("1"); call.post(SpeechStarted()); ...; call.hang_up()
>>> call.wait(timeout=5)

Trace listeners run on the worker thread; a Qt UI should forward each event through a queued signal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ivr_studio.runtime import codes
from ivr_studio.runtime.clock import RealClock
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import DialOutcome, Dtmf, Event
from ivr_studio.runtime.script import Script, ScriptRunner, SpeechFeeder
from ivr_studio.runtime.trace import Listener

#: How long a finished call waits for its idle background thread to end (it ends at once; a busy machine
#: may take a moment to schedule it).
BACKGROUND_JOIN_SECONDS = 10.0


class LiveCall:
    """Runs one :class:`CallEngine` on a :class:`RealClock` in a background thread."""

    def __init__(self, engine: CallEngine, max_duration: float = 3600.0) -> None:
        if not isinstance(engine.clock, RealClock):
            raise TypeError("a live call needs an engine on a RealClock")
        self.engine = engine
        self.clock: RealClock = engine.clock
        self.max_duration = max_duration
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        #: The script's runner (None without a script): its ``failures`` say which steps did not go as written.
        self.runner: ScriptRunner | None = None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Receive every trace event (on the call's thread). Subscribe before :meth:`start` to see them all."""
        return self.engine.trace.subscribe(listener)

    def start(self, script: Script | None = None, speech_feeder: SpeechFeeder | None = None) -> None:
        self._thread = threading.Thread(
            target=self.run, args=(script, speech_feeder), name="ivr-call", daemon=True
        )
        self._thread.start()

    def run(self, script: Script | None = None, speech_feeder: SpeechFeeder | None = None) -> None:
        """Run the call on the current thread until it ends (what :meth:`start` does in the background)."""
        engine = self.engine

        def time_up() -> None:
            if not engine.ended:
                engine.warn(
                    codes.MAX_DURATION, f"The call reached the maximum duration of {self.max_duration:g} s"
                )
                engine.end_call("completed", "maximum duration")

        self.clock.call_later(self.max_duration, time_up)
        engine.start()
        if script is not None:
            self.runner = ScriptRunner(engine, script, speech_feeder)
            self.runner.start()
        try:
            self.clock.run(stop=lambda: engine.ended)
            # the callbacks that report on the call (status, recording, transcription) are still on their
            # way: wait for their answers, at most as long as Twilio waits for a webhook
            drain = self.engine.settings.total_timeout_ms / 1000 + 1
            self.clock.run(stop=lambda: engine.callbacks_idle, until=self.clock.now() + drain)
            if engine.callbacks_idle:
                # its work is done: the background thread ends at once; nothing of the call outlives it
                engine.join_background(BACKGROUND_JOIN_SECONDS)
        except BaseException as exc:  # keep the reason for the UI; the call is over either way
            self.error = exc
            raise

    def post(self, event: Event) -> None:
        self.engine.post(event)

    def press(self, key: str) -> None:
        self.engine.post(Dtmf(key))

    def dial_outcome(self, status: str, duration: float = 0.0) -> None:
        self.engine.post(DialOutcome(status, duration))

    def hang_up(self) -> None:
        """The caller hangs up; a call the debugger holds hangs up at once (its held step is dropped)."""
        self.engine.hang_up()
        abandon = getattr(self.engine.gate, "abandon", None)
        if abandon is not None:
            abandon()
        self.clock.resume()

    @property
    def ended(self) -> bool:
        return self.engine.ended

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the call to end; True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.engine.ended
