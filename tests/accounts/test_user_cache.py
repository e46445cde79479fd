"""The signed-in account is read from the cache when the cache is shared by every process, and
every change to it takes effect on the next request, in every process (each save and delete
writes a new version token; decision 91)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from democracy.accounts import backends
from democracy.accounts.backends import user_cache_key, user_version_key
from democracy.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]
ON_REDIS = bool(django_settings.REDIS_URL)


@pytest.fixture
def shared_cache(settings, tmp_path):
    """A cache every process shares: Redis when the suite runs with it, otherwise Django's
    file cache (shared by the processes of one machine), in place of the local-memory one."""
    if not ON_REDIS:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }


def account_queries(client) -> tuple[int, int]:
    """Status of the account overview page, and how many queries read the accounts table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:overview"))
    reads = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    return response.status_code, len(reads)


def test_the_account_is_read_once_and_then_from_the_cache(client, resident, shared_cache):
    client.force_login(resident)
    assert account_queries(client) == (200, 1)
    assert account_queries(client) == (200, 0)
    assert account_queries(client) == (200, 0)


def test_a_new_password_signs_out_other_sessions_at_once(client, resident, shared_cache):
    client.force_login(resident)
    account_queries(client)  # now in the cache
    resident.set_password("ett helt nytt lösenord 2026")
    resident.save()
    response = client.get(reverse("accounts:overview"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_deactivated_account_is_signed_out_at_once(client, resident, shared_cache):
    client.force_login(resident)
    account_queries(client)
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    assert client.get(reverse("accounts:overview")).status_code == 302


def test_a_deleted_account_is_signed_out_and_leaves_no_entry(client, make_user, shared_cache):
    from django.core.cache import cache

    person = make_user(email="gone@example.org")
    client.force_login(person)
    account_queries(client)
    assert cache.get(user_cache_key(person.pk)) is not None
    person_id = person.pk
    person.delete()
    assert cache.get(user_cache_key(person_id)) is None
    assert client.get(reverse("accounts:overview")).status_code == 302


def test_changed_details_show_on_the_next_request(client, resident, shared_cache):
    client.force_login(resident)
    account_queries(client)
    resident.name = "Rut Ny Namnsson"
    resident.save()
    assert "Rut Ny Namnsson" in client.get(reverse("accounts:overview")).content.decode()


def test_roles_are_not_cached_with_the_account(client, make_user, shared_cache):
    """Roles live in groups and are read where they are checked: taking one away counts at once."""
    from democracy.accounts.services import user_set_roles

    moderator = make_user(email="mod@example.org", roles=[Role.MODERATOR], totp=True)
    client.force_login(moderator)
    account_queries(client)
    user_set_roles(user=moderator, roles=[], actor=None)
    moderator.refresh_from_db()
    # The session still belongs to a valid account, but the moderation queue is closed now.
    response = client.get(reverse("proposals:moderation-queue"))
    assert response.status_code in (302, 403)


def test_password_sign_in_still_works_with_the_cached_backends(client, make_user):
    person = make_user(email="login@example.org")
    response = client.post(
        reverse("account_login"), {"login": "login@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert account_queries(client)[0] == 200
    assert client.session["_auth_user_backend"].startswith("democracy.accounts.backends.")
    assert person.pk == int(client.session["_auth_user_id"])


def test_the_cache_can_be_switched_off(client, resident, settings):
    settings.ACCOUNTS_USER_CACHE_SECONDS = 0
    client.force_login(resident)
    assert account_queries(client) == (200, 1)
    assert account_queries(client) == (200, 1)


def test_an_entry_from_a_release_with_other_columns_is_not_used(client, resident, shared_cache):
    """After a deploy that changed the account table, entries pickled before it are read anew."""
    from django.core.cache import cache

    client.force_login(resident)
    account_queries(client)
    stale = User(pk=resident.pk, email=resident.email, name="Gammal kopia")
    version = cache.get(user_version_key(resident.pk))
    cache.set(user_cache_key(resident.pk), ("00000000", version, stale), 300)
    assert account_queries(client) == (200, 1)
    assert cache.get(user_cache_key(resident.pk))[2].name == resident.name


def test_a_row_read_before_a_change_is_not_used_after_it(client, resident, shared_cache):
    """A request that read the row just before a password change and stored it just after (the
    race a plain delete loses) stores it under the old version token, which nobody uses."""
    from django.core.cache import cache

    client.force_login(resident)
    account_queries(client)
    version = cache.get(user_version_key(resident.pk))
    old = User.objects.get(pk=resident.pk)
    resident.set_password("ett helt nytt lösenord 2026")
    resident.save()
    backends._store(old, version)  # the slow request's write, after the change
    response = client.get(reverse("accounts:overview"))
    assert response.status_code == 302


@pytest.mark.skipif(ON_REDIS, reason="the suite runs with the shared Redis cache")
def test_the_local_memory_cache_holds_no_account_rows(client, resident):
    """Each process has its own local-memory cache and would not see another's change: the row
    is read from the database on every request."""
    client.force_login(resident)
    assert account_queries(client) == (200, 1)
    assert account_queries(client) == (200, 1)


def _other_process(code: str) -> None:
    """Run ``code`` in ``manage.py shell`` in a new process, on this test's database and the
    suite's cache (local memory, or Redis with ``REDIS_URL``)."""
    database = django_settings.DATABASES["default"]
    env = dict(os.environ, DEBUG="1")
    if database["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(database["NAME"])
    else:
        login = quote(database["USER"]) + (
            f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
        )
        env["DATABASE_URL"] = (
            f"postgres://{login}@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/"
            f"{quote(database['NAME'])}"
        )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


CHANGES = {
    "password": "user.set_password('ett helt nytt lösenord 2026'); user.save()",
    "deactivation": "user.is_active = False; user.save(update_fields=['is_active'])",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_in_another_process_signs_out_at_once(client, resident, change):
    """As ``manage.py changepassword`` or another web process would: the old session is
    refused on the very next request in this process."""
    client.force_login(resident)
    assert account_queries(client)[0] == 200
    assert account_queries(client)[0] == 200  # from the cache, where there is one
    _other_process(
        "from django.contrib.auth import get_user_model; "
        f"user = get_user_model().objects.get(pk={resident.pk}); {CHANGES[change]}"
    )
    response = client.get(reverse("accounts:overview"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
