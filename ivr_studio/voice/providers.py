"""Choosing a recogniser for a Gather's ``language``: vosk when a model is installed, else the fallback.

:class:`DefaultRecognizerProvider` implements ``RecognizerProvider``:

1. an installed vosk model for the language (exact tag, then same primary language) — see
   :mod:`ivr_studio.voice.models`;
2. otherwise, for English (``en-*``), the pocketsphinx US-English model bundled in its wheel;
3. otherwise :class:`~ivr_studio.voice.interfaces.NoModelError`, whose message gives the command that
   downloads the catalog's model, or — for a language the catalog has none for — the one that registers a
   model folder the user has.

Engines are created once per model and reused (a vosk model takes seconds to load).
:meth:`DefaultRecognizerProvider.prepare` loads and warms the engine for a language ahead of the first
Gather — for vosk that means decoding a few numbers spoken by espeak-ng in that language, which fills the
recogniser's graph cache (see :mod:`ivr_studio.voice.vosk_recognizer`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from ivr_studio.voice.interfaces import NoModelError, StreamingRecognizer
from ivr_studio.voice.model_catalog import find_catalog_model, primary
from ivr_studio.voice.models import ModelManager
from ivr_studio.voice.pocketsphinx_recognizer import PocketsphinxEngine
from ivr_studio.voice.vosk_recognizer import VoskEngine

#: What espeak-ng says (in the Gather's language) to warm a vosk model: digits are words in every language,
#: and callers say numbers often.
WARM_UP_TEXT = "1 2 3 4 5 6 7 8 9 10"


def warm_up_speech(language: str) -> bytes:
    """A few numbers spoken in ``language`` (16 kHz PCM), or nothing when espeak-ng cannot say them."""
    from ivr_studio.voice.tts import EspeakSynthesizer

    try:
        return EspeakSynthesizer().synthesize(WARM_UP_TEXT, language, "woman").pcm
    except Exception:  # no voice for the language: the engine warms up on silence instead
        return b""


class DefaultRecognizerProvider:
    """vosk model if installed for the language, else pocketsphinx for English, else NoModelError."""

    def __init__(self, models: ModelManager | None = None, use_vosk: bool = True) -> None:
        self.models = models or ModelManager()
        self.use_vosk = use_vosk
        self._vosk: dict[Path, VoskEngine] = {}
        self._pocketsphinx: PocketsphinxEngine | None = None
        self._lock = threading.Lock()

    def engine_for(self, language: str) -> VoskEngine | PocketsphinxEngine:
        """The engine that would serve ``language`` (raises NoModelError when there is none)."""
        tag = (language or "en-US").strip()
        model = self.models.find(tag) if self.use_vosk else None
        with self._lock:
            if model is not None:
                engine = self._vosk.get(model.path)
                if engine is None:
                    engine = self._vosk[model.path] = VoskEngine(model.path, model.language)
                return engine
            if primary(tag) == "en":
                if self._pocketsphinx is None:
                    self._pocketsphinx = PocketsphinxEngine()
                return self._pocketsphinx
        raise NoModelError(self._missing_model_message(tag), language=tag)

    def _missing_model_message(self, tag: str) -> str:
        """What to do about a language without a model: download the catalog's, or register one's own."""
        notice = f"No speech model is installed for {tag}."
        if find_catalog_model(tag, self.models.catalog) is not None:
            return f"{notice} Install one with: ivr-studio models download {tag}"
        return (
            f"{notice} There is no downloadable speech model for {tag}; if you have a vosk model for it, "
            f"register its folder with: ivr-studio models add DIR --language {tag}"
        )

    def prepare(self, language: str) -> None:
        """Load and warm the engine for ``language`` now (seconds for vosk), so the first Gather need not.

        Raises :class:`NoModelError` like :meth:`open`; safe to call again (then it returns at once).
        """
        engine = self.engine_for(language)
        if isinstance(engine, VoskEngine):
            if not engine.warm:
                engine.warm_up(warm_up_speech(engine.language or language))
        else:
            engine.warm_up()

    def open(self, language: str, phrases: Sequence[str] | None = None) -> StreamingRecognizer:
        return self.engine_for(language).open(phrases)
