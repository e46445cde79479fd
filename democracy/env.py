"""Typed readers for environment variables, used only by ``democracy.settings``.

Every setting Delta reads from the environment goes through one of these helpers so that a
wrong value fails loudly at start-up with the variable's name, instead of somewhere later.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from democracy.local_env import read

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).resolve() if raw else default


def load_local_env(path: Path) -> None:
    """Fill in unset variables from ``path``, the file ``make run`` writes (``KEY=value`` lines).

    The real environment always wins, so a variable set for one command still applies. Delta's
    settings skip this when ``DELTA_PRODUCTION=1``: production takes its configuration from its
    own environment only.
    """

    for key, value in read(path).items():
        os.environ.setdefault(key, value)
