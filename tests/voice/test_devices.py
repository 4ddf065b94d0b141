"""Audio devices without a sound card, WAV sources/sinks, and a fake ALSA device in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dependencies import missing

from ivr_studio.voice import devices
from ivr_studio.voice.audio_files import NullSink, WavSink, WavSource
from ivr_studio.voice.interfaces import AudioClip, AudioSink
from ivr_studio.voice.pcm import read_wav, silence, write_wav

NO_CARD = not Path("/proc/asound/cards").exists() or "no soundcards" in Path("/proc/asound/cards").read_text()


@pytest.mark.skipif(not NO_CARD, reason="this machine has a sound card")
def test_no_sound_card_is_a_clear_message_not_a_crash():
    assert devices.list_devices() == []
    status = devices.audio_status()
    assert status and "no sound devices" in status or "PortAudio" in status
    assert devices.audio_available() is False
    with pytest.raises(devices.AudioUnavailable, match="audio is unavailable"):
        devices.SpeakerSink().play(AudioClip(silence(0.1)))
    with pytest.raises(devices.AudioUnavailable):
        devices.Microphone(lambda pcm: None).start()


def test_missing_portaudio_is_reported(monkeypatch):
    monkeypatch.setattr(devices, "_sd", None)
    monkeypatch.setattr(devices, "_import_error", "audio is unavailable: PortAudio could not be loaded (x)")
    assert devices.list_devices() == []
    assert "libportaudio2" in devices.audio_status() or "PortAudio" in devices.audio_status()


def test_wav_source_and_sinks(tmp_path):
    clip = AudioClip(b"\x01\x00" * 16000)
    write_wav(tmp_path / "in.wav", clip)
    source = WavSource(tmp_path / "in.wav", frame_ms=20, pad_seconds=0.5)
    chunks = list(source)
    assert all(len(c) == 640 for c in chunks) and len(chunks) == 75
    sink = WavSink()
    done = []
    assert isinstance(sink, AudioSink) and isinstance(NullSink(), AudioSink)
    handle = sink.play(clip, on_done=lambda: done.append(1))
    handle.stop()  # stopping a finished playback is harmless
    sink.play(clip)
    assert done == [1] and sink.audio.duration == pytest.approx(2.0)
    sink.save(tmp_path / "out.wav")
    assert read_wav(tmp_path / "out.wav").pcm == clip.pcm + clip.pcm


def test_fake_alsa_device_plays_and_records(tmp_path):
    """With an ALSA null device (no sound card, no daemon) playback ends and the mic delivers frames."""
    conf = tmp_path / "asound.conf"
    conf.write_text(
        '</usr/share/alsa/alsa.conf>\npcm.!default { type plug slave.pcm "nullpcm" }\npcm.nullpcm { type null }\n'
    )
    if not Path("/usr/share/alsa/alsa.conf").exists():
        missing("ALSA's configuration (alsa-utils / libasound2-data)")
    script = textwrap.dedent(
        """
        import threading
        from ivr_studio.voice import devices
        from ivr_studio.voice.interfaces import AudioClip
        if devices.audio_status():
            print("UNAVAILABLE", devices.audio_status()); raise SystemExit(0)
        done = threading.Event()
        devices.SpeakerSink().play(AudioClip(b"\\x00\\x10" * 8000), on_done=done.set)
        assert done.wait(10), "playback never finished"
        got = []
        enough = threading.Event()
        def on_frame(pcm):
            got.append(len(pcm))
            if len(got) >= 3: enough.set()
        mic = devices.Microphone(on_frame)
        mic.start(); ok = enough.wait(10); mic.stop()
        assert ok and got[0] == 640, got
        print("OK", flush=True)
        """
    )
    env = {**os.environ, "ALSA_CONFIG_PATH": str(conf)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    if out.stdout.startswith("UNAVAILABLE"):  # PortAudio itself is missing (libportaudio2)
        missing(f"an audio library ({out.stdout.strip()[12:]})")
    assert out.returncode == 0 and "OK" in out.stdout, out.stderr


class _Mic48k:
    """A fake sounddevice whose only microphone runs at 48 kHz (it refuses 16 kHz) and hears a 440 Hz tone."""

    class PortAudioError(Exception):
        pass

    default = type("Default", (), {"device": (0, 0)})()

    def __init__(self) -> None:
        self.stream = None

    def query_devices(self, device=None, kind=None):
        info = {"index": 0, "name": "USB headset", "max_input_channels": 1, "max_output_channels": 1,
                "default_samplerate": 48_000.0}  # fmt: skip
        return info if device is not None else [info]

    def check_input_settings(self, samplerate=None, **_kw):
        if samplerate != 48_000:
            raise self.PortAudioError("Invalid sample rate")

    def InputStream(self, samplerate, blocksize, callback, **_kw):  # noqa: N802 - sounddevice's name
        outer = self

        class Stream:
            def start(self) -> None:
                outer.stream = (samplerate, blocksize, callback)

            def stop(self) -> None:
                pass

            def close(self) -> None:
                pass

        return Stream()


def test_a_48_khz_microphone_streams_clean_16_khz_frames(monkeypatch):
    """The device's blocks are resampled as one stream: no drift and no click at block edges."""
    import numpy as np

    from ivr_studio.voice import devices

    fake = _Mic48k()
    monkeypatch.setattr(devices, "_sounddevice", lambda: fake)
    heard: list[bytes] = []
    mic = devices.Microphone(heard.append)
    mic.start()
    rate, block, callback = fake.stream
    assert (rate, block) == (48_000, 960)
    t = np.arange(rate * 2) / rate
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    for i in range(0, tone.size, block):
        callback(tone[i : i + block].reshape(-1, 1), block, None, None)
    mic.stop()
    out = np.frombuffer(b"".join(heard), dtype="<i2").astype(np.float64)
    assert 32_000 - 400 <= out.size <= 32_000, "2 s at 48 kHz is 2 s at 16 kHz (less the filter's delay)"
    steady = out[1600:-400]
    fitted = np.linalg.lstsq(  # the best 440 Hz sine through the output: what is left over is distortion
        np.column_stack([np.sin(2 * np.pi * 440 * np.arange(steady.size) / 16_000),
                         np.cos(2 * np.pi * 440 * np.arange(steady.size) / 16_000)]),
        steady, rcond=None,
    )  # fmt: skip
    residual = steady - np.column_stack(
        [np.sin(2 * np.pi * 440 * np.arange(steady.size) / 16_000),
         np.cos(2 * np.pi * 440 * np.arange(steady.size) / 16_000)]
    ) @ fitted[0]  # fmt: skip
    snr = 10 * np.log10(np.mean(steady**2) / np.mean(residual**2))
    assert snr > 40, f"block-edge clicks or drift: {snr:.1f} dB"
    assert mic.level_dbfs > -20
