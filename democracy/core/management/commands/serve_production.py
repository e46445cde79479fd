"""Serve Delta as deployed: gunicorn (gthread) for HTTP, uvicorn processes for the /ws/
websockets (sharing one port) and the django-q2 cluster, as one supervised group (used by 'make run-production').

All three bind to 127.0.0.1 only: the reverse proxy in front (deploy/nginx/delta.conf) is the
one public listener, and because nothing else can reach the app servers, the X-Real-IP header
it sets is the client address the rate limits use. If one of the three exits, the others are
stopped too; SIGINT (Ctrl-C) and SIGTERM stop all three.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from democracy.core.processes import stop_process_group


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def gunicorn_command(*, port: int, workers: int, threads: int) -> list[str]:
    """The HTTP server's command line; the signing benchmark serves its bare baseline view with
    the same one, so that the two differ only in what Django runs."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-k",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--keep-alive",
        "30",
        "--graceful-timeout",
        "10",
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--log-level",
        "warning",
        "democracy.wsgi:application",
    ]


def websocket_command(*, fd: int) -> list[str]:
    """One websocket process (uvicorn with uvloop and the websockets library: 0.07 ms of CPU
    per count message where daphne took 0.17 ms; decision 92). It serves on a listening socket
    it inherits (``fd``). Only nginx reaches it, for ``/ws/``."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "democracy.asgi:application",
        "--fd",
        str(fd),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--ws",
        "websockets",
        # The live count's sockets only listen: no client message needs more than this.
        "--ws-max-size",
        "65536",
        "--lifespan",
        "off",
        "--proxy-headers",
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--timeout-graceful-shutdown",
        "10",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def reuseport_listeners(port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on 127.0.0.1:``port``, one per websocket process.

    With SO_REUSEPORT the kernel spreads new connections evenly over the sockets (by a hash of
    the client's address and port), so each websocket process fans a count out to its share of
    the sockets on its own core (decision 92). A single shared socket would let whichever
    process wakes first take most of a burst.
    """
    listeners = []
    try:
        for _ in range(count):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listeners.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen(2048)
    except OSError as error:
        for listener in listeners:
            listener.close()
        raise CommandError(f"Cannot listen on 127.0.0.1:{port} for websockets: {error}") from None
    return listeners


class Command(BaseCommand):
    help = "Run gunicorn, uvicorn (websockets) and the django-q2 cluster behind a reverse proxy."

    def add_arguments(self, parser):
        parser.add_argument(
            "host",
            nargs="?",
            default="127.0.0.1:8000",
            help="The public host[:port] the reverse proxy answers on (for ALLOWED_HOSTS, "
            "CSRF_TRUSTED_ORIGINS and SITE_URL when they are not set).",
        )
        parser.add_argument("--http-port", type=int, default=_env_int("HTTP_PORT", 8001))
        parser.add_argument("--asgi-port", type=int, default=_env_int("ASGI_PORT", 8002))
        parser.add_argument("--http-workers", type=int, default=_env_int("HTTP_WORKERS", 2))
        parser.add_argument("--http-threads", type=int, default=_env_int("HTTP_THREADS", 4))
        parser.add_argument(
            "--asgi-processes",
            type=int,
            default=_env_int("ASGI_PROCESSES", 2),
            help="uvicorn processes sharing the websocket port (ASGI_PROCESSES, default 2).",
        )

    def handle(
        self,
        *args,
        host,
        http_port,
        asgi_port,
        http_workers,
        http_threads,
        asgi_processes,
        **options,
    ):
        if asgi_processes < 1:
            raise CommandError("--asgi-processes must be at least 1.")
        for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
            if not os.environ.get(name):
                raise CommandError(f"{name} must be set (see .env.example).")
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        env = dict(os.environ, DEBUG="0")
        env.setdefault("ALLOWED_HOSTS", hostname)
        env.setdefault("CSRF_TRUSTED_ORIGINS", f"https://{host}")
        env.setdefault("SITE_URL", f"https://{host}")
        env.setdefault("BEHIND_TLS_PROXY", "1")
        env.setdefault("RATELIMIT_IP_META_KEY", "HTTP_X_REAL_IP")
        pool = env.get("DATABASE_POOL_SIZE")
        # One pooled connection per gunicorn thread; the websocket processes share a pool
        # budget of 4 and the worker's processes keep one plain connection each
        # (docs/deployment.md has the budget).
        listeners = reuseport_listeners(asgi_port, asgi_processes)
        specs = [
            (
                "gunicorn",
                gunicorn_command(port=http_port, workers=http_workers, threads=http_threads),
                pool or str(http_threads),
                (),
            ),
            *(
                (
                    "uvicorn" if asgi_processes == 1 else f"uvicorn {number}",
                    websocket_command(fd=listener.fileno()),
                    pool or str(max(1, 4 // asgi_processes)),
                    (listener.fileno(),),
                )
                for number, listener in enumerate(listeners, start=1)
            ),
            # No pool for the cluster: it forks its workers, and a pooled connection stays open
            # across close_all(), so parent and child shared one PostgreSQL connection and read
            # each other's results (seen with the database broker: "Failed to pull task from
            # broker", a task's lock read back as a proposal's text). Each of its processes is
            # single-threaded and keeps at most one connection, closed before every fork.
            ("django-q2 cluster", [sys.executable, "manage.py", "qcluster"], "0", ()),
        ]
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
        processes = []
        exited = None
        try:
            for name, cmd, pool_size, fds in specs:
                process = subprocess.Popen(  # noqa: S603
                    cmd,
                    env=dict(env, DATABASE_POOL_SIZE=pool_size),
                    start_new_session=True,
                    pass_fds=fds,
                )
                processes.append((name, process))
                self.stdout.write(f"{name} started (pid {process.pid}).")
            # The websocket processes hold their own copies of the listening sockets.
            for listener in listeners:
                listener.close()
            self.stdout.write(
                f"HTTP on 127.0.0.1:{http_port}, websockets on 127.0.0.1:{asgi_port} "
                f"({asgi_processes} uvicorn process{'es' if asgi_processes > 1 else ''}); "
                f"put the reverse proxy for https://{host} in front (deploy/nginx/delta.conf)."
            )
            self.stdout.flush()
            while not stopping and exited is None:
                time.sleep(0.5)
                exited = next((n for n, p in processes if p.poll() is not None), None)
        finally:
            for listener in listeners:
                listener.close()
            for _name, process in reversed(processes):
                stop_process_group(process)
            for s, handler in previous.items():
                signal.signal(s, handler)
        if exited is not None and not stopping:
            raise CommandError(f"{exited} stopped; the others were stopped too.")
        self.stdout.write("gunicorn, uvicorn and the django-q2 cluster stopped.")
