"""Uploaded files that not everyone may see: a view decides, then the file is sent.

Behind nginx (``MEDIA_INTERNAL_URL``, set for `make run-production`), the view answers with
``X-Accel-Redirect`` and nginx sends the file from an ``internal`` location that no client can
request directly; elsewhere (the embedded default) Django sends it itself.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse


def protected_file_response(name: str, *, public: bool) -> HttpResponse:
    """The stored file ``name`` (relative to MEDIA_ROOT), which the caller has decided this
    request may see; ``public`` when anyone may (it may then be cached)."""
    if settings.MEDIA_INTERNAL_URL:
        response = HttpResponse()
        response["X-Accel-Redirect"] = settings.MEDIA_INTERNAL_URL + quote(name)
        del response["Content-Type"]  # nginx sets it from the file's extension
    else:
        try:
            response = FileResponse(default_storage.open(name))
        except (FileNotFoundError, OSError) as missing:
            raise Http404 from missing
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
