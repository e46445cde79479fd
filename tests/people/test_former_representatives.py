"""The politician list shows who is in office; the representatives of an earlier term of office
are one choice away (issue 12): after ``import_popolo`` of the Riksdag file, its members of
2014–2018 were nowhere on /politicians/."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from democracy.people.models import Term
from tests.people.factories import OrganizationFactory, PartyFactory, politician
from tests.support.browser import choose_language

FIXTURE = Path(__file__).parent / "fixtures" / "everypolitician-small.json"
LIST = reverse("people:politician-list")


@pytest.fixture
def imported():
    # The import runs in English (as a shell might): the term is still named in the site's
    # language, as everything the municipality publishes is.
    with translation.override("en"):
        call_command("import_popolo", str(FIXTURE), stdout=io.StringIO())
    return Term.objects.get(popolo_id="term/2014")


@pytest.mark.django_db
def test_the_default_list_shows_those_in_office_and_links_the_earlier_terms(client, imported):
    sitting = politician(body=OrganizationFactory(name="Kommunstyrelsen"), given_name="Sara")
    assert imported.name == "Mandatperioden 2014–2018"

    page = client.get(LIST)
    assert [p.pk for p in page.context["politicians"]] == [sitting.pk]
    html = page.content.decode()
    assert "Berit Anna" not in html
    assert "Tidigare förtroendevalda" in html
    assert f'href="?term={imported.slug}" lang="sv">Mandatperioden 2014–2018</a>' in html


@pytest.mark.django_db
def test_an_earlier_term_lists_its_representatives_with_that_terms_seats(
    client, imported, django_assert_max_num_queries
):
    politician(body=OrganizationFactory(name="Kommunstyrelsen"), given_name="Sara")
    with django_assert_max_num_queries(8):
        page = client.get(LIST, {"term": imported.slug})
    names = [p.name for p in page.context["politicians"]]
    assert len(names) == 3 and "Berit Anna Prov" in names and "Sara" not in " ".join(names)
    html = page.content.decode()
    assert "Alla som hade ett uppdrag under" in html
    assert 'Ledamot, <span lang="sv">Riksdagen</span>' in html
    assert "Socialdemokraterna" in html  # the party each sat for then
    # The choice is labelled and kept in the form; the section of links is not repeated.
    assert '<label for="id_term">Mandatperiod</label>' in html
    assert f'<option value="{imported.slug}" selected>' in html
    assert "Tidigare förtroendevalda" not in html

    # Filters work within the term; an unknown term is refused by the form, not a 500.
    by_party = client.get(LIST, {"term": imported.slug, "q": "Berit"})
    assert [p.name for p in by_party.context["politicians"]] == ["Berit Anna Prov"]
    unknown = client.get(LIST, {"term": "no-such-term"})
    assert unknown.status_code == 200 and unknown.context["term"] is None


@pytest.mark.django_db
def test_a_term_still_running_is_not_offered_as_earlier(client):
    politician(body=OrganizationFactory(), party=PartyFactory())
    html = client.get(LIST).content.decode()
    assert "Tidigare förtroendevalda" not in html and 'id="id_term"' not in html


@pytest.mark.django_db
def test_the_english_page_marks_the_term_name_as_swedish(client, imported):
    client.cookies["django_language"] = "en"
    html = client.get(LIST).content.decode()
    assert "Former representatives" in html
    assert 'lang="sv">Mandatperioden 2014–2018</a>' in html
    html = client.get(LIST, {"term": imported.slug}).content.decode()
    assert 'held an assignment in <span lang="sv">Mandatperioden 2014–2018</span>' in html


@pytest.mark.browser
def test_the_earlier_terms_pass_axe_in_swedish_and_english(
    page, live_app, assert_accessible, imported
):
    politician(body=OrganizationFactory(name="Kommunstyrelsen"), given_name="Sara")
    page.goto(live_app(LIST))
    assert_accessible(page)
    page.get_by_role("link", name="Mandatperioden 2014–2018").click()
    page.wait_for_url(f"**?term={imported.slug}")
    assert page.get_by_label("Mandatperiod").input_value() == imported.slug
    assert_accessible(page)
    choose_language(page, "English")
    page.goto(live_app(LIST))
    assert_accessible(page)
    page.goto(live_app(f"{LIST}?term={imported.slug}"))
    assert page.get_by_text("Berit Anna Prov").is_visible()
    assert_accessible(page)
    assert page.console_errors == []
