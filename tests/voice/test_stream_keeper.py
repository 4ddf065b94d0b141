"""The stream keeper uses PortAudio streams the one way PortAudio survives: one lifecycle call at a time,
stop before close, never a close from the stream's own thread or while its start is still running.

The streams here are fakes that finish as the ALSA null device does (the clip has played before
``start()`` returns); the real-PortAudio checks are in ``test_devices_null_alsa.py`` and
``tests/ui/call/test_call_audio.py``.
"""

from __future__ import annotations

import subprocess
import sys
import threading

from ivr_studio.voice.stream_keeper import StreamKeeper


class InstantStream:
    """Plays to its end during ``start()`` and runs its finished callback on its own thread, as PortAudio
    does; every call is logged with the thread and whether ``start()`` was still running."""

    def __init__(self, keeper: StreamKeeper, log: list[tuple[str, bool, str]]) -> None:
        self.keeper = keeper
        self.log = log
        self.starting = False
        self.thread = threading.Thread(target=self._finished, name="portaudio-callback")

    def _finished(self) -> None:
        self.keeper.close_when_finished(self, then=lambda: self.log.append(("then", False, "closer")))

    def start(self) -> None:
        self.starting = True
        self.log.append(("start", True, threading.current_thread().name))
        self.thread.start()
        self.thread.join()  # finished before start() returns
        self.starting = False

    def stop(self) -> None:
        self.log.append(("stop", self.starting, threading.current_thread().name))

    def close(self) -> None:
        self.log.append(("close", self.starting, threading.current_thread().name))


def test_a_stream_that_finishes_during_its_start_is_stopped_then_closed_after_it():
    keeper = StreamKeeper()
    log: list[tuple[str, bool, str]] = []
    stream = keeper.start(lambda: InstantStream(keeper, log))
    keeper.drain()
    assert [step for step, _, _ in log] == ["start", "stop", "close", "then"]
    assert not any(during_start for step, during_start, _ in log if step in ("stop", "close"))
    assert {thread for step, _, thread in log if step in ("stop", "close")} == {"ivr-audio-closer"}
    assert not keeper.is_open(stream) and keeper.open_count == 0


def test_close_stops_first_runs_before_stop_and_only_once():
    keeper = StreamKeeper()
    log: list[tuple[str, bool, str]] = []

    class Playing(InstantStream):
        def start(self) -> None:  # keeps playing until closed
            self.log.append(("start", False, threading.current_thread().name))

    stream = keeper.start(lambda: Playing(keeper, log))
    assert keeper.close(stream, before_stop=lambda: log.append(("cut", False, "")))
    assert not keeper.close(stream)  # a second close does nothing: PortAudio would free it twice
    assert [step for step, _, _ in log] == ["start", "cut", "stop", "close"]


def test_a_stream_whose_start_fails_is_closed_and_forgotten():
    keeper = StreamKeeper()
    closed: list[bool] = []

    class Refuses:
        def start(self) -> None:
            raise OSError("device busy")

        def stop(self) -> None:
            pass

        def close(self) -> None:
            closed.append(True)

    try:
        keeper.start(Refuses)
    except OSError:
        pass
    else:
        raise AssertionError("the start error must reach the caller")
    assert closed == [True] and keeper.open_count == 0


def test_at_exit_streams_left_open_are_closed_before_portaudio_terminates():
    """Exit handlers run last-registered first: the keeper's (registered after sounddevice's) goes first."""
    probe = r"""
import atexit
order = []
atexit.register(lambda: print("terminate:" + ",".join(order), flush=True))  # stands in for sounddevice's
from ivr_studio.voice.stream_keeper import StreamKeeper
keeper = StreamKeeper()
class Stream:
    def start(self): pass
    def stop(self): order.append("stop")
    def close(self): order.append("close")
keeper.start(Stream)
keeper.start(Stream)
keeper.register_exit()
"""
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "terminate:stop,close,stop,close"
