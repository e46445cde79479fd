"""The one settings module, configured by environment variables only."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "cache": settings.CACHES["default"]["BACKEND"],
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "q_orm": settings.Q_CLUSTER.get("orm"),
    "q_redis": settings.Q_CLUSTER.get("redis"),
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
}))
"""


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {
        "DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
    }}
    clean.update(env, DJANGO_SETTINGS_MODULE="democracy.settings")
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_nothing_set_gives_the_embedded_setup():
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["db_options"]["init_command"]
    assert config["db_options"]["transaction_mode"] == "IMMEDIATE"
    assert config["cache"].endswith("LocMemCache")
    assert config["channels"] == "channels.layers.InMemoryChannelLayer"
    assert config["q_orm"] == "default"
    assert config["q_redis"] is None


def test_database_and_redis_urls_switch_backends():
    result = run_settings(
        DEBUG="1",
        DATABASE_URL="postgres://delta:secret@db.internal:5432/delta",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["cache"] == "democracy.core.cache.RedisCache"
    assert config["channels"] == "channels_redis.core.RedisChannelLayer"
    # The task broker stays the database: Redis's broker has no acknowledgement, so a killed
    # worker lost the tasks it had taken (decision 79, tests/proposals/test_worker_killed.py).
    assert config["q_orm"] == "default"
    assert config["q_redis"] is None


def test_secret_key_is_required_without_debug():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_have_no_default_hosts():
    result = run_settings(DEBUG="0", SECRET_KEY="x" * 50)
    config = json.loads(result.stdout)
    assert config["debug"] is False
    assert config["hosts"] == []


def test_bad_boolean_is_a_clear_error():
    result = run_settings(DEBUG="maybe")
    assert "DEBUG must be a boolean" in result.stderr


def test_env_example_documents_every_variable_the_settings_read():
    import re

    settings_source = (ROOT / "democracy" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list|path|required)\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set(), f"Undocumented in .env.example: {sorted(read - documented)}"
