"""Authentication backends that read the signed-in account from the shared cache.

Every request by a signed-in person needs their account row: Django's ``get_user`` loads it to
check the session against the password hash. That is one query and an ORM object build per
request, a quarter of the CPU of a signature (the busiest write of the site). These backends
keep the row, pickled, in the cache for ``ACCOUNTS_USER_CACHE_SECONDS``, but only when the
cache is shared by every process (Redis; not the per-process local-memory cache, nor Redis's
local fallback), since a change made in one process must count in all of them.

Each account has a version token in the cache beside its row; an entry is used only when it
carries the current token. Every save and delete of the account (``post_save``/
``post_delete``) writes a new token, at once and again when the transaction commits, so a
changed password, deactivation or new e-mail address takes effect on the next request in
every process (``manage.py changepassword`` included). The token is read before the row is
read from the database, so a request that read the row just before a change stores it under
the old token, where nobody uses it (decision 91). Only the row is cached: roles (groups),
permissions and two-factor devices are still read from the database where they are checked. A
change made without ``save()`` (a queryset ``update()``, raw SQL) would be seen only when the
entry ends; Delta makes none (see docs/decisions.md).
"""

import functools
import hashlib
import secrets

from allauth.account import auth_backends as allauth_backends
from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from democracy.core.cache import redis_is_down

# A version token outlives the rows stored under it; one that has gone is replaced by a new
# one, which only costs a database read.
VERSION_SECONDS = 24 * 3600
# Caches each process keeps to itself: a row cached there would not see another process's change.
LOCAL_CACHES = (LocMemCache, DummyCache)


@functools.cache
def _row_shape() -> str:
    """A short digest of the account table's columns, stored with each entry: an entry pickled
    by a release with other columns (before a deploy's migration) is not used by this one. It
    is in the value, not the key, so that every release drops the same key on a save."""
    columns = ",".join(field.attname for field in get_user_model()._meta.concrete_fields)
    return hashlib.sha256(columns.encode()).hexdigest()[:8]


def user_cache_key(user_id) -> str:
    return f"accounts:user:{user_id}"


def user_version_key(user_id) -> str:
    return f"accounts:user-version:{user_id}"


def user_cache_is_shared() -> bool:
    """Whether the account row may be cached now: the setting is on and the cache is one every
    process reads (not a per-process local-memory cache, nor Redis's local fallback)."""
    if not settings.ACCOUNTS_USER_CACHE_SECONDS:
        return False
    return not isinstance(caches["default"], LOCAL_CACHES) and not redis_is_down()


class CachedUserMixin:
    def get_user(self, user_id):
        if not user_cache_is_shared():
            return super().get_user(user_id)
        entry_key, version_key = user_cache_key(user_id), user_version_key(user_id)
        found = cache.get_many([entry_key, version_key])
        if redis_is_down():
            # Found unreachable just now: the local fallback does not see other processes'
            # invalidations, read the row.
            return super().get_user(user_id)
        version = found.get(version_key)
        entry = found.get(entry_key)
        if (
            version is not None
            and isinstance(entry, tuple)
            and len(entry) == 3
            and entry[0] == _row_shape()
            and entry[1] == version
        ):
            user = entry[2]
        else:
            user = super().get_user(user_id)
            if user is None:
                return None
            if version is None:
                version = secrets.token_hex(8)
                if not cache.add(version_key, version, VERSION_SECONDS):
                    # Another request (or a change) wrote a token meanwhile: do not guess it.
                    return user if self.user_can_authenticate(user) else None
            _store(user, version)
        return user if self.user_can_authenticate(user) else None


class ModelBackend(CachedUserMixin, backends.ModelBackend):
    """Django's ``ModelBackend`` (sign-in with e-mail and password), the account cached."""


class AuthenticationBackend(CachedUserMixin, allauth_backends.AuthenticationBackend):
    """django-allauth's backend (its sign-in flows, two-factor included), the account cached."""


def _store(user, version: str) -> None:
    cache.set(
        user_cache_key(user.pk), (_row_shape(), version, user), settings.ACCOUNTS_USER_CACHE_SECONDS
    )


def user_cache_set(user) -> None:
    """Keep the account row in the cache (as a signed-in request does the first time)."""
    if not user_cache_is_shared():
        return
    version_key = user_version_key(user.pk)
    cache.add(version_key, secrets.token_hex(8), VERSION_SECONDS)
    version = cache.get(version_key)
    if version is not None:
        _store(user, version)


def user_cache_forget(*, user_id) -> None:
    """Make every cached copy of the account unusable: a new version token, the row dropped."""
    cache.set(user_version_key(user_id), secrets.token_hex(8), VERSION_SECONDS)
    cache.delete(user_cache_key(user_id))


def _forget(sender, instance, **kwargs):
    if instance.pk is None:
        return
    user_id = instance.pk
    user_cache_forget(user_id=user_id)
    # Again after the commit: a request in another process may have read the old row (still
    # the committed one) after the first token was written and stored it under that token.
    transaction.on_commit(lambda: user_cache_forget(user_id=user_id))


def connect_signals() -> None:
    model = get_user_model()
    post_save.connect(_forget, sender=model, dispatch_uid="accounts-user-cache-save")
    post_delete.connect(_forget, sender=model, dispatch_uid="accounts-user-cache-delete")
