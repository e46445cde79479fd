"""One ballot per voter under concurrent attempts, and all-or-nothing casting.

The concurrency tests need PostgreSQL (real concurrent transactions); they run in the
PostgreSQL pass of CI. The booth's one read before the cast also says whether the student
has voted (for a quick, plain answer); the tests take that answer away, so the unique voter
of the participation table is the only thing left to refuse the second ballot: they exercise
the database constraint itself, from threads and from two worker processes.
"""

import dataclasses
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, connections
from django.test import Client

from tests.youth_vote.conftest import Booth
from youth_vote import booth as booth_module
from youth_vote import services
from youth_vote.models import Ballot, Participation, Tracker

ATTEMPTS = 100
# Threads at once; each holds a database connection, and the PostgreSQL server is shared, so
# the 100 attempts run 25 at a time behind one barrier per wave.
WORKERS = 25


def _without_the_voted_check(monkeypatch):
    """Remove the booth's own "has this student voted?" answer from the cast path, so that
    only the database's unique participation row can refuse the second ballot."""
    real = booth_module.pass_check

    def pass_check(ballot_pass):
        check = real(ballot_pass)
        return None if check is None else dataclasses.replace(check, voted=False)

    monkeypatch.setattr(booth_module, "pass_check", pass_check)


def _prepared_cast(election_admin, contact):
    from tests.youth_vote.factories import build_election

    built = build_election(admin=election_admin, contact=contact)
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    first = Booth(Client())
    entered = first.enter(built.codes[voter.pk], built.session_code(school_class))
    assert entered.status_code == 200
    return first.ballot_pass(entered), first.choices(entered)[0]


def _attempts_in_threads(ballot_pass, choice, attempts):
    barrier = threading.Barrier(min(WORKERS, attempts))

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
        return list(pool.map(attempt, range(attempts)))


def _assert_exactly_one_ballot(statuses):
    assert statuses.count(303) == 1, statuses
    assert statuses.count(409) == ATTEMPTS - 1, statuses
    assert Ballot.objects.count() == 1
    assert Participation.objects.count() == 1
    assert Tracker.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"
)
@pytest.mark.django_db(transaction=True)
def test_one_hundred_concurrent_casts_with_one_code_leave_exactly_one_ballot(
    election_admin, contact, monkeypatch
):
    _without_the_voted_check(monkeypatch)
    ballot_pass, choice = _prepared_cast(election_admin, contact)
    _assert_exactly_one_ballot(_attempts_in_threads(ballot_pass, choice, ATTEMPTS))


def _attempts_in_a_process(args):
    ballot_pass, choice, attempts = args
    return _attempts_in_threads(ballot_pass, choice, attempts)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_casts_from_two_worker_processes_leave_exactly_one_ballot(
    election_admin, contact, monkeypatch
):
    """The same with the attempts spread over two processes, as behind several workers."""
    _without_the_voted_check(monkeypatch)
    ballot_pass, choice = _prepared_cast(election_admin, contact)
    # Forked children must open their own connections, never share the parent's.
    connections.close_all()
    half = ATTEMPTS // 2
    with multiprocessing.get_context("fork").Pool(2) as pool:
        statuses = [
            status
            for part in pool.map(_attempts_in_a_process, [(ballot_pass, choice, half)] * 2)
            for status in part
        ]
    _assert_exactly_one_ballot(statuses)


@contextmanager
def failing_after_insert_into(model):
    """A database trigger that raises right after a row is inserted into ``model``'s table.

    A fault injected in the database itself, so it hits the cast however it writes (ORM
    statements in a transaction, or one statement on PostgreSQL).
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION yv_injected_failure() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'injected failure after the insert'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER yv_injected_failure AFTER INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION yv_injected_failure()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER yv_injected_failure AFTER INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure after the insert'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER yv_injected_failure ON {table}")
                cursor.execute("DROP FUNCTION yv_injected_failure()")
            else:
                cursor.execute("DROP TRIGGER yv_injected_failure")


@pytest.mark.django_db(transaction=True)
def test_failure_after_the_ballot_insert_leaves_neither_ballot_nor_mark(election_admin, contact):
    from tests.youth_vote.factories import build_election

    built = build_election(admin=election_admin, contact=contact)
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    with failing_after_insert_into(Ballot), pytest.raises(DatabaseError, match="injected"):
        services.ballot_cast(
            election=built.election,
            voter_id=voter.pk,
            district_id=voter.district_id,
            choice="blank",
        )
    assert not Ballot.objects.exists()
    assert not Participation.objects.exists()
    assert not Tracker.objects.exists()

    # The student can still vote: the failed attempt did not use the code up.
    booth = Booth(Client())
    _choice, cast = booth.vote(built.codes[voter.pk], built.session_code(school_class))
    assert cast.status_code == 303
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_failure_when_storing_the_tracker_also_rolls_back(election_admin, contact):
    from tests.youth_vote.factories import build_election

    built = build_election(admin=election_admin, contact=contact)
    voter = built.voters(built.classes[0])[0]
    with failing_after_insert_into(Tracker), pytest.raises(DatabaseError, match="injected"):
        services.ballot_cast(
            election=built.election,
            voter_id=voter.pk,
            district_id=voter.district_id,
            choice="blank",
        )
    assert (Ballot.objects.count(), Participation.objects.count()) == (0, 0)
