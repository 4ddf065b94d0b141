"""``wav_pcm``: the one reader of a caller's audio file (a script's say_wav and the call panel's Speak WAV)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from ivr_studio.voice.pcm import wav_pcm


def _wav(path: Path, rate: int, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1]), w.setsampwidth(2), w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def test_a_stereo_44k_wav_is_mixed_down_and_resampled_to_16k_mono(tmp_path: Path):
    left = np.full(44100, 1000)
    right = np.full(44100, 3000)
    pcm = wav_pcm(_wav(tmp_path / "cd.wav", 44100, np.stack([left, right], axis=1)))
    samples = np.frombuffer(pcm, dtype="<i2")
    assert abs(len(samples) - 16000) <= 16
    assert np.all(np.abs(samples[200:-200] - 2000) <= 2)  # the mean of both channels


def test_a_16k_mono_wav_and_a_raw_file_come_back_unchanged(tmp_path: Path):
    samples = (np.arange(1600) % 200 - 100).reshape(-1, 1)
    assert wav_pcm(_wav(tmp_path / "a.wav", 16000, samples)) == samples.astype("<i2").tobytes()
    (tmp_path / "a.raw").write_bytes(b"\x01\x02\x03\x04")
    assert wav_pcm(tmp_path / "a.raw") == b"\x01\x02\x03\x04"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [("gone.wav", None, "cannot read gone.wav"), ("junk.wav", b"junk", "junk.wav is not a WAV file")],
)
def test_an_unreadable_file_is_a_value_error_naming_it(tmp_path: Path, name, content, reason):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(ValueError, match=reason):
        wav_pcm(tmp_path / name)
