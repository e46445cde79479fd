"""Shared fixtures. App-specific factories live in tests/<app>/factories.py."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache

from democracy.accounts.services import account_create
from democracy.core.roles import Role
from tests.support.browser import (  # noqa: F401  (fixtures)
    _asgi_server_thread,
    _playwright_browser,
    assert_accessible,
    assert_reflows,
    live_app,
    login_as,
    page,
)

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, let this test database be emptied between tests: the audit log refuses
    TRUNCATE unless the database allows it (democracy/core/migrations/0003_audit_seals.py)."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE \"{name}\" SET delta.audit_truncate = 'allowed'")
                cursor.execute("SET delta.audit_truncate = 'allowed'")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Hashing passwords with PBKDF2 would make every test that creates a user slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Django's test set-up swaps in the locmem backend; keep the real path instead: every mail
    # goes through the task queue (run in-line in tests) and lands in mail.outbox from there.
    settings.EMAIL_BACKEND = "democracy.core.mail.QueuedEmailBackend"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; one test's attempts must not limit the next.
    # The districts known to the process too: ids come back when a test's rows are rolled back.
    from proposals.selectors import district_ids_forget

    cache.clear()
    district_ids_forget()
    yield
    cache.clear()
    district_ids_forget()


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(*, email=None, password=PASSWORD, roles=(), totp=False, verified=True, **extra):
        email = email or f"person{next(counter)}@example.org"
        user = account_create(
            email=email, password=password, roles=roles, verified=verified, **extra
        )
        user.totp_secret = None
        if totp:
            user.totp_secret = pyotp.random_base32()
            TOTP.activate(user, user.totp_secret)
        return user

    return make


@pytest.fixture
def resident(make_user):
    return make_user(email="resident@example.org", name="Rut Resident")


@pytest.fixture
def moderator(make_user):
    return make_user(email="moderator@example.org", roles=[Role.MODERATOR], totp=True)


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


def totp_now(user) -> str:
    """The user's current code, never one about to expire: allauth accepts only the code of
    the current 30-second window, and a browser test under load may take a second or two
    between reading the code and sending it."""
    import time

    totp = pyotp.TOTP(user.totp_secret)
    left = totp.interval - time.time() % totp.interval
    if left < 3:
        time.sleep(left + 0.1)
    return totp.now()


def pytest_collection_modifyitems(config, items):
    """Browser tests run last.

    Playwright's sync API leaves its event loop marked as running in the main thread while the
    browser is open, and asgiref then refuses ``async_to_sync`` there. Running the browser
    tests after the others keeps the other tests' event-loop use independent of them.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
