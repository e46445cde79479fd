"""Losing Redis: sign-in, signed-in pages, signing, count.json and the booth keep working,
and they recover when Redis returns (issue 13, item 1; docs/security.md, "Losing Redis").

A private ``redis-server`` on port 6390 is started for the test and killed in the middle.
"""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from democracy.core import cache as core_cache
from proposals.models import Proposal, Signature
from tests.conftest import PASSWORD
from tests.youth_vote.conftest import Booth, built, contact, election_admin  # noqa: F401
from youth_vote.models import Ballot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

PORT = 6390


class PrivateRedis:
    def __init__(self):
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(settings):
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "democracy.core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{PORT}/0",
            "KEY_PREFIX": "delta-test",
        }
    }
    core_cache._down_until = 0.0
    yield server
    server.stop()
    core_cache._down_until = 0.0


def test_without_redis_sign_in_pages_signing_and_count_keep_working(
    client, resident, make_proposal, redis_server, caplog
):
    assert isinstance(caches["default"], core_cache.RedisCache)
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    other = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    # With Redis: sign in, and the account row is cached.
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("proposals:my-proposals")).status_code == 200

    redis_server.stop()
    with caplog.at_level("WARNING", logger="democracy.core.cache"):
        page = client.get(reverse("proposals:my-proposals"))
    assert page.status_code == 200
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)
    signed = client.post(
        reverse("proposals:proposal-sign", args=[proposal.pk]), {"visibility": "anonymous"}
    )
    assert signed.status_code == 302
    assert Signature.objects.filter(proposal=proposal, user=resident).count() == 1
    count = client.get(reverse("proposals:proposal-count", args=[proposal.pk]))
    assert count.status_code == 200
    assert client.get("/healthz").status_code == 503
    # A fresh sign-in without Redis.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("proposals:my-proposals")).status_code == 200

    # Redis returns: no stale pool, things work and use Redis again.
    redis_server.start()
    core_cache._down_until = 0.0
    assert client.get(reverse("proposals:my-proposals")).status_code == 200
    signed = client.post(
        reverse("proposals:proposal-sign", args=[other.pk]), {"visibility": "anonymous"}
    )
    assert signed.status_code == 302
    assert Signature.objects.filter(proposal=other, user=resident).count() == 1
    assert client.get(reverse("proposals:proposal-count", args=[other.pk])).status_code == 200
    assert not core_cache.redis_is_down()
    assert client.get("/healthz").status_code == 200


def test_without_redis_the_booth_casts_and_the_rate_limit_is_local(client, built, redis_server):  # noqa: F811
    booth = Booth(client)
    school_class = built.classes[0]
    voters = built.voters(school_class)
    redis_server.stop()
    _choice, cast = booth.vote(built.codes[voters[0].pk], built.session_code(school_class))
    assert cast.status_code == 303
    assert Ballot.objects.count() == 1
    # Wrong codes are still limited, by the per-process fallback.
    statuses = [
        booth.enter("WRONG-CODE-0000", built.session_code(school_class)).status_code
        for _ in range(40)
    ]
    # A wrong code is a 400; after the limit (10 here) the per-process fallback answers 429.
    assert statuses[0] == 400 and statuses[-1] == 429
    assert set(statuses) == {400, 429}

    redis_server.start()
    core_cache._down_until = 0.0
    client.cookies.clear()
    _choice, cast = Booth(client).vote(built.codes[voters[1].pk], built.session_code(school_class))
    assert cast.status_code == 303
    assert Ballot.objects.count() == 2
