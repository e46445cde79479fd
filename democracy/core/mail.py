"""E-mail goes through the task queue, never out of a request.

``QueuedEmailBackend`` is Django's ``EMAIL_BACKEND``: it hands each message to django-q2, and
the worker delivers it with ``DELTA_EMAIL_DELIVERY_BACKEND`` (SMTP, or the console in
development). The broker is the database (decision 79), so the queued task is a row in the same
transaction as the change that caused the mail: a rolled-back change sends nothing, and a
committed one is delivered even if the worker is killed. Each message gets its Message-ID
here, once: the delivery task records it when it sends (``core.models.SentMail``), so a task
handed out again after a killed worker does not send the mail twice.
"""

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import DNS_NAME, make_msgid
from django_q.tasks import async_task


def message_id(message) -> str:
    """The message's Message-ID header, given one if it had none."""
    for name, value in message.extra_headers.items():
        if name.lower() == "message-id":
            return str(value)
    value = make_msgid(domain=DNS_NAME)
    message.extra_headers["Message-ID"] = value
    return value


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            message.connection = None
            message_id(message)
            async_task("democracy.core.tasks.deliver_email", message, group="email")
            count += 1
        return count


def delivery_connection():
    return get_connection(settings.DELTA_EMAIL_DELIVERY_BACKEND)
