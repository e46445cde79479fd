"""The public pages and the proposer's pages answer, in Swedish, without inline script or style."""

from datetime import timedelta

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
def test_detail_page_is_public_only_in_public_states(
    client, make_proposal, proposer, moderator, status
):
    proposal = make_proposal(status)
    url = reverse("proposals:proposal-detail", args=[proposal.pk])
    response = client.get(url)
    assert response.status_code == (200 if status in PUBLIC else 404)
    if response.status_code == 200:
        html = response.content.decode()
        assert proposal.title in html
        assert '<html lang="sv" dir="ltr">' in html
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


def test_list_pages_use_a_fixed_number_of_queries(
    client,
    make_proposal,
    make_user,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from proposals import services

    proposals = [make_proposal(Proposal.Status.PUBLISHED, threshold=50) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for proposal in proposals:
            services.proposal_sign(proposal=proposal, user=make_user(name="Namn"), show_name=True)
    make_proposal(Proposal.Status.EXPIRED)
    make_proposal(Proposal.Status.REJECTED)

    def measure():
        with django_assert_max_num_queries(6) as list_queries:
            assert client.get(reverse("proposals:proposal-list")).status_code == 200
        with django_assert_max_num_queries(3) as api_queries:
            assert client.get("/api/v1/proposals/").status_code == 200
        return len(list_queries.captured_queries), len(api_queries.captured_queries)

    few = measure()
    for _ in range(6):
        make_proposal(Proposal.Status.PUBLISHED)
    assert measure() == few  # more proposals, not more queries


def test_signer_list_uses_a_fixed_number_of_queries(
    client,
    make_proposal,
    make_user,
    district,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from proposals import services

    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=50)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            services.proposal_sign(
                proposal=proposal, user=make_user(name="Namn"), show_name=True, district=district
            )
    with django_assert_max_num_queries(5):
        response = client.get(reverse("proposals:proposal-signers", args=[proposal.pk]))
    html = response.content.decode()
    assert html.count("<li>Namn <span") == 12
    assert "Centrum" not in html  # the district is for the counts only


def test_list_filters_and_sorts(
    client, make_proposal, make_user, district, django_capture_on_commit_callbacks
):
    from proposals import services
    from tests.proposals.factories import TopicFactory

    school = TopicFactory(slug="skola", name="Skola")
    popular = make_proposal(Proposal.Status.PUBLISHED, title="Fler bänkar i parken", threshold=50)
    closing = make_proposal(
        Proposal.Status.PUBLISHED, title="Simskola för alla barn", threshold=50, district=district
    )
    Proposal.objects.filter(pk=closing.pk).update(
        topic=school, closes_at=closing.closes_at - timedelta(days=30)
    )
    decided = make_proposal(Proposal.Status.ANSWERED, title="Läxhjälp på biblioteket")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.proposal_sign(proposal=popular, user=make_user())

    def titles(**params):
        response = client.get(reverse("proposals:proposal-list"), params)
        return [p.title for p in response.context["proposals"]]

    assert titles(status="answered") == [decided.title]
    assert titles(topic="skola") == [closing.title]
    assert titles(district="centrum") == [closing.title]
    assert titles(q="bänkar") == [popular.title]
    assert titles(sort="most_signed")[0] == decided.title  # 3 signatures (it reached its threshold)
    assert titles(sort="most_signed")[1] == popular.title
    assert titles(sort="closing_soon") == [closing.title, popular.title]  # open ones only
    assert titles(sort="closing_soon", status="answered") == [decided.title]  # not emptied
    assert set(titles()) == {popular.title, closing.title, decided.title}


def test_rules_page_states_the_settings_in_force(client, settings):
    """The published rules are rendered from the same settings the site runs on, including
    when signer data is removed (after the decision for a proposal that went to a committee)."""
    settings.PROPOSALS_SIGNATURE_THRESHOLD = 321
    settings.PROPOSALS_ANONYMISE_AFTER_DAYS = 45
    page = client.get(reverse("proposals:rules")).content.decode()
    assert "321" in page
    assert (
        "45 dagar efter att ett förslag har fått ett beslut, eller har avslutats utan att gå "
        "till en nämnd, tar vi bort vilka som skrev under." in page
    )
