"""Checks behind ``/healthz``: database, cache, channel layer and task queue."""

import uuid
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache, caches
from django.db import connection
from django.utils.timezone import now as timezone_now
from django_q.brokers import get_broker

from democracy.core.cache import redis_is_down
from democracy.core.models import WorkerHeartbeat

HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    # The Redis cache answers from a local fallback while Redis is down; health says so.

    ok = ok and not redis_is_down()
    return {"ok": ok, "backend": type(caches["default"]).__name__}


def check_channel_layer() -> dict:
    layer = get_channel_layer()
    if layer is None:
        return {"ok": False, "error": "no channel layer configured"}

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        return message.get("type") == "healthz.ping"

    return {"ok": async_to_sync(round_trip)(), "backend": type(layer).__name__}


def check_task_queue() -> dict:

    broker = get_broker()
    reachable = bool(broker.ping())
    beat = WorkerHeartbeat.objects.filter(pk=1).values_list("beat_at", flat=True).first()
    worker = "never seen"
    if beat is not None:
        worker = "running" if timezone_now() - beat <= HEARTBEAT_STALE_AFTER else "stale"
    return {
        "ok": reachable,
        "broker": type(broker).__name__,
        "queued": broker.queue_size() if reachable else None,
        "worker": worker,
        "last_heartbeat": beat.isoformat() if beat else None,
    }


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "task_queue": check_task_queue,
}


def run_checks() -> dict:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a failing dependency is a result, not a crash
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return results
