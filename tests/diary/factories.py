from datetime import timedelta

import factory
from django.utils import timezone

from democracy.diary.models import AgendaItem, Case, Document, Meeting, PartyVote
from tests.people.factories import OrganizationFactory, PartyFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    organization = factory.SubFactory(OrganizationFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=3))
    year = factory.LazyAttribute(lambda o: timezone.localtime(o.start).year)
    number = factory.Sequence(lambda n: n + 1)
    status = Meeting.Status.PLANNED
    publicity = Meeting.Publicity.OPEN
    location = "Sessionssalen, Stadshuset"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    series = "KS"
    year = 2026
    sequence = factory.Sequence(lambda n: n + 100)
    slug = factory.LazyAttribute(lambda o: Case.slug_for(o.series, o.year, o.sequence))
    title = factory.Sequence(lambda n: f"Ärende {n}")
    summary = "En sammanfattning på klarspråk."
    responsible_organization = factory.SubFactory(OrganizationFactory)
    registered_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Punkt {n}")
    proposal_text = "Förslag till beslut."


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    kind = Document.Kind.MINUTES
    title = factory.Sequence(lambda n: f"Handling {n}")
    public = True


class PartyVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyVote

    agenda_item = factory.SubFactory(AgendaItemFactory)
    party = factory.SubFactory(PartyFactory)
