"""Who may use which staff tool, and the one guard every staff page goes through.

A staff page needs three things, checked in this order:
1. a signed-in, active account (otherwise: to the login page);
2. one of the page's roles (otherwise: 403);
3. an active second factor, TOTP (otherwise: to the TOTP set-up page, with a message).
"""

from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from democracy.core.roles import Role

STAFF_NEXT_SESSION_KEY = "delta_staff_next"


def user_roles(user) -> set[str]:
    """The roles ``user`` holds; a superuser holds every role."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(Role.values)
    cached = getattr(user, "_delta_roles", None)
    if cached is None:
        names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        cached = set(names)
        user._delta_roles = cached  # noqa: SLF001 - this module's own per-request note
    return cached


def roles_forget(user) -> None:
    """Drop the roles ``user_roles`` keeps on ``user`` for the request, after they changed."""
    user._delta_roles = None  # noqa: SLF001 - this module's own per-request note


def role_group(role: str):
    """The group behind ``role`` (created by a migration; recreated here if it is missing)."""

    return Group.objects.get_or_create(name=Role(role).value)[0]


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & {str(role) for role in roles})


def has_active_second_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def is_staff_member(user) -> bool:
    return bool(user_roles(user))


def staff_guard(request, roles) -> object | None:
    """Return a response that stops the request, or ``None`` when it may go on."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_role(user, *roles):
        raise PermissionDenied(_("You do not have a role that gives access to this page."))
    if not has_active_second_factor(user):
        return second_factor_setup_redirect(request)
    request.session.pop(STAFF_NEXT_SESSION_KEY, None)
    return None


def second_factor_setup_redirect(request):
    """Send a staff member without TOTP to set it up, remembering where they were going."""
    messages.warning(
        request,
        _("Staff tools need two-factor authentication. Set up an authenticator app to continue."),
    )
    # allauth's TOTP pages take no "next"; the session remembers where to return.
    request.session[STAFF_NEXT_SESSION_KEY] = request.get_full_path()
    return redirect(reverse("mfa_activate_totp"))


def staff_required(*roles: str):
    """Decorator for function views: ``@staff_required(Role.MODERATOR)``."""
    if not roles:
        roles = tuple(Role.values)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            stop = staff_guard(request, roles)
            if stop is not None:
                return stop
            return view(request, *args, **kwargs)

        wrapped.staff_roles = roles
        return wrapped

    return decorator


class StaffRequiredMixin:
    """Mixin for class-based views; set ``staff_roles``. Empty means any staff role."""

    staff_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        stop = staff_guard(request, self.staff_roles or tuple(Role.values))
        if stop is not None:
            return stop
        return super().dispatch(request, *args, **kwargs)
