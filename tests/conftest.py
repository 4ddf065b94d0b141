"""Suite-wide test setup: headless Qt, and the repository root for tests that need resources."""

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
