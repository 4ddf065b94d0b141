"""DTMF tones for <Play digits> and the Goertzel detector."""

from __future__ import annotations

import numpy as np
import pytest

from ivr_studio.voice.dtmf import DIGITS, DtmfDetector, detect, tones
from ivr_studio.voice.interfaces import AudioClip
from ivr_studio.voice.pcm import frames, to_array, to_pcm


def digits_of(clip: AudioClip) -> str:
    return "".join(h.digit for h in detect(clip))


def test_all_sixteen_keys_clean():
    assert digits_of(tones(DIGITS)) == DIGITS


@pytest.mark.parametrize("snr_db", [20, 10, 6])
def test_all_sixteen_keys_in_noise(snr_db):
    rng = np.random.default_rng(snr_db)
    x = to_array(tones(DIGITS * 2, tone_seconds=0.07, gap_seconds=0.06).pcm)
    noise_power = np.mean(x[x != 0] ** 2) / 10 ** (snr_db / 10)
    noisy = AudioClip(to_pcm(x + rng.normal(0, np.sqrt(noise_power), x.size)))
    assert digits_of(noisy) == DIGITS * 2


def test_pauses_and_times():
    clip = tones("1w2W3", tone_seconds=0.1, gap_seconds=0.1)
    assert clip.duration == pytest.approx(0.2 * 3 + 0.5 + 1.0, abs=0.001)
    hits = detect(clip)
    assert [h.digit for h in hits] == ["1", "2", "3"]
    assert [h.t for h in hits] == pytest.approx([0.0, 0.7, 1.9], abs=0.03)


def test_held_key_counts_once_and_repeats_count_twice():
    assert digits_of(tones("5", tone_seconds=3.0)) == "5"
    assert digits_of(tones("55", tone_seconds=0.08, gap_seconds=0.06)) == "55"


def test_streaming_in_small_chunks_gives_the_same_hits():
    clip = tones("9w#*0", tone_seconds=0.09)
    detector = DtmfDetector()
    hits = [h for chunk in frames(clip.pcm, 7) for h in detector.feed(chunk)]
    assert hits == detect(clip)


def test_speech_is_not_taken_for_keys(load):
    for name in ("goforward.raw", "numbers.raw", "something.raw", "cards/005.wav"):
        assert digits_of(load(name)) == ""


def test_too_quiet_or_twisted_tones_are_rejected():
    assert digits_of(tones("123", level_dbfs=-60)) == ""
    t = np.arange(1600) / 16000
    twisted = 0.5 * np.sin(2 * np.pi * 697 * t) + 0.02 * np.sin(2 * np.pi * 1209 * t)
    assert digits_of(AudioClip(to_pcm(twisted))) == ""


def _through_gate(pcm: bytes, chunk_ms: int = 20):
    from ivr_studio.voice.dtmf import KeypadGate

    gate = KeypadGate()
    hits, out = [], b""
    for chunk in frames(pcm, chunk_ms):
        found, rest = gate.feed(chunk)
        hits += found
        out += rest
    return hits, out + gate.flush()


def _vad_kinds(pcm: bytes) -> list[str]:
    from ivr_studio.voice.vad import VoiceActivityDetector

    vad = VoiceActivityDetector()
    return [e.kind for chunk in frames(pcm, 20) for e in vad.feed(chunk)]


@pytest.mark.parametrize("chunk_ms", [20, 100])
def test_the_keypad_gate_reports_keys_and_silences_them_but_not_speech(load, chunk_ms):
    from ivr_studio.voice.pcm import silence

    speech = load("goforward.raw").pcm
    held_key = tones("5", tone_seconds=0.6, gap_seconds=0.0).pcm  # held down: long enough to pass for speech
    pcm = silence(0.3) + held_key + silence(0.4) + speech + silence(0.3) + tones("12").pcm + silence(0.3)
    hits, out = _through_gate(pcm, chunk_ms)
    assert [h.digit for h in hits] == ["5", "1", "2"]
    assert hits[0].t == pytest.approx(0.3, abs=0.03)
    assert len(out) == len(pcm), "the gate delays the audio; it never drops or adds any"
    x = to_array(out)
    key_from, key_to = int(0.3 * 16000), int(0.9 * 16000)
    assert not x[key_from:key_to].any(), "the held key is silence after the gate"
    speech_from = len(silence(0.3) + held_key + silence(0.4))
    assert out[speech_from : speech_from + len(speech)] == speech, "speech passes untouched"
    assert _vad_kinds(pcm)[:2] == ["speech_start", "speech_end"]  # the raw tone passes for speech …
    assert _vad_kinds(out) == ["speech_start", "speech_end"]  # … the gated audio has only the real speech


def test_the_keypad_gate_finds_keys_in_noise():
    rng = np.random.default_rng(7)
    x = to_array(tones("0#9", tone_seconds=0.08, gap_seconds=0.08).pcm)
    noisy = to_pcm(x + rng.normal(0, np.sqrt(np.mean(x[x != 0] ** 2) / 10), x.size))  # 10 dB SNR
    hits, out = _through_gate(noisy)
    assert [h.digit for h in hits] == ["0", "#", "9"]
    assert len(out) == len(noisy)
