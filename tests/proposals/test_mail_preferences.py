"""Signers' mail: in the language of their account, with a link that stops the updates."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from proposals.models import Proposal, Signature
from tests.proposals.conftest import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred_with_signers(client, make_proposal, make_user, django_capture_on_commit_callbacks):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=2)
    swede = make_user(email="svensk@example.org", language="sv")
    english = make_user(email="english@example.org", language="en")
    for signer in (swede, english):
        client.force_login(signer)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("proposals:proposal-sign", args=[proposal.pk]),
                {"visibility": "anonymous", "notify": "on"},
            )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REFERRED
    return proposal, swede, english


def mail_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_each_signer_gets_mail_in_their_accounts_language(referred_with_signers):
    _proposal, swede, english = referred_with_signers
    (to_swede,) = mail_to(swede.email)
    (to_english,) = mail_to(english.email)
    assert "nämnden" in to_swede.subject
    assert "committee" in to_english.subject
    assert "You get this e-mail because you asked for updates" in to_english.body


def test_the_stop_link_stops_updates_for_that_proposal(
    client, referred_with_signers, django_capture_on_commit_callbacks
):
    proposal, swede, english = referred_with_signers
    (message,) = mail_to(english.email)
    url = re.search(r"https?://[^/\s]+(/proposals/updates/stop/[^\s]+/)", message.body).group(1)
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{url}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    assert proposal.title in page.content.decode()
    assert Signature.objects.get(user=english).notify  # a GET (a link scanner) changes nothing

    # A mail program's one-click request: a POST without a CSRF token.
    assert client.post(url).status_code == 200
    assert not Signature.objects.get(user=english).notify
    assert Signature.objects.get(user=swede).notify

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(proposal)
    assert mail_to(english.email) == []
    assert len(mail_to(swede.email)) == 1
    assert Signature.objects.filter(proposal=proposal).count() == 2  # the signature still counts


@pytest.mark.parametrize("token", ["nonsense", "eyJwIjoxLCJ1IjoxfQ:forged:signature"])
def test_a_broken_stop_link_gets_a_plain_answer(client, token):
    response = client.post(reverse("proposals:stop-updates", args=[token]))
    assert response.status_code == 400
    assert "Länken fungerar inte" in response.content.decode()
