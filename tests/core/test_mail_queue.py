"""Mail and durable tasks on the database broker (decision 79): a delivery task that runs twice
sends once, a failed send can be retried, a task queued with a change rolls back with it.

The killed-worker run itself is ``tests/proposals/test_worker_killed.py`` (PostgreSQL).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.timezone import now as timezone_now
from django_q.conf import Conf
from django_q.models import OrmQ

from democracy.core import services, tasks
from democracy.core.mail import QueuedEmailBackend, message_id
from democracy.core.models import SentMail
from democracy.core.queue import queue_with_change

pytestmark = pytest.mark.django_db


def _message():
    return EmailMessage("Ämne", "Text", "noreply@example.org", ["person@example.org"])


def test_a_delivery_task_run_twice_sends_the_mail_once():
    message = _message()
    assert tasks.deliver_email(message) == 1
    assert tasks.deliver_email(message) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id(message)
    assert SentMail.objects.filter(message_id=message_id(message)).count() == 1


def test_the_queue_gives_each_message_its_message_id_once(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    message = _message()
    QueuedEmailBackend().send_messages([message])
    given = message.extra_headers["Message-ID"]
    # The message the worker gets carries the id the queue gave it, and keeps it.
    queued = OrmQ.objects.get().task["args"][0]
    assert message_id(queued) == given
    assert queued.message()["Message-ID"] == given


def test_a_failed_send_leaves_no_record_so_a_retry_sends(settings):
    settings.DELTA_EMAIL_DELIVERY_BACKEND = "tests.core.test_mail_queue.FailingBackend"
    message = _message()
    with pytest.raises(ConnectionRefusedError):
        tasks.deliver_email(message)
    assert not SentMail.objects.exists()
    settings.DELTA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.deliver_email(message) == 1
    assert len(mail.outbox) == 1


def test_old_records_of_sent_mail_are_pruned():
    old = SentMail.objects.create(message_id="<old@example.org>")
    SentMail.objects.filter(pk=old.pk).update(
        sent_at=timezone_now() - services.SENT_MAIL_KEEP - timedelta(minutes=1)
    )
    recent = SentMail.objects.create(message_id="<recent@example.org>")
    assert tasks.sent_mail_prune() == 1
    assert list(SentMail.objects.all()) == [recent]


def test_a_task_queued_with_a_change_rolls_back_with_it(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_with_change("democracy.core.tasks.worker_heartbeat", group="test")
        assert OrmQ.objects.count() == 1  # a row in the transaction, not after it
        raise RuntimeError("the change fails")
    assert OrmQ.objects.count() == 0
    with transaction.atomic():
        queue_with_change("democracy.core.tasks.worker_heartbeat", group="test")
    assert OrmQ.objects.get().task["func"] == "democracy.core.tasks.worker_heartbeat"


class FailingBackend:
    """A mail server that refuses the connection."""

    def __init__(self, **kwargs):
        pass

    def __enter__(self):
        raise ConnectionRefusedError("mail server down")

    def __exit__(self, *exc):
        return False
