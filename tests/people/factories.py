from datetime import date, timedelta

import factory
from django.utils import timezone
from django.utils.timezone import localdate

from democracy.people.models import ContactDetail, Membership, Organization, Person, Term


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("slug",)

    name = "2026–2030"
    slug = "2026-2030"
    start_date = factory.LazyFunction(lambda: localdate() - timedelta(days=100))
    end_date = factory.LazyFunction(lambda: localdate() + timedelta(days=1300))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Nämnd {n}")
    short_name = factory.Sequence(lambda n: f"N{n}")
    slug = factory.Sequence(lambda n: f"namnd-{n}")
    classification = Organization.Classification.COMMITTEE
    registry_series = factory.Sequence(lambda n: f"N{n}")
    registry_email = "registrator@norrvik.example"


class PartyFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Partiet {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    slug = factory.Sequence(lambda n: f"parti-{n}")
    classification = Organization.Classification.PARTY
    color = "#336699"
    registry_series = ""


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Förnamn{n}")
    family_name = factory.Sequence(lambda n: f"Efternamn{n}")
    sort_name = factory.LazyAttribute(lambda o: f"{o.family_name}, {o.given_name}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    term = factory.SubFactory(TermFactory)
    role = Membership.Role.MEMBER
    on_behalf_of = factory.SubFactory(PartyFactory)
    start_date = factory.LazyAttribute(lambda o: o.term.start_date if o.term else None)
    end_date = factory.LazyAttribute(lambda o: o.term.end_date if o.term else None)


class ContactDetailFactory(factory.django.DjangoModelFactory):
    """Published with recorded consent unless told otherwise."""

    class Meta:
        model = ContactDetail

    person = factory.SubFactory(PersonFactory)
    type = ContactDetail.Type.EMAIL
    value = factory.Sequence(lambda n: f"politiker{n}@politiker.norrvik.example")
    is_official = True
    publish = True
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_source = "Samtyckesblankett"


def politician(*, body=None, party=None, role=Membership.Role.MEMBER, email=True, **person):
    """A person with a seat in ``body`` for ``party`` and, by default, a published e-mail."""
    someone = PersonFactory(**person)
    party = party or PartyFactory()
    MembershipFactory(person=someone, organization=party, on_behalf_of=None)
    if body is not None:
        MembershipFactory(person=someone, organization=body, on_behalf_of=party, role=role)
    if email:
        ContactDetailFactory(person=someone)
    return someone


__all__ = ["date"]
