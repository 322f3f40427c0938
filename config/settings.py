"""Typed settings: the only code in Verity that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_CHECK_NAME = "Verity"
# A stopped worker finishes what it can in this long, then hands its unfinished jobs back to the
# queue: below a deployment's grace period (Kubernetes' default is 30 s, compose's stop_grace_period).
DEFAULT_SOFT_SHUTDOWN_SECONDS = 20.0


class SettingsError(RuntimeError):
    """A required setting is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    webhook_secret: str = field(repr=False)
    app_id: str
    private_key: str = field(repr=False)
    redis_url: str = DEFAULT_REDIS_URL
    github_api_url: str = DEFAULT_API_URL
    data_dir: Path = Path(".")
    check_name: str = DEFAULT_CHECK_NAME
    soft_shutdown_seconds: float = DEFAULT_SOFT_SHUTDOWN_SECONDS
    queues: int = 1  # repositories are spread over this many queues by id (`verity`, `verity.1`, ...)


def default_data_dir() -> Path:
    """Return the per-user directory for mirrors and caches."""
    # Imported here: only a run without VERITY_DATA_DIR asks, and platformdirs costs every command 3-5 ms to import.
    import platformdirs

    return Path(platformdirs.user_cache_dir("verity"))


def load_settings(env: Mapping[str, str] | None = None, *, require_app: bool = True) -> Settings:
    """Read the settings from the environment; raise SettingsError naming a missing one."""
    env = os.environ if env is None else env
    secret = env.get("VERITY_WEBHOOK_SECRET", "")
    app_id = env.get("VERITY_APP_ID", "")
    if require_app:
        if not secret:
            raise SettingsError("VERITY_WEBHOOK_SECRET is required")
        if not app_id:
            raise SettingsError("VERITY_APP_ID is required")
    key = _private_key(env) if require_app else env.get("VERITY_PRIVATE_KEY", "")
    return Settings(
        webhook_secret=secret,
        app_id=app_id,
        private_key=key,
        redis_url=env.get("VERITY_REDIS_URL", DEFAULT_REDIS_URL),
        github_api_url=env.get("VERITY_GITHUB_API_URL", DEFAULT_API_URL).rstrip("/"),
        data_dir=Path(env["VERITY_DATA_DIR"]) if env.get("VERITY_DATA_DIR") else default_data_dir(),
        check_name=env.get("VERITY_CHECK_NAME", DEFAULT_CHECK_NAME),
        soft_shutdown_seconds=_number(env, "VERITY_SOFT_SHUTDOWN_SECONDS", DEFAULT_SOFT_SHUTDOWN_SECONDS, 0.0),
        queues=int(_number(env, "VERITY_QUEUES", 1, 1)),
    )


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    """Return a numeric setting, or its default when unset; raise SettingsError when it is not a number."""
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number") from None
    if value < minimum or value != value:
        raise SettingsError(f"{name} must be at least {minimum:g}")
    return value


def _private_key(env: Mapping[str, str]) -> str:
    """Return the App's PEM private key from VERITY_PRIVATE_KEY or VERITY_PRIVATE_KEY_PATH."""
    if env.get("VERITY_PRIVATE_KEY"):
        return env["VERITY_PRIVATE_KEY"].replace("\\n", "\n")
    path = env.get("VERITY_PRIVATE_KEY_PATH")
    if not path:
        raise SettingsError("VERITY_PRIVATE_KEY or VERITY_PRIVATE_KEY_PATH is required")
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"VERITY_PRIVATE_KEY_PATH cannot be read: {exc.strerror}") from None


def cli_cache_path(env: Mapping[str, str] | None = None) -> Path:
    """Return the SQLite facts cache file the CLI uses."""
    env = os.environ if env is None else env
    base = Path(env["VERITY_DATA_DIR"]) if env.get("VERITY_DATA_DIR") else default_data_dir()
    return base / "facts.sqlite3"
