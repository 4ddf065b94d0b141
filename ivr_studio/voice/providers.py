"""Choosing a recogniser for a Gather's ``language``: vosk when a model is installed, else the fallback.

:class:`DefaultRecognizerProvider` implements ``RecognizerProvider``:

1. an installed vosk model for the language (exact tag, then same primary language) — see
   :mod:`ivr_studio.voice.models`;
2. otherwise, for English (``en-*``), the pocketsphinx US-English model bundled in its wheel;
3. otherwise :class:`~ivr_studio.voice.interfaces.NoModelError`, whose message gives the command that
   installs a model.

Engines are created once per model and reused (a vosk model takes seconds to load).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from ivr_studio.voice.interfaces import NoModelError, StreamingRecognizer
from ivr_studio.voice.model_catalog import primary
from ivr_studio.voice.models import ModelManager
from ivr_studio.voice.pocketsphinx_recognizer import PocketsphinxEngine
from ivr_studio.voice.vosk_recognizer import VoskEngine


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
        raise NoModelError(
            f"No speech model is installed for {tag}. Install one with: ivr-studio models download {tag}"
        )

    def open(self, language: str, phrases: Sequence[str] | None = None) -> StreamingRecognizer:
        return self.engine_for(language).open(phrases)
