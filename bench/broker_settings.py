"""Delta's settings with the task broker chosen by ``BENCH_BROKER`` (``redis`` or ``orm``), for
``bench/broker_bench.py`` only: both brokers in one run, on the same machine."""

import os

from democracy.settings import *  # noqa: F403
from democracy.settings import Q_CLUSTER, REDIS_URL

Q_CLUSTER = {k: v for k, v in Q_CLUSTER.items() if k not in ("redis", "orm", "poll")}
if os.environ.get("BENCH_BROKER") == "redis":
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = float(os.environ.get("BENCH_POLL", "0.2"))
