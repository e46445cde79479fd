"""Open data at /api/v1/proposals/: counts, journey and case, never signer addresses."""

import pytest

from proposals import services
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


def test_list_and_detail(
    client, make_proposal, make_user, district, django_capture_on_commit_callbacks
):
    answered = make_proposal(Proposal.Status.ANSWERED)
    published = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    signer = make_user(email="secret.signer@example.org", name="Hemlig Signer")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_sign(proposal=published, user=signer, district=district, show_name=True)
    make_proposal(Proposal.Status.DRAFT)
    make_proposal(Proposal.Status.SUBMITTED)

    listing = client.get("/api/v1/proposals/").json()
    assert listing["count"] == 2
    assert {item["id"] for item in listing["items"]} == {answered.pk, published.pk}

    data = client.get(f"/api/v1/proposals/{published.pk}/").json()
    assert data["signature_count"] == 1
    assert data["counts_by_district"] == [{"district": "Centrum", "count": 1}]
    body = client.get(f"/api/v1/proposals/{published.pk}/").content.decode()
    assert "secret.signer" not in body and "Hemlig Signer" not in body
    assert "moderator@example.org" not in body

    data = client.get(f"/api/v1/proposals/{answered.pk}/").json()
    assert data["status"] == "answered"
    assert data["case"]["diary_number"].startswith("SBN ")
    assert data["decision"]["outcome"] == "approved"
    kinds = [event["kind"] for event in data["journey"]]
    assert kinds[:2] == ["submitted", "published"]
    assert "referred" in kinds and "decided" in kinds and "agenda" in kinds
    referred = next(e for e in data["journey"] if e["kind"] == "referred")
    assert referred["diary_number"] == data["case"]["diary_number"]


def test_hidden_and_draft_are_not_in_the_api(client, make_proposal):
    for status in (Proposal.Status.DRAFT, Proposal.Status.HIDDEN, Proposal.Status.SUBMITTED):
        proposal = make_proposal(status)
        assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404


def test_openapi_describes_the_proposal_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/proposals/" in schema["paths"]
    assert "/api/v1/proposals/{proposal_id}/" in schema["paths"]
    assert "counts_by_district" in schema["components"]["schemas"]["ProposalOut"]["properties"]
