"""Less common paths of the lifecycle, moderation and open data."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.timezone import now as timezone_now

from democracy.core.models import AuditEntry
from proposals import services
from proposals.models import Proposal, ProposalCount, Report, Signature
from tests.proposals.conftest import decide

pytestmark = pytest.mark.django_db


def test_decision_on_a_hidden_proposal_shows_when_it_is_restored(
    make_proposal, moderator, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.REFERRED)
    services.proposal_hide(proposal=proposal, actor=moderator, reason="Granskas.")
    with django_capture_on_commit_callbacks(execute=True):
        item = decide(proposal)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.HIDDEN
    assert proposal.status_before_hidden == Proposal.Status.ANSWERED
    assert proposal.decision_item == item
    proposal = services.proposal_restore(proposal=proposal, actor=moderator, reason="Klart.")
    assert proposal.status == Proposal.Status.ANSWERED


def test_a_later_decision_replaces_the_first(make_proposal, django_capture_on_commit_callbacks):
    proposal = make_proposal(Proposal.Status.ANSWERED)
    first = proposal.decision_item
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = decide(proposal, outcome="amended")
    proposal.refresh_from_db()
    assert proposal.decision_item == second != first
    assert len(mail.outbox) == 1  # one mail for the new decision


def test_invalidate_by_domain_and_time_window(
    make_proposal, make_user, moderator, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            services.proposal_sign(proposal=proposal, user=make_user(email=f"bot{i}@spam.example"))
        keep = make_user(email="real@example.org")
        services.proposal_sign(proposal=proposal, user=keep)
    Signature.objects.filter(user__email="bot0@spam.example").update(
        created_at=timezone_now() - timedelta(hours=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        invalidation = services.signatures_invalidate(
            proposal=proposal,
            actor=moderator,
            reason="Skräpdomän.",
            email_domain="@SPAM.example",
            created_from=timezone_now() - timedelta(hours=1),
        )
    assert invalidation.matched == 2  # the old one is outside the window
    assert ProposalCount.objects.get(proposal=proposal).total == 2
    assert Signature.objects.get(user=keep).status == Signature.Status.VALID


def test_dismissing_a_proposal_report_keeps_the_proposal(
    client, make_proposal, make_user, moderator
):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    report = services.report_create(reporter=make_user(), reason="spam", proposal=proposal)
    client.force_login(moderator)
    client.post(reverse("proposals:moderation-report-dismiss", args=[report.pk]))
    report.refresh_from_db()
    assert report.resolution == "dismissed"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED
    assert AuditEntry.objects.filter(action="proposal.report.dismiss").exists()
    assert not Report.objects.filter(resolved_at__isnull=True).exists()


def test_proposer_hears_about_hiding_and_restoring(
    make_proposal, moderator, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_hide(proposal=proposal, actor=moderator, reason="Anmält.")
        services.proposal_restore(proposal=proposal, actor=moderator, reason="Inget fel.")
    assert [m.subject for m in mail.outbox] == [
        "[Norrviks kommun] Ditt förslag har dolts",
        "[Norrviks kommun] Ditt förslag visas igen",
    ]


def test_api_filters(client, make_proposal):
    open_one = make_proposal(Proposal.Status.PUBLISHED, title="Belysning vid badplatsen")
    make_proposal(Proposal.Status.EXPIRED, title="Konstgräsplan")
    data = client.get("/api/v1/proposals/", {"status": "published"}).json()
    assert [item["id"] for item in data["items"]] == [open_one.pk]
    data = client.get("/api/v1/proposals/", {"q": "konstgräs"}).json()
    assert [item["title"] for item in data["items"]] == ["Konstgräsplan"]
    data = client.get("/api/v1/proposals/", {"page_size": 1, "page": 2}).json()
    assert data["count"] == 2 and len(data["items"]) == 1


def test_a_similar_decision_in_the_diary_is_shown_whatever_its_origin(
    client, make_proposal, proposer, moderator, committee
):
    """Issue 12: a decided medborgarförslag about an outdoor gym by the lake was not shown for
    a new e-proposal about the same thing; the repeat rule is about decisions."""
    from democracy.diary import services as diary_services
    from democracy.diary.models import Case, Meeting

    case = diary_services.case_open(
        title="Medborgarförslag om utegym vid Badsjön",
        responsible_organization=committee,
        origin=Case.Origin.CITIZEN_PROPOSAL,
        summary="Ett utegym vid badplatsen.",
        actor=None,
    )
    meeting = Meeting.objects.create(
        organization=committee, year=timezone_now().year, number=90,
        start=timezone_now(), status=Meeting.Status.HELD,
    )
    item = diary_services.agenda_item_add(meeting=meeting, title=case.title, case=case, actor=None)
    diary_services.agenda_item_record_decision(
        item=item, outcome="rejected", decision_text="Nämnden avslår förslaget.", actor=None
    )
    draft = make_proposal(Proposal.Status.DRAFT, title="Bygg ett utegym vid Badsjön")
    client.force_login(proposer)
    review = client.get(reverse("proposals:proposal-review", args=[draft.pk])).content.decode()
    assert "Medborgarförslag om utegym vid Badsjön" in review
    assert "Kommunen har redan beslutat om något liknande" in review
    submitted = make_proposal(Proposal.Status.SUBMITTED, title="Utegym vid Badsjön, tack")
    client.force_login(moderator)
    detail = client.get(reverse("proposals:moderation-detail", args=[submitted.pk])).content.decode()
    assert "Medborgarförslag om utegym vid Badsjön" in detail
    assert "Beslutat inom spärrtiden" in detail
