"""Delta as ``make run`` serves it, in processes of its own: for tests of what only the served
processes show (the worker and the web server apart, each with its own memory).

``served_delta(env)`` migrates and loads the demo municipality into the database ``env``
names, starts ``manage.py serve`` (what ``make run`` runs: daphne and the django-q2 cluster in
a process group) on a free port, waits until ``/healthz`` says the worker runs, and stops the whole group afterwards.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from democracy.core.processes import stop_process_group

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**overrides) -> dict:
    """The environment of a fresh checkout after ``make run``: DEBUG=1, a secret key, and none
    of the test run's own database, Redis or task settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "SQLITE_", "TASKS_", "DJANGO_"))
    }
    env.update(DEBUG="1", SECRET_KEY="served-test-" + "x" * 40, PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def served_delta(env: dict, *, log_path: Path):
    """Yield the base URL of a served Delta (``manage.py serve``) on ``env``'s database."""
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(env, SITE_URL=url)
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # Ready when it serves and the worker has started (its first heartbeat is in).
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 -- loopback
                        health = json.load(response)
                except OSError as error:
                    health = json.loads(error.read()) if hasattr(error, "read") else None
                worker = ((health or {}).get("checks", {}).get("task_queue") or {}).get("worker")
                if worker == "running":
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"manage.py serve did not come up ({health}):\n{log_path.read_text()}"
                    )
                time.sleep(0.3)
            yield url
        finally:
            # serve stops its worker first (SIGTERM, then SIGKILL after 15 s: a worker in the
            # middle of the counting loop takes that long); killing serve sooner would leave
            # the worker running on its own.
            stop_process_group(process, timeout=45)
