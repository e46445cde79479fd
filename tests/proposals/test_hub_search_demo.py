"""The hub section, site search, similar proposals and the demo data."""

import io

import pytest
from django.core.management import call_command
from django.template import Context, Template

from proposals import services
from proposals.models import Proposal
from proposals.selectors import proposal_search

pytestmark = pytest.mark.django_db


def render_hub():
    return Template("{% load proposals_hub %}{% proposals_hub %}").render(Context({}))


def test_hub_lists_open_proposals_nearest_their_threshold(
    make_proposal, make_user, django_capture_on_commit_callbacks
):
    far = make_proposal(Proposal.Status.PUBLISHED, title="Långt kvar", threshold=50)
    near = make_proposal(Proposal.Status.PUBLISHED, title="Nästan framme", threshold=3)
    make_proposal(Proposal.Status.EXPIRED, title="Stängt förslag")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.proposal_sign(proposal=near, user=make_user())
    html = render_hub()
    assert html.index("Nästan framme") < html.index("Långt kvar")
    assert "Stängt förslag" not in html
    assert "1 underskrift till behövs" in html
    assert 'href="/proposals/"' in html
    assert far.get_absolute_url() in html


def test_hub_without_open_proposals():
    assert "Just nu samlar inga förslag underskrifter." in render_hub()


def test_search_finds_public_proposals_only(make_proposal):
    public = make_proposal(Proposal.Status.PUBLISHED, title="Belysning vid badplatsen")
    make_proposal(Proposal.Status.SUBMITTED, title="Belysning vid skolan")
    make_proposal(Proposal.Status.HIDDEN, title="Belysning vid torget")
    assert proposal_search(query="belysning") == [public]
    assert proposal_search(query="") == []
    assert proposal_search(query="fotbollsplan") == []
    assert proposal_search(query="belysning", limit=0) == []


def test_seed_demo_has_every_state_and_is_idempotent(client):
    call_command("seed_demo", stdout=io.StringIO())
    states = set(Proposal.objects.values_list("status", flat=True))
    assert states == set(Proposal.Status.values)
    near = Proposal.objects.get(title="Utegym i Västerby")
    assert 0 < near.threshold - near.count.total <= 5
    answered = Proposal.objects.get(status=Proposal.Status.ANSWERED)
    assert answered.case is not None and answered.decision_item.meeting.status == "held"
    referred = Proposal.objects.get(status=Proposal.Status.REFERRED)
    assert referred.count.total >= referred.threshold
    count = Proposal.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Proposal.objects.count() == count
    call_command("audit_verify", stdout=io.StringIO())
    for proposal in Proposal.objects.all():
        if proposal.is_public:
            assert client.get(proposal.get_absolute_url()).status_code == 200
    assert client.get("/proposals/").status_code == 200


def test_site_search_shows_proposals_as_a_group(client, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED, title="Belysning vid badplatsen")
    make_proposal(Proposal.Status.SUBMITTED, title="Belysning vid skolan")
    response = client.get("/search/", {"q": "belysning"})
    groups = {group.key: group for group in response.context["groups"]}
    assert [hit.title for hit in groups["proposals"].hits] == ["Belysning vid badplatsen"]
    html = response.content.decode()
    assert proposal.get_absolute_url() in html
    assert "Belysning vid skolan" not in html


def test_home_page_shows_proposals_and_youth_vote_sections(client):
    call_command("seed_demo", stdout=io.StringIO())
    html = client.get("/").content.decode()
    assert 'id="proposals-hub-heading"' in html
    assert "Utegym i Västerby" in html
    assert 'id="youth-vote-hub-heading"' in html
    assert 'href="/youth-vote/vote/"' in html  # the demo election is open


def test_case_page_links_back_to_its_proposal(client):
    call_command("seed_demo", stdout=io.StringIO())
    answered = Proposal.objects.get(status=Proposal.Status.ANSWERED)
    html = client.get(answered.case.get_absolute_url()).content.decode()
    assert f'<a href="{answered.get_absolute_url()}">{answered.title}</a>' in html
