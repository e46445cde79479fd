"""The whole lifecycle through the public interface: write, submit, moderate, sign, refer,
decide, expire; every move recorded on the journey (without moderator names) and in the audit
log; the proposer told by e-mail from the task queue."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now as timezone_now

from democracy.core.models import AuditEntry
from democracy.diary.models import Case
from proposals import services, tasks
from proposals.models import Proposal, ProposalCount, ProposalEvent
from tests.proposals.conftest import BODY, decide

pytestmark = pytest.mark.django_db


def write(client, topic, district=None, action="review", **overrides):
    data = {
        "title": "Belysning längs promenadstråket vid ån",
        "summary": "Gångvägen vid ån är mörk på kvällarna.",
        "body": "Gångvägen längs ån saknar belysning.\n\nSätt upp lampor så att alla kan gå där tryggt på kvällen.",
        "topic": topic.pk,
        "district": district.pk if district else "",
        "action": action,
    }
    data.update(overrides)
    return client.post(reverse("proposals:proposal-create"), data)


def test_resident_writes_saves_a_draft_and_submits(
    client, proposer, topic, district, moderator, django_capture_on_commit_callbacks
):
    client.force_login(proposer)
    response = write(client, topic, district, action="save")
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:proposal-edit", args=[proposal.pk])
    assert proposal.status == Proposal.Status.DRAFT
    assert (
        proposal.body
        == "<p>Gångvägen längs ån saknar belysning.</p>\n\n<p>Sätt upp lampor så att alla kan gå där tryggt på kvällen.</p>"
    )
    # The draft is the proposer's alone.
    client.logout()
    assert client.get(reverse("proposals:proposal-detail", args=[proposal.pk])).status_code == 404
    client.force_login(proposer)
    edit = client.get(reverse("proposals:proposal-edit", args=[proposal.pk]))
    assert "Sätt upp lampor" in edit.content.decode()

    response = client.post(
        reverse("proposals:proposal-edit", args=[proposal.pk]),
        {
            "title": proposal.title,
            "summary": proposal.summary,
            "body": "Gångvägen längs ån saknar belysning. Sätt upp lampor så att alla kan gå där.",
            "topic": topic.pk,
            "action": "review",
        },
    )
    assert response["Location"] == reverse("proposals:proposal-review", args=[proposal.pk])
    review = client.get(response["Location"])
    assert review.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:proposal-review", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.submitted_at is not None
    assert proposal.proposer_name == "Petra Proposer"
    assert [m.to for m in mail.outbox] == [["proposer@example.org"]]
    assert "har tagit emot" in mail.outbox[0].subject.lower() or "tagit emot" in mail.outbox[0].body
    # Now it can no longer be edited, and the moderators see it.
    assert client.get(reverse("proposals:proposal-edit", args=[proposal.pk])).status_code == 302
    client.force_login(moderator)
    queue = client.get(reverse("proposals:moderation-queue"))
    assert [entry["proposal"] for entry in queue.context["queue"]] == [proposal]


def test_review_shows_similar_proposals_including_decided_ones(
    client, proposer, make_proposal, make_user
):
    decided = make_proposal(Proposal.Status.ANSWERED, title="Belysning längs ån vid Storbron")
    author = make_user(name="Other")
    mine = services.proposal_create(
        author=author,
        title="Mer belysning längs ån",
        summary="Mörkt vid ån.",
        body=BODY,
        topic=decided.topic,
    )
    client.force_login(author)
    response = client.get(reverse("proposals:proposal-review", args=[mine.pk]))
    similar = response.context["similar"]
    assert [s.proposal for s in similar] == [decided]
    assert similar[0].repeat is True  # decided within the repeat period
    assert decided.title in response.content.decode()


def test_moderation_queue_is_oldest_first_with_waiting_time(client, moderator, make_proposal):
    with time_machine.travel(timezone_now() - timedelta(days=9)):
        old = make_proposal(Proposal.Status.SUBMITTED)
    new = make_proposal(Proposal.Status.SUBMITTED)
    client.force_login(moderator)
    response = client.get(reverse("proposals:moderation-queue"))
    queue = response.context["queue"]
    assert [e["proposal"] for e in queue] == [old, new]
    assert queue[0]["waiting_days"] == 9
    assert "Har väntat mer än en vecka" in response.content.decode()


def test_moderation_queue_shows_similar_proposals_in_a_fixed_number_of_queries(
    client, moderator, make_proposal
):
    published = make_proposal(Proposal.Status.PUBLISHED, title="Belysning vid ån och bron")
    waiting = [make_proposal(Proposal.Status.SUBMITTED) for _ in range(2)]
    client.force_login(moderator)

    def queries_for_the_queue():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("proposals:moderation-queue"))
        return response, len(queries)

    queries_for_the_queue()  # the first request also reads the account into the cache
    response, few = queries_for_the_queue()
    entry = next(e for e in response.context["queue"] if e["proposal"] == waiting[0])
    similar = [s.proposal for s in entry["similar"]]
    assert published in similar and waiting[1] in similar and waiting[0] not in similar
    waiting += [make_proposal(Proposal.Status.SUBMITTED) for _ in range(8)]
    response, many = queries_for_the_queue()
    assert len(response.context["queue"]) == 10
    assert many == few


def test_moderator_publishes_with_responsible_body(
    client, moderator, make_proposal, committee, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.SUBMITTED)
    mail.outbox.clear()
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposals:moderation-publish", args=[proposal.pk]),
            {"responsible_organization": committee.pk},
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED
    assert proposal.responsible_organization == committee
    assert proposal.threshold == 200
    assert proposal.closes_at - proposal.published_at == timedelta(days=90)
    entry = AuditEntry.objects.get(action="proposal.publish")
    assert entry.actor_id == moderator.pk and entry.target_id == str(proposal.pk)
    assert "publicerat" in mail.outbox[-1].subject.lower()
    # The journey is public and does not name the moderator.
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Publicerat för underskrifter" in page
    assert moderator.email not in page
    assert "Samhällsbyggnadsnämnden" in page


def test_publishing_needs_a_responsible_body(client, moderator, make_proposal):
    proposal = make_proposal(Proposal.Status.SUBMITTED)
    client.force_login(moderator)
    response = client.post(
        reverse("proposals:moderation-publish", args=[proposal.pk]),
        {"responsible_organization": ""},
    )
    assert response.status_code == 400
    assert "responsible_organization" in response.context["publish_form"].errors
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED


def test_revision_round_trip(
    client, moderator, proposer, topic, make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.SUBMITTED)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("proposals:moderation-revise", args=[proposal.pk]),
            {"message": "Skriv vilken sträcka det gäller."},
        )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REVISION_REQUESTED
    assert "Skriv vilken sträcka" in mail.outbox[-1].body
    client.force_login(proposer)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Skriv vilken sträcka det gäller." in page
    client.post(
        reverse("proposals:proposal-edit", args=[proposal.pk]),
        {
            "title": proposal.title,
            "summary": proposal.summary,
            "body": "Sträckan mellan Storbron och hamnen saknar belysning, sätt upp lampor där.",
            "topic": topic.pk,
            "action": "review",
        },
    )
    client.post(reverse("proposals:proposal-review", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    kinds = list(proposal.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "revision_requested", "resubmitted"]


def test_reject_with_coded_reason_public_or_not(
    client, moderator, make_proposal, reason, django_capture_on_commit_callbacks
):
    from tests.proposals.factories import RejectionReasonFactory

    public = make_proposal(Proposal.Status.SUBMITTED)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("proposals:moderation-reject", args=[public.pk]),
            {"reason": reason.pk, "text": "Skatten beslutas av riksdagen."},
        )
    public.refresh_from_db()
    assert public.status == Proposal.Status.REJECTED and public.rejection_reason == reason
    assert "Kommunen beslutar inte om frågan" in mail.outbox[-1].body
    client.logout()
    page = client.get(public.get_absolute_url()).content.decode()
    assert "Skatten beslutas av riksdagen." in page

    offensive = RejectionReasonFactory(code="offensive", title="Kränkande", public=False)
    hidden = make_proposal(Proposal.Status.SUBMITTED)
    client.force_login(moderator)
    client.post(
        reverse("proposals:moderation-reject", args=[hidden.pk]),
        {"reason": offensive.pk, "text": "Kränker en person."},
    )
    client.logout()
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert AuditEntry.objects.filter(action="proposal.reject").count() == 2


def test_threshold_refers_at_once_and_opens_a_case(
    client, make_proposal, make_user, committee, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=3)
    signers = [make_user(name=f"Signer {i}") for i in range(3)]
    for index, signer in enumerate(signers):
        client.force_login(signer)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("proposals:proposal-sign", args=[proposal.pk]),
                {"visibility": "anonymous", "notify": "on" if index == 0 else ""},
            )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REFERRED
    case = proposal.case
    assert case.origin == Case.Origin.E_PROPOSAL
    assert case.responsible_organization == committee
    assert case.diary_number.startswith("SBN ")
    assert list(case.proposals.all()) == [proposal]  # linked both ways
    assert ProposalCount.objects.get(proposal=proposal).total == 3
    kinds = list(proposal.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["threshold_reached", "referred"]
    assert AuditEntry.objects.filter(action="diary.case.open").exists()
    # The proposer and the one signer who asked for updates hear about it; the others do not.
    referred_mail = [m for m in mail.outbox if "skickats till nämnden" in m.subject]
    assert sorted(m.to[0] for m in referred_mail) == sorted(
        ["proposer@example.org", signers[0].email]
    )
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert case.diary_number in page


def test_decision_on_the_agenda_item_answers_the_proposal(
    client, make_proposal, make_user, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.REFERRED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item = decide(proposal)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED
    assert proposal.decision_item == item
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Bifallet" in page or "Bifall" in page or item.get_outcome_display() in page
    assert "Nämnden bifaller förslaget." in page
    assert str(item.meeting) in page
    assert [m.to[0] for m in mail.outbox] == ["proposer@example.org"]
    assert "beslut" in mail.outbox[0].subject.lower()
    # The same decision again sends nothing more (idempotent).
    tasks.answer_decided_case(item.pk)
    tasks.notify_proposal_event(proposal.pk, f"decided-{item.pk}")
    assert len(mail.outbox) == 1


def test_postponed_item_keeps_the_proposal_referred(
    make_proposal, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.REFERRED)
    with django_capture_on_commit_callbacks(execute=True):
        decide(proposal, outcome="tabled")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REFERRED


def test_signing_window_closes_itself(make_proposal, make_user, django_capture_on_commit_callbacks):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=proposal, user=make_user())
    with time_machine.travel(proposal.closes_at - timedelta(minutes=1)):
        assert tasks.close_due_proposals() == 0
    with (
        time_machine.travel(proposal.closes_at + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.close_due_proposals() == 1
        with pytest.raises(services.ProposalError):
            services.proposal_sign(proposal=Proposal.objects.get(pk=proposal.pk), user=make_user())
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.EXPIRED
    event = proposal.events.get(kind=ProposalEvent.Kind.EXPIRED)
    assert event.data == {"count": 1, "threshold": 5}
    assert "har stängt" in mail.outbox[-1].subject


def test_signing_is_refused_after_closing_time_even_before_the_task_runs(
    client, make_proposal, resident
):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    with time_machine.travel(proposal.closes_at + timedelta(seconds=5)):
        client.force_login(resident)
        response = client.post(
            reverse("proposals:proposal-sign", args=[proposal.pk]),
            {"visibility": "anonymous"},
            follow=True,
        )
    assert proposal.signatures.count() == 0
    assert "inte öppet" in response.content.decode()


def test_treatment_clock_flags_overdue(client, make_proposal):
    proposal = make_proposal(Proposal.Status.REFERRED)
    with time_machine.travel(proposal.referred_at + timedelta(days=181)):
        page = client.get(proposal.get_absolute_url()).content.decode()
    assert "181 dagar" in page
    assert "Försenat" in page


def test_proposer_withdraws(client, proposer, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(proposer)
    assert client.get(reverse("proposals:proposal-withdraw", args=[proposal.pk])).status_code == 200
    client.post(reverse("proposals:proposal-withdraw", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    client.logout()
    assert "har dragit tillbaka" in client.get(proposal.get_absolute_url()).content.decode()


def test_hide_and_restore_with_reason(client, moderator, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(moderator)
    response = client.post(reverse("proposals:moderation-hide", args=[proposal.pk]), {"reason": ""})
    assert response.status_code == 400
    client.post(
        reverse("proposals:moderation-hide", args=[proposal.pk]),
        {"reason": "Anmält som kränkande."},
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.HIDDEN
    client.logout()
    assert client.get(proposal.get_absolute_url()).status_code == 404
    client.force_login(moderator)
    client.post(
        reverse("proposals:moderation-restore", args=[proposal.pk]),
        {"reason": "Granskat, inget fel."},
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED
    assert list(
        AuditEntry.objects.filter(action__in=["proposal.hide", "proposal.restore"]).values_list(
            "reason", flat=True
        )
    ) == ["Anmält som kränkande.", "Granskat, inget fel."]
    client.logout()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Granskat, inget fel." in page
    assert moderator.email not in page


def test_moderation_actions_refuse_the_wrong_state(client, moderator, make_proposal, committee):
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    client.force_login(moderator)
    response = client.post(
        reverse("proposals:moderation-publish", args=[proposal.pk]),
        {"responsible_organization": committee.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "kan inte göras" in response.content.decode()
    assert AuditEntry.objects.filter(action="proposal.publish").count() == 1


def test_every_moderation_decision_reaches_the_proposer_even_when_repeated(
    client, moderator, proposer, topic, make_proposal, django_capture_on_commit_callbacks
):
    """A second request for changes, a second submission and a second hiding are new
    decisions: the proposer is told each time (one mail per decision, not per kind)."""
    proposal = make_proposal(Proposal.Status.SUBMITTED)
    mail.outbox.clear()
    for message in ("Skriv vilken sträcka det gäller.", "Skriv också när lamporna behövs."):
        client.force_login(moderator)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("proposals:moderation-revise", args=[proposal.pk]), {"message": message}
            )
        assert message in mail.outbox[-1].body
        client.force_login(proposer)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("proposals:proposal-review", args=[proposal.pk]))
    subjects = [m.subject for m in mail.outbox]
    assert len([s for s in subjects if "ändra" in s.lower()]) == 2, subjects
    assert len([s for s in subjects if "tagit emot" in s.lower()]) == 2, subjects

    published = make_proposal(Proposal.Status.PUBLISHED)
    mail.outbox.clear()
    client.force_login(moderator)
    for action in ("hide", "restore", "hide"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse(f"proposals:moderation-{action}", args=[published.pk]),
                {"reason": "Granskas."},
            )
    assert len(mail.outbox) == 3
    assert len([m for m in mail.outbox if "dolt" in m.subject.lower()]) == 2


def test_decision_in_an_item_that_is_not_public_is_not_shown(
    client, make_proposal, django_capture_on_commit_callbacks
):
    """The diary hides a closed item's decision; the proposal page, its mail and the API
    must not show it either. The proposal is still answered, with the meeting."""
    proposal = make_proposal(Proposal.Status.REFERRED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item = decide(proposal, public=False)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Nämnden bifaller förslaget." not in page
    assert item.get_outcome_display() not in page
    assert "inte offentlig" in page
    assert "Nämnden bifaller förslaget." not in mail.outbox[0].body
    assert item.get_outcome_display() not in mail.outbox[0].body
    data = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert data["decision"] is None
    assert all(step["outcome"] is None for step in data["journey"])


def test_dates_in_mail_are_in_swedish_time(
    make_proposal, committee, moderator, django_capture_on_commit_callbacks
):
    """Published at half past midnight Swedish time (still the day before in UTC): the mail
    gives the same closing date as the page, in the municipality's time zone."""
    proposal = make_proposal(Proposal.Status.SUBMITTED)
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 3, 9, 23, 30, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.proposal_publish(
                proposal=proposal, actor=moderator, responsible_organization=committee
            )
    # 90 days after 10 March 00:30 in Stockholm: 8 June 00:30 (summer time).
    assert "8 juni 2026" in mail.outbox[-1].body, mail.outbox[-1].body


def test_site_search_gives_the_swedish_publishing_day(make_proposal, committee, moderator):
    from proposals.search import ProposalSource

    proposal = make_proposal(Proposal.Status.SUBMITTED, title="Belysning vid Storbron")
    with time_machine.travel(datetime(2026, 3, 9, 23, 30, tzinfo=UTC), tick=False):
        services.proposal_publish(
            proposal=proposal, actor=moderator, responsible_organization=committee
        )
    (hit,) = ProposalSource().search("Storbron", 5)
    assert hit.day.isoformat() == "2026-03-10"
