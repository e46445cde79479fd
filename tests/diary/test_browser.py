"""Every public page of the diary and the politicians' pages in Chromium: axe-core WCAG 2.1
A/AA in Swedish and in English, and the key flows by keyboard."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from democracy.diary.models import Case, Document, Meeting
from democracy.people.models import Person
from tests.support.browser import choose_language

pytestmark = pytest.mark.browser


def public_paths():
    moved = Meeting.objects.filter(status="moved").first()
    cancelled = Meeting.objects.filter(status="cancelled").first()
    held = Meeting.objects.filter(status="held", minutes_announced_on__isnull=False).order_by("-start").first()
    case = max(Case.objects.all(), key=lambda c: c.agenda_items.count())
    withheld = Document.objects.filter(public=False).first()
    person = Person.objects.filter(is_protected=False, contact_details__publish=True).first()
    protected = Person.objects.filter(is_protected=True).first()
    return [
        "/",
        "/bodies/",
        "/bodies/kommunfullmaktige/",
        "/politicians/",
        "/politicians/?party=s&body=kommunstyrelsen",
        person.get_absolute_url(),
        person.get_absolute_url() + "contact/",
        protected.get_absolute_url(),
        "/meetings/",
        held.get_absolute_url(),
        moved.get_absolute_url(),
        cancelled.get_absolute_url(),
        case.get_absolute_url(),
        withheld.case.get_absolute_url(),
        f"/documents/{withheld.pk}/request/",
        "/search/?q=budget",
        "/search/?q=ingenting",
        "/open-data/",
    ]


def test_every_public_page_passes_axe_in_swedish_and_english(page, live_app, assert_accessible):
    call_command("seed_demo", stdout=io.StringIO())
    paths = public_paths()
    for path in paths:
        page.goto(live_app(path))
        assert page.locator("html").get_attribute("lang") == "sv", path
        assert_accessible(page)
    choose_language(page, "English")
    for path in paths:
        page.goto(live_app(path))
        assert page.locator("html").get_attribute("lang") == "en", path
        assert_accessible(page)
    assert page.console_errors == []


def test_contact_a_politician_by_keyboard(page, live_app, assert_accessible, django_user_model):
    from tests.people.factories import OrganizationFactory, politician

    person = politician(body=OrganizationFactory(name="Kulturnämnden"), given_name="Greta", family_name="Tangent")
    address = person.contact_details.get().value
    page.goto(live_app(person.get_absolute_url()))
    link = page.get_by_role("link", name="Skriv till Greta")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/contact/$"))
    assert address not in page.content()
    page.get_by_label("Ditt namn").fill("Rut Resident")
    page.get_by_label("Din e-postadress").fill("rut@example.org")
    page.get_by_label("Ämne").fill("Biblioteket")
    page.get_by_label("Meddelande", exact=True).fill("Kan biblioteket ha öppet på söndagar?")
    page.get_by_label("Jag förstår att mitt meddelande kan bli en allmän handling.").press("Space")
    page.get_by_role("button", name="Skicka meddelandet").press("Enter")
    page.wait_for_url(live_app(person.get_absolute_url()))
    assert "Ditt meddelande är skickat till Greta Tangent." in page.locator(".messages").inner_text()
    assert_accessible(page)
    assert [m.to for m in mail.outbox] == [[address]]


def test_filter_meetings_and_search_by_keyboard(page, live_app, assert_accessible):
    from datetime import timedelta

    from django.utils import timezone

    from tests.diary.factories import AgendaItemFactory, MeetingFactory
    from tests.people.factories import OrganizationFactory

    board = OrganizationFactory(name="Kommunstyrelsen")
    meeting = MeetingFactory(organization=board, start=timezone.now() + timedelta(days=1), title="Extramöte om hamnen")
    AgendaItemFactory(meeting=meeting, title="Ny färjeterminal", proposal_text="Bygg en färjeterminal.")
    page.goto(live_app("/meetings/"))
    page.get_by_label("Organ", exact=True).select_option(board.slug)
    page.get_by_role("button", name="Visa").press("Enter")
    page.wait_for_url(re.compile(r"body="))
    assert page.get_by_role("link", name="Extramöte om hamnen").is_visible()
    page.goto(live_app("/search/"))
    page.get_by_label("Sök efter").fill("färjeterminal")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=f"))
    assert page.get_by_role("link", name="Ny färjeterminal").is_visible()
    assert_accessible(page)
