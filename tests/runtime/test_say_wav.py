"""A script's ``say_wav`` step: real audio through the voice package's VAD and an injected recogniser."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from runtime_support import FakeApp, doc

from ivr_studio.runtime import CallEngine, WsgiTransport
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.voice.interfaces import FinalResult, PartialResult

speech_input = pytest.importorskip("ivr_studio.voice.speech_input")
tts = pytest.importorskip("ivr_studio.voice.tts")


class _Session:
    def __init__(self) -> None:
        self.seconds = 0.0

    def accept(self, pcm: bytes) -> PartialResult | None:
        self.seconds += len(pcm) / 32000
        return PartialResult("bill", self.seconds) if self.seconds > 0.6 else None

    def final(self) -> FinalResult:
        return FinalResult("billing please", 0.77)


class FakeProvider:
    def __init__(self) -> None:
        self.languages: list[str] = []

    def open(self, language: str, phrases=None) -> _Session:
        self.languages.append(language)
        return _Session()


@pytest.fixture
def spoken_wav(tmp_path: Path) -> Path:
    try:
        clip = tts.EspeakSynthesizer().synthesize("billing please", "en-US")
    except Exception as exc:  # no espeak-ng on this machine
        pytest.skip(f"text to speech unavailable: {exc}")
    path = tmp_path / "billing.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(clip.sample_rate)
        w.writeframes(b"\x00\x00" * 8000 + clip.pcm + b"\x00\x00" * 16000)
    return path


def test_say_wav_is_recognised_and_timed_from_the_audio(spoken_wav: Path):
    from ivr_studio.runtime.speech_feed import wav_feeder

    app = FakeApp(
        {"/menu": doc('<Gather input="speech" language="en-GB" action="/s"/>'), "/s": doc("<Hangup/>")}
    )
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    provider = FakeProvider()
    script = parse_script({"steps": [{"say_wav": spoken_wav.name}]}, spoken_wav.parent)
    run_virtual(engine, script, speech_feeder=wav_feeder(provider))
    assert provider.languages == ["en-GB"]
    req = app.to("/s")[0]
    assert req.form["SpeechResult"] == "Billing please." and req.form["Confidence"] == "0.77"
    start = engine.trace.of("speech")[0]
    assert start["phase"] == "start" and 0.3 <= start["t"] <= 0.8


def test_say_wav_without_a_recogniser_is_reported():
    app = FakeApp({"/menu": doc("<Gather input='speech'/>")})
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    wav = Path(__file__).with_name("runtime_support.py")
    runner = run_virtual(engine, parse_script({"steps": [{"say_wav": wav.name}]}, wav.parent))
    assert runner.error and "no" in runner.error and "recogniser" in runner.error
    assert "IVR908" in [e["code"] for e in engine.trace.of("warning")]
