"""Defects of issue 12 found at the end of the election: the result's wording, the elected
youth council in the diary, and turnout while voting runs."""

from datetime import timedelta

import pytest
import time_machine

from democracy.people.models import Membership, Organization
from tests.youth_vote.conftest import Booth, vote_for
from tests.youth_vote.factories import build_election
from youth_vote import services
from youth_vote.models import Election

pytestmark = pytest.mark.django_db


def _after_close(election):
    return time_machine.travel(election.closes_at.timestamp() + 60, tick=False)


def _count_and_publish(election, admin, built):
    services.election_tally(election=election, actor=admin, shares=built.shares())
    services.election_publish(election=Election.objects.get(pk=election.pk), actor=admin)


def test_results_say_how_many_were_elected_not_how_many_seats(client, election_admin, contact):
    # Norr has 3 member seats and 1 substitute seat, but only 2 candidates.
    built = build_election(
        admin=election_admin, contact=contact, members=5, substitutes=2, candidates_per_district=2
    )
    norr = built.election.districts.get(pk=built.districts[0].pk)
    assert (norr.seats_members, norr.seats_substitutes) == (3, 1)
    keys = [str(c.key) for c in built.candidates[norr.pk]]
    booth = Booth(client)
    norr_voters = 0
    for school_class in built.classes:
        for voter in built.voters(school_class):
            if voter.district_id == norr.pk:
                choice = keys[norr_voters % 2]
                norr_voters += 1
            else:
                choice = "blank"
            response = vote_for(
                booth, built.codes[voter.pk], built.session_code(school_class), choice
            )
            assert response.status_code == 303
    assert norr_voters >= 2
    with _after_close(built.election):
        _count_and_publish(built.election, election_admin, built)
        page = client.get(f"/youth-vote/{built.election.slug}/results/").content.decode()
    norr_part = page.split(f'id="d-{norr.slug}"')[1].split("</section>")[0]
    assert "3 ledamöter och 1 ersättare valda här" not in page
    assert "Valda här: 2 av 3 ledamöter och 0 av 1 ersättare." in norr_part
    assert "De andra platserna står tomma" in norr_part


def test_elected_youth_council_shows_on_the_body_page_and_the_students_pages(
    client, election_admin, contact
):
    council = Organization.objects.create(
        name="Ungdomsfullmäktige", slug="ungdomsfullmaktige", classification="youth_council"
    )
    built = build_election(
        admin=election_admin, contact=contact, members=2, substitutes=1, candidates_per_district=3
    )
    booth = Booth(client)
    for school_class in built.classes:
        for voter in built.voters(school_class):
            cast = booth.vote(built.codes[voter.pk], built.session_code(school_class), pick=0)[1]
            assert cast.status_code == 303
    admin = client.__class__()
    admin.force_login(election_admin)
    slug = built.election.slug
    with _after_close(built.election):
        admin.post(f"/youth-vote/admin/{slug}/tally/", built.tally_form())
        admin.post(f"/youth-vote/admin/{slug}/publish/")
        admin.post(f"/youth-vote/admin/{slug}/council/")
        memberships = list(
            Membership.objects.filter(organization=council).select_related("person")
        )
        assert memberships
        # The term begins after voting has closed: the seats are not taken yet.
        start = memberships[0].start_date
        body = client.get("/bodies/ungdomsfullmaktige/").content.decode()
        assert "Valda, tillträder" in body
        for membership in memberships:
            assert membership.person.name in body
            person_page = client.get(membership.person.get_absolute_url())
            assert person_page.status_code == 200
            text = person_page.content.decode()
            assert "Kommande uppdrag" in text
            assert "Ungdomsfullmäktige" in text
            assert "Inga uppdrag just nu" not in text
    # From the first day of the term they are the council's members (no party: a personal
    # vote), on the body page and on their own pages.
    with time_machine.travel(start + timedelta(days=1), tick=False):
        body = client.get("/bodies/ungdomsfullmaktige/").content.decode()
        assert "Valda, tillträder" not in body
        assert "Inga ledamöter" not in body
        for membership in memberships:
            assert membership.person.name in body
            person_page = client.get(membership.person.get_absolute_url())
            assert person_page.status_code == 200
            text = person_page.content.decode()
            assert "Nuvarande uppdrag" in text and "Ungdomsfullmäktige" in text
            assert "Kommande uppdrag" not in text


def test_turnout_follows_the_classroom_rule_on_every_page_while_voting_runs(
    client, election_admin, contact
):
    built = build_election(
        admin=election_admin,
        contact=contact,
        districts=(("Norr", 1000),),
        members=3,
        substitutes=1,
        students_per_class=12,
    )
    school_class = built.classes[0]
    session = built.sessions[school_class.pk]
    booth = Booth(client.__class__())
    for voter in built.voters(school_class)[:11]:
        assert booth.vote(built.codes[voter.pk], built.session_code(school_class))[1].status_code == 303
    slug = built.election.slug

    public = client.get(f"/youth-vote/{slug}/").content.decode()
    assert "11 av 12" not in public
    assert "Minst 10 av 12 har röstat." in public
    staff = client.__class__()
    staff.force_login(contact)
    screen = staff.get(f"/youth-vote/sessions/{session.pk}/status.json").json()
    assert screen["voted_text"] == "Minst 10 av 12 har röstat"
    assert "Minst 10 av 12 har röstat" in staff.get("/youth-vote/sessions/").content.decode()
    staff.force_login(election_admin)
    admin_page = staff.get(f"/youth-vote/admin/{slug}/").content.decode()
    assert "11 av 12" not in admin_page and "Minst 10 av 12 har röstat." in admin_page

    # Once voting has closed the total no longer moves and is shown exactly.
    with _after_close(built.election):
        public = client.get(f"/youth-vote/{slug}/").content.decode()
    assert "11 av 12 har röstat." in public and "Minst" not in public.split("<h2>")[2]


def test_every_election_page_loads_the_election_stylesheet(client, election_admin, contact):
    """The election's navigation, facts and fingerprint are styled by booth.css; a page that
    did not load it showed its tabs as a bullet list and let the fingerprint overflow."""
    built = build_election(admin=election_admin, contact=contact)
    slug = built.election.slug
    school = built.schools[0]
    school_class = built.classes[0]
    district = built.districts[0]
    candidate = built.candidates[district.pk][0]
    public = ["/youth-vote/", f"/youth-vote/{slug}/", f"/youth-vote/{slug}/candidates/",
              f"/youth-vote/{slug}/seats/", f"/youth-vote/{slug}/results/"]
    for path in public:
        assert "youth_vote/booth.css" in client.get(path).content.decode(), path
    client.force_login(election_admin)
    for path in (f"/youth-vote/admin/{slug}/candidates/{candidate.pk}/",
                 f"/youth-vote/admin/{slug}/districts/{district.pk}/",
                 f"/youth-vote/admin/{slug}/schools/{school.pk}/"):
        assert "youth_vote/booth.css" in client.get(path).content.decode(), path
    client.force_login(contact)
    for path in (f"/youth-vote/classes/{school_class.pk}/codes/",
                 f"/youth-vote/classes/{school_class.pk}/reissue/",
                 f"/youth-vote/schools/{school.pk}/manual/"):
        assert "youth_vote/booth.css" in client.get(path).content.decode(), path
    with _after_close(built.election):
        _count_and_publish(built.election, election_admin, built)
        page = client.get(f"/youth-vote/{slug}/trackers/").content.decode()
    assert "youth_vote/booth.css" in page
