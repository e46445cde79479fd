"""allauth's pages and mails in Delta's Swedish: "e-post", never "Epost" or "mail", no "Vänligen",
the login page offers sign-up as sign-up, and mails name the municipality instead of the host."""

import html
import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()

# Words allauth's own Swedish uses that Delta's voice does not: "Epost(-adress)", "mail(et)",
# "Vänligen". A lone "mail" is a word; "mailto:" and "e-postmeddelande" are not.
BAD_SWEDISH = re.compile(r"\bEpost|\bVänligen\b|(?<![\w@.:/-])mail(et)?\b", re.IGNORECASE)

ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = [
    "account_email",
    "account_change_password",
    "account_logout",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_reauthenticate",
]


def visible_text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    # Attribute values people read (placeholders, labels for assistive technology) count too.
    attributes = " ".join(re.findall(r'(?:placeholder|aria-label|title|alt)="([^"]*)"', body))
    text = html.unescape(re.sub(r"<[^>]+>", " ", body) + " " + attributes)
    # A tag is a space above; a link at the end of a sentence does not put one before the period.
    return re.sub(r"\s+([.?!,])", r"\1", text)


def assert_plain_swedish(text: str, where: str):
    found = sorted({m.group(0) for m in BAD_SWEDISH.finditer(text)})
    assert not found, f"{where} says {found}"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_swedish_login_page_offers_an_account_and_links_it_to_sign_up(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    text = " ".join(visible_text(response).split())
    assert "Har du inget konto? Skapa ett konto." in text
    assert "Har du redan ett konto" not in text
    link = re.search(r'<a href="([^"]+)">Skapa ett konto</a>', response.content.decode())
    assert link and link.group(1).startswith(reverse("account_signup"))
    # The sign-up page, in turn, offers signing in.
    response = client.get(reverse("account_signup"))
    text = " ".join(visible_text(response).split())
    assert "Har du redan ett konto? Logga in." in text
    link = re.search(r'<a href="([^"]+)">Logga in</a>', response.content.decode())
    assert link and link.group(1).startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_anonymous_account_pages_say_e_post_in_plain_swedish(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_plain_swedish(visible_text(response), name)


def test_form_errors_and_invalid_links_are_in_plain_swedish(client, resident):
    response = client.post(reverse("account_login"), {"login": resident.email, "password": "wrong"})
    assert response.status_code == 200
    text = visible_text(response)
    assert "E-postadressen eller lösenordet är fel." in text
    assert_plain_swedish(text, "failed login")

    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))
    assert_plain_swedish(visible_text(response), "invalid confirmation link")
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "set-password"}),
        follow=True,
    )
    assert_plain_swedish(visible_text(response), "invalid reset link")


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_account_pages_say_e_post_in_plain_swedish(client, resident, name):
    client.force_login(resident)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    assert_plain_swedish(visible_text(response), name)


def test_the_second_factor_prompt_is_in_plain_swedish(client, moderator):
    response = client.post(
        reverse("account_login"), {"login": moderator.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.get(reverse("mfa_authenticate"))
    text = visible_text(response)
    assert "Ange en autentiseringskod" in text
    assert_plain_swedish(text, "mfa_authenticate")


def signup(client, email="ny@example.org"):
    mail.outbox.clear()
    client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def assert_names_the_municipality(message, where: str):
    municipality = settings.MUNICIPALITY_NAME
    assert message.subject.startswith(f"[{municipality}] "), (where, message.subject)
    assert f"Hej från {municipality}!" in message.body, (where, message.body)
    assert message.body.rstrip().endswith(f"Med vänliga hälsningar\n{municipality}"), (
        where,
        message.body,
    )
    assert "detta e-post " not in message.body, where
    for host in ("testserver", "127.0.0.1", "example.com"):
        assert f"från {host}" not in message.body and f"[{host}]" not in message.subject, where
    assert_plain_swedish(message.subject + "\n" + message.body, where)


def test_the_sign_up_mail_names_the_municipality_not_the_host(client):
    message = signup(client)
    assert_names_the_municipality(message, "signup")
    assert "Bekräfta din e-postadress" in message.subject
    assert f"för ett konto hos {settings.MUNICIPALITY_NAME}." in message.body
    # The host is in the link and nowhere else ("registrera ett konto på testserver").
    assert "testserver" not in re.sub(r"https?://\S+", "", message.body)
    assert "Bekräfta adressen genom att öppna den här länken: http://testserver/" in message.body


def test_the_other_account_mails_name_the_municipality(client, resident):
    # Someone signs up again with an address that has an account.
    message = signup(client, email=resident.email)
    assert_names_the_municipality(message, "account already exists")

    # Password reset, for a known and for an unknown address.
    for email, where in (
        (resident.email, "password reset"),
        ("okand@example.org", "unknown account"),
    ):
        mail.outbox.clear()
        client.post(reverse("account_reset_password"), {"email": email})
        assert len(mail.outbox) == 1, where
        assert_names_the_municipality(mail.outbox[0], where)


def test_the_password_reset_link_page_is_in_plain_swedish(client, resident):
    EmailAddress.objects.filter(user=resident).update(verified=True)
    key = default_token_generator.make_token(resident)
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(resident), "key": key},
    )
    response = client.get(url, follow=True)
    assert response.status_code == 200
    text = visible_text(response)
    assert "Nytt lösenord" in text
    assert_plain_swedish(text, "password reset from key")


def test_english_pages_and_mails_stay_english(client):
    english(client)
    response = client.get(reverse("account_login"))
    text = " ".join(visible_text(response).split())
    assert "No account yet? Create an account." in text
    assert "Skapa ett konto" not in text
    response = client.post(
        reverse("account_login"), {"login": "x@example.org", "password": "wrong"}
    )
    assert "The e-mail address or the password is wrong." in visible_text(response)

    message = signup(client)
    assert f"Hello from {settings.MUNICIPALITY_NAME}!" in message.body
    assert "Confirm the address by opening this link: http://testserver/" in message.body
    assert f"Best regards,\n{settings.MUNICIPALITY_NAME}" in message.body
    assert message.subject == f"[{settings.MUNICIPALITY_NAME}] Please Confirm Your Email Address"
