"""Killing the worker mid-run loses no notification and sends none twice (issue 13, item 2).

A real django-q2 cluster (``manage.py qcluster``, its own process group, the project's broker
configuration) delivers the referral mail of a proposal to its proposer and 200 signers who
asked for updates. When some of the mail has gone out, the whole cluster is killed with
SIGKILL, as the kernel's OOM killer or a lost machine would; then a new cluster is started.
Every mail must arrive exactly once: none lost with the killed cluster, none sent again by the
new one. With the Redis broker (main before decision 79), the tasks the killed cluster had
taken were gone for good.
"""

import email
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.timezone import now as timezone_now
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Schedule

from democracy.core.processes import stop_process_group
from proposals import tasks
from proposals.models import Notification, Proposal, Signature

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the worker processes share PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
SIGNERS = 150
SEPARATOR = "-" * 79


def _cluster(env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _delivered(mail_dir: Path) -> list[tuple[str, str]]:
    """(recipient, Message-ID) of every message in the file backend's files."""
    found = []
    for path in mail_dir.iterdir():
        for chunk in path.read_text().split("\n" + SEPARATOR + "\n"):
            if chunk.strip():
                message = email.message_from_string(chunk)
                found.append((message["To"], message["Message-ID"]))
    return found


def _settled(mail_dir: Path, broker, expected: int, limit: float) -> None:
    """Wait until every mail is there, or nothing is queued or taken and nothing has arrived
    for three seconds, or ``limit`` seconds have passed."""
    end = time.monotonic() + limit
    last, last_change = -1, time.monotonic()
    while time.monotonic() < end:
        count = len(_delivered(mail_dir))
        if count != last:
            last, last_change = count, time.monotonic()
        if count >= expected:
            time.sleep(1)  # a mail sent twice would arrive now
            return
        idle = not broker.queue_size() and not (broker.lock_size() or 0)
        if idle and time.monotonic() - last_change > 3:
            return
        time.sleep(0.5)


def test_killing_the_worker_mid_run_loses_and_repeats_no_mail(make_proposal, tmp_path, monkeypatch):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=SIGNERS)
    User = get_user_model()
    signers = User.objects.bulk_create(
        User(email=f"signer{i}@example.org", name=f"Signer {i}") for i in range(SIGNERS)
    )
    Signature.objects.bulk_create(
        Signature(proposal=proposal, user=user, notify=True, created_at=timezone_now())
        for user in signers
    )
    expected = sorted([proposal.proposer.email] + [user.email for user in signers])
    # The cluster runs only this test's tasks, not the schedules the migrations add.
    Schedule.objects.all().delete()
    broker = get_broker()
    broker.purge_queue()

    # Tasks go to the broker from here on, as in a web process.
    monkeypatch.setattr(Conf, "SYNC", False)
    # The recount refers the proposal (threshold reached), which queues the referral mail:
    # one task that queues one delivery task per person.
    tasks.refresh_signature_count(proposal.pk)
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.REFERRED

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # The cluster works on this test's database (pytest-django's test_<name>).
    database = django_settings.DATABASES["default"]
    login = quote(database["USER"]) + (
        f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
    )
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.support.worker_settings",
        DELTA_TEST_MAIL_DIR=str(mail_dir),
        DATABASE_URL=(
            f"postgres://{login}@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/"
            f"{quote(database['NAME'])}"
        ),
    )
    first = _cluster(env)
    second = None
    try:
        end = time.monotonic() + 30
        while len(_delivered(mail_dir)) < 30 and time.monotonic() < end:
            time.sleep(0.01)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = len(_delivered(mail_dir))
        assert 30 <= at_kill < len(expected), f"{at_kill} mails when the cluster was killed"

        second = _cluster(env)
        _settled(mail_dir, broker, len(expected), limit=40)
    finally:
        for cluster in (first, second):
            if cluster is not None:
                stop_process_group(cluster)
        broker.purge_queue()

    delivered = _delivered(mail_dir)
    recipients = sorted(to for to, _id in delivered)
    missing = sorted(set(expected) - set(recipients))
    twice = sorted({to for to in recipients if recipients.count(to) > 1})
    assert not missing, f"{len(missing)} of {len(expected)} mails lost, e.g. {missing[:3]}"
    assert not twice, f"{len(twice)} people got the mail twice, e.g. {twice[:3]}"
    assert recipients == expected
    assert Notification.objects.filter(proposal=proposal, event="referred").count() == len(
        expected
    )
