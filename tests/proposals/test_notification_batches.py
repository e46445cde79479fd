"""A referral to many signers is mailed in runs of ``PER_TASK`` signers, each queueing the
next: one run must stay inside the worker's timeout, or the signers after it would never hear."""

from django.core import mail
from django.utils.timezone import now as timezone_now

from proposals import notifications, tasks
from proposals.models import Notification, Proposal, Signature


def test_a_referral_to_many_signers_is_mailed_in_runs_each_once(
    make_proposal, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=100)
    signers = [make_user(name=f"Signer {i}") for i in range(7)]
    Signature.objects.bulk_create(
        Signature(proposal=proposal, user=user, notify=True, created_at=timezone_now())
        for user in signers
    )
    monkeypatch.setattr(notifications, "PER_TASK", 3)
    runs = []
    send_event = notifications.send_event
    monkeypatch.setattr(
        notifications,
        "send_event",
        lambda **kwargs: runs.append(kwargs) or send_event(**kwargs),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify_proposal_event(proposal.pk, "referred")
    # The proposer and 3 signers, 3 more, the last one: three runs, then no fourth.
    assert len(runs) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [proposal.proposer.email] + [user.email for user in signers]
    )
    assert Notification.objects.filter(proposal=proposal, event="referred").count() == 8
