"""The youth-council election in easy Swedish states the current election's own rules."""

import pytest
from django.urls import reverse

from tests.youth_vote.factories import build_election

pytestmark = pytest.mark.django_db


def test_the_easy_page_states_the_current_elections_rules(client, election_admin, contact):
    assert (
        "Skolan berättar när det är val"
        in client.get(reverse("youth_vote:easy-read")).content.decode()
    )
    built = build_election(admin=election_admin, contact=contact)
    built.election.voter_min_grade = 7
    built.election.max_age = 17
    built.election.save(update_fields=["voter_min_grade", "max_age"])
    page = client.get(reverse("youth_vote:easy-read")).content.decode()
    assert "Du får rösta om du går i årskurs 7 eller högre." in page
    assert "Du ska också vara yngre än 17 år." in page
