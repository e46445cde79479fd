"""Personal data: export, account deletion, and the scheduled anonymisation of signers."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from democracy.accounts.services import user_delete, user_export_data
from proposals import services, tasks
from proposals.models import Comment, Proposal, ProposalCount, Signature

pytestmark = pytest.mark.django_db


def test_export_contains_proposals_signatures_and_comments(
    make_user, make_proposal, django_capture_on_commit_callbacks
):
    user = make_user(name="Ella Export")
    mine = make_proposal(Proposal.Status.PUBLISHED, author=user, threshold=10)
    other = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=other, user=user, show_name=True, notify=True)
    services.comment_create(proposal=other, author=user, body="Bra!")
    data = user_export_data(user=user)["proposals"]
    assert [p["id"] for p in data["proposals"]] == [mine.pk]
    assert (
        data["signatures"][0]["proposal"] == other.pk
        and data["signatures"][0]["name_shown"] == "Ella Export"
    )
    assert data["comments"][0]["text"] == "<p>Bra!</p>" or "Bra!" in data["comments"][0]["text"]


def test_deleting_an_account(make_user, make_proposal, django_capture_on_commit_callbacks):
    user = make_user(name="Dag Delete")
    open_proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    closed = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    own_public = make_proposal(Proposal.Status.PUBLISHED, author=user, threshold=10)
    own_draft = make_proposal(Proposal.Status.DRAFT, author=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=open_proposal, user=user, show_name=True)
        services.proposal_sign(proposal=closed, user=user, show_name=True)
        services.proposal_sign(proposal=closed, user=make_user())
    Proposal.objects.filter(pk=closed.pk).update(closes_at=closed.published_at)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_close_if_due(proposal_id=closed.pk)
    services.comment_create(proposal=open_proposal, author=user, body="Min åsikt")

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=user)

    # Open: the signature is withdrawn and the count follows.
    assert not Signature.objects.filter(proposal=open_proposal).exists()
    assert ProposalCount.objects.get(proposal=open_proposal).total == 0
    # Closed: anonymised, the count stays right.
    assert not Signature.objects.filter(proposal=closed, public_name="Dag Delete").exists()
    assert Signature.objects.filter(proposal=closed, user__isnull=True).count() == 1
    assert ProposalCount.objects.get(proposal=closed).total == 2
    # Own public proposal stays without the name; the draft is gone.
    own_public.refresh_from_db()
    assert own_public.proposer is None and own_public.proposer_name == ""
    assert not Proposal.objects.filter(pk=own_draft.pk).exists()
    comment = Comment.objects.get()
    assert comment.author is None and comment.author_name == ""


def test_signer_data_is_anonymised_after_the_delay(
    client, make_proposal, make_user, django_capture_on_commit_callbacks
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    signer = make_user(name="Siv Signer")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(
            proposal=proposal, user=signer, show_name=True, ip_address="192.0.2.7"
        )
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=proposal.published_at)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_close_if_due(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    with time_machine.travel(proposal.closed_at + timedelta(days=89)):
        assert tasks.anonymise_signer_data() == 0
    with time_machine.travel(proposal.closed_at + timedelta(days=91)):
        assert tasks.anonymise_signer_data() == 1
        assert tasks.anonymise_signer_data() == 0  # idempotent
    signature = Signature.objects.get()
    assert (
        signature.user,
        signature.public_name,
        signature.ip_address,
        signature.network,
        signature.email_domain,
    ) == (None, "", None, "", "")
    assert ProposalCount.objects.get(proposal=proposal).total == 1
    page = client.get(reverse("proposals:proposal-signers", args=[proposal.pk])).content.decode()
    assert "Siv Signer" not in page


@pytest.mark.parametrize("before", [Proposal.Status.EXPIRED, Proposal.Status.PUBLISHED])
def test_signer_data_of_a_hidden_proposal_is_anonymised_too(
    before, make_proposal, make_user, moderator, django_capture_on_commit_callbacks
):
    """Hidden after it closed, or hidden while open and its signing time ran out: the
    signers' data goes after the delay all the same, and the count stays."""
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=proposal, user=make_user(name="Siv Signer"), show_name=True)
    if before == Proposal.Status.EXPIRED:
        Proposal.objects.filter(pk=proposal.pk).update(closes_at=proposal.published_at)
        services.proposal_close_if_due(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    services.proposal_hide(proposal=proposal, actor=moderator, reason="Kränkande.")
    ended = proposal.closed_at or proposal.closes_at
    with time_machine.travel(ended + timedelta(days=89)):
        assert tasks.anonymise_signer_data() == 0
    with time_machine.travel(ended + timedelta(days=91)):
        assert tasks.anonymise_signer_data() == 1
    signature = Signature.objects.get()
    assert (signature.user, signature.public_name) == (None, "")
    assert ProposalCount.objects.get(proposal=proposal).total == 1


def test_public_signer_lists_publish_only_the_day(
    client, make_user, make_proposal, django_capture_on_commit_callbacks
):
    import re

    from django.utils.timezone import localtime

    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(
            proposal=proposal, user=make_user(name="Dora Dag"), show_name=True, notify=False
        )
    signed = Signature.objects.get(proposal=proposal).created_at
    for url in (
        reverse("proposals:proposal-signers", args=[proposal.pk]),
        reverse("proposals:proposal-detail", args=[proposal.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Dora Dag" in page
        stamps = re.findall(r'<time datetime="([^"]+)">[^<]*</time></span></li>', page)
        assert stamps == [localtime(signed).date().isoformat()]


def test_privacy_page_names_the_stored_addresses_and_when_they_go(client, settings):
    settings.PROPOSALS_ANONYMISE_AFTER_DAYS = 45
    page = client.get(reverse("core:privacy")).content.decode()
    assert "IP-adressen" in page and "domänen i din e-postadress" in page
    assert "tas bort 45 dagar efter" in page
