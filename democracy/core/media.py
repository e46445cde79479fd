"""Uploaded files that not everyone may see: a view decides, then the file is sent.

Behind nginx (``MEDIA_INTERNAL_URL``, set for `make run-production`), the view answers with
``X-Accel-Redirect`` and nginx sends the file from an ``internal`` location that no client can
request directly (nginx answers byte ranges itself); elsewhere (the embedded default) Django
sends it, and answers a single byte range (``Range: bytes=…``) with 206, which a film player
asks for when a viewer jumps ahead.
"""

import re
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def protected_file_response(
    name: str, *, public: bool, content_type: str | None = None, request=None
) -> HttpResponse:
    """The stored file ``name`` (relative to MEDIA_ROOT), which the caller has decided this
    request may see; ``public`` when anyone may (it may then be cached). ``content_type``
    names the type when the caller knows it (otherwise it follows the name's extension);
    with ``request``, a single byte range in its ``Range`` header is answered with 206."""
    if settings.MEDIA_INTERNAL_URL:
        response = HttpResponse()
        response["X-Accel-Redirect"] = settings.MEDIA_INTERNAL_URL + quote(name)
        del response["Content-Type"]  # nginx sets it from the file's extension
    else:
        try:
            handle = default_storage.open(name)
        except (FileNotFoundError, OSError) as missing:
            raise Http404 from missing
        wanted = request.headers.get("Range", "") if request is not None else ""
        response = _range_response(handle, wanted, content_type) if wanted else None
        if response is None:
            response = FileResponse(handle, content_type=content_type)
        if request is not None:
            response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _range_response(handle, wanted: str, content_type: str | None):
    """206 with the asked-for bytes, 416 for a range past the end, or ``None`` (the whole
    file) for a header that is not one plain byte range."""
    match = _RANGE.match(wanted.strip())
    size = handle.size
    if not match or not (match.group(1) or match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
        if last and int(last) < start:
            return None  # not a valid range: the whole file (RFC 9110 14.2)
    else:  # "bytes=-500": the last 500 bytes
        start = max(size - int(last), 0)
        end = size - 1
    if start >= size or size == 0:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    length = end - start + 1

    def chunks():
        try:
            handle.seek(start)
            left = length
            while left > 0:
                data = handle.read(min(_CHUNK, left))
                if not data:
                    break
                left -= len(data)
                yield data
        finally:
            handle.close()

    response = StreamingHttpResponse(
        chunks(), status=206, content_type=content_type or "application/octet-stream"
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    return response
