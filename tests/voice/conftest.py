"""Shared fixtures for the voice tests: the pocketsphinx test recordings and shared engines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dependencies import missing

from ivr_studio.voice.interfaces import AudioClip
from ivr_studio.voice.pcm import read_raw, read_wav

TESTDATA = Path("/usr/share/pocketsphinx/test/data")


def _transcription(folder: str, path: str) -> dict[str, str]:
    """``folder/<id>.wav`` -> reference transcript, from one of the corpus' own transcription files
    (lines of ``<s> words </s> (id)``)."""
    out = {}
    file = TESTDATA / folder / path
    if file.exists():
        for line in file.read_text().splitlines():
            text, _, file_id = line.rpartition("(")
            out[f"{folder}/{file_id.strip(') ')}.wav"] = text.replace("<s>", "").replace("</s>", "").strip()
    return out


#: Long read sentences (an audiobook): harder than commands, and long enough to time the final result.
LIBRIVOX = _transcription("librivox", "transcription")

#: Reference transcripts for the corpus files we use (raw files: their documented content).
REFERENCES = {
    "goforward.raw": "go forward ten meters",
    "something.raw": "go somewhere and do something",
    **_transcription("cards", "cards.transcription"),
}


@pytest.fixture(scope="session")
def testdata() -> Path:
    if not (TESTDATA / "goforward.raw").exists():
        missing("Debian's pocketsphinx-testdata (apt install pocketsphinx-testdata)")
    return TESTDATA


@pytest.fixture(scope="session")
def references(testdata: Path) -> dict[str, str]:
    return dict(REFERENCES)


@pytest.fixture(scope="session")
def load(testdata: Path) -> Callable[[str], AudioClip]:
    """Load a corpus recording by its path under the test-data folder."""

    def _load(name: str) -> AudioClip:
        path = testdata / name
        return read_raw(path) if name.endswith(".raw") else read_wav(path)

    return _load


@pytest.fixture(scope="session")
def pocketsphinx_engine():
    from ivr_studio.voice.pocketsphinx_recognizer import PocketsphinxEngine

    return PocketsphinxEngine()


@pytest.fixture(scope="session")
def librivox(testdata: Path) -> dict[str, str]:
    if not LIBRIVOX:
        missing("pocketsphinx-testdata's librivox recordings")
    return dict(LIBRIVOX)
