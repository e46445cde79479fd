import factory

from democracy.people.models import Organization
from proposals.models import District, RejectionReason, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Ämne {n}")
    translations = factory.Sequence(lambda n: {"en": {"name": f"Topic {n}"}})
    slug = factory.Sequence(lambda n: f"topic-{n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Stadsdel {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class RejectionReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RejectionReason
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"reason-{n}")
    title = factory.Sequence(lambda n: f"Skäl {n}")
    translations = factory.Sequence(lambda n: {"en": {"title": f"Reason {n}"}})
    public = True


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Nämnd {n}")
    short_name = factory.Sequence(lambda n: f"N{n}")
    slug = factory.Sequence(lambda n: f"namnd-{n}")
    classification = Organization.Classification.COMMITTEE
