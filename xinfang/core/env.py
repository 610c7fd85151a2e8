"""Small typed helpers for reading configuration from the environment.

Every value read with `env_str` may instead come from a file: `NAME_FILE=/run/secrets/name` reads the file's
content (without the trailing newline) when `NAME` itself is not set — for secrets kept out of the environment
(systemd credentials, Docker/Kubernetes secrets; docs/deploy.md)."""

import os
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    if value is not None:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    return default


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env_str(name, "")
    return int(value) if value != "" else default


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list, blanks dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]
