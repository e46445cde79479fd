"""Issue 14 item 3: the ballots are added to encrypted running sums while voting runs.

The worker adds newly cast ballots every minute (``youth_vote.tasks.ballot_sums_fold``), so
closing needs only the trustees' decryption. These tests cast through the booth, fold as the
worker does, and check that the sums are exactly the sums of the stored ballots, that no
ballot is added twice or left out, and that the count is right whatever the worker did.
"""

import random
import threading

import pytest
import time_machine
from django.db import connection, connections
from django_q.models import Schedule

from tests.youth_vote.conftest import vote_randomly
from tests.youth_vote.factories import build_election
from youth_vote import casting, counting, crypto, services, tasks
from youth_vote.models import Ballot, BallotSum, Candidate, CandidateResult, DistrictResult

pytestmark = pytest.mark.django_db


def _expected(chosen):
    votes, ballots = {}, {}
    for district_id, choice in chosen.values():
        ballots[district_id] = ballots.get(district_id, 0) + 1
        if choice != "blank":
            votes[choice] = votes.get(choice, 0) + 1
    return votes, ballots


def _sums_of_stored_ballots(election, district_id):
    options = len(casting.ballot_layout(election).options[district_id])
    stored = Ballot.objects.filter(election=election, district_id=district_id)
    return crypto.ciphertexts_join(
        crypto.ballots_sum([bytes(b.ciphertext) for b in stored], options)
    )


def _count(built, admin):
    with time_machine.travel(built.election.closes_at.timestamp() + 60, tick=False):
        services.election_tally(election=built.election, actor=admin, shares=built.shares())
    votes = {
        str(r.candidate.key): r.votes for r in CandidateResult.objects.select_related("candidate")
    }
    ballots = {r.district_id: r.ballots for r in DistrictResult.objects.all()}
    return votes, ballots


@pytest.fixture
def scenario(election_admin, contact):
    seed = random.SystemRandom().randrange(2**32)
    print(f"running-sums scenario seed: {seed}")
    rng = random.Random(seed)
    built = build_election(
        admin=election_admin,
        contact=contact,
        districts=(("Norr", 600), ("Syd", 400)),
        members=2,
        substitutes=1,
        candidates_per_district=3,
        students_per_class=5,
        rng=rng,
    )
    return built, rng


STALE = "running sums of election"


def test_worker_folds_ballots_as_they_come_and_the_count_matches(scenario, election_admin, caplog):
    built, rng = scenario
    voters = built.voters()
    chosen = {}
    chosen |= vote_randomly(built, voters[:7], rng)
    assert tasks.ballot_sums_fold() == 7
    assert not Ballot.objects.filter(summed=False).exists()
    assert sum(s.ballots for s in BallotSum.objects.all()) == 7
    assert tasks.ballot_sums_fold() == 0  # nothing new: nothing added twice

    # More ballots come in; one fold takes only some of them (the worker's bound).
    chosen |= vote_randomly(built, voters[7:], rng)
    assert counting.ballot_sums_fold(built.election, limit=2) == 2
    assert Ballot.objects.filter(summed=False).count() == len(voters) - 9
    assert tasks.ballot_sums_fold() == len(voters) - 9

    # The running sums are exactly the sums of the stored ballots, district by district.
    for running in BallotSum.objects.all():
        assert running.ballots == Ballot.objects.filter(district=running.district).count()
        assert bytes(running.sums) == _sums_of_stored_ballots(built.election, running.district_id)

    votes, ballots = _count(built, election_admin)
    assert STALE not in caplog.text  # the running sums were used, not made again
    expected_votes, expected_ballots = _expected(chosen)
    for candidate in Candidate.objects.filter(election=built.election):
        assert votes[str(candidate.key)] == expected_votes.get(str(candidate.key), 0)
    assert ballots == expected_ballots


def test_ballots_the_worker_never_saw_are_added_at_the_count(scenario, election_admin, caplog):
    built, rng = scenario
    voters = built.voters()
    chosen = {}
    chosen |= vote_randomly(built, voters[:4], rng)
    tasks.ballot_sums_fold()
    chosen |= vote_randomly(built, voters[4:], rng)  # the worker was down for the rest
    votes, ballots = _count(built, election_admin)
    assert STALE not in caplog.text
    assert (votes_cast := _expected(chosen))[1] == ballots
    assert {k: v for k, v in votes.items() if v} == votes_cast[0]
    assert not Ballot.objects.filter(summed=False).exists()
    decryption = services.Election.objects.get().decryption
    for record in decryption["districts"]:
        running = BallotSum.objects.get(district__slug=record["district"])
        assert record["ballots"] == running.ballots


def test_sums_that_no_longer_match_the_ballots_are_made_again(scenario, election_admin, caplog):
    built, rng = scenario
    voters = built.voters()
    chosen = {}
    chosen |= vote_randomly(built, voters, rng)
    tasks.ballot_sums_fold()
    # A ballot disappears after it was added (a restored backup, a manual repair): the sum
    # still holds it. The count must not decrypt that stale sum.
    gone = Ballot.objects.order_by("?").first()
    gone_choice = built.ballot_choice(gone)
    gone_district = gone.district_id
    Ballot.objects.filter(pk=gone.pk).delete()
    votes, ballots = _count(built, election_admin)
    assert STALE in caplog.text
    expected_votes, expected_ballots = _expected(chosen)
    expected_ballots[gone_district] -= 1
    if gone_choice is not None:
        expected_votes[gone_choice] -= 1
    assert ballots == expected_ballots
    assert {k: v for k, v in votes.items() if v} == {k: v for k, v in expected_votes.items() if v}


def test_the_worker_runs_the_fold_every_minute():
    schedule = Schedule.objects.get(name="youth_vote.ballot_sums")
    assert schedule.func == "youth_vote.tasks.ballot_sums_fold"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"
)
@pytest.mark.django_db(transaction=True)
def test_folds_running_at_once_while_students_vote_add_each_ballot_once(election_admin, contact):
    """Two folds at the same time (the worker's and the count's, or two workers) and casts
    in between: every ballot is in the sums exactly once."""
    built = build_election(
        admin=election_admin, contact=contact, students_per_class=12, rng=random.Random(7)
    )
    voters = built.voters()
    stop = threading.Event()
    folded = []

    def fold_until_stopped():
        try:
            while not stop.is_set():
                folded.append(counting.ballot_sums_fold(built.election, limit=3))
        finally:
            connections.close_all()

    folders = [threading.Thread(target=fold_until_stopped) for _ in range(2)]
    for thread in folders:
        thread.start()
    try:
        chosen = {}
        chosen |= vote_randomly(built, voters, random.Random(8))
    finally:
        stop.set()
        for thread in folders:
            thread.join(timeout=60)
    folded.append(counting.ballot_sums_fold(built.election, limit=None))
    assert sum(folded) == len(voters)
    assert sum(s.ballots for s in BallotSum.objects.all()) == len(voters)
    for running in BallotSum.objects.all():
        assert bytes(running.sums) == _sums_of_stored_ballots(built.election, running.district_id)
