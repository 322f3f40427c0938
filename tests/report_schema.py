"""The published JSON report schema, and the check every report the suite produces goes through."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "report.schema.json"


@functools.cache
def validator() -> Draft202012Validator:
    """Return a validator of docs/report.schema.json (the schema itself checked once)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def report_errors(data: Any) -> list[str]:
    """Return every way a JSON report breaks the schema, as `path: message` lines."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(data)]


def assert_valid_report(data: Any) -> None:
    """Fail with every schema error of a JSON report."""
    errors = report_errors(data)
    assert not errors, "report breaks docs/report.schema.json:\n" + "\n".join(errors)
