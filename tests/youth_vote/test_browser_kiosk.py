"""The booth on a shared classroom device, in a real browser: a kiosk header (no site menu
before the code field) and a thank-you page that warns before it resets and can be given more
time (WCAG 2.2.1, Timing adjustable)."""

import pytest

from tests.youth_vote.factories import build_election

pytestmark = pytest.mark.browser


@pytest.fixture
def open_election(election_admin, contact):
    return build_election(admin=election_admin, contact=contact, students_per_class=12)


def _tab_stops_before(page, element_id: str, limit: int = 40) -> int:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for stops in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return stops - 1
    raise AssertionError(f"Tab never reached #{element_id}")


def test_booth_has_a_kiosk_header_and_an_adjustable_reset(
    page, live_app, assert_accessible, open_election
):
    built = open_election
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    page.clock.install()
    page.goto(live_app("/youth-vote/vote/"))
    # Skip link and the language switch only: the site menu and account links are not there.
    assert page.locator("nav.main-nav").count() == 0
    assert page.locator("a[href='/accounts/login/']").count() == 0
    assert _tab_stops_before(page, "id_code") <= 2

    page.fill("#id_code", built.codes[voter.pk])
    page.keyboard.press("Tab")
    page.keyboard.type(built.session_code(school_class))
    page.keyboard.press("Enter")
    page.wait_for_selector("fieldset.yv-ballot")
    page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Nästa").click()
    page.wait_for_selector(".yv-confirm")
    page.get_by_role("button", name="Ja, rösta").click()
    page.wait_for_url(live_app("/youth-vote/vote/done/"))
    tracker = page.locator(".yv-tracker__code").inner_text().strip()

    countdown = page.locator("[data-reset-text]")
    assert countdown.is_visible()
    assert countdown.inner_text() == "Sidan går tillbaka till början om 60 sekunder."
    assert_accessible(page)

    page.clock.run_for(45_000)
    assert countdown.inner_text() == "Sidan går tillbaka till början om 15 sekunder."
    # Screen readers were told once, at 20 seconds, how to stay.
    assert "Tryck på Mer tid" in page.locator("[data-reset-warning]").inner_text()
    page.get_by_role("button", name="Mer tid").click()
    assert countdown.inner_text() == "Sidan går tillbaka till början om 60 sekunder."
    page.clock.run_for(50_000)
    assert page.url == live_app("/youth-vote/vote/done/")
    assert tracker in page.content()

    page.clock.run_for(11_000)
    page.wait_for_url(live_app("/youth-vote/vote/"))
    assert tracker not in page.content()
