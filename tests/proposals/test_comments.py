"""Comments on published proposals, and reports of proposals and comments to moderators."""

import pytest
from django.urls import reverse

from democracy.core.models import AuditEntry
from proposals.models import Comment, Proposal, RejectionReason, Report

pytestmark = pytest.mark.django_db


def test_signed_in_resident_comments_sanitised(client, resident, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(resident)
    response = client.post(
        reverse("proposals:comment-create", args=[proposal.pk]),
        {"body": "Bra idé!<script>alert(1)</script> <b>Ja</b>"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert "<script" not in comment.body and "Bra idé!" in comment.body
    assert comment.author_name == "Rut Resident"
    client.logout()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Bra idé!" in page and "Rut Resident" in page
    assert "Logga in för att kommentera" in page


def test_a_comment_sent_twice_is_posted_once(client, resident, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(resident)
    url = reverse("proposals:comment-create", args=[proposal.pk])
    for _ in range(2):
        assert client.post(url, {"body": "Jag håller med."}).status_code == 302
    assert Comment.objects.count() == 1
    client.post(url, {"body": "Och en sak till."})  # a different comment is its own
    assert Comment.objects.count() == 2


def test_a_report_sent_twice_at_the_same_moment_is_one_report(resident, make_proposal, monkeypatch):
    """Both requests pass the "already reported?" check before either has written; the
    database's one-report-per-person rule decides, and the second gets the first's report."""
    from proposals import services

    proposal = make_proposal(Proposal.Status.PUBLISHED)
    first = services.report_create(reporter=resident, reason="personal_data", proposal=proposal)
    real_filter = Report.objects.filter

    def miss_once(*args, **kwargs):  # the second request's check ran before the first wrote
        monkeypatch.setattr(Report.objects, "filter", real_filter)
        return Report.objects.none()

    monkeypatch.setattr(Report.objects, "filter", miss_once)
    second = services.report_create(reporter=resident, reason="personal_data", proposal=proposal)
    assert second == first and Report.objects.count() == 1


@pytest.mark.parametrize(
    "status", [Proposal.Status.EXPIRED, Proposal.Status.REJECTED, Proposal.Status.WITHDRAWN]
)
def test_comments_are_closed_outside_published_states(client, resident, make_proposal, status):
    proposal = make_proposal(status)
    client.force_login(resident)
    client.post(reverse("proposals:comment-create", args=[proposal.pk]), {"body": "Hej"})
    assert Comment.objects.count() == 0


def test_reports_hide_a_comment_pending_review_and_moderator_decides(
    client, make_user, moderator, make_proposal, settings
):
    settings.PROPOSALS_REPORTS_TO_HIDE = 2
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    author = make_user(name="Troll")
    client.force_login(author)
    client.post(
        reverse("proposals:comment-create", args=[proposal.pk]), {"body": "Något elakt om grannen"}
    )
    comment = Comment.objects.get()
    for _ in range(2):
        client.force_login(make_user())
        response = client.post(
            reverse("proposals:comment-report", args=[comment.pk]),
            {"reason": "offensive", "text": "Kränkande"},
        )
        assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden  # hidden until a moderator has looked
    assert "Något elakt" not in client.get(proposal.get_absolute_url()).content.decode()

    client.force_login(moderator)
    queue = client.get(reverse("proposals:moderation-queue"))
    # Listed once, as hidden until reviewed, with both its reports; not once per report.
    assert queue.context["comment_reports"] == []
    assert queue.context["hidden_comments"] == [comment]
    assert len(queue.context["hidden_comments"][0].open_reports) == 2
    client.post(
        reverse("proposals:moderation-comment-hide", args=[comment.pk]),
        {"reason": "Pekar ut en privatperson."},
    )
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_reason == "Pekar ut en privatperson."
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="proposal.comment.hide").exists()
    queue = client.get(reverse("proposals:moderation-queue"))
    assert queue.context["hidden_comments"] == [comment]  # listed so it can be shown again
    assert "Visa kommentaren igen" in queue.content.decode()
    client.post(
        reverse("proposals:moderation-comment-restore", args=[comment.pk]),
        {"reason": "Ändrat beslut."},
    )
    comment.refresh_from_db()
    assert not comment.hidden


def test_dismissing_the_reports_shows_an_auto_hidden_comment_again(
    client, make_user, moderator, make_proposal, settings
):
    settings.PROPOSALS_REPORTS_TO_HIDE = 1
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(make_user())
    client.post(
        reverse("proposals:comment-create", args=[proposal.pk]), {"body": "En vanlig åsikt"}
    )
    comment = Comment.objects.get()
    client.force_login(make_user())
    client.post(reverse("proposals:comment-report", args=[comment.pk]), {"reason": "spam"})
    comment.refresh_from_db()
    assert comment.hidden
    client.force_login(moderator)
    client.post(reverse("proposals:moderation-report-dismiss", args=[Report.objects.get().pk]))
    comment.refresh_from_db()
    assert not comment.hidden


def test_reporting_a_proposal_queues_it_once_per_person(client, resident, moderator, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(resident)
    assert client.get(reverse("proposals:proposal-report", args=[proposal.pk])).status_code == 200
    for _ in range(2):
        client.post(
            reverse("proposals:proposal-report", args=[proposal.pk]), {"reason": "personal_data"}
        )
    assert Report.objects.count() == 1
    response = client.post(
        reverse("proposals:proposal-report", args=[proposal.pk]), {"reason": "nonsense"}
    )
    assert response.status_code == 400
    client.force_login(moderator)
    queue = client.get(reverse("proposals:moderation-queue"))
    assert [r.proposal for r in queue.context["proposal_reports"]] == [proposal]
    client.post(
        reverse("proposals:moderation-hide", args=[proposal.pk]),
        {"reason": "Innehåller namn på en privatperson."},
    )
    assert not Report.objects.filter(resolved_at__isnull=True).exists()


def test_moderators_edit_the_list_of_rejection_reasons(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("proposals:moderation-reasons")).status_code == 200
    response = client.post(
        reverse("proposals:moderation-reason-create"),
        {
            "code": "legal",
            "title": "Pågående rättsprocess",
            "title__en": "Ongoing legal process",
            "title__fi": "Käynnissä oleva oikeudenkäynti",
            "description__ar": "القضية أمام المحكمة",
            "public": "on",
            "active": "on",
            "sort_order": 5,
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="proposal.rejection_reason.create").exists()
    assert "Pågående rättsprocess" in client.get(reverse("proposals:rules")).content.decode()
    saved = RejectionReason.objects.get(code="legal")
    assert saved.translations == {
        "en": {"title": "Ongoing legal process"},
        "fi": {"title": "Käynnissä oleva oikeudenkäynti"},
        "ar": {"description": "القضية أمام المحكمة"},
    }


def test_writing_is_rate_limited_per_account(client, resident, make_proposal, settings):
    settings.PROPOSALS_WRITE_RATE_USER = "2/h"
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(resident)
    codes = [
        client.post(
            reverse("proposals:comment-create", args=[proposal.pk]), {"body": f"Kommentar {i}"}
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Comment.objects.count() == 2
    # Submitting proposals counts against the same limit.
    assert (
        client.post(
            reverse("proposals:proposal-create"), {"title": "Ny", "action": "save"}
        ).status_code
        == 429
    )


def test_over_the_writing_limit_nothing_written_is_lost(
    client, resident, topic, make_proposal, settings
):
    """Past the limit the form comes back with the text in it (429), not an empty page."""
    settings.PROPOSALS_WRITE_RATE_USER = "1/h"
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(resident)
    client.post(reverse("proposals:comment-create", args=[proposal.pk]), {"body": "Första"})
    response = client.post(
        reverse("proposals:comment-create", args=[proposal.pk]),
        {"body": "En lång och genomtänkt kommentar"},
    )
    assert response.status_code == 429 and response["Retry-After"]
    html = response.content.decode()
    assert "En lång och genomtänkt kommentar" in html
    assert "Vänta en stund" in html
    assert Comment.objects.count() == 1

    response = client.post(
        reverse("proposals:proposal-create"),
        {
            "title": "Belysning vid ån",
            "summary": "Min noga skrivna sammanfattning.",
            "topic": topic.pk,
            "action": "save",
        },
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Min noga skrivna sammanfattning." in html and "Vänta en stund" in html
    assert not Proposal.objects.filter(title="Belysning vid ån").exists()

    response = client.post(
        reverse("proposals:proposal-report", args=[proposal.pk]),
        {"reason": "spam", "text": "Reklam för en firma"},
    )
    assert response.status_code == 429
    assert "Reklam för en firma" in response.content.decode()
