"""The election's lifecycle step, checked against ``Election.TRANSITIONS`` and audit-logged."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from democracy.core.services import audit_log
from youth_vote.models import Election


def election_transition(
    *, election: Election, to: str, actor, action: str, data=None, reason=""
) -> None:
    """Move ``election`` to ``to`` (unsaved) if its transition table allows it; log it."""
    if to not in Election.TRANSITIONS[Election.Status(election.status)]:
        raise ValidationError(_("This step is not possible in the election's current state."))
    election.status = to
    audit_log(actor=actor, action=action, target=election, data=data, reason=reason)
