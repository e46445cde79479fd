"""Background tasks of e-proposals. Each takes ids, loads fresh rows and calls a service."""

from django.db.models import F, Max, Q
from django.utils.timezone import now as timezone_now

from proposals import notifications, services
from proposals.models import Proposal


def refresh_signature_count(proposal_id: int) -> None:
    """Recount one proposal's signatures and publish the count.

    Idempotent: it counts the rows, so running it twice gives the same number.
    """
    services.signature_count_run(proposal_id=proposal_id)


def refresh_stale_counts() -> int:
    """Safety net, every minute: recount open proposals signed since their last recount
    (for example when a queued recount was lost with a worker). Idempotent."""
    stale = (
        Proposal.objects.filter(status=Proposal.Status.PUBLISHED)
        .annotate(newest=Max("signatures__created_at"))
        .filter(Q(count__isnull=True) | Q(newest__gt=F("count__updated_at")))
        .values_list("pk", flat=True)
    )
    done = 0
    for proposal_id in stale:
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
