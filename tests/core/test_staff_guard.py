"""Every staff page goes through one guard: sign-in, a role, and an active second factor.

The staff pages are found by walking the URL configuration, so pages added later by any app
are covered without listing them here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse, reverse_lazy

from democracy.core.permissions import StaffRequiredMixin
from democracy.core.roles import Role
from tests.conftest import PASSWORD, totp_now

pytestmark = pytest.mark.django_db

PLACEHOLDER_VALUES = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def _route_to_path(route: str) -> str:
    def replace(match):
        converter = match.group(1) or "str"
        return PLACEHOLDER_VALUES.get(converter, "1")

    return re.sub(r"<(?:(\w+):)?\w+>", replace, route)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def staff_pages():
    """(path, roles) for every URL whose view is guarded by the staff guard."""
    pages = []
    for route, callback in _walk(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        roles = getattr(callback, "staff_roles", None)
        if view_class is not None and issubclass(view_class, StaffRequiredMixin):
            roles = view_class.staff_roles or tuple(Role.values)
        if roles:
            if route.startswith("^") or "(?P" in route:
                continue
            pages.append(("/" + _route_to_path(route), tuple(roles)))
    return pages


STAFF_PAGES = staff_pages()


def test_staff_pages_are_found():
    paths = [path for path, _roles in STAFF_PAGES]
    assert "/staff/" in paths
    assert "/staff/alerts/" in paths


@pytest.mark.parametrize(("path", "roles"), STAFF_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, path, roles):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("path", "roles"), STAFF_PAGES)
def test_resident_without_role_is_refused(client, resident, path, roles):
    client.force_login(resident)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(("path", "roles"), STAFF_PAGES)
def test_staff_without_totp_is_sent_to_set_it_up(client, make_user, path, roles):
    user = make_user(roles=roles, totp=False)
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize(("path", "roles"), STAFF_PAGES)
def test_staff_with_totp_gets_past_the_guard(client, make_user, path, roles):
    user = make_user(roles=roles, totp=True)
    client.force_login(user)
    response = client.get(path)
    # Past the guard the page itself answers: a page, a missing placeholder object, or
    # "use POST" for single-action endpoints; never the sign-in or TOTP set-up redirect.
    assert response.status_code in (200, 404, 405), (path, response.status_code, response.get("Location"))


def test_role_for_one_tool_does_not_open_another(client, make_user):
    """A school contact person is not a moderator: least privilege between roles."""
    pages_for_moderators_only = [
        path for path, roles in STAFF_PAGES if set(roles) == {Role.MODERATOR}
    ]
    user = make_user(roles=[Role.SCHOOL_CONTACT], totp=True)
    client.force_login(user)
    for path in pages_for_moderators_only:
        assert client.get(path).status_code == 403, path


def test_enrolling_totp_opens_the_staff_pages(client, make_user):
    """The whole path through the public interface: refused, enrol with a real code, admitted."""
    import pyotp

    user = make_user(roles=[Role.MODERATOR], totp=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get("/staff/")
    assert response["Location"] == reverse("mfa_activate_totp")

    # allauth asks for the password again before a second factor can be added.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302

    response = client.get("/staff/")
    assert response.status_code == 200
    assert response.context["roles"] == ["Moderator"]


def test_sign_in_of_staff_with_totp_asks_for_the_code(client, make_user):
    user = make_user(roles=[Role.MODERATOR], totp=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: the staff page still sends them to sign in.
    assert client.get("/staff/")["Location"].startswith(reverse("account_login"))
    wrong = "000000" if totp_now(user) != "000000" else "111111"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200  # wrong code: the form is shown again
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(user)})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


class TestAdminBackOffice:
    def test_staff_flag_without_totp_is_sent_to_set_it_up(self, client, make_user):
        user = make_user(roles=[Role.DIARY_EDITOR], is_staff=True, totp=False)
        client.force_login(user)
        response = client.get(reverse("admin:index"), follow=True)
        assert (reverse("mfa_activate_totp"), 302) in response.redirect_chain

    def test_staff_flag_with_totp_gets_in(self, client, make_user):
        user = make_user(roles=[Role.DIARY_EDITOR], is_staff=True, totp=True)
        client.force_login(user)
        assert client.get(reverse("admin:index")).status_code == 200

    def test_anonymous_is_sent_to_the_site_sign_in(self, client):
        response = client.get(reverse("admin:index"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("account_login"))

    def test_resident_is_refused(self, client, resident):
        client.force_login(resident)
        response = client.get(reverse("admin:index"), follow=True)
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "tool_urls"),
    [
        (Role.MODERATOR, ["/moderation/"]),
        # The diary editor also looks after the sign-language films (decision 90).
        (Role.DIARY_EDITOR, ["/admin/", reverse_lazy("core:staff-sign-language")]),
        (Role.ELECTION_ADMIN, [reverse_lazy("youth_vote:admin-elections")]),
        (Role.SCHOOL_CONTACT, [reverse_lazy("youth_vote:sessions")]),
    ],
)
def test_staff_home_lists_exactly_the_tools_of_the_role(client, make_user, role, tool_urls):
    user = make_user(roles=[role], totp=True)
    client.force_login(user)
    tools = client.get("/staff/").context["tools"]
    assert [tool["url"] for tool in tools] == [str(url) for url in tool_urls]
    for url in tool_urls:
        assert client.get(str(url)).status_code == 200
