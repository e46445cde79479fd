"""Issue 12: a proposal is answered only by a decision taken at a held meeting (decision 69)."""

import pytest
from django.core import mail
from django.utils import timezone

from democracy.diary import services
from democracy.diary.models import AgendaItem
from proposals import services as proposal_services
from proposals.models import Proposal
from tests.diary.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_proposal_is_not_answered_by_a_decision_on_a_meeting_not_held(
    make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.REFERRED)
    meeting = MeetingFactory(organization=proposal.responsible_organization)
    item = services.agenda_item_add(
        meeting=meeting, title=proposal.title, case=proposal.case, actor=None
    )
    # A decision written straight to the row (not through the service) is still not answered.
    AgendaItem.objects.filter(pk=item.pk).update(
        outcome="approved", decision_text="Bifalls.", decided_at=timezone.now()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert proposal_services.proposal_case_decided(agenda_item_id=item.pk) == []
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REFERRED
    assert mail.outbox == []
