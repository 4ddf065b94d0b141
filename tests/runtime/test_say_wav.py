"""A script's ``say_wav`` step: real audio through the voice package's VAD and an injected recogniser."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from runtime_support import FakeApp, doc

from ivr_studio.runtime import CallEngine, WsgiTransport
from ivr_studio.runtime.events import CallerAudio
from ivr_studio.runtime.script import ScriptError, parse_script, run_virtual
from ivr_studio.voice.interfaces import FinalResult, PartialResult
from ivr_studio.voice.tts import EspeakSynthesizer


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
    clip = EspeakSynthesizer().synthesize("billing please", "en-US")  # espeak-ng ships with the package
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
    runner = run_virtual(engine, script, speech_feeder=wav_feeder(provider))
    assert runner.failures == []
    assert provider.languages and set(provider.languages) == {"en-GB"}  # a session per utterance
    req = app.to("/s")[0]
    assert req.form["SpeechResult"] == "Billing please." and req.form["Confidence"] == "0.77"
    start = engine.trace.of("speech")[0]
    assert start["phase"] == "start" and 0.3 <= start["t"] <= 0.8


def _write_wav(path: Path, rate: int, channels: int, seconds: float, width: int = 2) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels), w.setsampwidth(width), w.setframerate(rate)
        w.writeframes(
            b"\x10\x00" * int(rate * seconds) * channels if width == 2 else b"\x80" * int(rate * seconds)
        )
    return path


def test_say_wav_without_a_recogniser_is_reported(tmp_path: Path):
    app = FakeApp({"/menu": doc("<Gather input='speech'/>")})
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    wav = _write_wav(tmp_path / "quiet.wav", 16000, 1, 0.5)
    runner = run_virtual(engine, parse_script({"steps": [{"say_wav": wav.name}]}, wav.parent))
    assert runner.failures == [
        "step 1 (say_wav) failed: say_wav needs a speech recogniser, and none is available"
    ]
    assert "IVR908" in [e["code"] for e in engine.trace.of("warning")]


def test_say_wav_reads_any_rate_and_channel_count(tmp_path: Path):
    from ivr_studio.runtime.speech_feed import wav_feeder

    wav = _write_wav(tmp_path / "phone.wav", 8000, 2, 1.0)  # 8 kHz stereo, as phones and recorders write
    script = parse_script({"steps": [{"say_wav": wav.name}]}, tmp_path)  # accepted
    events = wav_feeder(FakeProvider())(script.steps[0].value, "en-US")
    audio = b"".join(e.pcm for _, e in events if isinstance(e, CallerAudio))
    assert abs(len(audio) - 32000) <= 64  # one second of 16 kHz mono s16le


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b"RIFF not really a wave file"), "is not a WAV file"),
        (lambda p: _write_wav(p, 16000, 1, 0.2, width=1), "16-bit"),
    ],
)
def test_an_unreadable_say_wav_file_is_a_script_error_naming_the_step(tmp_path: Path, make, reason):
    make(tmp_path / "bad.wav")
    with pytest.raises(ScriptError, match=rf"step 2 \(say_wav\): .*bad\.wav.*{reason}"):
        parse_script({"steps": [{"wait": 1}, {"say_wav": "bad.wav"}]}, tmp_path)


def test_ivr_studio_call_refuses_a_script_with_an_unreadable_wav(tmp_path: Path, capsys):
    from ivr_studio.cli import main

    (tmp_path / "bad.wav").write_bytes(b"not audio")
    missing = tmp_path / "missing.json"
    missing.write_text('{"steps": [{"say_wav": "gone.wav"}]}')
    bad = tmp_path / "bad.json"
    bad.write_text('{"steps": [{"wait_for": "listening"}, {"say_wav": "bad.wav"}]}')
    assert main(["call", "http://127.0.0.1:9/never-called", "--script", str(bad)]) == 2
    assert "step 2 (say_wav): bad.wav is not a WAV file" in capsys.readouterr().err
    assert main(["call", "http://127.0.0.1:9/never-called", "--script", str(missing)]) == 2
    assert "step 1 (say_wav)" in capsys.readouterr().err


class _Listening(_Session):
    """Keeps the audio it is given."""

    def __init__(self, heard: list[bytes]) -> None:
        super().__init__()
        self.heard = heard

    def accept(self, pcm: bytes):
        self.heard.append(pcm)
        return super().accept(pcm)


def _high_band_share(pcm: bytes) -> float:
    import numpy as np

    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / 16_000)
    return float(power[freqs > 4_200].sum() / power.sum())


def test_phone_fidelity_gives_the_recogniser_telephone_audio(spoken_wav: Path):
    from ivr_studio.runtime.speech_feed import wav_feeder

    heard: dict[bool, list[bytes]] = {False: [], True: []}
    for phone in (False, True):

        class Provider:
            def open(self, language: str, phrases=None, sink=heard[phone]) -> _Listening:
                return _Listening(sink)

        wav_feeder(Provider(), phone_fidelity=phone)(str(spoken_wav), "en-US")
    wide, narrow = (b"".join(heard[k]) for k in (False, True))
    assert abs(len(wide) - len(narrow)) <= 2 * 160  # the same audio, 4 ms later at most
    assert _high_band_share(wide) > 0.001  # espeak's voice has some energy above 4 kHz …
    assert _high_band_share(narrow) < 0.00005  # … which an 8 kHz phone line cannot carry


def test_no_interim_text_after_the_final_result(spoken_wav: Path):
    """Interim results the recogniser gives while the VAD waits out its hangover come before the final."""
    from ivr_studio.runtime.events import SpeechFinal, SpeechPartial
    from ivr_studio.runtime.speech_feed import wav_feeder

    events = wav_feeder(FakeProvider())(str(spoken_wav), "en-US")
    kinds = [type(e) for _, e in events if isinstance(e, (SpeechPartial, SpeechFinal))]
    assert SpeechPartial in kinds and kinds[-1] is SpeechFinal
    final_at = next(t for t, e in events if isinstance(e, SpeechFinal))
    assert all(t <= final_at for t, e in events if isinstance(e, SpeechPartial))
