"""Background tasks of e-proposals. Each takes ids, loads fresh rows and calls a service."""

from django.utils.timezone import now as timezone_now

from proposals import notifications, services
from proposals.models import Proposal


def refresh_signature_count(proposal_id: int) -> None:
    """Recount one proposal's signatures and publish the count.

    Idempotent: it counts the rows, so running it twice gives the same number.
    """
    services.signature_count_refresh(proposal_id=proposal_id)


def signature_count_loop() -> int:
    """Every minute, for a little more than a minute: recount signed proposals once per
    interval (see ``services.signature_count_loop``). Idempotent."""
    return services.signature_count_loop()


def refresh_open_counts() -> int:
    """Reconciliation, every ten minutes: recount every proposal open for signing, so a count
    is right even if a recount was lost with a worker. Idempotent."""
    done = 0
    open_ids = Proposal.objects.filter(status=Proposal.Status.PUBLISHED).values_list(
        "pk", flat=True
    )
    for proposal_id in list(open_ids):
        services.signature_count_refresh(proposal_id=proposal_id)
        done += 1
    return done


def close_due_proposals() -> int:
    """Every minute: close signing on proposals whose window has passed. Idempotent."""
    due = Proposal.objects.filter(
        status=Proposal.Status.PUBLISHED, closes_at__lte=timezone_now()
    ).values_list("pk", flat=True)
    closed = 0
    for proposal_id in list(due):
        services.proposal_close_if_due(proposal_id=proposal_id)
        closed += 1
    return closed


def answer_decided_case(agenda_item_id: int) -> int:
    """An agenda item was decided: answer the proposals of its case. Idempotent."""
    return len(services.proposal_case_decided(agenda_item_id=agenda_item_id))


def notify_proposal_event(proposal_id: int, event: str) -> int:
    """Mail the proposer (and opted-in signers) about one event. Idempotent: each person
    gets at most one mail per proposal and event, recorded in ``Notification``."""
    return notifications.send_event(proposal_id=proposal_id, event=event)


def anonymise_signer_data() -> int:
    """Daily: anonymise signer data of proposals that ended long enough ago. Idempotent."""
    return services.signer_data_anonymise_due()
