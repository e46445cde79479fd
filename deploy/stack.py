"""Helpers to run the production topology on this machine with nginx in front, over TLS with a
self-signed certificate: `make run-production` (deploy/nginx/delta.conf, ports and paths
substituted). Used by the deployed-stack check (deploy/check_stack.py) and the benchmarks
(bench/), so that what is checked and measured is what the README tells a municipality to run.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_nginx() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def make_certificate(tmp: Path) -> None:
    """A self-signed certificate for 127.0.0.1 in tmp/cert.pem and tmp/key.pem."""
    certificate = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    certificate += ["-subj", "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem")]
    certificate += ["-out", str(tmp / "cert.pem")]
    subprocess.run([shutil.which("openssl"), *certificate], check=True, capture_output=True)  # noqa: S603


def nginx_conf(
    tmp: Path,
    static_root: Path,
    media_root: Path,
    *,
    tls_port: int,
    http_port: int,
    asgi_port: int,
    worker_processes: int | str = 1,
) -> Path:
    """deploy/nginx/delta.conf on our own ports and paths, inside a main nginx.conf that keeps
    every file nginx writes under tmp (so that it runs without root)."""
    text = (ROOT / "deploy/nginx/delta.conf").read_text()
    text = text.replace("127.0.0.1:8001", f"127.0.0.1:{http_port}")
    text = text.replace("127.0.0.1:8002", f"127.0.0.1:{asgi_port}")
    text = text.replace("listen 443 ssl http2", f"listen 127.0.0.1:{tls_port} ssl http2")
    # The plain-HTTP redirect server is not needed here (and port 80 is not ours).
    start = text.index("server {\n    listen 80;")
    text = text[:start] + text[text.index("}\n", start) + 2 :]
    text = text.replace("server_name demokrati.norrvik.se;", "server_name 127.0.0.1;")
    text = text.replace("/etc/ssl/delta/fullchain.pem", str(tmp / "cert.pem"))
    text = text.replace("/etc/ssl/delta/privkey.pem", str(tmp / "key.pem"))
    text = text.replace("/var/lib/delta/static/", f"{static_root}/")
    text = text.replace("/var/lib/delta/media/", f"{media_root}/")
    text = text.replace("/var/cache/nginx/delta", f"{tmp}/cache")
    text = text.replace("/var/log/nginx/", f"{tmp}/")
    (tmp / "delta.conf").write_text(text)
    main = tmp / "nginx.conf"
    main.write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        f"worker_processes {worker_processes};\nworker_rlimit_nofile 8192;\n"
        "events { worker_connections 4096; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n client_body_temp_path {tmp}/body;\n"
        f" proxy_temp_path {tmp}/proxy;\n fastcgi_temp_path {tmp}/fcgi;\n"
        f" uwsgi_temp_path {tmp}/uwsgi;\n scgi_temp_path {tmp}/scgi;\n"
        f" include {tmp}/delta.conf;\n}}\n"
    )
    return main


def start_nginx(nginx: str, conf: Path, tmp: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 -- our own command
        [nginx, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"]
    )


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_run_production(app: subprocess.Popen, timeout: float = 40) -> None:
    """Stop `make run-production` (started with ``start_new_session=True``) the way Ctrl-C
    would: SIGTERM to make and serve_production, then wait until serve_production has
    stopped gunicorn, daphne and the cluster (which run in sessions of their own). make exits
    at once; killing its group then would kill the supervisor mid-stop and leave its three
    servers running, so SIGKILL only after ``timeout``."""
    try:
        os.killpg(app.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + timeout
    app.wait(timeout=timeout)
    while _group_alive(app.pid) and time.time() < deadline:
        time.sleep(0.2)
    if _group_alive(app.pid):
        os.killpg(app.pid, signal.SIGKILL)
