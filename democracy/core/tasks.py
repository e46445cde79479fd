"""Background tasks of the shared core."""

from democracy.core import services
from democracy.core.mail import delivery_connection


def deliver_email(message) -> int:
    """Deliver one queued e-mail with the real backend.

    Not idempotent by nature (a retry after a partial SMTP failure may send twice); django-q2
    retries only tasks that failed, and an SMTP failure raises before anything is sent.
    """
    with delivery_connection() as connection:
        return connection.send_messages([message])


def worker_heartbeat() -> None:
    """Record that the worker is alive; scheduled every minute. Idempotent."""
    services.worker_heartbeat_record()


def audit_checkpoint() -> str:
    """Daily: record the audit head outside the database (see the service). Idempotent in
    effect: a second line with the same head adds nothing to check against."""
    return services.audit_checkpoint_record()
