"""The site's languages come from one setting (issue 15): the language switch, the page's
``lang`` and direction, the account's language and the catalogue check all follow it."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from democracy.accounts.forms import ProfileForm

pytestmark = pytest.mark.django_db


def _switch(html: str) -> str:
    return html.split('class="language-switch"')[1].split("</details>")[0]


def test_the_switch_offers_every_language_in_its_own_name(client):
    switch = _switch(client.get("/").content.decode())
    for code, own_name in [
        ("sv", "Svenska"),
        ("en", "English"),
        ("fi", "Suomi"),
        ("ar", "العربيّة"),
    ]:
        assert f'value="{code}" lang="{code}"' in switch
        assert f">{own_name}</button>" in switch
    assert 'value="sv" lang="sv" dir="ltr" aria-current="true"' in switch
    assert 'value="ar" lang="ar" dir="rtl"' in switch


@pytest.mark.parametrize(
    "code,direction", [("sv", "ltr"), ("en", "ltr"), ("fi", "ltr"), ("ar", "rtl")]
)
def test_each_language_sets_lang_and_direction(client, code, direction):
    client.post(reverse("set_language"), {"language": code, "next": "/"})
    response = client.get("/")
    assert f'<html lang="{code}" dir="{direction}">' in response.content.decode()
    assert response["Content-Language"] == code


def test_a_fifth_language_is_only_a_setting(client, make_user):
    with override_settings(LANGUAGES=[*settings.LANGUAGES, ("de", "German")]):
        assert 'value="de" lang="de" dir="ltr">Deutsch</button>' in _switch(
            client.get("/").content.decode()
        )
        client.post(reverse("set_language"), {"language": "de", "next": "/"})
        assert '<html lang="de" dir="ltr">' in client.get("/").content.decode()
        user = make_user()
        client.force_login(user)
        client.post(reverse("set_language"), {"language": "de", "next": "/"})
        user.refresh_from_db()
        assert user.language == "de"
        assert ("de", "German") in ProfileForm().fields["language"].choices
        # No model follows the list: adding a language needs no migration.
        call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
    # Without the setting, the same cookie falls back to Swedish.
    assert '<html lang="sv" dir="ltr">' in client.get("/").content.decode()
