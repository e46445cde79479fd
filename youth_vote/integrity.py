"""Served-code integrity: the booth's static files are loaded with SRI hashes.

The browser refuses a booth script or stylesheet whose content differs from the hash in the
page, and ``/youth-vote/vote/manifest.json`` publishes the same hashes so that an observer
can compare what is served with a release.
"""

import base64
import hashlib
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.templatetags.static import static

BOOTH_FILES = ("youth_vote/booth.css", "youth_vote/booth.js", "css/delta.css")


@lru_cache(maxsize=32)
def sri(path: str) -> str:
    """``sha384-…`` of the static file at ``path`` (as found by the staticfiles finders)."""
    located = finders.find(path)
    if not located:
        from django.conf import settings

        located = str(settings.STATIC_ROOT / path)
    with open(located, "rb") as handle:
        digest = hashlib.sha384(handle.read()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def manifest() -> dict:
    return {
        "files": [{"path": static(path), "integrity": sri(path)} for path in BOOTH_FILES],
    }
