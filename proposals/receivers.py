"""Listeners for other apps' signals (they only queue a task) and for changed districts."""

from django.db import transaction
from django_q.tasks import async_task

from proposals.models import Proposal
from proposals.selectors import district_ids_forget


def on_agenda_item_decided(sender, agenda_item_id, case_id=None, **kwargs):
    """A diary decision was committed; answer any proposal referred with that case."""
    if case_id is None:
        return

    if not Proposal.objects.filter(case_id=case_id).exists():
        return
    transaction.on_commit(
        lambda: async_task(
            "proposals.tasks.answer_decided_case", agenda_item_id, group="proposals-decision"
        )
    )


def on_district_changed(sender, **kwargs):
    """A district was added, changed or removed: this process reads the districts again."""

    district_ids_forget()
