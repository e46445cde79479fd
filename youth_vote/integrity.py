"""Served-code integrity of the booth (voting.md requirement 23).

The booth's script and stylesheets are part of the release: their SHA-384 hashes are committed
in ``youth_vote/booth_manifest.json`` (written by ``manage.py youth_vote_booth_manifest
--write`` when the files change; a test fails if the committed hashes do not match the source).
Pages load the files with those hashes as Subresource Integrity, so a browser refuses a booth
file that was changed on the server; ``/youth-vote/vote/manifest.json`` publishes the same
manifest, and ``manage.py youth_vote_booth_manifest --check-url https://…`` fetches the files
a site really serves and compares them with it.
"""

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static

BOOTH_FILES = (
    "youth_vote/booth.css",
    "youth_vote/booth.js",
    "youth_vote/screen.js",
    "css/delta.css",
)
MANIFEST_PATH = Path(__file__).resolve().parent / "booth_manifest.json"


def digest(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def source_file(path: str) -> Path:
    located = finders.find(path)
    if not located:
        located = settings.STATIC_ROOT / path
    return Path(located)


def compute_manifest() -> dict:
    """The manifest of the booth files as they are in this source tree."""
    return {"files": {path: digest(source_file(path).read_bytes()) for path in BOOTH_FILES}}


@lru_cache(maxsize=1)
def release_manifest() -> dict:
    """The committed release manifest."""
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def sri(path: str) -> str:
    """The committed ``sha384-…`` hash of the booth file ``path``."""
    return release_manifest()["files"][path]


def manifest() -> dict:
    """The public manifest: each file's URL and its committed hash."""
    return {
        "files": [
            {"path": static(path), "integrity": integrity}
            for path, integrity in release_manifest()["files"].items()
        ]
    }


def check_served(fetch) -> list[str]:
    """Compare served files with the release manifest; ``fetch(url_path) -> bytes``.

    Returns one line per file that differs or cannot be fetched; empty when all match.
    """
    problems = []
    for entry in manifest()["files"]:
        try:
            served = fetch(entry["path"])
        except Exception as exc:
            problems.append(f"{entry['path']}: could not fetch ({exc})")
            continue
        if digest(served) != entry["integrity"]:
            problems.append(f"{entry['path']}: served file differs from the release manifest")
    return problems
