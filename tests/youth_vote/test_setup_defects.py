"""Election set-up defects of issue 12, through the pages and the booth."""

from datetime import date

import pytest
from django.utils import timezone

from democracy.core.models import StaffAlert
from tests.youth_vote.factories import build_election
from youth_vote import services
from youth_vote.models import Candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(election_admin):
    built = build_election(
        admin=election_admin, open_now=False, freeze=False, issue_codes=False, open_sessions=False
    )
    district = built.election.districts.first()
    candidate = services.candidate_create(
        election=built.election,
        district=district,
        actor=election_admin,
        given_name="Väntande",
        family_name="Kandidat",
        grade=7,
        birth_date=date(timezone.now().year - 13, 3, 1),
    )
    return built, candidate


def test_candidate_page_offers_the_decision_as_radio_buttons(client, election_admin, draft):
    built, candidate = draft
    client.force_login(election_admin)
    url = f"/youth-vote/admin/{built.election.slug}/candidates/{candidate.pk}/"
    page = client.get(url).content.decode()
    assert "<option" not in page
    assert page.count('type="radio" name="to"') == 4
    assert f'value="{Candidate.Status.APPROVED}"' in page
    assert "<legend>Vad ska göras</legend>" in page


def test_failed_code_alert_is_one_swedish_sentence(built, booth, client):
    client.get("/youth-vote/vote/")  # gets the device cookie
    for _ in range(11):
        booth.enter("ZZZZ-ZZZZ-ZZZZ-Z", "123456")
    alert = StaffAlert.objects.get(kind="youth_vote.failed_codes")
    assert "per device" not in alert.message and "(per" not in alert.message
    assert alert.message.startswith("Många felaktiga röstkoder har provats från en enhet.")


def test_an_open_election_is_not_listed_under_earlier_elections(client, election_admin):
    build_election(admin=election_admin, slug="val-a", issue_codes=False, open_sessions=False)
    build_election(admin=election_admin, slug="val-b", issue_codes=False, open_sessions=False)
    page = client.get("/youth-vote/").content.decode()
    assert "Tidigare val" not in page
    assert "Andra pågående och kommande val" in page
