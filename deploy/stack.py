"""Helpers to run the production topology on this machine with nginx in front, over TLS with a
self-signed certificate: `make run-production` (deploy/nginx/delta.conf, ports and paths
substituted), with the environment it gets (``production_env``). Used by the deployed-stack
check (deploy/check_stack.py) and the benchmarks (bench/), so that what is checked and measured
is what the README tells a municipality to run; ``proc_table`` is the benchmarks' CPU reader.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Settings a developer's shell may carry that would make the stack something other than what
# production runs (make run-production sets DEBUG=0 itself; the rest follow from HOST).
NOT_PRODUCTION = ("SECURE_COOKIES", "DEBUG", "ALLOWED_HOSTS", "SITE_URL", "CSRF_TRUSTED_ORIGINS")

# Every request of a load run comes from 127.0.0.1: lift the per-address signing limit and the
# burst alert, and keep proposals open (the default threshold would refer one mid-run).
LIFTED_LIMITS = {
    "PROPOSALS_SIGN_RATE_IP": "1000000/m",
    "PROPOSALS_BURST_THRESHOLD": "100000000",
    "PROPOSALS_SIGNATURE_THRESHOLD": "1000000000",
}


def production_env(
    *,
    tls_port: int,
    http_port: int,
    asgi_port: int,
    tmp: Path | None = None,
    lift_limits: bool = True,
    **overrides: str,
) -> dict[str, str]:
    """The environment for `make run-production` on this machine (docs/deployment.md): this
    process's environment less ``NOT_PRODUCTION``, the public address nginx serves
    (``HOST=127.0.0.1:<tls_port>``), gunicorn and uvicorn on ``http_port`` and ``asgi_port``,
    tasks on the worker, collected static files as in production, ``STATIC_ROOT`` and
    ``MEDIA_ROOT`` under ``tmp`` (when given), ``LIFTED_LIMITS`` unless ``lift_limits`` is
    false, and ``overrides`` last. ``SECRET_KEY`` is this process's, or a new random one."""
    env = {name: value for name, value in os.environ.items() if name not in NOT_PRODUCTION}
    env.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        HOST=f"127.0.0.1:{tls_port}",
        HTTP_PORT=str(http_port),
        ASGI_PORT=str(asgi_port),
        TASKS_SYNC="0",
        LOG_LEVEL="WARNING",
        STATIC_MANIFEST="1",
        WHITENOISE_USE_FINDERS="0",
        DJANGO_SETTINGS_MODULE="democracy.settings",
    )
    if tmp is not None:
        env.update(STATIC_ROOT=str(tmp / "static"), MEDIA_ROOT=str(tmp / "media"))
    if lift_limits:
        env.update(LIFTED_LIMITS)
    env.update(overrides)
    return env


def ports_free(*ports: int) -> None:
    """Refuse to start over another stack still listening (its answers would be taken for
    this run's)."""
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is in use: stop what listens there first")


def proc_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command line, CPU seconds used so far, user + system) for every
    process this one may read in /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        # After the command name: state, ppid, ... utime (12th), stime (13th).
        table[int(entry.name)] = (
            int(fields[1]),
            cmdline,
            (int(fields[11]) + int(fields[12])) / tick,
        )
    return table


def descendants(root: int, table: dict[int, tuple[int, str, float]]) -> set[int]:
    """``root`` and every process below it in ``proc_table()``."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cmd, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def connections_per_process(pids, port: int) -> dict[int, int]:
    """For each of ``pids``: how many established TCP connections it holds whose local port is
    ``port`` (the clients it serves there), from /proc/net/tcp and the processes' open files."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{inode}]")
        except OSError:
            continue
    counts = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue  # ended meanwhile
        held = 0
        for fd in fds:
            try:
                held += os.readlink(f"/proc/{pid}/fd/{fd}") in inodes
            except OSError:
                continue
        counts[pid] = held
    return counts


def websocket_connections(app_pid: int, port: int) -> list[int]:
    """Connections on the websocket port held by each uvicorn process of the stack started as
    ``app_pid`` (``make run-production``), smallest first."""
    table = proc_table()
    servers = [pid for pid in descendants(app_pid, table) if "uvicorn" in table[pid][1]]
    return sorted(connections_per_process(servers, port).values())


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
    worker_connections: int = 4096,
) -> Path:
    """deploy/nginx/delta.conf on our own ports and paths, inside a main nginx.conf that keeps
    every file nginx writes under tmp (so that it runs without root). A proxied websocket
    holds two of a worker's ``worker_connections``."""
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
        f"worker_processes {worker_processes};\n"
        f"worker_rlimit_nofile {max(8192, worker_connections + 100)};\n"
        f"events {{ worker_connections {worker_connections}; }}\n"
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
    stopped gunicorn, uvicorn and the cluster (which run in sessions of their own). make exits
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
