"""A speech recogniser provider for editor tests whose callers only press keys: every recognition session
hears nothing, and no model is loaded or warmed up (which would compete with the call for the cores)."""

from __future__ import annotations

from collections.abc import Sequence

from ivr_studio.voice.interfaces import FinalResult, PartialResult


class _Silence:
    def accept(self, pcm: bytes) -> PartialResult | None:
        return None

    def final(self) -> FinalResult:
        return FinalResult("", 0.0)


class SilentRecognizers:
    """A RecognizerProvider without ``prepare``: nothing to warm when a call starts."""

    def open(self, language: str, phrases: Sequence[str] | None = None) -> _Silence:
        return _Silence()
