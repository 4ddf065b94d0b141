"""Load tests: Locust's statistics in process, Locust's runs in their own processes.

Importing Locust monkey-patches the importing process with gevent unless ``LOCUST_SKIP_MONKEY_PATCH`` is set;
the test process must never be patched (Qt, threads and sockets of every other test depend on it), so the
statistics classes are imported with the patch skipped. ``ivr-studio load`` itself always runs in a child
process, which patches itself (:func:`ivr_studio.load.run.patch_process`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def locust_stats() -> ModuleType:
    previous = os.environ.get("LOCUST_SKIP_MONKEY_PATCH")
    os.environ["LOCUST_SKIP_MONKEY_PATCH"] = "1"
    try:
        import locust.stats
    finally:
        if previous is None:
            os.environ.pop("LOCUST_SKIP_MONKEY_PATCH", None)
        else:
            os.environ["LOCUST_SKIP_MONKEY_PATCH"] = previous
    from gevent import monkey

    assert not monkey.is_module_patched("socket")
    return locust.stats
