"""Issue 12: a moderator can make only a body that can decide on an e-proposal responsible for
it: the council, the executive board or a committee, not a company board, the youth council,
a sub-committee, a party or a dissolved body."""

from datetime import date

import pytest
from django.urls import reverse

from democracy.people.models import Organization
from proposals import services
from proposals.models import Proposal
from tests.people.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

Kind = Organization.Classification


@pytest.fixture
def bodies(committee):
    return {
        "council": OrganizationFactory(name="Kommunfullmäktige", classification=Kind.COUNCIL),
        "board": OrganizationFactory(name="Kommunstyrelsen", classification=Kind.EXECUTIVE_BOARD),
        "committee": committee,
        "sub": OrganizationFactory(name="KS arbetsutskott", classification=Kind.SUBCOMMITTEE),
        "company": OrganizationFactory(name="Norrviks Energi AB", classification=Kind.COMPANY_BOARD),
        "youth": OrganizationFactory(name="Ungdomsfullmäktige", classification=Kind.YOUTH_COUNCIL),
        "party": OrganizationFactory(name="Partiet", classification=Kind.PARTY),
        "gone": OrganizationFactory(
            name="Tekniska nämnden", classification=Kind.COMMITTEE, dissolution_date=date(2022, 12, 31)
        ),
    }


def test_moderation_page_offers_only_deciding_bodies(client, moderator, make_proposal, bodies):
    proposal = make_proposal(Proposal.Status.SUBMITTED)
    client.force_login(moderator)
    response = client.get(reverse("proposals:moderation-detail", args=[proposal.pk]))
    offered = set(response.context["publish_form"].fields["responsible_organization"].queryset)
    assert offered == {bodies["council"], bodies["board"], bodies["committee"]}
    page = response.content.decode()
    select = page[page.index('name="responsible_organization"') :]
    select = select[: select.index("</select>")]
    assert "Kommunfullmäktige" in select
    for name in ("Norrviks Energi AB", "Ungdomsfullmäktige", "KS arbetsutskott", "Partiet"):
        assert name not in select


@pytest.mark.parametrize("key", ["company", "youth", "sub", "gone"])
def test_publishing_to_a_body_that_cannot_decide_is_refused(
    client, moderator, make_proposal, bodies, key
):
    proposal = make_proposal(Proposal.Status.SUBMITTED)
    client.force_login(moderator)
    response = client.post(
        reverse("proposals:moderation-publish", args=[proposal.pk]),
        {"responsible_organization": bodies[key].pk},
    )
    assert response.status_code == 400
    assert "responsible_organization" in response.context["publish_form"].errors
    with pytest.raises(services.ProposalError):
        services.proposal_publish(
            proposal=proposal, actor=moderator, responsible_organization=bodies[key]
        )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
