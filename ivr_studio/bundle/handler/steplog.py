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
from typing import Any, TextIO

LOGGER_NAME = "ivr_handler"
MAX_FIELD = 200

log = logging.getLogger(LOGGER_NAME)


class _Plain(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


#: The handler :func:`install_stderr_handler` added, while it is the only place the lines go.
_own: logging.StreamHandler | None = None


def install_stderr_handler(stream: TextIO | None = None) -> None:
    """Print the JSON lines to stderr (or ``stream``), unless the process already routes log records
    somewhere."""
    global _own
    if log.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Plain())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    _own = handler


def _direct_stream() -> TextIO | None:
    """The stream to write a line to without a log record: only while the lines go nowhere but the handler
    :func:`install_stderr_handler` added (no other handler, filter or root handler would see the record)."""
    own = _own
    if own is None or log.handlers != [own] or log.filters or own.filters or logging.root.handlers:
        return None
    return own.stream


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
    line = _ENCODER.encode(record)
    stream = _direct_stream()
    if stream is not None and _own is not None:
        # What the StreamHandler would write, without building a LogRecord for a line that is already
        # formatted (the deployed handler's case: one line per request). On a write error the record
        # goes the usual way, so logging reports it as it always does.
        _own.acquire()
        try:
            stream.write(line + "\n")
            stream.flush()
            return
        except (OSError, ValueError):
            pass
        finally:
            _own.release()
    # makeRecord + handle skips logging's stack walk for the caller's file and line, which we do not log.
    log.handle(log.makeRecord(LOGGER_NAME, level, "steplog", 0, line, None, None))
