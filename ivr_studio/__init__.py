"""IVR Studio: design, export and test Twilio phone menus offline.

``ivr_studio.__version__`` is read from the installed package's metadata when it is first asked for:
``importlib.metadata`` costs more than the rest of a command's start-up, and most runs never need it.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ivr-studio")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
