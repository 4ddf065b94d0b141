"""Sound-card input and output through ``sounddevice`` (PortAudio): list, pick, play, record, meter.

Having no sound card is a normal case (CI, servers, remote desktops): PortAudio may be missing (the import
fails), or present with no devices (streams fail to open). Every entry point here turns those into
:class:`AudioUnavailable` with a message a user can act on, and :func:`audio_status` tells the UI up front.
Nothing here crashes the app for lack of audio. For headless runs use the WAV sources and sinks of
:mod:`ivr_studio.voice.audio_files` (re-exported here). Every stream is opened, started, stopped and closed
through :mod:`ivr_studio.voice.stream_keeper`, which is what keeps PortAudio from aborting the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from ivr_studio.voice.audio_files import FinishedPlayback, NullSink, WavSink, WavSource
from ivr_studio.voice.interfaces import SAMPLE_RATE, AudioClip
from ivr_studio.voice.pcm import SILENCE_DBFS, StreamResampler, resample, rms_dbfs
from ivr_studio.voice.stream_keeper import keeper

__all__ = [
    "AudioDevice", "AudioUnavailable", "FinishedPlayback", "Microphone", "NullSink", "SpeakerSink",
    "StreamPlayback", "WavSink", "WavSource", "audio_available", "audio_status", "list_devices",
    "pick_device", "rms_dbfs",
]  # fmt: skip


class AudioUnavailable(RuntimeError):
    """No usable sound device (or no PortAudio). The message says what is missing."""


_sd: ModuleType | None = None
_import_error: str | None = None


def _sounddevice() -> ModuleType:
    global _sd, _import_error
    if _sd is None and _import_error is None:
        try:
            import sounddevice
        except (OSError, ImportError) as exc:
            _import_error = (
                f"audio is unavailable: PortAudio could not be loaded ({exc}). "
                "On Debian/Ubuntu install it with: sudo apt install libportaudio2"
            )
        else:
            _sd = sounddevice
            keeper.register_exit()  # after sounddevice's own exit handler, so it runs before it
    if _sd is None:
        raise AudioUnavailable(_import_error)
    return _sd


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    @property
    def is_input(self) -> bool:
        return self.max_input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.max_output_channels > 0


def list_devices() -> list[AudioDevice]:
    """All devices PortAudio reports; empty when there is no PortAudio or no sound card."""
    try:
        sd = _sounddevice()
        raw = sd.query_devices()
        default_in, default_out = (_default_index(sd, 0), _default_index(sd, 1))
    except (AudioUnavailable, OSError, Exception):  # PortAudioError is an Exception subclass
        return []
    return [
        AudioDevice(
            index=int(d["index"]),
            name=str(d["name"]),
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=int(d["index"]) == default_in,
            is_default_output=int(d["index"]) == default_out,
        )
        for d in raw
    ]


def _default_index(sd: ModuleType, which: int) -> int:
    try:
        value = sd.default.device[which]
        return int(value) if value is not None else -1
    except (TypeError, ValueError, IndexError):
        return -1


def audio_status() -> str | None:
    """None when at least one input and one output device exist, else a message saying what is missing."""
    try:
        _sounddevice()
    except AudioUnavailable as exc:
        return str(exc)
    devices = list_devices()
    if not devices:
        return "audio is unavailable: no sound devices were found (is a sound card or audio server present?)"
    if not any(d.is_input for d in devices):
        return "no microphone (input device) was found"
    if not any(d.is_output for d in devices):
        return "no speaker (output device) was found"
    return None


def audio_available() -> bool:
    return audio_status() is None


def pick_device(kind: str, wanted: int | str | None = None) -> AudioDevice:
    """An input (``kind="input"``) or output device by index, by (part of) its name, or the default."""
    if kind not in ("input", "output"):
        raise ValueError("kind must be 'input' or 'output'")
    devices = [d for d in list_devices() if (d.is_input if kind == "input" else d.is_output)]
    if not devices:
        raise AudioUnavailable(audio_status() or f"no {kind} device was found")
    if wanted is None:
        default = [d for d in devices if (d.is_default_input if kind == "input" else d.is_default_output)]
        return (default or devices)[0]
    if isinstance(wanted, int):
        for d in devices:
            if d.index == wanted:
                return d
    else:
        for d in devices:
            if wanted.lower() in d.name.lower():
                return d
    names = ", ".join(f"{d.index}: {d.name}" for d in devices)
    raise AudioUnavailable(f"no {kind} device matches {wanted!r}; available: {names}")


def _open_rate(sd: ModuleType, device: int | None, kind: str) -> int:
    """16 kHz when the device accepts it, else its default rate (we resample)."""
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=device, channels=1, dtype="int16", samplerate=SAMPLE_RATE)
        return SAMPLE_RATE
    except Exception:
        info = sd.query_devices(device, kind)
        return int(info["default_samplerate"])


class StreamPlayback:
    """A clip playing on a sound card; :meth:`stop` cuts it off (barge-in). ``on_done`` runs once either way.

    The stream is closed when the clip has played to its end (by the stream keeper's closer, never on
    PortAudio's thread) as well as by :meth:`stop`, so a playback nobody keeps (a key tone) does not hold a
    PortAudio stream open. ``on_done`` runs once the stream is closed.
    """

    def __init__(self, on_done: Callable[[], None] | None) -> None:
        self._stream: Any = None
        self._on_done = on_done
        self._done = threading.Event()
        self._lock = threading.Lock()
        self.cut = False  # read by the audio callback: end the stream at its next block

    def _stream_finished(self) -> None:
        """PortAudio's finished callback (its thread): the clip has played, or the stream was stopped."""
        keeper.close_when_finished(self._stream, then=self._finished)

    def _finished(self) -> None:
        with self._lock:
            if self._done.is_set():
                return
            self._done.set()
            callback, self._on_done = self._on_done, None
        if callback is not None:
            callback()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def stop(self) -> None:
        if self._stream is not None:
            keeper.close(self._stream, before_stop=self._cut)
        self._finished()

    def _cut(self) -> None:
        self.cut = True


class SpeakerSink:
    """Plays clips on an output device (implements ``AudioSink``)."""

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device

    def play(self, clip: AudioClip, on_done: Callable[[], None] | None = None) -> StreamPlayback:
        sd = _sounddevice()
        index = pick_device("output", self.device).index
        handle = StreamPlayback(on_done)

        def make() -> Any:
            rate = _open_rate(sd, index, "output")
            samples = np.frombuffer(resample(clip.pcm, clip.sample_rate, rate), dtype="<i2")
            position = 0

            def callback(outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
                nonlocal position
                if handle.cut:
                    raise sd.CallbackAbort
                chunk = samples[position : position + frames]
                outdata[: len(chunk), 0] = chunk
                outdata[len(chunk) :, 0] = 0
                position += frames
                if len(chunk) < frames:
                    raise sd.CallbackStop

            handle._stream = sd.OutputStream(
                samplerate=rate,
                channels=1,
                dtype="int16",
                device=index,
                callback=callback,
                finished_callback=handle._stream_finished,
            )
            return handle._stream

        try:
            keeper.start(make)
        except sd.PortAudioError as exc:
            raise AudioUnavailable(f"could not play audio on device {index}: {exc}") from exc
        return handle


class Microphone:
    """Streams 16 kHz mono s16le frames from an input device to ``on_frame`` (on PortAudio's thread).

    ``level_dbfs`` holds the RMS level of the latest frame, for a level meter. Use as a context manager or
    call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self, on_frame: Callable[[bytes], None], device: int | str | None = None, frame_ms: int = 20
    ) -> None:
        self.on_frame = on_frame
        self.device = device
        self.frame_ms = frame_ms
        self.level_dbfs = SILENCE_DBFS
        self._stream: Any = None

    def start(self) -> None:
        sd = _sounddevice()
        index = pick_device("input", self.device).index

        def make() -> Any:
            rate = _open_rate(sd, index, "input")
            to_16k = StreamResampler(rate, SAMPLE_RATE)  # one filter for the whole stream, not one a block

            def callback(indata: np.ndarray, _frames: int, _time: Any, _status: Any) -> None:
                pcm = to_16k(indata[:, 0].astype("<i2").tobytes())
                if not pcm:
                    return
                self.level_dbfs = rms_dbfs(pcm)
                self.on_frame(pcm)

            return sd.InputStream(
                samplerate=rate,
                channels=1,
                dtype="int16",
                device=index,
                blocksize=rate * self.frame_ms // 1000,
                callback=callback,
            )

        try:
            self._stream = keeper.start(make)
        except sd.PortAudioError as exc:
            self._stream = None
            raise AudioUnavailable(f"could not open the microphone (device {index}): {exc}") from exc

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            keeper.close(stream)

    def __enter__(self) -> Microphone:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
