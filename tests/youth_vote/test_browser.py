"""The election in a real browser: axe-core WCAG 2.1 A/AA in Swedish, a keyboard-only cast,
a clean reset for the next student, and the classroom screen's live turnout."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from tests.youth_vote.factories import build_election
from youth_vote import codes, services
from youth_vote.models import Ballot, Election, Participation

pytestmark = pytest.mark.browser


@pytest.fixture
def open_election(election_admin, contact):
    return build_election(admin=election_admin, contact=contact, students_per_class=12)


def _tab_to(page, predicate_js: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``predicate_js`` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element matching {predicate_js}")


def _login(page, live_app, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_app.url}]
    )


def test_keyboard_only_cast_with_axe_on_every_booth_step(page, live_app, assert_accessible, open_election):
    built = open_election
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    page.goto(live_app("/youth-vote/vote/"))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == "Rösta till ungdomsfullmäktige"
    assert_accessible(page)

    # A wrong code first: a clear message, focus on it, nothing lost.
    _tab_to(page, "el.id === 'id_code'")
    page.keyboard.type("AAAA-BBBB-CCCC-D")
    page.keyboard.press("Tab")
    page.keyboard.type("123456")
    page.keyboard.press("Enter")
    page.wait_for_selector("#form-error")
    assert "Koderna fungerar inte" in page.locator("#form-error").inner_text()
    assert page.evaluate("document.activeElement.id") == "form-error"
    assert_accessible(page)

    _tab_to(page, "el.id === 'id_code'")
    page.keyboard.type(built.codes[voter.pk].lower())
    page.keyboard.press("Tab")
    page.keyboard.type(built.session_code(school_class))
    page.keyboard.press("Enter")
    page.wait_for_selector("fieldset.yv-ballot")
    assert page.locator("h1").inner_text() == "Välj en kandidat"
    assert_accessible(page)

    _tab_to(page, "el.name === 'choice'")
    page.keyboard.press("ArrowDown")  # moves to (and selects) the next option
    page.keyboard.press("Space")
    chosen = page.evaluate("document.querySelector('input[name=choice]:checked').value")
    chosen_label = page.evaluate(
        "document.querySelector('label[for=' + document.querySelector('input[name=choice]:checked').id + '] .yv-option__name').textContent"
    )
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Nästa'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".yv-confirm")
    assert chosen_label.strip() in page.locator(".yv-confirm").inner_text()
    assert_accessible(page)
    assert Ballot.objects.count() == 0  # nothing stored before the cast

    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Ja, rösta'")
    page.keyboard.press("Enter")
    page.wait_for_url(live_app("/youth-vote/vote/done/"))
    tracker = page.locator(".yv-tracker__code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", tracker)
    assert_accessible(page)
    ballot = Ballot.objects.get()
    assert (built.ballot_choice(ballot) or "blank") == chosen
    assert Participation.objects.count() == 1

    # The next student: the page shows neither the tracker nor the choice again.
    page.reload()
    assert tracker not in page.content()
    # Back: the confirmation page came from a POST and was not stored (no-store), so the
    # browser refuses to show it from history rather than show the last student's choice.
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.go_back()
    except PlaywrightError as exc:
        assert "ERR_CACHE_MISS" in str(exc)
    page.wait_for_timeout(1000)  # let the browser settle on its own error page
    assert page.locator(".yv-confirm").count() == 0
    page.goto(live_app("/youth-vote/vote/done/"))
    _tab_to(page, "el.textContent && el.textContent.trim() === 'Börja om för nästa person'")
    page.keyboard.press("Enter")
    page.wait_for_url(live_app("/youth-vote/vote/"))
    assert page.locator("#id_code").input_value() == ""
    # The only console errors are the deliberate wrong-code attempt (HTTP 400).
    assert [e for e in page.console_errors if "400 (Bad Request)" not in e] == []


def test_public_election_pages_pass_axe(page, live_app, assert_accessible, open_election, election_admin):
    built = open_election
    slug = built.election.slug
    for path in ("/youth-vote/", f"/youth-vote/{slug}/", f"/youth-vote/{slug}/candidates/", f"/youth-vote/{slug}/seats/", f"/youth-vote/{slug}/results/"):
        page.goto(live_app(path))
        assert page.locator("html").get_attribute("lang") == "sv"
        assert_accessible(page)
    # Vote a little, then close, count and publish, and check the result pages.
    client = Client()
    from tests.youth_vote.conftest import Booth

    booth = Booth(client)
    for school_class in built.classes:
        for voter in built.voters(school_class)[:11]:
            assert booth.vote(built.codes[voter.pk], built.session_code(school_class))[1].status_code == 303
    now = timezone.now()
    Election.objects.filter(pk=built.election.pk).update(closes_at=now - timedelta(minutes=1))
    election = Election.objects.get()
    services.election_tally(election=election, actor=election_admin, shares=built.shares())
    services.election_publish(election=Election.objects.get(), actor=election_admin)
    for path in (f"/youth-vote/{slug}/results/", f"/youth-vote/{slug}/trackers/", f"/youth-vote/{slug}/", "/youth-vote/vote/"):
        page.goto(live_app(path))
        assert_accessible(page)
    page.goto(live_app(f"/youth-vote/{slug}/results/"))
    assert page.locator("svg[role=img]").count() == len(built.districts)
    # Finding a tracker by keyboard.
    from youth_vote.models import Tracker

    tracker = Tracker.objects.first().code
    page.goto(live_app(f"/youth-vote/{slug}/trackers/"))
    _tab_to(page, "el.id === 'tracker'")
    page.keyboard.type(tracker)
    page.keyboard.press("Enter")
    page.wait_for_selector(".message--success")
    assert_accessible(page)


def test_classroom_screen_and_staff_pages(page, live_app, assert_accessible, open_election, contact, election_admin):
    built = open_election
    school_class = built.classes[0]
    session = built.sessions[school_class.pk]
    _login(page, live_app, contact)
    page.goto(live_app("/youth-vote/sessions/"))
    assert_accessible(page)
    page.goto(live_app(f"/youth-vote/sessions/{session.pk}/"))
    assert_accessible(page)
    code = page.locator("[data-field=code]").inner_text()
    assert code == codes.session_code_now(session.secret) or len(code) == 6
    assert "Färre än 10" in page.locator("[data-field=voted_text]").inner_text()
    # Ten votes in the class: the screen's script shows the count without a reload.
    for voter in built.voters(school_class)[:10]:
        services.ballot_cast(
            election=built.election, voter_id=voter.pk, district_id=voter.district_id, choice="blank"
        )
    page.locator("[data-field=voted_text]", has_text="10 av 12 har röstat").wait_for(timeout=12_000)
    assert page.console_errors == []
    page.goto(live_app(f"/youth-vote/classes/{school_class.pk}/codes/"))
    assert_accessible(page)
    page.get_by_role("button", name="Gör koderna och visa arket").click()
    assert page.locator(".yv-slip").count() == 2  # twelve on the roll, ten have voted
    assert_accessible(page)
    page.goto(live_app(f"/youth-vote/schools/{school_class.school.pk}/manual/?q=Elev"))
    assert_accessible(page)

    _login(page, live_app, election_admin)
    slug = built.election.slug
    for path in ("/youth-vote/admin/", f"/youth-vote/admin/{slug}/", f"/youth-vote/admin/{slug}/districts/",
                 f"/youth-vote/admin/{slug}/schools/", f"/youth-vote/admin/{slug}/candidates/",
                 f"/youth-vote/admin/{slug}/roll/"):
        page.goto(live_app(path))
        assert_accessible(page)
