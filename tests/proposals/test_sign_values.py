"""The signing view reads ordinary submissions without building SignForm; it must accept exactly
what the form accepts, with the same values, and leave everything else to the form."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from proposals import selectors, services
from proposals.forms import SignForm, sign_values_plain
from proposals.models import District, Proposal, Signature

pytestmark = pytest.mark.django_db

SUBMISSIONS = [
    {"visibility": "anonymous"},
    {"visibility": "anonymous", "csrfmiddlewaretoken": "x"},
    {"visibility": "name", "public_name": "  Rut Resident  "},
    {"visibility": "name", "public_name": ""},
    {"visibility": "name", "public_name": "   "},
    {"visibility": "name", "public_name": "R" * 150},
    {"visibility": "name", "public_name": "R" * 151},
    {"visibility": "name", "public_name": "Rut\x00"},
    {"visibility": "anonymous", "notify": "on"},
    {"visibility": "anonymous", "notify": "true"},
    {"visibility": "anonymous", "notify": "false"},
    {"visibility": "anonymous", "notify": "0"},
    {"visibility": "anonymous", "district": ""},
    {"visibility": "anonymous", "district": "{district}"},
    {"visibility": "anonymous", "district": "999999"},
    {"visibility": "anonymous", "district": "-1"},
    {"visibility": "anonymous", "district": "٣"},  # an Arabic-Indic digit
    {"visibility": "anonymous", "district": "abc"},
    {"visibility": "public"},
    {"visibility": ""},
    {},
    {"visibility": "anonymous", "extra": "1"},
    {"visibility": "anonymous", "public_name": "Visas inte"},
]


def as_query(data: dict, district: District) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key] = value.replace("{district}", str(district.pk))
    return query


@pytest.mark.parametrize("data", SUBMISSIONS)
def test_plain_reading_agrees_with_the_form(data, district):
    query = as_query(data, district)
    plain = sign_values_plain(query, district_ids=frozenset({district.pk}))
    form = SignForm(query)
    if plain is None:
        return  # the form decides, with its messages
    assert form.is_valid(), form.errors
    cleaned = dict(form.cleaned_data)
    cleaned["district"] = cleaned["district"].pk if cleaned["district"] else None
    assert plain == cleaned


def test_the_common_submissions_are_read_without_the_form(district):
    ids = frozenset({district.pk})
    readable = [
        {"visibility": "anonymous"},
        {"visibility": "name", "public_name": "Rut"},
        {"visibility": "anonymous", "notify": "on", "district": str(district.pk)},
    ]
    for data in readable:
        assert sign_values_plain(as_query(data, district), district_ids=ids) is not None


def test_a_district_the_process_does_not_know_yet_goes_through_the_form(
    client, resident, make_proposal, monkeypatch
):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    new = District.objects.create(name="Nya staden", slug="nya-staden")
    # As in a web process that read the districts before another process added this one.
    monkeypatch.setattr(selectors, "district_ids", lambda: frozenset())
    client.force_login(resident)
    response = client.post(
        reverse("proposals:proposal-sign", args=[proposal.pk]),
        {"visibility": "anonymous", "district": str(new.pk)},
    )
    assert response.status_code == 302
    assert Signature.objects.get(proposal=proposal).district == new


def test_a_district_added_or_removed_in_this_process_is_seen_at_once():
    known = selectors.district_ids()
    added = District.objects.create(name="Hamnen", slug="hamnen")
    assert added.pk not in known and added.pk in selectors.district_ids()
    added_id = added.pk
    added.delete()
    assert added_id not in selectors.district_ids()


def test_an_unknown_district_gets_the_forms_message(client, resident, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    client.force_login(resident)
    response = client.post(
        reverse("proposals:proposal-sign", args=[proposal.pk]),
        {"visibility": "name", "public_name": "Rut", "district": "999999"},
    )
    assert response.status_code == 400
    assert "district" in response.context["sign_form"].errors
    assert 'value="Rut"' in response.content.decode()  # nothing written is lost
    assert not Signature.objects.exists()


def test_a_district_removed_after_it_was_checked_is_left_out(resident, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    gone = District.objects.create(name="Rivet", slug="rivet")
    gone_id = gone.pk
    gone.delete()
    services.proposal_sign(proposal=proposal, user=resident, district=gone_id)
    assert Signature.objects.get(proposal=proposal).district_id is None
