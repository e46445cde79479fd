"""Task broker benchmark: django-q2's Redis broker against its ORM broker on PostgreSQL, in one
bounded run on the same machine (decision 79).

For each broker it measures:

1. the cost of queueing one task in the calling process (``async_task``), in autocommit (one
   commit per task, as a recount queued after a signature's commit) and inside a transaction
   (as a mail queued with the change that caused it);
2. the latency from queueing to the task running, on an idle worker (``BENCH_SAMPLES`` tasks,
   one at a time);
3. how long a worker takes to run ``BENCH_TASKS`` tasks queued at once.

Run it with::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delta_bench \
    REDIS_URL=redis://127.0.0.1:6379/9 SECRET_KEY=bench .venv/bin/python -m bench.broker_bench

The database must be migrated; the bench's tasks only append a line to a file.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TASKS = int(os.environ.get("BENCH_TASKS", "300"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "30"))
ENQUEUES = int(os.environ.get("BENCH_ENQUEUES", "500"))


def stamp(queued_at: float) -> None:
    """The benchmark's task: append the time from queueing to running (one write)."""
    with open(os.environ["BENCH_STAMP_FILE"], "a") as f:
        f.write(f"{time.time() - queued_at:.6f}\n")


def _lines(path: Path) -> list[float]:
    return [float(x) for x in path.read_text().split()] if path.exists() else []


def _wait_lines(path: Path, n: int, limit: float) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if len(_lines(path)) >= n:
            return True
        time.sleep(0.005)
    return False


def run(broker: str) -> dict:
    os.environ["BENCH_BROKER"] = broker
    import django

    django.setup()
    from django.db import transaction
    from django_q.brokers import get_broker
    from django_q.tasks import async_task

    queue = get_broker()
    queue.purge_queue()
    func = "bench.broker_bench.stamp"
    result = {"broker": broker}
    # 1. Queueing cost, no worker running; the queue is emptied afterwards.
    t = time.perf_counter()
    for _ in range(ENQUEUES):
        async_task(func, 0.0, broker=queue)
    result["enqueue_autocommit_ms"] = (time.perf_counter() - t) / ENQUEUES * 1000
    t = time.perf_counter()
    with transaction.atomic():
        for _ in range(ENQUEUES):
            async_task(func, 0.0, broker=queue)
    result["enqueue_in_transaction_ms"] = (time.perf_counter() - t) / ENQUEUES * 1000
    queue.purge_queue()

    stamps = Path(tempfile.mkdtemp(prefix="h_broker_bench_")) / "stamps"
    env = dict(os.environ, BENCH_STAMP_FILE=str(stamps), DJANGO_SETTINGS_MODULE="bench.broker_settings")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "qcluster"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from democracy.core.processes import stop_process_group

    try:
        # Wait for the cluster: one task through.
        async_task(func, time.time(), broker=queue)
        assert _wait_lines(stamps, 1, 30), "the cluster did not start"
        stamps.unlink()
        # 2. Latency on an idle worker.
        for i in range(SAMPLES):
            time.sleep(0.2 + (i % 7) * 0.05)  # not in step with the ORM broker's poll
            async_task(func, time.time(), broker=queue)
            assert _wait_lines(stamps, i + 1, 10)
        latencies = sorted(_lines(stamps))
        result["latency_median_ms"] = statistics.median(latencies) * 1000
        result["latency_max_ms"] = latencies[-1] * 1000
        stamps.unlink()
        # 3. A burst.
        t = time.time()
        for _ in range(TASKS):
            async_task(func, t, broker=queue)
        assert _wait_lines(stamps, TASKS, 120)
        result["burst_seconds"] = max(_lines(stamps))
    finally:
        stop_process_group(worker)
        queue.purge_queue()
    return result


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.broker_settings")
    broker = os.environ.get("BENCH_ONE")
    if broker:
        import json

        print(json.dumps(run(broker)))
        return
    for broker in sys.argv[1:] or ["redis", "orm", "redis", "orm"]:
        # One process per broker: django-q2 reads its configuration once per process.
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.broker_bench"],
            env=dict(os.environ, BENCH_ONE=broker),
            capture_output=True,
            text=True,
            check=True,
        )
        print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
