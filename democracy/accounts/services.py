"""Account-level writes and the personal-data export that spans every app.

Each app that keeps personal data has a ``privacy`` module with two functions:
``export_user_data(user) -> dict`` and ``forget_user(user) -> None``. The export collects them
all; deletion runs every ``forget_user`` in one transaction before the account row goes.
"""

from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django.utils.timezone import now as timezone_now

from democracy.core.permissions import role_group, roles_forget
from democracy.core.roles import Role
from democracy.core.services import audit_log

User = get_user_model()


def privacy_modules():
    for app_config in apps.get_app_configs():
        if app_config.name.startswith(("django.", "allauth")):
            continue
        if module_has_submodule(app_config.module, "privacy"):
            yield app_config.label, import_module(f"{app_config.name}.privacy")


def user_export_data(*, user) -> dict:
    """Everything Delta holds about ``user``, grouped by app, as JSON-ready data."""
    data = {"exported_at": timezone_now().isoformat()}
    for label, module in privacy_modules():
        data[label] = module.export_user_data(user)
    return data


@transaction.atomic
def user_delete(*, user) -> None:
    """Delete the account after each app has removed or anonymised what points at it."""
    for _label, module in privacy_modules():
        module.forget_user(user)
    if user.is_superuser or user.groups.exists():
        # Staff accounts leave a trace: staff actions are public-record material.
        audit_log(actor=user, action="account.delete", target=user)
    user.delete()


@transaction.atomic
def account_create(
    *,
    email: str,
    password: str | None,
    name: str = "",
    verified: bool = True,
    roles=(),
    is_staff: bool = False,
    language: str | None = None,
    actor=None,
) -> User:
    """Create an account with its allauth e-mail record (verified or not) and staff roles.

    Used by ``seed_demo`` and by administrators' scripts; residents sign up through allauth.
    """

    user = User.objects.create_user(
        email=email,
        password=password,
        name=name,
        is_staff=is_staff,
        language=language or settings.LANGUAGE_CODE,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    if roles:
        user_set_roles(user=user, roles=roles, actor=actor)
    return user


@transaction.atomic
def user_set_roles(*, user, roles, actor) -> None:
    """Give ``user`` exactly ``roles`` (staff groups); the change is audit-logged."""

    wanted = {Role(role).value for role in roles}
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    for role in wanted - current:
        user.groups.add(role_group(role))
    for role in current - wanted:
        user.groups.remove(role_group(role))
    if wanted != current:
        roles_forget(user)
        audit_log(
            actor=actor,
            action="account.roles",
            target=user,
            data={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
        )


@transaction.atomic
def user_update_profile(*, user, name: str, language: str | None = None) -> User:
    user.name = name.strip()
    fields = ["name"]
    if language is not None:
        user.language = language
        fields.append("language")
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user


def user_set_language(*, user, language: str) -> None:
    """Remember the language the person chose with the site's language switch."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
