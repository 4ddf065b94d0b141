"""The test call's audio paths: the headset and WAV files reach a voicemail ``<Record>``, push-to-talk opens
the microphone only while held, and key tones do not leave PortAudio streams open.

The machine has no sound card: the microphone is a stand-in that the test speaks into in real time (a
recording paced like a headset), the speaker a fake ``sounddevice`` module; one check runs real PortAudio
streams on an ALSA "null" device in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from call_clock import SteppedClock, call_clock, run_hearing_until, run_until
from dependencies import needs

from ivr_studio.runtime.audio import VoiceIO
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.panel import CallPanel
from ivr_studio.ui.call.speech import PacedAudio
from ivr_studio.ui.document import FlowDocument
from ivr_studio.voice import devices
from ivr_studio.voice.interfaces import FinalResult

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05, beep_seconds=0.1)
GOFORWARD = Path("/usr/share/pocketsphinx/test/data/goforward.raw")  # 2.8 s of "go forward ten meters"
needs_recording = needs(GOFORWARD.exists(), "Debian's pocketsphinx-testdata")


class FakeMicrophone:
    """Stands in for :class:`devices.Microphone`; :meth:`speak` delivers audio in real time while open."""

    current: FakeMicrophone | None = None

    def __init__(self, on_frame, device=None, frame_ms: int = 20) -> None:
        self.on_frame = on_frame
        self.is_open = False

    def start(self) -> None:
        self.is_open = True
        FakeMicrophone.current = self

    def stop(self) -> None:
        self.is_open = False

    def speak(self, pcm: bytes, tail_seconds: float = 1.0) -> PacedAudio:
        paced = PacedAudio(
            pcm, lambda f: self.on_frame(f) if self.is_open else None, tail_seconds=tail_seconds
        )
        paced.start()
        return paced


class SaysSupport:
    """A recogniser that understands "support" (the VAD still decides where speech starts and ends)."""

    def open(self, language: str, phrases=None):
        return SimpleNamespace(accept=lambda pcm: None, final=lambda: FinalResult("support", 0.9))


def voicemail_flow(tmp_path: Path, examples_dir: Path) -> FlowDocument:
    """The support line with a 2 s silence timeout on its voicemail (shorter than the 2.8 s message)."""
    data = json.loads((examples_dir / "support-line.ivrflow").read_text(encoding="utf-8"))
    node = next(n for n in data["nodes"] if n["id"] == "voicemail")
    node["attributes"]["timeout"] = 2
    path = tmp_path / "support-line.ivrflow"
    path.write_text(json.dumps(data), encoding="utf-8")
    doc = FlowDocument()
    doc.open(path)
    return doc


def make_panel(qtbot, document: FlowDocument, controller: CallController) -> CallPanel:
    panel = CallPanel(document, controller=controller)
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    return panel


def headset_controller(monkeypatch, provider=None, clock=None) -> CallController:
    """A controller that believes in a headset: the stand-in microphone, prompts played in silence."""
    monkeypatch.setattr(devices, "Microphone", FakeMicrophone)
    FakeMicrophone.current = None
    controller = CallController(settings=FAST, audio=True, provider=provider, clock=clock)
    monkeypatch.setattr(controller, "_voice", VoiceIO)
    monkeypatch.setattr(controller, "_play_tone", lambda key: None)
    return controller


def trace(panel: CallPanel, kind: str) -> list[dict]:
    record = panel.controller.record
    return [e for e in (record.trace if record else []) if e["event"] == kind]


def recording(panel: CallPanel) -> bool:
    return any(e["status"] == "recording" for e in trace(panel, "record"))


def nodes(panel: CallPanel) -> list[str]:
    return [e.get("node") for e in trace(panel, "request")]


def reach_voicemail(qtbot, panel: CallPanel) -> None:
    panel.call_button.click()
    qtbot.waitUntil(
        lambda: any(e["event"] == "gather_start" for e in panel.controller.record.trace)
    )
    panel.keypad.buttons["3"].click()  # billing → its hours → "leave a message" → the voicemail
    qtbot.waitUntil(lambda: recording(panel))


def reach_voicemail_in_call_time(qtbot, panel: CallPanel) -> None:
    """:func:`reach_voicemail` on a :class:`SteppedClock`: no prompt or timeout runs out on the wall clock."""
    panel.call_button.click()
    run_until(qtbot, panel.controller, lambda: bool(trace(panel, "gather_start")))
    panel.keypad.buttons["3"].click()
    run_until(qtbot, panel.controller, lambda: recording(panel))


def speak_in_call_time(qtbot, controller: CallController, pcm: bytes, tail_seconds: float = 1.0) -> None:
    """The headset hears ``pcm`` (then ``tail_seconds`` of quiet) in call time: call time moves 20 ms, the
    open microphone delivers those 20 ms, and the call has heard them before time moves on."""
    clock = call_clock(controller)
    frames = PacedAudio(pcm, lambda _f: None, tail_seconds=tail_seconds)
    for frame in frames.frames:
        clock.advance_to(clock.now() + frames.frame_seconds)  # a frame exists once its 20 ms were spoken
        qtbot.waitUntil(lambda: clock.idle)
        mic = FakeMicrophone.current
        if mic is not None and mic.is_open:
            mic.on_frame(frame)
        session = controller.caller_audio._session
        if session is not None:
            assert session.wait_idle(10), "the recording's worker stopped answering"
        qtbot.waitUntil(lambda: clock.idle)  # what it heard (speech started or ended) reached the call


def assert_message_recorded(qtbot, panel: CallPanel) -> dict:
    qtbot.waitUntil(lambda: "thanks" in nodes(panel))  # the Record's "after recording" exit
    assert "goodbye" not in nodes(panel)  # not "nothing recorded"
    done = [e for e in trace(panel, "record") if e["status"] != "recording"]
    assert [e["status"] for e in done] == ["completed"]
    # the 2.8 s message outlasts the 2 s silence timeout: the caller's speech held it off
    assert int(done[0]["duration"]) >= 3
    speech = [(e["phase"], e["accepted"]) for e in trace(panel, "speech")]
    assert ("start", True) in speech and ("end", True) in speech
    return done[0]


def recorded_pcm(event: dict) -> bytes:
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    with wave.open(url2pathname(urlparse(event["url"]).path), "rb") as w:
        return w.readframes(w.getnframes())


@needs_recording
def test_the_headset_is_recorded_by_the_voicemail(qtbot, monkeypatch, tmp_path, examples_dir):
    # The call runs on a clock the test moves, and the headset's audio arrives in step with it: a busy machine
    # cannot let the voicemail's 2 s of silence run out before the caller's first word is heard. A recogniser
    # that would say "support" proves the Record still recognises nothing (and loads no speech model).
    controller = headset_controller(monkeypatch, provider=SaysSupport(), clock=SteppedClock)
    panel = make_panel(qtbot, voicemail_flow(tmp_path, examples_dir), controller)
    opened: list[bool] = []
    panel.controller.microphoneChanged.connect(opened.append)
    try:
        reach_voicemail_in_call_time(qtbot, panel)
        qtbot.waitUntil(lambda: panel.controller.microphone_open)
        assert panel.strip.mic_label.text() == "● Mic"
        speak_in_call_time(qtbot, controller, GOFORWARD.read_bytes())
        assert "thanks" not in nodes(panel), "2.8 s of speech and 1 s of quiet: still recording"
        run_until(qtbot, controller, lambda: "thanks" in nodes(panel))
        done = assert_message_recorded(qtbot, panel)
        words_ended = next(e for e in trace(panel, "speech") if e["phase"] == "end")
        ended_at = words_ended["t"] - words_ended["ago"]  # the VAD says so a moment after the last word
        assert done["t"] == pytest.approx(ended_at + 2.0, abs=0.002), "2 s of silence after the last word"
        assert GOFORWARD.read_bytes()[:32000] in recorded_pcm(done)  # what the headset heard is the message
        assert not panel.controller.microphone_open and opened[-2:] == [True, False]  # closed when it ended
        assert not any(e["phase"] == "final" for e in trace(panel, "speech"))  # nothing to recognise
    finally:
        panel.controller.shutdown()


@needs_recording
def test_a_wav_spoken_into_the_voicemail_is_the_recording(qtbot, tmp_path, examples_dir):
    # The call runs on a clock the test moves and the WAV is played into it in step with call time: a busy
    # machine cannot let the voicemail's 2 s of silence run out before the WAV's first word is heard.
    controller = CallController(settings=FAST, audio=False, clock=SteppedClock)
    panel = make_panel(qtbot, voicemail_flow(tmp_path, examples_dir), controller)
    wav = tmp_path / "message.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(GOFORWARD.read_bytes())
    try:
        reach_voicemail_in_call_time(qtbot, panel)
        clock = call_clock(controller)
        spoken_at, message = clock.now(), len(GOFORWARD.read_bytes()) / 32_000  # 2.8 s

        def left_voicemail() -> bool:  # the Record ended, with a message or without
            return nodes(panel)[-1] != "voicemail"

        panel.speak_wav(wav)
        # the WAV takes its length in call time: one played at once would have let the 2 s of silence run out
        run_hearing_until(qtbot, controller, lambda: clock.now() >= spoken_at + message + 1.0 or left_voicemail())
        assert not left_voicemail(), "2.8 s of speech and 1 s of quiet: still recording"
        run_hearing_until(qtbot, controller, lambda: "thanks" in nodes(panel))
        done = assert_message_recorded(qtbot, panel)
        words_ended = next(e for e in trace(panel, "speech") if e["phase"] == "end")
        ended_at = words_ended["t"] - words_ended["ago"]  # the VAD says so a moment after the last word
        assert spoken_at + 2.0 < ended_at <= spoken_at + message, "the last word ends within the WAV, in call time"
        assert done["t"] == pytest.approx(ended_at + 2.0, abs=0.002), "2 s of silence after the last word"
        assert recorded_pcm(done).startswith(GOFORWARD.read_bytes())  # the WAV's audio, from its first sample
        assert not any(e["phase"] == "final" for e in trace(panel, "speech"))  # a Record recognises nothing
    finally:
        panel.controller.shutdown()


@needs_recording
def test_push_to_talk_opens_the_microphone_only_while_held(qtbot, monkeypatch, document):
    from PySide6.QtCore import Qt

    panel = make_panel(qtbot, document, headset_controller(monkeypatch, provider=SaysSupport()))
    c = panel.controller
    try:
        assert panel.talk_button.isEnabled()
        panel.ptt.setChecked(True)
        panel.call_button.click()
        qtbot.waitUntil(lambda: any(e["event"] == "listening" for e in c.record.trace))
        assert not c.microphone_open  # push-to-talk: the speech Gather does not open it by itself
        qtbot.mousePress(panel.talk_button, Qt.MouseButton.LeftButton)
        assert c.microphone_open and panel.strip.mic_label.text() == "● Mic"
        paced = FakeMicrophone.current.speak(GOFORWARD.read_bytes(), tail_seconds=0.0)
        qtbot.waitUntil(lambda: any(e["phase"] == "start" for e in trace(panel, "speech")))
        qtbot.waitUntil(lambda: not paced._thread.is_alive())
        qtbot.mouseRelease(panel.talk_button, Qt.MouseButton.LeftButton)
        assert not c.microphone_open  # released: closed, and the sentence is over
        qtbot.waitUntil(lambda: "support_menu" in nodes(panel))
        assert trace(panel, "gather_end")[0]["speech"] == "Support."
        # Space while the panel has focus is the same button
        qtbot.keyPress(panel.keypad, Qt.Key.Key_Space)
        assert c.microphone_open and panel.talk_button.isDown()
        qtbot.keyRelease(panel.keypad, Qt.Key.Key_Space)
        assert not c.microphone_open and not panel.talk_button.isDown()
        with qtbot.waitSignal(c.callEnded):
            panel.hangup_button.click()
    finally:
        c.shutdown()


def _key_tone(keys: str) -> bytes:
    from ivr_studio.voice.dtmf import tones

    return tones(keys, tone_seconds=0.25, gap_seconds=0.0).pcm


def test_a_phone_keypad_held_to_the_headset_presses_keys(qtbot, monkeypatch, document):
    """A key-and-speech menu and a keys-only menu both hear key tones from the microphone as key presses."""
    panel = make_panel(qtbot, document, headset_controller(monkeypatch, provider=SaysSupport()))
    c = panel.controller
    try:
        panel.call_button.click()
        qtbot.waitUntil(lambda: c.microphone_open)  # the main menu listens: mic open
        FakeMicrophone.current.speak(_key_tone("2"), tail_seconds=0.3)
        qtbot.waitUntil(lambda: "support_menu" in nodes(panel))
        assert trace(panel, "gather_end")[0]["digits"] == "2"
        assert not trace(panel, "speech"), "the tone was a key press, not speech"
        # the support menu takes keys only: the microphone stays open for a keypad all the same
        qtbot.waitUntil(lambda: len(trace(panel, "listening")) >= 2 and c.microphone_open)
        FakeMicrophone.current.speak(_key_tone("1"), tail_seconds=0.3)
        qtbot.waitUntil(lambda: len(trace(panel, "gather_end")) >= 2)
        assert trace(panel, "gather_end")[1]["digits"] == "1"
        with qtbot.waitSignal(c.callEnded):
            panel.hangup_button.click()
    finally:
        c.shutdown()


def test_the_echo_of_an_on_screen_key_is_not_pressed_twice(qtbot, monkeypatch, document):
    """Laptop speakers: the microphone hears the tone the panel plays for an on-screen key."""
    panel = make_panel(qtbot, document, headset_controller(monkeypatch, provider=SaysSupport()))
    c = panel.controller

    class EchoingSpeaker:  # whatever it plays, the microphone open at that moment hears
        def __init__(self, device=None) -> None:
            pass

        def play(self, clip, on_done=None):
            def into_the_room(frame: bytes) -> None:
                mic = FakeMicrophone.current
                if mic is not None and mic.is_open:
                    mic.on_frame(frame)

            paced = PacedAudio(clip.pcm, into_the_room, tail_seconds=0.0)
            played.append(paced)
            paced.start()
            return paced

    played: list[PacedAudio] = []
    monkeypatch.setattr(devices, "SpeakerSink", EchoingSpeaker)
    monkeypatch.setattr(c, "_play_tone", CallController._play_tone.__get__(c))  # the real one, this time
    try:
        panel.call_button.click()
        qtbot.waitUntil(lambda: c.microphone_open)
        panel.keypad.buttons["2"].click()
        qtbot.waitUntil(lambda: "support_menu" in nodes(panel))
        qtbot.waitUntil(lambda: len(trace(panel, "listening")) >= 2)
        qtbot.waitUntil(lambda: played and not played[0]._thread.is_alive())  # echo heard
        qtbot.waitUntil(lambda: FakeMicrophone.current.is_open)
        assert [e["key"] for e in trace(panel, "dtmf")] == ["2"], "one press, not the press and its echo"
        # only the echo of the key just played is ignored: another key's tone is a key press
        FakeMicrophone.current.speak(_key_tone("1"), tail_seconds=0.3)
        qtbot.waitUntil(lambda: len(trace(panel, "dtmf")) == 2)
        assert [e["key"] for e in trace(panel, "dtmf")] == ["2", "1"]
        with qtbot.waitSignal(c.callEnded):
            panel.hangup_button.click()
    finally:
        c.shutdown()


def test_without_audio_push_to_talk_is_disabled_and_says_why(qtbot, document, monkeypatch):
    monkeypatch.setattr(devices, "list_devices", lambda: [])
    panel = make_panel(qtbot, document, CallController(settings=FAST))
    panel.show()  # the devices are probed once the panel is on screen
    qtbot.waitUntil(lambda: panel.strip.devices.text() == "Audio: none")
    assert not panel.talk_button.isEnabled() and not panel.ptt.isEnabled()
    for widget in (panel.talk_button, panel.ptt):
        assert widget.toolTip().startswith(
            "Talking needs a microphone — audio is unavailable: no sound devices"
        )
    assert panel.typed.isVisibleTo(panel) and panel.say_button.isEnabled()  # typing stands in for talking


# ----- key tones -----


class FakeStream:
    """A PortAudio output stream on its own thread that reports every use real PortAudio crashes or hangs on.

    ``paced``: one 10 ms block every 10 ms, like a sound card. Not paced: as fast as the ALSA null device,
    where a short clip plays to its end — and the finished callback runs — before ``start()`` returns.
    Misuses: closing while ``start()`` still runs (PortAudio destroys the mutex the starting thread holds:
    the ``PaUnixMutex_Terminate`` abort), closing from the stream's own thread (a hang), closing a stream
    that was not stopped, or aborting (both ``pthread_cancel`` a thread that may be running Python).
    """

    streams: list[FakeStream] = []
    lock = threading.Lock()
    paced = True

    def __init__(self, samplerate, channels, dtype, device, callback, finished_callback) -> None:
        self.callback = callback
        self.finished_callback = finished_callback
        self.closed = False
        self.starting = False
        self.stopped = True
        self.misuse: list[str] = []
        self.stop_requested = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        with FakeStream.lock:
            FakeStream.streams.append(self)

    def start(self) -> None:
        self.starting, self.stopped = True, False
        self.thread.start()
        if not FakeStream.paced:
            self.thread.join()  # the clip has played and its finished callback has run: start() returns now
        self.starting = False

    def _run(self) -> None:
        out = np.zeros((160, 1), dtype="int16")
        try:
            while not self.stop_requested.is_set():
                self.callback(out, 160, None, None)
                if FakeStream.paced:
                    self.stop_requested.wait(0.01)  # 160 frames at 16 kHz
        except (FakeSounddevice.CallbackStop, FakeSounddevice.CallbackAbort):
            pass
        self.finished_callback()

    def stop(self) -> None:  # Pa_StopStream: ask the thread to end and join it, never cancel it
        if threading.current_thread() is self.thread:
            self.misuse.append("stopped from its own thread")
            return
        self.stop_requested.set()
        if self.thread.is_alive():
            self.thread.join()
        self.stopped = True

    def abort(self) -> None:
        self.misuse.append("aborted (pthread_cancel)")
        self.stop()

    def close(self) -> None:
        if self.starting:
            self.misuse.append("closed while start() was running")
        if threading.current_thread() is self.thread:
            self.misuse.append("closed from its own thread")
        elif not self.stopped:
            self.misuse.append("closed without being stopped")
        self.closed = True

    @property
    def active(self) -> bool:
        return self.thread.is_alive()


class FakeSounddevice:
    class PortAudioError(Exception):
        pass

    class CallbackStop(Exception):  # noqa: N818 - sounddevice's name
        pass

    class CallbackAbort(Exception):  # noqa: N818 - sounddevice's name
        pass

    OutputStream = FakeStream
    default = SimpleNamespace(device=(0, 0))

    @staticmethod
    def query_devices(device=None, kind=None):
        info = {
            "index": 0,
            "name": "headset",
            "max_input_channels": 1,
            "max_output_channels": 1,
            "default_samplerate": 16000.0,
        }
        return [info] if device is None else info

    @staticmethod
    def check_output_settings(**_kwargs) -> None:
        return None


@pytest.mark.parametrize("paced", [True, False], ids=["sound-card", "null-device"])
def test_key_tones_leave_no_stream_open(qtbot, monkeypatch, paced):
    monkeypatch.setattr(devices, "_sd", FakeSounddevice)
    monkeypatch.setattr(FakeStream, "paced", paced)
    FakeStream.streams = []
    controller = CallController(settings=FAST)
    assert controller.audio_available
    most_playing = 0
    for key in "0123456789*#" * 3:
        controller.press(key)
        most_playing = max(most_playing, sum(s.active for s in FakeStream.streams))
    assert len(FakeStream.streams) == 36 and most_playing <= 1  # a new tone stops the previous one
    if paced:
        assert most_playing == 1
    qtbot.waitUntil(lambda: all(s.closed for s in FakeStream.streams))
    controller.shutdown()
    assert [m for s in FakeStream.streams for m in s.misuse] == []


ALSA_CONF = Path("/usr/share/alsa/alsa.conf")
NULL_DEVICE = f"""<{ALSA_CONF}>
pcm.!default {{
  type plug
  slave.pcm "nullpcm"
}}
pcm.nullpcm {{
  type null
}}
"""
TONES_PROBE = r"""
import json, time
import sounddevice as sd
streams = []
class Tracked(sd.OutputStream):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        streams.append(self)
sd.OutputStream = Tracked
from ivr_studio.ui.call.controller import CallController
controller = CallController()
out = {"status": controller.audio_status}
for key in "123456789*0#" * 2:
    controller.press(key)
deadline = time.monotonic() + 20
while time.monotonic() < deadline and not all(s.closed for s in streams):
    time.sleep(0.05)
out["streams"] = len(streams)
out["open"] = sum(not s.closed for s in streams)
controller.shutdown()  # what the panel does when the window closes
print(json.dumps(out), flush=True)
"""  # and the interpreter exits as the editor does, through PortAudio's own shutdown


@needs(ALSA_CONF.exists(), "ALSA's configuration (alsa-utils / libasound2-data)")
def test_key_tones_close_real_portaudio_streams(tmp_path):
    conf = tmp_path / "asound.conf"
    conf.write_text(NULL_DEVICE)
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf), QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-c", TONES_PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["status"] is None and out["streams"] == 24
    assert out["open"] == 0, out
    assert time.monotonic() - started < 30
