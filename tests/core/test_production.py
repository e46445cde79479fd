"""`make run-production` and the pooled PostgreSQL settings it relies on (issue 11)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _settings(**env):
    code = "import json; from democracy import settings as s; print(json.dumps(s.DATABASES['default'], default=str))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 40, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(out.stdout)


def test_a_pool_size_gives_every_process_a_bounded_pool_and_no_persistent_connections():
    db = _settings(DATABASE_URL="postgres://u@127.0.0.1:5432/d", DATABASE_POOL_SIZE="4")
    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 5}
    assert db["CONN_MAX_AGE"] == 0


def test_without_a_pool_size_connections_persist_as_before():
    db = _settings(DATABASE_URL="postgres://u@127.0.0.1:5432/d")
    assert "pool" not in db.get("OPTIONS", {})
    assert db["CONN_MAX_AGE"] == 60


def test_run_production_refuses_without_database_redis_and_secret_key():
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    for missing in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        env = dict(
            clean,
            DATABASE_URL="postgres://u@127.0.0.1:1/d",
            REDIS_URL="redis://127.0.0.1:1/0",
            SECRET_KEY="x" * 40,
        )
        del env[missing]
        result = subprocess.run(  # noqa: S603
            ["make", "-o", ".venv/.installed", "run-production"],  # noqa: S607
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert f"make run-production needs {missing}" in result.stdout
    env = dict(clean, DATABASE_URL="sqlite:///x", REDIS_URL="redis://127.0.0.1:1/0")
    env["SECRET_KEY"] = "x" * 40
    result = subprocess.run(  # noqa: S603
        ["make", "-o", ".venv/.installed", "run-production"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "needs DATABASE_URL=postgres" in result.stdout
