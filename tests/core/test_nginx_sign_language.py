"""deploy/nginx/delta.conf and the sign-language films (decision 90), with Debian's nginx on
loopback ports in front of a stand-in for Delta that answers as ``core.views.
sign_language_file`` does (X-Accel-Redirect for a published film, 404 otherwise): nginx sends
the films and captions with their types and answers byte ranges; a file Delta does not hand
out stays unreachable, through the media location and the internal one; only the staff upload
page takes a body over 6 MB. Skipped where nginx or openssl is missing."""

import http.client
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deploy import stack

pytestmark = pytest.mark.skipif(
    stack.find_nginx() is None or shutil.which("openssl") is None,
    reason="needs nginx and openssl (Debian's packages)",
)

FILM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4
CAPTIONS = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHej då.\n".encode()
PUBLISHED = {"core/sign_language/film.webm", "core/sign_language/text.vtt"}


class StandIn(BaseHTTPRequestHandler):
    """Delta's answers, as far as nginx sees them."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (the standard library's name)
        name = self.path.removeprefix("/media/")
        if name in PUBLISHED:
            self.send_response(200)
            self.send_header("X-Accel-Redirect", "/internal-media/" + name)
            self.send_header("Cache-Control", "public, max-age=3600")
            self.send_header("Content-Length", "0")
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        left = length
        while left:
            left -= len(self.rfile.read(min(left, 1 << 20)))
        body = str(length).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx():
    # Not pytest's tmp_path: its parents are private, and nginx's workers run as another user
    # when it is started as root.
    tmp_path = Path(tempfile.mkdtemp(prefix="delta-nginx-media-"))
    tmp_path.chmod(0o755)
    media = tmp_path / "media"
    (media / "core" / "sign_language").mkdir(parents=True)
    (media / "core" / "sign_language" / "film.webm").write_bytes(FILM)
    (media / "core" / "sign_language" / "text.vtt").write_bytes(CAPTIONS)
    (media / "core" / "sign_language" / "hidden.webm").write_bytes(FILM)  # not published
    (tmp_path / "static").mkdir()
    upstream = ThreadingHTTPServer(("127.0.0.1", _free_port()), StandIn)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    tls_port = _free_port()
    stack.make_certificate(tmp_path)
    conf = stack.nginx_conf(
        tmp_path,
        tmp_path / "static",
        media,
        tls_port=tls_port,
        http_port=upstream.server_address[1],
        asgi_port=_free_port(),
    )
    (tmp_path / "cache").mkdir()
    process = stack.start_nginx(stack.find_nginx(), conf, tmp_path)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", tls_port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (tmp_path / "error.log").read_text(errors="replace")
                    pytest.fail(f"nginx did not start: {log[-2000:]}")
                time.sleep(0.1)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

        def request(method, path, body=None, headers=None):
            conn = http.client.HTTPSConnection("127.0.0.1", tls_port, context=context, timeout=30)
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            data = response.read()
            conn.close()
            return response, data

        yield request
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        upstream.shutdown()
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_nginx_sends_published_films_and_captions_with_their_types_and_ranges(nginx):
    response, data = nginx("GET", "/media/core/sign_language/film.webm")
    assert response.status == 200 and data == FILM
    assert response.getheader("Content-Type") == "video/webm"
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("Cache-Control") == "public, max-age=3600"
    response, data = nginx(
        "GET", "/media/core/sign_language/film.webm", headers={"Range": "bytes=4-11"}
    )
    assert response.status == 206 and data == FILM[4:12]
    assert response.getheader("Content-Range") == f"bytes 4-11/{len(FILM)}"
    response, data = nginx("GET", "/media/core/sign_language/text.vtt")
    assert response.status == 200 and data == CAPTIONS
    assert response.getheader("Content-Type") == "text/vtt; charset=utf-8"
    assert "nosniff" in response.getheader("X-Content-Type-Options")


def test_a_film_delta_does_not_hand_out_stays_unreachable(nginx):
    assert nginx("GET", "/media/core/sign_language/hidden.webm")[0].status == 404
    assert nginx("GET", "/internal-media/core/sign_language/film.webm")[0].status == 404
    assert nginx("GET", "/internal-media/core/sign_language/hidden.webm")[0].status == 404


def test_only_the_upload_page_takes_a_large_body(nginx):
    body = b"x" * (8 * 1024 * 1024)
    headers = {"Content-Type": "application/octet-stream"}
    response, data = nginx("POST", "/staff/teckensprak/influence/", body=body, headers=headers)
    assert response.status == 200 and data == str(len(body)).encode()
    assert nginx("POST", "/staff/alerts/", body=body, headers=headers)[0].status == 413
