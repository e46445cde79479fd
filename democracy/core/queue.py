"""Queueing a task that must not be lost together with the change that causes it."""

from django.db import transaction
from django_q.conf import Conf
from django_q.tasks import async_task


def queue_with_change(func: str, *args, group: str) -> None:
    """Queue ``func(*args)`` in the current transaction.

    The broker is the database (decision 79): the task is a row that commits with the change
    or rolls back with it, so a process that dies right after the commit cannot lose it (as it
    could between a commit and a ``transaction.on_commit`` hook). A worker sees the row only
    once it has been committed. With ``TASKS_SYNC`` (the tests run tasks in-line) the task
    runs after commit instead, as on a worker: in-line inside the transaction it would act on
    a change that may still be rolled back.
    """
    if Conf.SYNC:
        transaction.on_commit(lambda: async_task(func, *args, group=group))
    else:
        async_task(func, *args, group=group)
