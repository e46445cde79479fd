"""E-mail goes through the task queue, never out of a request.

``QueuedEmailBackend`` is Django's ``EMAIL_BACKEND``: it hands each message to django-q2, and
the worker delivers it with ``DELTA_EMAIL_DELIVERY_BACKEND`` (SMTP, or the console in
development). With the ORM broker the queued task is a row in the same transaction as the
change that caused the mail, so a rolled-back change sends nothing.
"""

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django_q.tasks import async_task


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            message.connection = None
            async_task("democracy.core.tasks.deliver_email", message, group="email")
            count += 1
        return count


def delivery_connection():
    return get_connection(settings.DELTA_EMAIL_DELIVERY_BACKEND)
