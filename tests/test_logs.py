"""Log lines carry their context: structured fields after the message, in the worker and the receiver."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from app.logs import FieldsFormatter, log_to_stderr, with_fields
from workers.celery_app import log_fields


def record(message: str, **fields: object) -> logging.LogRecord:
    """Return a record as `log.info(message, extra=fields)` makes it."""
    logger = logging.getLogger("verity.test")
    return logger.makeRecord(logger.name, logging.INFO, __file__, 1, message, (), None, extra=fields)


def test_fields_follow_the_message_quoted_only_when_they_need_it() -> None:
    line = FieldsFormatter(logging.Formatter("%(levelname)s %(message)s")).format(
        record("audit published", repo="o/r", pr=7, passed=False, why='said "no" here', audit_s=1.25))
    assert line == 'INFO audit published repo=o/r pr=7 passed=False why="said \\"no\\" here" audit_s=1.25'


def test_a_record_without_fields_keeps_its_line_and_a_traceback_stays_below() -> None:
    plain = logging.Formatter("%(message)s")
    assert FieldsFormatter(plain).format(record("ping")) == "ping"
    try:
        raise ValueError("boom")
    except ValueError:
        failing = logging.getLogger("verity.test").makeRecord(
            "verity.test", logging.ERROR, __file__, 1, "audit failed", (), sys.exc_info(),
            extra={"repo": "o/r"})
    first, *rest = FieldsFormatter(plain).format(failing).splitlines()
    assert first == "audit failed repo=o/r"
    assert rest[0].startswith("Traceback") and rest[-1] == "ValueError: boom"


def test_the_worker_keeps_celerys_format_and_adds_the_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s/%(processName)s] %(message)s"))
    logger = logging.Logger("celery-root")
    logger.addHandler(handler)
    log_fields(logger=logger, loglevel=logging.INFO)
    log_fields(logger=logger, loglevel=logging.INFO)  # set up twice (task and worker loggers): wrapped once
    logger.handle(record("duplicate job skipped", head="abc123"))
    assert stream.getvalue() == "[INFO/MainProcess] duplicate job skipped head=abc123\n"


@pytest.fixture
def verity_logger() -> Iterator[logging.Logger]:
    """Yield Verity's root logger, restored afterwards."""
    logger = logging.getLogger("verity")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    logger.handlers.clear()
    try:
        yield logger
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved


def test_the_receiver_prints_its_info_lines_with_fields_once(verity_logger: logging.Logger,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    log_to_stderr()
    log_to_stderr()
    logging.getLogger("verity.web").info("malformed delivery", extra={"delivery": "d-1", "event": "push"})
    err = capsys.readouterr().err
    assert err.count("malformed delivery") == 1
    assert err.rstrip().endswith("INFO verity.web: malformed delivery delivery=d-1 event=push")


def test_with_fields_wraps_a_handler_once() -> None:
    handler = logging.StreamHandler(io.StringIO())
    with_fields(handler)
    inner = handler.formatter
    with_fields(handler)
    assert handler.formatter is inner and isinstance(inner, FieldsFormatter)
