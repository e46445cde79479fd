"""Issue 12: the proposal's journey is in the order things happened: on the agenda, then decided,
and the decision is dated at the meeting that took it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from democracy.diary import services
from democracy.diary.models import Meeting
from proposals import selectors
from proposals.models import Proposal, ProposalEvent
from tests.diary.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _decide(proposal, meeting, django_capture_on_commit_callbacks):
    item = services.agenda_item_add(
        meeting=meeting, title=proposal.title, case=proposal.case, actor=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_item_record_decision(
            item=item, outcome="approved", decision_text="Bifalls.", actor=None
        )
    return item


def test_decision_follows_the_agenda_appearance_on_the_same_day(
    client, make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.REFERRED)
    start = timezone.now() - timedelta(days=3)
    meeting = MeetingFactory(
        organization=proposal.responsible_organization, start=start, status=Meeting.Status.HELD
    )
    _decide(proposal, meeting, django_capture_on_commit_callbacks)
    # As the demo does: the proposal learnt of the decision on the day of the meeting.
    ProposalEvent.objects.filter(proposal=proposal, kind="decided").update(created_at=start)
    kinds = [step.kind for step in selectors.journey(proposal)]
    assert kinds.index("agenda") < kinds.index("decided")
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    journey = page[page.index('id="journey-heading"') :]
    assert journey.index("På dagordningen") < journey.index("Beslutat")


def test_decision_is_dated_at_the_meeting_not_when_it_was_typed_in(
    make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.REFERRED)
    start = timezone.now() - timedelta(days=9)
    meeting = MeetingFactory(
        organization=proposal.responsible_organization, start=start, status=Meeting.Status.HELD
    )
    item = _decide(proposal, meeting, django_capture_on_commit_callbacks)
    # Typed in a week before the meeting's date was corrected to the real one, later.
    ProposalEvent.objects.filter(proposal=proposal, kind="decided").update(
        created_at=start - timedelta(days=7)
    )
    steps = selectors.journey(proposal)
    decided = next(step for step in steps if step.kind == "decided")
    assert decided.when == item.decided_at == start
    assert [s.kind for s in steps].index("agenda") < [s.kind for s in steps].index("decided")
    whens = [step.when for step in steps]
    assert whens == sorted(whens)
    assert re.match(r"\d{4}-", decided.when.isoformat())
