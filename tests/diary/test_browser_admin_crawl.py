"""The diary editor's back office in Chromium: the admin index and every diary and people list
(terms, bodies, politicians, assignments, contact details), add and change page it links to
pass axe-core (WCAG 2.1 A/AA) and reflow at 320 px, in Swedish and English.

A body's change page lists only its assignments that have not ended (the council's page with
every assignment of every term was about 1 MB with the demo data, and axe did not finish on
it); the largest body's page is checked too, with its link to all its assignments."""

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from democracy.core.roles import Role
from democracy.people.models import Organization
from tests.proposals.test_browser import sign_in

pytestmark = pytest.mark.browser


def admin_paths(page, live_app) -> list[str]:
    """The index's model lists, each list's add page and the change page of its first row."""
    page.goto(live_app("/admin/"))
    lists = sorted(
        {
            href
            for href in page.locator("#content-main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
            if href and re.fullmatch(r"/admin/(diary|people)/\w+/", href)
        }
    )
    paths = ["/admin/"]
    for path in lists:
        paths.append(path)
        page.goto(live_app(path))
        if page.locator(f'a[href="{path}add/"]').count():
            paths.append(path + "add/")
        first = page.locator("#result_list tbody tr a").first
        if first.count():
            paths.append(first.get_attribute("href").split("?")[0])
    return paths


def test_every_admin_page_of_the_diary_editor_passes_axe(
    page, live_app, assert_accessible, make_user
):
    call_command("seed_demo", stdout=io.StringIO())
    editor = make_user(email="diarie@example.org", roles=[Role.DIARY_EDITOR], totp=True)
    sign_in(page, live_app, editor, totp=True)
    paths = admin_paths(page, live_app)
    assert "/admin/diary/meeting/add/" in paths and "/admin/people/person/add/" in paths
    council = Organization.objects.annotate(n=Count("memberships")).order_by("-n").first()
    paths.append(f"/admin/people/organization/{council.pk}/change/")
    failures = []
    for language in ("sv", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_app.url}])
        for path in paths:
            page.goto(live_app(path))
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == language, path
            try:
                assert_accessible(page)
            except AssertionError as error:
                failures.append(str(error))
    assert not failures, "\n\n".join(failures)
