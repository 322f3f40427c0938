"""Log lines that carry their context: each record's structured fields appended as `key=value` pairs.

Verity logs with `extra={...}` (the repository, the PR, the head, what happened). Neither Celery's
formatter nor Python's default one shows those fields, so a line read "audit published" without
saying which PR. This formatter keeps the host's line as it is and appends the fields (logfmt style).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

# What every LogRecord carries, plus what formatters and Celery's task formatter add to it.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName", "task_id", "task_name", "data"}
PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class FieldsFormatter(logging.Formatter):
    """Format a record with another formatter, then append its structured fields as `key=value`."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__()
        self._inner = inner or logging.Formatter(PLAIN)

    def format(self, record: logging.LogRecord) -> str:
        """Return the inner formatter's line with the record's own fields after it."""
        line = self._inner.format(record)
        fields = [f"{key}={_shown(value)}" for key, value in vars(record).items() if key not in _STANDARD]
        if not fields:
            return line
        head, newline, rest = line.partition("\n")  # fields go on the first line, before any traceback
        return f"{head} {' '.join(fields)}{newline}{rest}"


def _shown(value: Any) -> str:
    """Return a field's value as logfmt shows it: bare when it is one word, else quoted."""
    text = str(value)
    if text and not any(c.isspace() or c in '"=' for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def with_fields(handler: logging.Handler) -> None:
    """Make a handler show records' structured fields, keeping its own line format."""
    if not isinstance(handler.formatter, FieldsFormatter):
        handler.setFormatter(FieldsFormatter(handler.formatter))


def log_to_stderr(level: int = logging.INFO) -> None:
    """Send Verity's own log records to stderr with their fields (a process no framework set logging up for)."""
    logger = logging.getLogger("verity")
    if any(isinstance(h.formatter, FieldsFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(FieldsFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # uvicorn's or the root's handlers would print it a second time
