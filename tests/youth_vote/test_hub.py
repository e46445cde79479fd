"""The hub section ({% youth_vote_hub %}) and the demo election."""

import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.template import Context, Template

from tests.youth_vote.conftest import Booth
from tests.youth_vote.factories import build_election
from youth_vote import services
from youth_vote.models import Ballot, Election, Voter, VotingSession

pytestmark = pytest.mark.django_db


def render_hub() -> str:
    return Template("{% load youth_vote_hub %}{% youth_vote_hub %}").render(Context({}))


def test_hub_without_an_election_explains_the_election():
    html = render_hub()
    assert "Val till ungdomsfullmäktige" in html
    assert 'href="/youth-vote/"' in html


def test_hub_follows_the_election_through_its_phases(election_admin, contact):
    built = build_election(admin=election_admin, contact=contact, open_now=False, open_sessions=False)
    election = built.election
    assert "Eleverna röstar i klassen från" in render_hub()
    with time_machine.travel(election.opens_at.timestamp() + 60, tick=False):
        html = render_hub()
        assert "Röstningen är öppen till" in html and 'href="/youth-vote/vote/"' in html
    with time_machine.travel(election.closes_at.timestamp() + 60, tick=False):
        assert "Resultatet publiceras när rösterna är räknade" in render_hub()
        services.election_tally(election=election, actor=election_admin, shares=built.shares())
        services.election_publish(election=Election.objects.get(), actor=election_admin)
        html = render_hub()
    assert f'href="/youth-vote/{election.slug}/results/"' in html


def test_drafts_are_not_shown_in_the_hub_or_publicly(election_admin, client):
    built = build_election(admin=election_admin, freeze=False, issue_codes=False, open_sessions=False)
    assert built.election.name not in render_hub()
    assert client.get(f"/youth-vote/{built.election.slug}/").status_code == 404


def test_demo_lets_anyone_vote_within_a_minute(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    election = Election.objects.get(slug="ungdomsval-2026")
    assert election.is_open and election.districts.count() == 5
    assert election.schools.count() >= 3 and election.candidates.filter(status="approved").count() >= 8
    codes_ = re.findall(r"^\s+([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9])\s", text, re.M)
    assert len(codes_) >= 5
    session = VotingSession.objects.get()
    assert f"/youth-vote/sessions/{session.pk}/" in text and session.secret in text
    from youth_vote import codes

    booth = Booth(client)
    _choice, cast = booth.vote(codes_[0], codes.session_code_now(session.secret))
    assert cast.status_code == 303
    # Idempotent: a second run adds nothing and the printed codes stay the same.
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert Election.objects.count() == 1 and Ballot.objects.count() == 1
    assert re.findall(r"^\s+([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9])\s", again.getvalue(), re.M)[1:] == codes_[1:]
    assert "(used)" in again.getvalue()
    call_command("audit_verify", stdout=io.StringIO())


def test_demo_election_is_believable():
    """Issue 12: class names match the school's years (no year-6 class at a gymnasium), ages
    match the years, and every district has more candidates than seats."""
    call_command("seed_demo", stdout=io.StringIO())
    election = Election.objects.get(slug="ungdomsval-2026")
    first_day = services.first_voting_day(election)
    for district in election.districts.all():
        approved = election.candidates.filter(district=district, status="approved").count()
        assert approved > district.seats_members + district.seats_substitutes, district.name
    for voter in Voter.objects.filter(election=election).select_related("school_class__school"):
        school, class_name = voter.school_class.school.name, voter.school_class.name
        if school.endswith("gymnasiet"):
            # Gymnasium years 1-3 are school years 10-12; the class name carries the year.
            assert voter.grade >= 10 and str(voter.grade - 9) in class_name, (school, class_name)
        else:
            assert voter.grade <= 9 and class_name.startswith(str(voter.grade)), (school, class_name)
        # A Swedish child turns 6 + school year in the autumn term's calendar year.
        assert services.age_on(voter.birth_date, first_day) in (5 + voter.grade, 6 + voter.grade)
    school_names = set(election.schools.values_list("name", flat=True))
    for candidate in election.candidates.all():
        assert candidate.school_name in school_names
        assert not candidate.school_name.endswith("gymnasiet") or candidate.grade >= 10
        assert services.age_on(candidate.birth_date, first_day) in (
            5 + candidate.grade,
            6 + candidate.grade,
        )


def test_demo_municipality_has_one_map():
    """Issue 12: the demo's e-proposals and its youth-council election are the same
    municipality, so a resident and a student live in the same districts."""
    from proposals.models import District as ProposalDistrict

    call_command("seed_demo", stdout=io.StringIO())
    election = Election.objects.get(slug="ungdomsval-2026")
    election_districts = set(election.districts.values_list("name", flat=True))
    proposal_districts = set(ProposalDistrict.objects.values_list("name", flat=True))
    assert len(election_districts) >= 4
    assert election_districts == proposal_districts
    # Every district has a school whose students can vote in it, and seats.
    for district in election.districts.all():
        assert district.seats_members >= 1, district.name
        assert election.schools.filter(district=district).exists(), district.name
