"""The 429 page names the real wait, and the staff start page speaks the reader's language."""

import pytest
from django.conf import settings
from django.urls import reverse

from democracy.core.roles import Role
from tests.people.factories import OrganizationFactory
from tests.people.test_pages import politician

pytestmark = pytest.mark.django_db

CONTACT = {
    "name": "R",
    "email": "r@example.org",
    "subject": "S",
    "body": "B",
    "public_record": "on",
}


def test_an_hourly_limit_tells_how_many_minutes_to_wait(client, settings):
    settings.PEOPLE_CONTACT_RATE = "1/h"
    person = politician(body=OrganizationFactory())
    url = reverse("people:politician-contact", args=[person.slug])
    assert client.post(url, CONTACT).status_code == 302
    response = client.post(url, CONTACT)
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    # django-ratelimit's hourly window ends at a moment that depends on the key, so the wait
    # is anything up to an hour (under a minute about one run in sixty).
    assert 0 < retry_after <= 3600
    page = response.content.decode()
    if retry_after > 60:
        minutes = -(-retry_after // 60)
        assert f"Vänta {minutes} minuter och försök igen." in page
        assert "Vänta en minut" not in page
    else:
        assert "Vänta en minut och försök igen." in page


def test_a_limit_ending_within_a_minute_says_a_minute(rf):
    from django.contrib.auth.models import AnonymousUser

    from democracy.core.views import rate_limited

    request = rf.get("/")
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = "sv"
    response = rate_limited(request, retry_after=20)
    assert response["Retry-After"] == "20"
    assert "Vänta en minut och försök igen." in response.content.decode()


def test_staff_tools_are_named_in_english_on_english_pages(client, make_user):
    user = make_user(roles=[Role.MODERATOR], totp=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/staff/").content.decode()
    assert "Review submitted e-proposals, reports and comments." in page
    assert "Moderering" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    assert "Moderering" in client.get("/staff/").content.decode()


def test_accessibility_statement_links_to_digg_and_dates_its_review(client):
    from democracy.core.views import ACCESSIBILITY_STATEMENT_REVIEWED

    page = client.get(reverse("core:accessibility")).content.decode()
    assert 'href="https://www.digg.se/tdosanmalan"' in page
    assert "Anmäl bristande tillgänglighet till DIGG" in page
    from django.utils import translation
    from django.utils.dateformat import format as date_format

    with translation.override("sv"):
        reviewed = date_format(ACCESSIBILITY_STATEMENT_REVIEWED, "j F Y")
    assert f"Redogörelsen granskades senast den {reviewed}." in page
    # The known problems are the ones found and left, not invented ones.
    assert "skannade" not in page and "manuellt med skärmläsare" not in page
