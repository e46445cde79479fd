"""Signing under concurrency, on PostgreSQL, through the HTTP interface from many threads.

- 50 parallel sign requests by one person leave exactly one signature (the database's unique
  constraint, not a read-then-write check, decides);
- 200 people signing one proposal in parallel leave exactly 200 signatures, a count of 200
  after aggregation, and exactly one referral (one case in the diary).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from democracy.diary.models import Case
from proposals import tasks
from proposals.models import Proposal, ProposalCount, Signature

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

# Threads at once: enough to contend, few enough to share the server with other test runs.
WORKERS = 8


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _sign_as(cookie: str, url: str, barrier: threading.Barrier | None = None) -> int:
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        return client.post(url, {"visibility": "anonymous"}).status_code
    finally:
        connections.close_all()


def test_fifty_parallel_signatures_by_one_person_leave_one(make_proposal, resident, settings):
    settings.PROPOSALS_SIGN_RATE_USER = "1000/m"
    settings.PROPOSALS_SIGN_RATE_IP = "1000/m"
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    url = reverse("proposals:proposal-sign", args=[proposal.pk])
    cookie = _session_cookie(resident)
    barrier = threading.Barrier(WORKERS)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        codes = list(
            pool.map(lambda _i: _sign_as(cookie, url, barrier if _i < WORKERS else None), range(50))
        )
    assert codes == [302] * 50
    assert Signature.objects.filter(proposal=proposal).count() == 1
    tasks.refresh_signature_count(proposal.pk)
    assert ProposalCount.objects.get(proposal=proposal).total == 1


def test_two_hundred_people_in_parallel_give_exactly_two_hundred(
    make_proposal, make_user, settings
):
    settings.PROPOSALS_SIGN_RATE_IP = "10000/m"
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=200)
    url = reverse("proposals:proposal-sign", args=[proposal.pk])
    cookies = [_session_cookie(make_user()) for _ in range(200)]
    barrier = threading.Barrier(WORKERS)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        codes = list(
            pool.map(
                lambda pair: _sign_as(pair[1], url, barrier if pair[0] < WORKERS else None),
                enumerate(cookies),
            )
        )
    assert codes == [302] * 200
    assert Signature.objects.filter(proposal=proposal).count() == 200
    tasks.refresh_signature_count(proposal.pk)  # the aggregation (idempotent)
    assert ProposalCount.objects.get(proposal=proposal).total == 200
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REFERRED
    assert Case.objects.filter(proposals=proposal).count() == 1
    assert Case.objects.count() == 1
