"""Ballot secrecy by design: the tables themselves, their order, and what reaches logs."""

import logging
import random
from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from democracy.core.models import AuditEntry, StaffAlert
from youth_vote import casting, crypto, services
from youth_vote.models import Ballot, Election, Participation, Tracker, Voter

pytestmark = pytest.mark.django_db

IDENTITY_MODELS = {
    "accounts.user",
    "youth_vote.voter",
    "youth_vote.votingsession",
    "youth_vote.participation",
    "youth_vote.tracker",
}


@pytest.mark.parametrize("model", [Ballot, Tracker])
def test_ballot_side_tables_hold_no_identity_no_time_and_random_keys(model):
    fields = model._meta.get_fields()
    for field in fields:
        # No time at all (not even a date: nothing orders ballots in time).
        assert not isinstance(field, models.DateTimeField | models.DateField | models.TimeField), (
            field
        )
        assert not isinstance(field, models.GenericIPAddressField), field
        assert not isinstance(field, models.AutoField | models.BigAutoField), field
        if field.is_relation and field.related_model is not None:
            assert field.related_model._meta.label_lower not in IDENTITY_MODELS, field
        name = getattr(field, "name", "")
        for word in ("voter", "user", "session", "device", "ip", "agent", "time", "created"):
            assert word not in name.split("_"), field
    pk = model._meta.pk
    assert isinstance(pk, models.UUIDField)
    assert pk.default().version == 4


def test_ballot_fields_are_exactly_key_election_district_and_ciphertext():
    """No plaintext choice is stored: the choice exists only as a ciphertext."""
    names = {f.name for f in Ballot._meta.concrete_fields}
    # ``summed`` says only whether the worker has added the ballot to its district's sum.
    assert names == {"id", "election", "district", "ciphertext", "summed"}


def test_participation_records_only_that_a_voter_took_part():
    names = {f.name for f in Participation._meta.concrete_fields}
    assert names == {"id", "election", "voter"}
    assert Participation._meta.get_field("voter").unique  # one mark per voter, in the database
    assert isinstance(Participation._meta.pk, models.UUIDField)


def _spearman(xs, ys) -> float:
    def ranks(values):
        order = sorted(range(len(values)), key=lambda i: values[i])
        result = [0] * len(values)
        for rank, index in enumerate(order):
            result[index] = rank
        return result

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    d2 = sum((a - b) ** 2 for a, b in zip(rx, ry, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_insertion_order_does_not_show_in_any_ordering(election_admin, contact):
    """1,000 casts in a known order: no ordering of ballots, participations or trackers
    correlates with it (|Spearman rho| < 0.15; expected noise is about 0.03)."""
    from tests.youth_vote.factories import build_election

    built = build_election(
        admin=election_admin,
        contact=contact,
        districts=(("Norr", 1000),),
        candidates_per_district=1,
        students_per_class=1000,
        issue_codes=False,
        open_sessions=False,
    )
    election = built.election
    district = built.districts[0]
    voters = list(Voter.objects.filter(election=election))
    random.Random(7).shuffle(voters)
    # The order rows were written in, read from the tables after each cast (the cast path may
    # write with one SQL statement, so model signals would not see it).
    inserted = {Ballot: [], Participation: [], Tracker: []}
    for voter in voters:
        services.ballot_cast(
            election=election, voter_id=voter.pk, district_id=district.pk, choice="blank"
        )
        for model, keys in inserted.items():
            new = set(model.objects.values_list("pk", flat=True)) - set(keys)
            assert len(new) == 1
            keys.append(new.pop())
    assert all(len(keys) == len(voters) for keys in inserted.values())
    for model, querysets in (
        (Ballot, [Ballot.objects.all(), Ballot.objects.order_by("pk")]),
        (Participation, [Participation.objects.all(), Participation.objects.order_by("pk")]),
        (Tracker, [Tracker.objects.all(), Tracker.objects.order_by("code")]),
    ):
        position = {pk: i for i, pk in enumerate(inserted[model])}
        for queryset in querysets:
            listed = [position[pk] for pk in queryset.values_list("pk", flat=True)]
            rho = _spearman(listed, list(range(len(listed))))
            assert abs(rho) < 0.15, (model.__name__, rho)


def test_no_choice_reaches_logs_audit_alerts_or_tasks(built, booth, caplog, contact, monkeypatch):
    """Run a small election with every log at DEBUG: no candidate key or ballot key appears
    anywhere next to a voter, code or session, and ballots are never audit-logged."""
    from django_q import tasks as q_tasks

    queued = []
    original = q_tasks.async_task

    def spy(*args, **kwargs):
        queued.append(repr(args) + repr(kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(q_tasks, "async_task", spy)
    caplog.set_level(logging.DEBUG)
    school_class = built.classes[0]
    for voter in built.voters(school_class)[:4]:
        _choice, cast = booth.vote(built.codes[voter.pk], built.session_code(school_class))
        assert cast.status_code == 303
    manual_voter = built.voters(built.classes[1])[0]
    services.manual_ballot_record(voter=manual_voter, choice="blank", actor=contact)

    secrets_ = {str(c.key) for group in built.candidates.values() for c in group}
    secrets_ |= {str(pk) for pk in Ballot.objects.values_list("pk", flat=True)}
    secrets_ |= {str(c.pk) for group in built.candidates.values() for c in group if False}
    haystacks = [record.getMessage() for record in caplog.records]
    haystacks += queued
    haystacks += [
        repr((a.action, a.target_type, a.target_id, a.target_label, a.reason, a.data))
        for a in AuditEntry.objects.all()
    ]
    haystacks += [repr((s.message, s.data)) for s in StaffAlert.objects.all()]
    for text in haystacks:
        for secret in secrets_:
            assert secret not in text, text
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert "youth_vote.ballot.manual" in actions
    manual = AuditEntry.objects.get(action="youth_vote.ballot.manual")
    assert str(manual_voter.pk) not in repr(manual.data) + manual.target_id + manual.target_label
    assert not any("cast" in action for action in actions)


def test_no_per_candidate_count_exists_before_the_count(built, booth, client, election_admin):
    from youth_vote.models import CandidateResult, DistrictResult

    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    booth.vote(built.codes[voter.pk], built.session_code(school_class))
    assert not CandidateResult.objects.exists() and not DistrictResult.objects.exists()
    slug = built.election.slug
    for path in (
        f"/youth-vote/{slug}/results/",
        f"/youth-vote/{slug}/export.json",
        f"/youth-vote/{slug}/trackers/",
    ):
        assert client.get(path).status_code == 403
    client.force_login(election_admin)
    assert client.get(f"/youth-vote/{slug}/results/").status_code == 403
    assert client.get(f"/youth-vote/admin/{slug}/results/").status_code == 404
    assert client.post(f"/youth-vote/admin/{slug}/tally/", built.tally_form()).status_code == 302
    assert not CandidateResult.objects.exists()


def test_staff_pages_never_show_who_voted_for_whom(built, booth, client, election_admin, contact):
    school_class = built.classes[0]
    voters = built.voters(school_class)
    target = built.candidates[voters[0].district_id][0]
    from tests.youth_vote.conftest import vote_for

    vote_for(booth, built.codes[voters[0].pk], built.session_code(school_class), str(target.key))
    slug = built.election.slug
    admin_pages = [
        f"/youth-vote/admin/{slug}/{p}"
        for p in ("", "districts/", "schools/", "candidates/", "roll/")
    ]
    contact_pages = [
        "/youth-vote/sessions/",
        f"/youth-vote/sessions/{built.sessions[school_class.pk].pk}/",
        f"/youth-vote/sessions/{built.sessions[school_class.pk].pk}/status.json",
        f"/youth-vote/schools/{school_class.school.pk}/manual/?q=Elev",
        f"/youth-vote/classes/{school_class.pk}/reissue/",
    ]
    for user, pages in ((election_admin, admin_pages), (contact, contact_pages)):
        client.force_login(user)
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            for ballot in Ballot.objects.all():
                assert str(ballot.pk) not in html
            if user == contact:
                # Contact persons never see candidates next to their students.
                assert target.name not in html, path
            else:
                # Administrators see candidates but never a student, so never who voted.
                assert voters[0].family_name not in html and str(voters[0].pk) not in html, path


def test_contact_person_sees_only_their_schools(built, client, make_user):
    from democracy.core.roles import Role

    other = make_user(roles=[Role.SCHOOL_CONTACT], totp=True)
    client.force_login(other)
    page = client.get("/youth-vote/sessions/")
    assert page.status_code == 200
    for school in built.schools:
        assert school.name not in page.content.decode()
    school_class = built.classes[0]
    session = built.sessions[school_class.pk]
    for path in (
        f"/youth-vote/sessions/{session.pk}/",
        f"/youth-vote/sessions/{session.pk}/status.json",
        f"/youth-vote/classes/{school_class.pk}/codes/",
        f"/youth-vote/classes/{school_class.pk}/reissue/",
        f"/youth-vote/schools/{school_class.school.pk}/manual/",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.post(f"/youth-vote/sessions/open/{school_class.pk}/", {"minutes": 30}).status_code
        == 404
    )
    assert client.post(f"/youth-vote/classes/{school_class.pk}/codes/").status_code == 404


def test_turnout_for_a_class_is_a_count_suppressed_below_ten(built, booth, client, contact):
    school_class = built.classes[0]
    session = built.sessions[school_class.pk]
    client.force_login(contact)
    status = client.get(f"/youth-vote/sessions/{session.pk}/status.json").json()
    assert status["voted"] is None and status["voted_text"].startswith("Färre än 10")
    assert status["code"] == built.session_code(school_class)
    assert set(status) == {
        "open",
        "code",
        "voted",
        "eligible",
        "seconds_left",
        "code_seconds_left",
        "voted_text",
    }


def test_election_window_phase_follows_the_clock(built):
    election = built.election
    assert election.phase_at(election.opens_at - timedelta(seconds=1)) == "upcoming"
    assert election.phase_at(election.opens_at) == "open"
    assert election.phase_at(election.closes_at - timedelta(seconds=1)) == "open"
    assert election.phase_at(election.closes_at) == "closed"
    assert timezone.now() < election.closes_at


def test_contact_person_search_ignores_nul_characters(built, client, contact):
    school = built.schools[0]
    client.force_login(contact)
    response = client.get(f"/youth-vote/schools/{school.pk}/manual/", {"q": "\x00Elev1"})
    assert response.status_code == 200
    assert [v.given_name for v in response.context["voters"]] == ["Elev1"]


def _stored_order(model, column):
    """``column`` of ``model``'s rows in the order they lie in the table's storage."""
    from django.db import connection

    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} ORDER BY {position}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_purge_leaves_no_cast_order_in_the_stored_ballots_and_trackers(election_admin, contact):
    """Ballots and trackers are stored in cast order while voting runs (one write per cast);
    after the purge their stored order tells nothing about it, so a student's tracker cannot
    be lined up with a ballot by position."""
    from tests.youth_vote.factories import build_election

    built = build_election(
        admin=election_admin, contact=contact, issue_codes=False, open_sessions=False
    )
    election = built.election
    district = built.districts[0]
    layout = casting.ballot_layout(election)
    options = len(layout.options[district.pk])
    n = 200
    for index in range(n):
        ciphertext = crypto.ballot_encrypt(layout.public_key, options=options, chosen=index % 2)
        Ballot.objects.create(election=election, district=district, ciphertext=ciphertext)
        Tracker.objects.create(election=election, code=f"T{index:04d}")
    before = [bytes(c) for c in _stored_order(Ballot, "ciphertext")]
    cast_order = {ciphertext: index for index, ciphertext in enumerate(before)}
    assert [cast_order[c] for c in before] == list(range(n))  # stored in cast order
    Election.objects.filter(pk=election.pk).update(status=Election.Status.PUBLISHED)
    election.refresh_from_db()
    services.election_purge(election=election, actor=election_admin)
    ballots = [bytes(c) for c in _stored_order(Ballot, "ciphertext")]
    trackers = _stored_order(Tracker, "code")
    assert sorted(ballots) == sorted(before) and len(trackers) == n
    # Spearman's rho of stored position against cast position: 1 before, about 0 ± 0.07 after.
    assert abs(_spearman([cast_order[c] for c in ballots], list(range(n)))) < 0.35
    assert abs(_spearman([int(code[1:]) for code in trackers], list(range(n)))) < 0.35


def test_contact_person_cannot_act_on_another_schools_classes_or_sessions(
    built, client, make_user, election_admin
):
    """Two schools, one contact person each: every page and action for the other school's
    classes, sessions and students is "not found", and nothing changes."""
    from democracy.core.roles import Role
    from youth_vote.models import VotingSession

    mine, theirs = built.schools
    own = make_user(email="egen@example.org", roles=[Role.SCHOOL_CONTACT], totp=True)
    services.school_set_contacts(school=mine, users=[own], actor=election_admin)
    their_class = next(c for c in built.classes if c.school_id == theirs.pk)
    their_session = built.sessions[their_class.pk]
    their_voter = built.voters(their_class)[0]
    client.force_login(own)
    page = client.get("/youth-vote/sessions/").content.decode()
    assert mine.name in page and theirs.name not in page
    assert their_session.secret not in page
    hash_before = Voter.objects.get(pk=their_voter.pk).code_hash
    for path, data in (
        (f"/youth-vote/sessions/{their_session.pk}/end/", {}),
        (f"/youth-vote/sessions/open/{their_class.pk}/", {"minutes": 30}),
        (f"/youth-vote/classes/{their_class.pk}/codes/", {}),
        (f"/youth-vote/classes/{their_class.pk}/reissue/", {"voter": their_voter.pk}),
        (f"/youth-vote/schools/{theirs.pk}/manual/", {"voter": their_voter.pk, "choice": "blank"}),
        (f"/youth-vote/schools/{mine.pk}/manual/", {"voter": their_voter.pk, "choice": "blank"}),
        (
            f"/youth-vote/classes/{next(c for c in built.classes if c.school_id == mine.pk).pk}/reissue/",
            {"voter": their_voter.pk},
        ),
    ):
        assert client.post(path, data).status_code == 404, path
    assert client.get(f"/youth-vote/sessions/{their_session.pk}/status.json").status_code == 404
    assert (
        client.get(f"/youth-vote/schools/{mine.pk}/manual/?voter={their_voter.pk}").status_code
        == 404
    )
    their_session.refresh_from_db()
    assert their_session.ended_early_at is None
    assert VotingSession.objects.filter(school_class=their_class).count() == 1
    assert Voter.objects.get(pk=their_voter.pk).code_hash == hash_before
    assert not Participation.objects.exists() and not Ballot.objects.exists()


def test_live_turnout_moves_in_steps_so_a_rise_does_not_point_at_a_student(
    election_admin, contact, client
):
    """Requirement 10: the classroom screen's count is batched. From ten votes it shows a
    multiple of five ("at least"), so the vote of the student who just left the booth does
    not show as the number going up by one."""
    from tests.youth_vote.conftest import Booth
    from tests.youth_vote.factories import build_election

    built = build_election(admin=election_admin, contact=contact, students_per_class=16)
    school_class = built.classes[0]
    session = built.sessions[school_class.pk]
    voters = [v for v in school_class.voters.all() if v.pk in built.codes]
    booth, screen = Booth(client_class_for(client)), client
    screen.force_login(contact)

    def shown():
        status = screen.get(f"/youth-vote/sessions/{session.pk}/status.json").json()
        return status["voted"], status["voted_text"]

    seen = []
    for voter in voters[:15]:
        _choice, cast = booth.vote(built.codes[voter.pk], built.session_code(school_class))
        assert cast.status_code == 303
        seen.append(shown()[0])
    assert seen == [None] * 9 + [10] * 5 + [15]
    assert shown()[1] == "Minst 15 av 16 har röstat"
    sessions_page = screen.get("/youth-vote/sessions/").content.decode()
    assert "Valdeltagande: Minst 15 av 16 har röstat." in sessions_page


def client_class_for(client):
    """A second browser: the booth is a shared classroom device, not the teacher's."""
    from django.test import Client

    return Client()
