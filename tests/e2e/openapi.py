"""GitHub's REST API description (@octokit/openapi): find an operation, validate a request body."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

NPM = Path(__file__).resolve().parent.parent / "fixtures" / "npm" / "node_modules" / "@octokit"
SPEC_PATH = NPM / "openapi" / "generated" / "api.github.com.json"
EXAMPLES_PATH = NPM / "webhooks-examples" / "api.github.com" / "index.json"
MISSING = "{path} is missing: run tests/fixtures/install-npm.sh (make test does)"
BASE_URI = "urn:github:api"


def require(path: Path) -> Path:
    """Return a fixture path, or fail loudly naming the install script."""
    if not path.is_file():
        raise FileNotFoundError(MISSING.format(path=path))
    return path


@dataclass(frozen=True)
class Operation:
    """One REST operation: method, path template and where its body schema lives."""

    method: str
    template: str
    pattern: re.Pattern[str]
    body_pointer: str | None
    body_required: bool


class OpenAPI:
    """The REST description, indexed by method and path."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.registry: Registry[Any] = Registry().with_resource(
            BASE_URI, Resource.from_contents(spec, default_specification=DRAFT7)
        )
        self.operations = [op for path, item in spec["paths"].items() for op in _operations(path, item)]
        # Literal paths before templated ones, so /pulls/comments never matches /pulls/{pull_number}.
        self.operations.sort(key=lambda op: op.template.count("{"))

    def find(self, method: str, path: str) -> Operation | None:
        """Return the operation a request hits, or None when the API has no such endpoint."""
        for op in self.operations:
            if op.method == method and op.pattern.fullmatch(path):
                return op
        return None

    def validate(self, method: str, path: str, body: Any) -> list[str]:
        """Return the ways a request body breaks the operation's schema (empty when valid)."""
        op = self.find(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in the REST description"]
        if op.body_pointer is None:
            return [] if body is None else [f"{method} {op.template}: takes no body"]
        if body is None:
            return [f"{method} {op.template}: body required"] if op.body_required else []
        validator = Draft7Validator({"$ref": f"{BASE_URI}#{op.body_pointer}"}, registry=self.registry)
        return [f"{method} {op.template}: {e.json_path}: {e.message}" for e in validator.iter_errors(body)]


def _operations(path: str, item: dict[str, Any]) -> list[Operation]:
    """Return the operations of one path item."""
    pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)))
    found = []
    for method, op in item.items():
        if method not in ("get", "post", "patch", "put", "delete"):
            continue
        content = op.get("requestBody", {}).get("content", {})
        pointer = None
        if "application/json" in content:
            escaped = path.replace("~", "~0").replace("/", "~1")
            pointer = f"/paths/{escaped}/{method}/requestBody/content/application~1json/schema"
        found.append(Operation(method.upper(), path, pattern, pointer, bool(op.get("requestBody", {}).get("required"))))
    return found


@functools.cache
def load_openapi() -> OpenAPI:
    """Load the REST description once per test session."""
    return OpenAPI(json.loads(require(SPEC_PATH).read_text(encoding="utf-8")))


@functools.cache
def webhook_examples() -> dict[str, list[dict[str, Any]]]:
    """Return the real webhook payload examples, by event name."""
    data = json.loads(require(EXAMPLES_PATH).read_text(encoding="utf-8"))
    return {str(entry["name"]): list(entry["examples"]) for entry in data}


def example(event: str, action: str | None) -> dict[str, Any]:
    """Return a deep copy of the first real example of an event and action."""
    for payload in webhook_examples()[event]:
        if payload.get("action") == action:
            copied: dict[str, Any] = json.loads(json.dumps(payload))
            return copied
    raise KeyError(f"no {event}.{action} example")
