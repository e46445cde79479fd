"""The public pages and the proposer's pages answer, in Swedish, without inline script or style."""

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests.proposals.conftest import STATES

pytestmark = pytest.mark.django_db

PUBLIC = {
    Proposal.Status.PUBLISHED,
    Proposal.Status.REFERRED,
    Proposal.Status.ANSWERED,
    Proposal.Status.EXPIRED,
    Proposal.Status.REJECTED,
    Proposal.Status.WITHDRAWN,
}


def assert_clean_html(html):
    assert "<script>" not in html and "<script " not in html.replace("<script src=", "")
    assert " style=" not in html
    assert "<style" not in html


@pytest.mark.parametrize("status", STATES)
def test_detail_page_is_public_only_in_public_states(client, make_proposal, proposer, moderator, status):
    proposal = make_proposal(status)
    url = reverse("proposals:proposal-detail", args=[proposal.pk])
    response = client.get(url)
    assert response.status_code == (200 if status in PUBLIC else 404)
    if response.status_code == 200:
        html = response.content.decode()
        assert proposal.title in html
        assert '<html lang="sv">' in html
        assert_clean_html(html)
    client.force_login(proposer)
    assert client.get(url).status_code == 200
    client.force_login(moderator)
    assert client.get(url).status_code == (404 if status == Proposal.Status.DRAFT else 200)


def test_list_rules_and_forms_render(client, resident, make_proposal):
    for status in (Proposal.Status.PUBLISHED, Proposal.Status.ANSWERED, Proposal.Status.DRAFT):
        make_proposal(status)
    for name in ("proposals:proposal-list", "proposals:rules"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_clean_html(response.content.decode())
    client.force_login(resident)
    for name in ("proposals:proposal-create", "proposals:my-proposals"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert_clean_html(response.content.decode())
