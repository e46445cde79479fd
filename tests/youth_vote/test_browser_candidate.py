"""An election administrator approves a candidate in a real browser, by clicking."""

from datetime import date

import pytest
from django.utils import timezone

from tests.youth_vote.factories import build_election
from youth_vote import services
from youth_vote.models import Candidate

pytestmark = pytest.mark.browser


def test_admin_approves_a_candidate_by_clicking(
    page, live_app, login_as, assert_accessible, election_admin
):
    built = build_election(
        admin=election_admin, open_now=False, freeze=False, issue_codes=False, open_sessions=False
    )
    candidate = services.candidate_create(
        election=built.election,
        district=built.election.districts.first(),
        actor=election_admin,
        given_name="Väntande",
        family_name="Kandidat",
        grade=7,
        birth_date=date(timezone.now().year - 13, 3, 1),
    )
    login_as(election_admin)
    page.goto(live_app(f"/youth-vote/admin/{built.election.slug}/candidates/{candidate.pk}/"))
    assert_accessible(page)
    page.get_by_role("group", name="Vad ska göras").get_by_role("radio", name="Godkänn").check()
    page.get_by_role("button", name="Spara beslutet").click()
    page.wait_for_selector(".message--success")
    assert "Godkänd" in page.locator("dl.facts").inner_text()
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPROVED
    assert page.console_errors == []
