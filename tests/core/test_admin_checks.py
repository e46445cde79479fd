"""The back office refuses a hand-made action choice and cuts an overlong search, with a
message and no change (found by the form fuzzer, tests/core/test_form_fuzzer.py)."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group

from democracy.core.adminchecks import (
    INLINE_NEW_MAX,
    SEARCH_MAX_LENGTH,
    CheckedInlineMixin,
    CheckedRequestAdminMixin,
)
from democracy.core.roles import Role
from democracy.diary.models import Case
from tests.diary.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user(roles=[Role.DIARY_EDITOR], totp=True, is_staff=True))
    return client


@pytest.mark.parametrize("chosen", ["zz", "a\x00b", "9" * 40, "-1.5"])
def test_an_action_on_rows_that_are_no_keys_is_refused(editor_client, chosen):
    case = CaseFactory()
    response = editor_client.post(
        "/admin/diary/case/",
        {"action": "delete_selected", "_selected_action": [str(case.pk), chosen]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Raderna du valde finns inte i listan" in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_real_choice_still_reaches_the_action(editor_client):
    case = CaseFactory()
    response = editor_client.post(
        "/admin/diary/case/", {"action": "delete_selected", "_selected_action": [str(case.pk)]}
    )
    assert response.status_code == 200  # Django's confirmation page for the deletion
    assert "Raderna du valde" not in response.content.decode()
    assert case.title in response.content.decode()


def test_an_overlong_search_uses_its_beginning(editor_client):
    case = CaseFactory(title="Ombyggnad av simhallen")
    response = editor_client.get("/admin/diary/case/", {"q": "simhallen" + "x" * 70_000})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Bara de första {SEARCH_MAX_LENGTH} tecknen" in page
    found = editor_client.get("/admin/diary/case/", {"q": "simhallen"}).content.decode()
    assert case.title in found and "Bara de första" not in found


def test_every_back_office_page_checks_its_requests():
    """The checks live in one mixin; a ModelAdmin registered without it would answer 500 to
    the requests above again."""
    registered = [
        admin.site.get_model_admin(model)
        for model in apps.get_models()
        if admin.site.is_registered(model)
    ]
    assert len(registered) >= 10
    missing = [type(a).__name__ for a in registered if not isinstance(a, CheckedRequestAdminMixin)]
    assert missing == []


def test_a_library_admin_refuses_a_hand_made_choice_too(client, make_user):
    group = Group.objects.create(name="Granskare")
    superuser = make_user(is_staff=True, totp=True)
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    client.force_login(superuser)
    response = client.post(
        "/admin/auth/group/",
        {"action": "delete_selected", "_selected_action": [str(group.pk), "zz"]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Raderna du valde finns inte i listan" in response.content.decode()
    assert Group.objects.filter(pk=group.pk).exists()


def test_a_hand_made_inline_count_builds_at_most_the_limit(editor_client):
    """A meeting's agenda items are an inline: a claimed count of 10^19 made Django build and
    render 2,000 forms (37 s of CPU for one request); now it stops at the limit, says so and
    saves nothing."""
    from democracy.diary.models import Meeting

    response = editor_client.post(
        "/admin/diary/meeting/add/",
        {
            "agenda_items-TOTAL_FORMS": "9" * 19,
            "agenda_items-INITIAL_FORMS": "0",
            "agenda_items-MIN_NUM_FORMS": "0",
            "agenda_items-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    rendered = {int(n) for n in re.findall(r'name="agenda_items-(\d+)-', page)}
    assert 0 < len(rendered) <= INLINE_NEW_MAX
    assert f"som mest {INLINE_NEW_MAX} formulär" in page  # the formset's own error
    assert not Meeting.objects.exists()


def test_every_inline_is_bounded():
    inlines = [
        inline
        for model in apps.get_models()
        if admin.site.is_registered(model)
        for inline in admin.site.get_model_admin(model).inlines
    ]
    assert inlines, "the back office has inlines (agenda items, documents, …)"
    assert [i.__name__ for i in inlines if not issubclass(i, CheckedInlineMixin)] == []
