"""One ballot per voter under concurrent attempts, and all-or-nothing casting.

The concurrency test needs PostgreSQL (real concurrent transactions); it runs in the
PostgreSQL pass of CI. The cast path has no application-level "has voted?" check at all:
the unique voter of the participation table is the only thing that refuses the second
ballot, so these tests exercise the database constraint itself.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from tests.youth_vote.conftest import Booth
from youth_vote import services
from youth_vote.models import Ballot, Participation, Tracker

ATTEMPTS = 100
# Threads at once; each holds a database connection, and the PostgreSQL server is shared, so
# the 100 attempts run 25 at a time behind one barrier per wave.
WORKERS = 25


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency")
@pytest.mark.django_db(transaction=True)
def test_one_hundred_concurrent_casts_with_one_code_leave_exactly_one_ballot(election_admin, contact):
    from tests.youth_vote.factories import build_election

    built = build_election(admin=election_admin, contact=contact)
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    first = Booth(Client())
    entered = first.enter(built.codes[voter.pk], built.session_code(school_class))
    assert entered.status_code == 200
    ballot_pass = first.ballot_pass(entered)
    choice = first.choices(entered)[0]

    barrier = threading.Barrier(WORKERS)

    def attempt(_n):
        try:
            barrier.wait(timeout=30)
            response = Client().post(
                "/youth-vote/vote/cast/", {"ballot_pass": ballot_pass, "choice": choice}
            )
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(attempt, range(ATTEMPTS)))

    assert statuses.count(303) == 1, statuses
    assert statuses.count(409) == ATTEMPTS - 1, statuses
    assert Ballot.objects.count() == 1
    assert Participation.objects.count() == 1
    assert Tracker.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_failure_after_the_ballot_insert_leaves_neither_ballot_nor_mark(
    election_admin, contact, monkeypatch
):
    from tests.youth_vote.factories import build_election

    built = build_election(admin=election_admin, contact=contact)
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    stored = []
    real_create = Ballot.objects.create

    def create_then_fail(**kwargs):
        stored.append(real_create(**kwargs))  # the ballot row is inserted …
        raise RuntimeError("injected failure after the ballot insert")  # … then it fails

    monkeypatch.setattr(Ballot.objects, "create", create_then_fail)
    with pytest.raises(RuntimeError):
        services.ballot_cast(
            election=built.election, voter_id=voter.pk, district_id=voter.district_id, choice="blank"
        )
    assert len(stored) == 1
    assert not Ballot.objects.exists()
    assert not Participation.objects.exists()
    assert not Tracker.objects.exists()

    monkeypatch.undo()
    # The student can still vote: the failed attempt did not use the code up.
    booth = Booth(Client())
    _choice, cast = booth.vote(built.codes[voter.pk], built.session_code(school_class))
    assert cast.status_code == 303
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_failure_when_storing_the_tracker_also_rolls_back(election_admin, contact, monkeypatch):
    from tests.youth_vote.factories import build_election

    built = build_election(admin=election_admin, contact=contact)
    voter = built.voters(built.classes[0])[0]

    def broken(**kwargs):
        raise RuntimeError("tracker store down")

    monkeypatch.setattr(services, "_tracker_store", broken)
    with pytest.raises(RuntimeError):
        services.ballot_cast(
            election=built.election, voter_id=voter.pk, district_id=voter.district_id, choice="blank"
        )
    assert (Ballot.objects.count(), Participation.objects.count()) == (0, 0)
