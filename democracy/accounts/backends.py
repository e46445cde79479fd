"""Authentication backends that read the signed-in account from the cache.

Every request by a signed-in person needs their account row: Django's ``get_user`` loads it to
check the session against the password hash. That is one query and an ORM object build per
request, a quarter of the CPU of a signature (the busiest write of the site). These backends
keep the row, pickled, in the shared cache for ``ACCOUNTS_USER_CACHE_SECONDS`` and drop it on
every save and delete of the account (``post_save``/``post_delete``), so a changed password,
deactivation or new e-mail address takes effect on the next request, as before. Only the row
is cached: roles (groups), permissions and two-factor devices are still read from the
database where they are checked. A change made without ``save()`` (a queryset ``update()``,
raw SQL) would be seen only when the entry ends; Delta makes none (see docs/decisions.md).
"""

import functools
import hashlib

from allauth.account import auth_backends as allauth_backends
from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from democracy.core.cache import redis_is_down


@functools.cache
def _row_shape() -> str:
    """A short digest of the account table's columns, stored with each entry: an entry pickled
    by a release with other columns (before a deploy's migration) is not used by this one. It
    is in the value, not the key, so that every release drops the same key on a save."""
    columns = ",".join(field.attname for field in get_user_model()._meta.concrete_fields)
    return hashlib.sha256(columns.encode()).hexdigest()[:8]


def user_cache_key(user_id) -> str:
    return f"accounts:user:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        seconds = settings.ACCOUNTS_USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        entry = cache.get(user_cache_key(user_id))
        if redis_is_down():
            # The local fallback does not see other processes' invalidations: read the row.
            entry = None
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == _row_shape():
            user = entry[1]
        else:
            user = super().get_user(user_id)
            if user is None:
                return None
            user_cache_set(user)
        return user if self.user_can_authenticate(user) else None


class ModelBackend(CachedUserMixin, backends.ModelBackend):
    """Django's ``ModelBackend`` (sign-in with e-mail and password), the account cached."""


class AuthenticationBackend(CachedUserMixin, allauth_backends.AuthenticationBackend):
    """django-allauth's backend (its sign-in flows, two-factor included), the account cached."""


def user_cache_set(user) -> None:
    """Keep the account row in the cache (as a signed-in request does the first time)."""
    cache.set(user_cache_key(user.pk), (_row_shape(), user), settings.ACCOUNTS_USER_CACHE_SECONDS)


def user_cache_forget(*, user_id) -> None:
    cache.delete(user_cache_key(user_id))


def _forget(sender, instance, **kwargs):
    if instance.pk is not None:
        user_cache_forget(user_id=instance.pk)


def connect_signals() -> None:
    model = get_user_model()
    post_save.connect(_forget, sender=model, dispatch_uid="accounts-user-cache-save")
    post_delete.connect(_forget, sender=model, dispatch_uid="accounts-user-cache-delete")
