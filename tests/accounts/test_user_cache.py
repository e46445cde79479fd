"""The signed-in account is read from the cache, and every change to it takes effect on the next
request (the entry is dropped on save and delete)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from democracy.accounts.backends import user_cache_key
from democracy.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()


def account_queries(client) -> tuple[int, int]:
    """Status of the account overview page, and how many queries read the accounts table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:overview"))
    reads = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    return response.status_code, len(reads)


def test_the_account_is_read_once_and_then_from_the_cache(client, resident):
    client.force_login(resident)
    assert account_queries(client) == (200, 1)
    assert account_queries(client) == (200, 0)
    assert account_queries(client) == (200, 0)


def test_a_new_password_signs_out_other_sessions_at_once(client, resident):
    client.force_login(resident)
    account_queries(client)  # now in the cache
    resident.set_password("ett helt nytt lösenord 2026")
    resident.save()
    response = client.get(reverse("accounts:overview"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_deactivated_account_is_signed_out_at_once(client, resident):
    client.force_login(resident)
    account_queries(client)
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    assert client.get(reverse("accounts:overview")).status_code == 302


def test_a_deleted_account_is_signed_out_and_leaves_no_entry(client, make_user):
    from django.core.cache import cache

    person = make_user(email="gone@example.org")
    client.force_login(person)
    account_queries(client)
    assert cache.get(user_cache_key(person.pk)) is not None
    person_id = person.pk
    person.delete()
    assert cache.get(user_cache_key(person_id)) is None
    assert client.get(reverse("accounts:overview")).status_code == 302


def test_changed_details_show_on_the_next_request(client, resident):
    client.force_login(resident)
    account_queries(client)
    resident.name = "Rut Ny Namnsson"
    resident.save()
    assert "Rut Ny Namnsson" in client.get(reverse("accounts:overview")).content.decode()


def test_roles_are_not_cached_with_the_account(client, make_user):
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


def test_an_entry_from_a_release_with_other_columns_is_not_used(client, resident):
    """After a deploy that changed the account table, entries pickled before it are read anew."""
    from django.core.cache import cache

    client.force_login(resident)
    account_queries(client)
    stale = User(pk=resident.pk, email=resident.email, name="Gammal kopia")
    cache.set(user_cache_key(resident.pk), ("00000000", stale), 300)
    assert account_queries(client) == (200, 1)
    assert cache.get(user_cache_key(resident.pk))[1].name == resident.name
