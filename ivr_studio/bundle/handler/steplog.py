"""One structured (JSON) log line per call step, so a call can be followed across workers by its CallSid.

Each line is a JSON object with ``event`` ("step", "refused", "startup" …), ``call_sid``, ``node``,
``outcome`` and, when something odd was tolerated, ``note``. Lines go to the ``ivr_handler`` logger; when
nothing else has set up logging (gunicorn, ``flask run``) the app sends them to standard error as they are.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER_NAME = "ivr_handler"
MAX_FIELD = 200

log = logging.getLogger(LOGGER_NAME)


class _Plain(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def install_stderr_handler() -> None:
    """Print the JSON lines to stderr, unless the process already routes log records somewhere."""
    if log.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Plain())
    log.addHandler(handler)
    log.setLevel(logging.INFO)


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
_LEVEL_NAMES = {logging.INFO: "info", logging.WARNING: "warning", logging.ERROR: "error"}


def emit(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one JSON line; caller-supplied values are clipped, and ``None`` fields are left out."""
    if not log.isEnabledFor(level):
        return
    record = {"ts": round(time.time(), 3), "level": _LEVEL_NAMES.get(level, str(level)), "event": event}
    for key, value in fields.items():
        if value is not None:
            record[key] = (
                value[:MAX_FIELD] + "…" if isinstance(value, str) and len(value) > MAX_FIELD else value
            )
    # makeRecord + handle skips logging's stack walk for the caller's file and line, which we do not log.
    log.handle(log.makeRecord(LOGGER_NAME, level, "steplog", 0, _ENCODER.encode(record), None, None))
