"""Loading what the first test call needs, in the background, once the editor is on screen.

The editor's first frame does not wait for the call engine, the handler app or the audio code (see
``tests/ui/test_startup_imports.py``), but the first press of F5 should not wait for them either: right after
the first frame a background thread imports them, while the user is still looking at the flow. Only
modules are imported there, never Qt objects made, so the thread is safe beside the GUI thread.
"""

from __future__ import annotations

import contextlib
import importlib
import threading

#: What a test call of the open flow uses first, in the order it uses it.
CALL_MODULES = (
    "ivr_studio.bundle.routing",
    "ivr_studio.bundle.documents",
    "ivr_studio.bundle.handler",
    "ivr_studio.bundle.serve",
    "ivr_studio.bundle.coverage",
    "ivr_studio.runtime.engine",
    "ivr_studio.runtime.live",
    "ivr_studio.runtime.transports",
    "ivr_studio.runtime.audio",
    "ivr_studio.voice.interfaces",
    "ivr_studio.voice.pcm",
    "ivr_studio.voice.dtmf",
)


def warm_up(modules: tuple[str, ...] = CALL_MODULES) -> threading.Thread:
    """Import ``modules`` on a daemon thread; returns the thread (already started)."""

    def work() -> None:
        for name in modules:
            with contextlib.suppress(Exception):  # a module that fails loads (and says why) when used
                importlib.import_module(name)

    thread = threading.Thread(target=work, name="ivr-warm-up", daemon=True)
    thread.start()
    return thread
