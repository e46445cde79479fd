"""Fixtures for e-proposals: reference data and proposals driven into each lifecycle state
through the real services."""

from datetime import timedelta

import pytest
from django.utils.timezone import now as timezone_now

from proposals import services
from proposals.models import Proposal
from tests.proposals.factories import (
    CommitteeFactory,
    DistrictFactory,
    RejectionReasonFactory,
    TopicFactory,
)

BODY = (
    "<p>Gångvägen längs ån saknar belysning på en lång sträcka och det är helt mörkt "
    "på vinterkvällarna. Sätt upp lampor så att alla kan gå där tryggt.</p>"
)


@pytest.fixture(autouse=True)
def _proposal_settings(settings):
    # Recount at once in tests (the one-second coalescing interval would make them sleep).
    settings.PROPOSALS_COUNT_INTERVAL = 0
    settings.PROPOSALS_SIGNATURE_THRESHOLD = 200


@pytest.fixture
def topic(db):
    return TopicFactory(
        slug="trafik",
        name="Trafik och gator",
        translations={"en": {"name": "Traffic and streets"}},
    )


@pytest.fixture
def district(db):
    return DistrictFactory(slug="centrum", name="Centrum")


@pytest.fixture
def committee(db):
    return CommitteeFactory(
        slug="samhallsbyggnadsnamnden", name="Samhällsbyggnadsnämnden", short_name="SBN"
    )


@pytest.fixture
def reason(db):
    return RejectionReasonFactory(
        code="not-municipal",
        title="Kommunen beslutar inte om frågan",
        translations={"en": {"title": "Not something the municipality decides"}},
    )


@pytest.fixture
def proposer(make_user):
    return make_user(email="proposer@example.org", name="Petra Proposer")


STATES = [
    Proposal.Status.DRAFT,
    Proposal.Status.SUBMITTED,
    Proposal.Status.REVISION_REQUESTED,
    Proposal.Status.PUBLISHED,
    Proposal.Status.REFERRED,
    Proposal.Status.ANSWERED,
    Proposal.Status.REJECTED,
    Proposal.Status.WITHDRAWN,
    Proposal.Status.EXPIRED,
    Proposal.Status.HIDDEN,
]


@pytest.fixture
def make_proposal(
    db,
    proposer,
    moderator,
    topic,
    committee,
    reason,
    settings,
    make_user,
    django_capture_on_commit_callbacks,
):
    """``make_proposal(status)`` drives a new proposal to ``status`` through the services."""
    counter = iter(range(1, 10_000))

    def make(status=Proposal.Status.PUBLISHED, *, author=None, title=None, threshold=3, **fields):
        author = author or proposer
        n = next(counter)
        proposal = services.proposal_create(
            author=author,
            title=title or f"Belysning längs promenadstråket {n}",
            summary="Gångvägen vid ån är mörk på kvällarna.",
            body=BODY,
            topic=topic,
            **fields,
        )
        if status == Proposal.Status.DRAFT:
            return proposal
        services.proposal_submit(proposal=proposal, actor=author)
        if status == Proposal.Status.SUBMITTED:
            return _fresh(proposal)
        if status == Proposal.Status.REVISION_REQUESTED:
            services.proposal_request_revision(
                proposal=proposal, actor=moderator, message="Skriv var."
            )
            return _fresh(proposal)
        if status == Proposal.Status.REJECTED:
            services.proposal_reject(
                proposal=proposal, actor=moderator, reason=reason, text="Riksdagen beslutar."
            )
            return _fresh(proposal)
        settings.PROPOSALS_SIGNATURE_THRESHOLD = threshold
        proposal = services.proposal_publish(
            proposal=proposal, actor=moderator, responsible_organization=committee
        )
        if status == Proposal.Status.PUBLISHED:
            return _fresh(proposal)
        if status == Proposal.Status.WITHDRAWN:
            services.proposal_withdraw(proposal=proposal, actor=author)
            return _fresh(proposal)
        if status == Proposal.Status.HIDDEN:
            services.proposal_hide(proposal=proposal, actor=moderator, reason="Kränkande.")
            return _fresh(proposal)
        if status == Proposal.Status.EXPIRED:
            Proposal.objects.filter(pk=proposal.pk).update(
                closes_at=timezone_now() - timedelta(minutes=1)
            )
            services.proposal_close_if_due(proposal_id=proposal.pk)
            return _fresh(proposal)
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(proposal.threshold):
                services.proposal_sign(proposal=_fresh(proposal), user=make_user())
        proposal = _fresh(proposal)
        assert proposal.status == Proposal.Status.REFERRED
        if status == Proposal.Status.REFERRED:
            return proposal
        with django_capture_on_commit_callbacks(execute=True):
            decide(proposal)
        return _fresh(proposal)

    return make


def _fresh(proposal):
    return Proposal.objects.get(pk=proposal.pk)


def decide(proposal, outcome="approved", *, public=True):
    """Put the proposal's case on a held meeting and record a decision (as the diary does)."""
    from democracy.diary import services as diary_services
    from democracy.diary.models import Meeting

    meeting = Meeting.objects.create(
        organization=proposal.responsible_organization,
        year=timezone_now().year,
        number=Meeting.objects.count() + 1,
        start=timezone_now(),
        status=Meeting.Status.HELD,
    )
    item = diary_services.agenda_item_add(
        meeting=meeting, title=proposal.title, case=proposal.case, actor=None, public=public
    )
    diary_services.agenda_item_record_decision(
        item=item, outcome=outcome, decision_text="Nämnden bifaller förslaget.", actor=None
    )
    return item
