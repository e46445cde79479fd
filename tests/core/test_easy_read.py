"""Easy Swedish (lättläst, issue 15 item 5): how to take part, e-proposals and the youth-council
election, linked from the header of every page, in short sentences, with the published rules'
own numbers, and accessible in any interface language."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.support.browser import choose_language

pytestmark = pytest.mark.django_db

PAGES = [
    "core:easy-read",
    "core:easy-read-influence",
    "proposals:easy-read",
    "youth_vote:easy-read",
]
MAX_WORDS = 14  # a sentence in easy Swedish is short


def _easy_text(html: str) -> str:
    part = html.split('<div class="narrow easy-read" lang="sv">')[1].split("</main>")[0]
    # Each heading, paragraph and list item is read on its own.
    part = re.sub(r"</(h1|h2|p|li)>", " ¶ ", part)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_swedish_and_in_short_sentences(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    text = _easy_text(response.content.decode())
    sentences = [s.strip() for s in re.split(r"[.!?:¶]", text) if s.strip()]
    assert sentences
    long = [s for s in sentences if len(s.split()) > MAX_WORDS]
    assert not long, long


@pytest.mark.parametrize("language", ["sv", "en", "fi", "ar"])
def test_every_page_links_to_easy_swedish_in_the_header(client, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    for path in ["/", reverse("proposals:rules"), reverse("core:privacy")]:
        header = client.get(path).content.decode().split("</header>")[0]
        assert f'<a href="{reverse("core:easy-read")}" lang="sv">Lättläst</a>' in header


@override_settings(PROPOSALS_SIGNATURE_THRESHOLD=150, PROPOSALS_SIGNING_DAYS=60)
def test_the_e_proposal_page_states_the_published_rules(client):
    text = _easy_text(client.get(reverse("proposals:easy-read")).content.decode())
    assert "Om 150 personer skriver under" in text
    assert "De har 60 dagar på sig" in text
    rules_page = client.get(reverse("proposals:rules")).content.decode()
    assert "150" in rules_page and "60" in rules_page


@pytest.mark.browser
def test_a_visitor_reaches_every_easy_page_from_the_header(page, live_app, assert_accessible):
    page.goto(live_app("/"))
    choose_language(page, "English")
    page.get_by_role("link", name="Lättläst", exact=True).click()
    page.wait_for_url(live_app(reverse("core:easy-read")))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".easy-read").get_attribute("lang") == "sv"
    assert_accessible(page)
    for link in ["Så kan du påverka i kommunen", "E-förslag", "Valet till ungdomsfullmäktige"]:
        page.goto(live_app(reverse("core:easy-read")))
        page.locator(".easy-read__links").get_by_role("link", name=link).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text()
        assert_accessible(page)
    assert page.console_errors == []
