import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_dependency(client):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "task_queue"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["task_queue"]["worker"] == "never seen"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_fails_when_the_cache_does_not_keep_values(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_shows_the_worker_heartbeat(client):
    from democracy.core.tasks import worker_heartbeat

    worker_heartbeat()
    check = client.get(reverse("core:healthz")).json()["checks"]["task_queue"]
    assert check["worker"] == "running"
    assert check["last_heartbeat"]


def test_heartbeat_is_scheduled_by_migration(transactional_db):
    """The schedule row comes from a data migration: re-run it and look."""
    from django.core.management import call_command
    from django_q.models import Schedule

    call_command("migrate", "core", "0001", verbosity=0)
    # Forward for every app: going back also unapplied other apps' migrations that depend on
    # core (the diary's among them), which later tests need.
    call_command("migrate", verbosity=0)
    schedule = Schedule.objects.get(name="core.worker_heartbeat")
    assert schedule.func == "democracy.core.tasks.worker_heartbeat"
    assert schedule.minutes == 1
