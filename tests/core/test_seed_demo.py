import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from democracy.core.models import AuditEntry
from democracy.core.roles import Role
from democracy.diary.models import AgendaItem, Case, Meeting
from democracy.people.models import ContactDetail, Membership, Organization, Person

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (get_user_model(), Organization, Person, Membership, ContactDetail, Meeting, Case, AgendaItem, AuditEntry)
    }


def test_seed_demo_is_complete_and_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    text = out.getvalue()
    for role in Role:
        assert str(role.label) in text
    assert "demo-moderator-2026" in text
    assert first["Person"] >= 60
    assert Organization.objects.filter(classification="party").count() == 8
    assert Organization.objects.filter(classification="youth_council").exists()
    assert Meeting.objects.filter(status="held").exists()
    assert Meeting.objects.filter(status="planned").exists()

    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
    call_command("audit_verify", stdout=io.StringIO())


def test_demo_staff_accounts_hold_their_roles_and_sign_in(client):
    call_command("seed_demo", stdout=io.StringIO())
    from democracy.core.permissions import has_active_second_factor, user_roles

    User = get_user_model()
    moderator = User.objects.get(email="moderator@norrvik.example")
    assert user_roles(moderator) == {"moderator"}
    assert has_active_second_factor(moderator)
    assert not has_active_second_factor(User.objects.get(email="ny.moderator@norrvik.example"))
    response = client.post("/accounts/login/", {"login": "anna.andersson@norrvik.example", "password": "demo-invanare-2026"})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
