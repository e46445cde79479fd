import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_q.models import Task

from democracy.core.models import AuditEntry
from democracy.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_signup_sends_verification_mail_through_the_task_queue_and_login_needs_it(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Ny.Invanare@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ny.invanare@example.org")
    assert not EmailAddress.objects.get(user=user).verified

    # The mail went through django-q2 (run in-line in tests) to the delivery backend.
    assert Task.objects.filter(func="democracy.core.tasks.deliver_email", success=True).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ny.invanare@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)

    # Unverified: signing in is held at "verify your e-mail".
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")

    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("accounts:overview")).status_code == 200


def test_wrong_password_gives_a_message_and_keeps_the_email(client, resident):
    response = client.post(reverse("account_login"), {"login": resident.email, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert resident.email in response.content.decode()


def test_login_failures_are_rate_limited(client, resident):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": resident.email, "password": "wrong"})
    # Even the right password is refused until the window has passed.
    response = client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].non_field_errors()
    assert errors == ["För många misslyckade inloggningsförsök. Försök igen senare."]


def test_profile_name_can_be_changed(resident_client, resident):
    response = resident_client.post(reverse("accounts:overview"), {"name": "  Rut Ny  ", "language": "sv"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "Rut Ny"


def test_data_export_contains_the_account(resident_client, resident):
    response = resident_client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["accounts"]["email"] == resident.email
    assert data["accounts"]["email_addresses"][0]["verified"] is True
    assert data["accounts"]["second_factors"] == []


def test_export_never_contains_totp_secrets(client, make_user):
    user = make_user(roles=[Role.MODERATOR], totp=True)
    client.force_login(user)
    body = client.get(reverse("accounts:export")).content.decode()
    assert json.loads(body)["accounts"]["second_factors"] == ["totp"]
    assert user.totp_secret not in body


def test_account_deletion_needs_reauthentication_and_confirmation(client, resident):
    client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})
    response = client.get(reverse("accounts:delete"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(reverse("accounts:delete"), {})
    assert response.status_code == 200  # the confirmation box was not ticked
    assert User.objects.filter(pk=resident.pk).exists()

    response = client.post(reverse("accounts:delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=resident.pk).exists()
    assert not EmailAddress.objects.filter(email=resident.email).exists()
    assert client.get(reverse("accounts:overview")).status_code == 302


def test_deleting_a_staff_account_is_audit_logged(client, make_user):
    user = make_user(roles=[Role.MODERATOR], totp=True)
    from democracy.accounts.services import user_delete

    user_delete(user=user)
    entry = AuditEntry.objects.get(action="account.delete")
    assert entry.actor_label == user.email


def test_roles_change_is_audit_logged(make_user):
    from democracy.accounts.services import user_set_roles

    admin = make_user(roles=list(Role.values), totp=True)
    user = make_user()
    user_set_roles(user=user, roles=[Role.SCHOOL_CONTACT], actor=admin)
    entry = AuditEntry.objects.filter(action="account.roles").last()
    assert entry.data == {"added": ["school_contact"], "removed": []}
    assert entry.actor_label == admin.email


def test_signup_remembers_the_language_and_the_switch_updates_it(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = User.objects.get(email="new@example.org")
    assert user.language == "en"
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    user.refresh_from_db()
    assert user.language == "sv"


def test_account_page_sets_the_language_for_e_mail(resident_client, resident):
    response = resident_client.post(reverse("accounts:overview"), {"name": "Rut", "language": "en"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "en"
    response = resident_client.post(reverse("accounts:overview"), {"name": "Rut", "language": "xx"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]


def test_signing_in_brings_back_the_language_chosen_before(client, make_user):
    user = make_user(email="suomi@example.org")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "fi", "next": "/"})
    user.refresh_from_db()
    assert user.language == "fi"
    # Another device: nothing chosen there yet. Signing in shows the site in Finnish.
    other = Client()
    response = other.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert other.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fi"
    assert '<html lang="fi" dir="ltr">' in other.get("/").content.decode()
    # A device where the visitor chose Arabic keeps Arabic, right to left.
    third = Client()
    third.post(reverse("set_language"), {"language": "ar", "next": "/"})
    third.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert '<html lang="ar" dir="rtl">' in third.get("/").content.decode()
