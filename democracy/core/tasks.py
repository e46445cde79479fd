"""Background tasks of the shared core."""

from django.db import IntegrityError, transaction

from democracy.core import services
from democracy.core.mail import delivery_connection, message_id
from democracy.core.models import SentMail


def deliver_email(message) -> int:
    """Deliver one queued e-mail with the real backend, once per Message-ID.

    The task can run twice: the broker hands it out again when the worker that took it was
    killed before it finished. The ``SentMail`` row is inserted before sending and committed
    after it, in one transaction, so a second run finds it and sends nothing, and a failed send
    (which raises) leaves no row. Only a worker killed between the mail server's acceptance and
    the commit sends the mail again, with the same Message-ID, which mail systems recognise.
    """
    try:
        with transaction.atomic():
            SentMail.objects.create(message_id=message_id(message))
            with delivery_connection() as connection:
                return connection.send_messages([message])
    except IntegrityError:  # sent by an earlier run of this task
        return 0


def worker_heartbeat() -> None:
    """Record that the worker is alive; scheduled every minute. Idempotent."""
    services.worker_heartbeat_record()


def audit_checkpoint() -> str:
    """Daily: record the audit head outside the database (see the service). Idempotent in
    effect: a second line with the same head adds nothing to check against."""
    return services.audit_checkpoint_record()


def sent_mail_prune() -> int:
    """Daily: forget the Message-IDs of mail sent long ago. Idempotent."""
    return services.sent_mail_prune()
