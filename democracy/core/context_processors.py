from django.conf import settings

from democracy.core.permissions import (
    STAFF_NEXT_SESSION_KEY,
    has_active_second_factor,
    is_staff_member,
)


def site(request):
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        # What residents and staff write (proposals, decisions, descriptions, statements) is in
        # the site's default language whatever language the page is shown in: templates mark
        # it with lang="{{ content_language }}" (WCAG 3.1.2).
        "content_language": settings.LANGUAGE_CODE.split("-")[0],
        "registry_email": settings.MUNICIPALITY_REGISTRY_EMAIL,
        # Callables are resolved by the template only where they are used.
        "is_staff_member": lambda: bool(user is not None and is_staff_member(user)),
        "staff_next_url": lambda: _staff_next_url(user, session),
    }


def _staff_next_url(user, session) -> str | None:
    """Where a staff member was going before being sent to set up two-factor; shown once it is."""
    if session is None or user is None:
        return None
    url = session.get(STAFF_NEXT_SESSION_KEY)
    if url and has_active_second_factor(user):
        return url
    return None
