"""Serve Delta as deployed: gunicorn (gthread) for HTTP, daphne for the /ws/ websockets and
the django-q2 cluster, as one supervised group (used by 'make run-production').

All three bind to 127.0.0.1 only: the reverse proxy in front (deploy/nginx/delta.conf) is the
one public listener, and because nothing else can reach the app servers, the X-Real-IP header
it sets is the client address the rate limits use. If one of the three exits, the others are
stopped too; SIGINT (Ctrl-C) and SIGTERM stop all three.
"""

import os
import signal
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


class Command(BaseCommand):
    help = "Run gunicorn, daphne (websockets) and the django-q2 cluster behind a reverse proxy."

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

    def handle(self, *args, host, http_port, asgi_port, http_workers, http_threads, **options):
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
        # One pooled connection per gunicorn thread; daphne's websocket consumers and the
        # worker's processes share small pools (docs/deployment.md has the budget).
        specs = [
            (
                "gunicorn",
                gunicorn_command(port=http_port, workers=http_workers, threads=http_threads),
                pool or str(http_threads),
            ),
            (
                "daphne",
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(asgi_port),
                    "--proxy-headers",
                    "democracy.asgi:application",
                ],
                pool or "4",
            ),
            # No pool for the cluster: it forks its workers, and a pooled connection stays open
            # across close_all(), so parent and child shared one PostgreSQL connection and read
            # each other's results (seen with the database broker: "Failed to pull task from
            # broker", a task's lock read back as a proposal's text). Each of its processes is
            # single-threaded and keeps at most one connection, closed before every fork.
            ("django-q2 cluster", [sys.executable, "manage.py", "qcluster"], "0"),
        ]
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
        processes = []
        exited = None
        try:
            for name, cmd, pool_size in specs:
                process = subprocess.Popen(  # noqa: S603
                    cmd, env=dict(env, DATABASE_POOL_SIZE=pool_size), start_new_session=True
                )
                processes.append((name, process))
                self.stdout.write(f"{name} started (pid {process.pid}).")
            self.stdout.write(
                f"HTTP on 127.0.0.1:{http_port}, websockets on 127.0.0.1:{asgi_port}; "
                f"put the reverse proxy for https://{host} in front (deploy/nginx/delta.conf)."
            )
            self.stdout.flush()
            while not stopping and exited is None:
                time.sleep(0.5)
                exited = next((n for n, p in processes if p.poll() is not None), None)
        finally:
            for _name, process in reversed(processes):
                stop_process_group(process)
            for s, handler in previous.items():
                signal.signal(s, handler)
        if exited is not None and not stopping:
            raise CommandError(f"{exited} stopped; the others were stopped too.")
        self.stdout.write("gunicorn, daphne and the django-q2 cluster stopped.")
