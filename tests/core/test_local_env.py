"""`make run`'s local environment file: commands work from the checkout afterwards."""

import json
import os
import subprocess
import sys
from pathlib import Path

from democracy import local_env

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({"debug": settings.DEBUG, "secret": settings.SECRET_KEY,
                  "site_url": settings.SITE_URL}))
"""


def probe(local_file, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SITE_URL", "DELTA_PRODUCTION", "DELTA_LOCAL_ENV"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="democracy.settings", DELTA_LOCAL_ENV=str(local_file))
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_the_file_gives_debug_a_generated_key_and_site_url_from_host(tmp_path):
    path = tmp_path / "var" / "local.env"
    first = local_env.write(path, "127.0.0.1:8101")
    assert first["DEBUG"] == "1"
    assert first["SITE_URL"] == "http://127.0.0.1:8101"
    assert len(first["SECRET_KEY"]) >= 50
    assert path.stat().st_mode & 0o077 == 0
    # A second run on another address keeps the key (sessions survive) and moves SITE_URL.
    second = local_env.write(path, "127.0.0.1:8102")
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert local_env.read(path)["SITE_URL"] == "http://127.0.0.1:8102"
    assert local_env.write(tmp_path / "other.env", "x:1")["SECRET_KEY"] != first["SECRET_KEY"]


def test_settings_read_the_file_so_commands_need_no_debug(tmp_path):
    path = tmp_path / "local.env"
    written = local_env.write(path, "127.0.0.1:8101")
    result = probe(path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {
        "debug": True,
        "secret": written["SECRET_KEY"],
        "site_url": "http://127.0.0.1:8101",
    }


def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / "local.env"
    local_env.write(path, "127.0.0.1:8101")
    result = probe(path, SITE_URL="https://delta.norrvik.example", DEBUG="0", SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {"debug": False, "secret": "k" * 50, "site_url": "https://delta.norrvik.example"}


def test_production_ignores_the_file(tmp_path):
    path = tmp_path / "local.env"
    local_env.write(path, "127.0.0.1:8101")
    result = probe(path, DELTA_PRODUCTION="1")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_the_file_secret_key_is_still_required(tmp_path):
    result = probe(tmp_path / "absent.env")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_make_run_writes_the_file_before_anything_else():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun: $(VENV)/.installed\n", 1)[1].split("\n\n", 1)[0]
    assert recipe.splitlines()[0].strip() == "$(PY) -m democracy.local_env $(HOST)"
    assert "/var/" in (ROOT / ".gitignore").read_text().splitlines()
