"""Politicians' pages, the contact form and the consent and protection rules."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.timezone import localdate

from democracy.people.models import ContactDetail, Membership
from tests.people.factories import (
    ContactDetailFactory,
    MembershipFactory,
    OrganizationFactory,
    PartyFactory,
    PersonFactory,
    TermFactory,
    politician,
)

pytestmark = pytest.mark.django_db


def test_list_filters_by_party_and_body(client):
    board, committee = OrganizationFactory(name="Kommunstyrelsen"), OrganizationFactory()
    reds, blues = PartyFactory(name="Röda"), PartyFactory(name="Blå")
    anna = politician(body=board, party=reds, given_name="Anna")
    bert = politician(body=committee, party=blues, given_name="Bert")
    carl = politician(body=board, party=blues, given_name="Carl")

    everyone = client.get(reverse("people:politician-list"))
    assert everyone.status_code == 200
    assert {p.pk for p in everyone.context["politicians"]} == {anna.pk, bert.pk, carl.pk}

    by_party = client.get(reverse("people:politician-list"), {"party": blues.slug})
    assert {p.pk for p in by_party.context["politicians"]} == {bert.pk, carl.pk}
    by_both = client.get(
        reverse("people:politician-list"), {"party": blues.slug, "body": board.slug}
    )
    assert [p.pk for p in by_both.context["politicians"]] == [carl.pk]
    html = by_both.content.decode()
    assert carl.name in html and anna.name not in html
    by_name = client.get(reverse("people:politician-list"), {"q": "ann"})
    assert [p.pk for p in by_name.context["politicians"]] == [anna.pk]


def test_unknown_filter_values_show_the_form_again_not_an_error(client):
    response = client.get(
        reverse("people:politician-list"), {"party": "no-such", "body": "x" * 500}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_profile_shows_current_and_past_assignments_and_published_contacts(client):
    board = OrganizationFactory(name="Socialnämnden")
    party = PartyFactory(name="Gröna")
    person = politician(body=board, party=party, role=Membership.Role.CHAIR)
    old_term = TermFactory(
        name="2018–2022",
        slug="2018-2022",
        start_date=localdate() - timedelta(days=3000),
        end_date=localdate() - timedelta(days=1500),
    )
    old_body = OrganizationFactory(name="Tekniska nämnden")
    MembershipFactory(person=person, organization=old_body, term=old_term, on_behalf_of=party)
    phone = ContactDetailFactory(
        person=person, type=ContactDetail.Type.CELL, value="070-123 45 67", is_official=False
    )

    response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    profile = response.context["profile"]
    assert [m.organization for m in profile.current_memberships] == [board]
    assert [m.organization for m in profile.past_memberships] == [old_body]
    assert profile.party == party
    html = response.content.decode()
    assert "Socialnämnden" in html and "Tekniska nämnden" in html
    assert phone.value in html
    assert reverse("people:politician-contact", args=[person.slug]) in html


def test_consent_off_means_no_contact_detail_anywhere(client):
    person = politician(body=OrganizationFactory(), email=False)
    no_consent = ContactDetailFactory(
        person=person, value="hemlig@example.org", publish=True, consent_given_at=None
    )
    not_published = ContactDetailFactory(
        person=person, value="opublicerad@example.org", publish=False
    )
    expired = ContactDetailFactory(
        person=person, value="gammal@example.org", valid_until=localdate() - timedelta(days=1)
    )
    future = ContactDetailFactory(
        person=person, value="ny@example.org", valid_from=localdate() + timedelta(days=5)
    )
    hidden = [no_consent.value, not_published.value, expired.value, future.value]

    page = client.get(person.get_absolute_url()).content.decode()
    api_person = client.get(f"/api/v1/persons/{person.slug}").content.decode()
    api_list = client.get("/api/v1/persons").content.decode()
    export = client.get("/api/v1/popolo.json").content.decode()
    for value in hidden:
        for where, text in (
            ("page", page),
            ("api", api_person),
            ("list", api_list),
            ("export", export),
        ):
            assert value not in text, (value, where)
    assert client.get(reverse("people:politician-contact", args=[person.slug])).status_code == 404
    # The same person with consent recorded is shown everywhere.
    ContactDetail.objects.filter(pk=no_consent.pk).update(consent_given_at=expired.consent_given_at)
    assert no_consent.value in client.get(person.get_absolute_url()).content.decode()
    assert no_consent.value in client.get("/api/v1/popolo.json").content.decode()


def test_protected_person_shows_name_and_party_only(client):
    body = OrganizationFactory(name="Barn- och utbildningsnämnden")
    party = PartyFactory(name="Mittenpartiet")
    person = politician(body=body, party=party, biography="Bor på Storgatan 3.", gender="female")
    ContactDetailFactory(person=person, type=ContactDetail.Type.CELL, value="070-999 99 99")
    person.is_protected = True
    person.save(update_fields=["is_protected"])
    colleague = politician(body=body, party=party)

    html = client.get(person.get_absolute_url()).content.decode()
    assert person.name in html and "Mittenpartiet" in html
    for secret in ("Storgatan 3", "070-999 99 99", "politiker", "Barn- och utbildningsnämnden"):
        assert secret not in html
    assert client.get(reverse("people:politician-contact", args=[person.slug])).status_code == 404

    data = client.get(f"/api/v1/persons/{person.slug}").json()
    assert data["name"] == person.name and data["party"] == "Mittenpartiet"
    assert data["contact_details"] == [] and data["biography"] == "" and data["gender"] == ""
    memberships = client.get("/api/v1/memberships").json()["items"]
    mine = [m for m in memberships if m["person_id"].endswith(person.slug)]
    assert [m["organization_id"] for m in mine] == [f"delta/organization/{party.slug}"]

    body_page = client.get(body.get_absolute_url()).content.decode()
    assert person.name not in body_page and colleague.name in body_page
    assert response_context_hidden(client, body) == 1

    export = json.loads(client.get("/api/v1/popolo.json").content)
    row = next(p for p in export["persons"] if p["name"] == person.name)
    assert set(row) == {"id", "name", "party_id"}
    assert not [
        m
        for m in export["memberships"]
        if m["person_id"] == row["id"] and m["organization_id"].endswith(body.slug)
    ]

    by_body = client.get(reverse("people:politician-list"), {"body": body.slug})
    assert person not in by_body.context["politicians"]


def response_context_hidden(client, body):
    return client.get(body.get_absolute_url()).context["hidden_members"]


def test_contact_form_relays_by_email_without_showing_the_address(
    client, django_capture_on_commit_callbacks
):
    person = politician(body=OrganizationFactory())
    address = person.contact_details.get().value
    url = reverse("people:politician-contact", args=[person.slug])

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert address not in html
    assert "allmän handling" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "Rut Resident",
                "email": "rut@example.org",
                "subject": "Gatlampor",
                "body": "Hej! <script>alert(1)</script>Lamporna på Storgatan är trasiga.",
                "public_record": "on",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [address]
    assert message.reply_to == ["rut@example.org"]
    assert "Lamporna på Storgatan är trasiga." in message.body
    assert "<script>" not in message.body


def test_contact_message_keeps_the_text_as_written_and_the_subject_on_one_line(
    client, django_capture_on_commit_callbacks
):
    person = politician(body=OrganizationFactory())
    url = reverse("people:politician-contact", args=[person.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "Rut & Co",
                "email": "rut@example.org",
                "subject": "Skola & förskola\r\nBcc: evil@example.org",
                "body": 'Är 3 < 5 & stämmer "det"?',
                "public_record": "on",
            },
        )
    assert response.status_code == 302
    message = mail.outbox[0].message()  # builds the headers as the worker would
    assert mail.outbox[0].subject.endswith("Skola & förskola Bcc: evil@example.org")
    assert message["Bcc"] is None
    body = mail.outbox[0].body
    assert 'Är 3 < 5 & stämmer "det"?' in body and "Rut & Co" in body
    assert "&amp;" not in body and "&lt;" not in body


def test_contact_form_errors_keep_what_was_written(client):
    person = politician(body=OrganizationFactory())
    url = reverse("people:politician-contact", args=[person.slug])
    response = client.post(
        url, {"name": "Rut", "email": "inte-en-adress", "subject": "Ämne", "body": "Min text"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"email", "public_record"}
    assert "Min text" in response.content.decode()
    assert mail.outbox == []


def test_contact_form_is_rate_limited_per_ip(client, settings, django_capture_on_commit_callbacks):
    settings.PEOPLE_CONTACT_RATE = "2/h"
    person = politician(body=OrganizationFactory())
    url = reverse("people:politician-contact", args=[person.slug])
    data = {
        "name": "R",
        "email": "r@example.org",
        "subject": "S",
        "body": "B",
        "public_record": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 429
    assert len(mail.outbox) == 2


def test_person_without_published_email_has_no_form(client):
    person = politician(body=OrganizationFactory(), email=False)
    ContactDetailFactory(person=person, type=ContactDetail.Type.VOICE, value="08-123 456")
    url = reverse("people:politician-contact", args=[person.slug])
    assert client.get(url).status_code == 404
    data = {
        "name": "R",
        "email": "r@example.org",
        "subject": "S",
        "body": "B",
        "public_record": "on",
    }
    assert client.post(url, data).status_code == 404
    assert mail.outbox == []
    assert url not in client.get(person.get_absolute_url()).content.decode()


def test_unknown_politician_is_404(client):
    assert client.get("/politicians/nobody/").status_code == 404


def test_list_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    body, party = OrganizationFactory(), PartyFactory()
    for _ in range(40):
        politician(body=body, party=party)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("people:politician-list"))
    assert len(response.context["politicians"]) == 40
    person = PersonFactory()
    for _ in range(15):
        MembershipFactory(person=person)
    with django_assert_max_num_queries(8):
        assert client.get(person.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_nobody_is_both_member_and_substitute_of_one_body():
    from django.core.exceptions import ValidationError

    from democracy.people.models import Membership, Organization, Person, Term
    from democracy.people.services import membership_create, person_create

    term = Term.objects.create(
        name="2026–2030", slug="t", start_date="2026-10-15", end_date="2030-10-14"
    )
    body = Organization.objects.create(name="Socialnämnden", slug="sn", classification="committee")
    person = person_create(given_name="Eva", family_name="Berg", actor=None)
    membership_create(person=person, organization=body, term=term, actor=None)
    with pytest.raises(ValidationError):
        membership_create(
            person=person,
            organization=body,
            term=term,
            role=Membership.Role.SUBSTITUTE,
            substitute_order=1,
            actor=None,
        )
    # A substitute seat in another body, or in another term, is fine.
    other = Organization.objects.create(name="Kulturnämnden", slug="kn", classification="committee")
    membership_create(person=person, organization=other, term=term, role="substitute", actor=None)
    earlier = Term.objects.create(
        name="2022–2026", slug="e", start_date="2022-10-15", end_date="2026-10-14"
    )
    membership_create(person=person, organization=body, term=earlier, role="substitute", actor=None)
    assert Person.objects.get(pk=person.pk).memberships.count() == 3


@pytest.mark.django_db
def test_demo_has_no_member_who_is_also_a_substitute():
    import io

    from django.core.management import call_command
    from django.db.models import Count

    from democracy.people.models import Membership

    call_command("seed_demo", stdout=io.StringIO())
    doubles = (
        Membership.objects.exclude(organization__classification="party")
        .values("person", "organization", "term")
        .annotate(roles=Count("role", distinct=True))
        .filter(roles__gt=1)
    )
    assert not doubles.exists()


def test_body_filter_lists_only_people_whose_seat_in_that_body_is_current(client):
    """Someone who left the body but still sits elsewhere is not listed under the old body."""
    board, committee = OrganizationFactory(name="Kommunstyrelsen"), OrganizationFactory()
    party = PartyFactory()
    stayed = politician(body=board, party=party, given_name="Stina")
    left = politician(body=committee, party=party, given_name="Lars")
    MembershipFactory(
        person=left,
        organization=board,
        on_behalf_of=party,
        start_date=localdate() - timedelta(days=400),
        end_date=localdate() - timedelta(days=10),
    )
    future = politician(body=committee, party=party, given_name="Frida")
    MembershipFactory(
        person=future,
        organization=board,
        on_behalf_of=party,
        start_date=localdate() + timedelta(days=10),
        end_date=None,
    )

    response = client.get(reverse("people:politician-list"), {"body": board.slug})
    assert [p.pk for p in response.context["politicians"]] == [stayed.pk]
    html = response.content.decode()
    assert left.name not in html and future.name not in html
    on_committee = client.get(reverse("people:politician-list"), {"body": committee.slug})
    assert {p.pk for p in on_committee.context["politicians"]} == {left.pk, future.pk}


def test_contact_links_are_only_made_from_safe_addresses(client):
    person = politician(body=OrganizationFactory(), email=False)
    for kind, value in [
        (ContactDetail.Type.URL, "javascript:alert(document.cookie)"),
        (ContactDetail.Type.SOCIAL, "@politiker_norrvik"),
        (ContactDetail.Type.URL, "https://politiker.norrvik.example/"),
        (ContactDetail.Type.VOICE, "0123-45 67 89"),
        (ContactDetail.Type.EMAIL, "anna@politiker.norrvik.example"),
    ]:
        ContactDetailFactory(person=person, type=kind, value=value)
    html = client.get(person.get_absolute_url()).content.decode()
    assert 'href="javascript:' not in html
    assert "javascript:alert(document.cookie)" in html  # shown as text
    assert 'href="@politiker_norrvik"' not in html and "@politiker_norrvik" in html
    assert 'href="https://politiker.norrvik.example/"' in html
    assert 'href="tel:0123456789"' in html
    assert 'href="mailto:anna@politiker.norrvik.example"' in html
