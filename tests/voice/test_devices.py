"""Audio devices without a sound card, WAV sources/sinks, and a fake ALSA device in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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
        pytest.skip("ALSA configuration is not installed")
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
        print("OK")
        """
    )
    env = {**os.environ, "ALSA_CONFIG_PATH": str(conf)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    if out.stdout.startswith("UNAVAILABLE"):
        pytest.skip(out.stdout.strip())
    assert out.returncode == 0 and "OK" in out.stdout, out.stderr
