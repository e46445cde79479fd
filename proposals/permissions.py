"""Who may do what with a proposal: pure predicates, tested as a matrix of role × status.

Signing also needs the proposal to be open at the moment (``Proposal.is_open_for_signing``);
the predicates take ``now`` for that so they stay pure.
"""

from django.utils.timezone import now as timezone_now

from democracy.core.permissions import has_role
from democracy.core.roles import Role
from proposals.models import Proposal

Status = Proposal.Status


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_proposer(user, proposal: Proposal) -> bool:
    return _active(user) and proposal.proposer_id == user.pk


def is_moderator(user) -> bool:
    return _active(user) and has_role(user, Role.MODERATOR)


def _moderates(user, proposal: Proposal) -> bool:
    """A moderator who is not the proposer: nobody moderates their own proposal."""
    return is_moderator(user) and proposal.proposer_id != user.pk


def can_view(user, proposal: Proposal) -> bool:
    """The public sees public statuses; the proposer sees their own; moderators all but drafts."""
    if proposal.is_public or is_proposer(user, proposal):
        return True
    return is_moderator(user) and proposal.status != Status.DRAFT


def can_edit(user, proposal: Proposal) -> bool:
    """The proposer, while it is a draft or a moderator has asked for changes."""
    return is_proposer(user, proposal) and proposal.status in Proposal.EDITABLE_STATUSES


def can_withdraw(user, proposal: Proposal) -> bool:
    """The proposer, until it has been sent to the committee."""
    return is_proposer(user, proposal) and proposal.status in Proposal.WITHDRAWABLE_STATUSES


def can_sign(user, proposal: Proposal, now=None) -> bool:
    return _active(user) and proposal.is_open_for_signing(now or timezone_now())


def can_moderate(user, proposal: Proposal) -> bool:
    """Publish, ask for changes or reject: a moderator, while the proposal waits for review."""
    return _moderates(user, proposal) and proposal.status == Status.SUBMITTED


def can_hide(user, proposal: Proposal) -> bool:
    return _moderates(user, proposal) and Status.HIDDEN in Proposal.TRANSITIONS.get(
        Status(proposal.status), set()
    )


def can_restore(user, proposal: Proposal) -> bool:
    return _moderates(user, proposal) and proposal.status == Status.HIDDEN


def can_invalidate_signatures(user, proposal: Proposal) -> bool:
    return _moderates(user, proposal) and proposal.status in {
        Status.PUBLISHED,
        Status.REFERRED,
        Status.HIDDEN,
    }


def can_comment(user, proposal: Proposal) -> bool:
    return _active(user) and proposal.status in Proposal.COMMENTABLE_STATUSES


def can_report(user, proposal: Proposal) -> bool:
    return _active(user) and proposal.is_public
