"""Open data API for people: organizations, persons, memberships and the Popolo export.

Field names follow Popolo / Open Civic Data. Contact details come only from
``ContactDetail.objects.published()``; a protected person is given with name and party only.
"""

from datetime import date

from django.db.models import Prefetch, Q
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from democracy.api import ERRORS, ERRORS_AND_404, Pagination, Text
from democracy.core.translations import all_translations
from democracy.people import popolo
from democracy.people.models import ContactDetail, Membership, Organization, Person
from democracy.people.selectors import person_party

router = Router(tags=["people"])


class ContactDetailOut(Schema):
    type: str
    value: str
    label: str = ""
    note: str = ""
    valid_from: date | None = None
    valid_until: date | None = None


class OrganizationOut(Schema):
    id: str
    slug: str
    name: str
    short_name: str
    classification: str
    parent_id: str | None
    founding_date: date | None
    dissolution_date: date | None
    email: str
    description: str = Field(
        description="What the body does, in Swedish (the source text)."
    )
    description_translations: dict[str, str] = Field(
        description=(
            "The description in every language it has, by language code; 'sv' is the source."
        )
    )
    url: str

    @staticmethod
    def resolve_id(obj):
        return popolo.popolo_id_of(obj, "organization")

    @staticmethod
    def resolve_description_translations(obj):
        return all_translations(obj, "description")

    @staticmethod
    def resolve_parent_id(obj):
        return popolo.popolo_id_of(obj.parent, "organization") if obj.parent else None

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class PersonOut(Schema):
    id: str
    slug: str
    name: str
    given_name: str
    family_name: str
    sort_name: str
    gender: str
    image: str | None
    biography: str
    party_id: str | None
    party: str | None
    protected: bool
    contact_details: list[ContactDetailOut]
    url: str

    @staticmethod
    def resolve_id(obj):
        return popolo.popolo_id_of(obj, "person")

    @staticmethod
    def resolve_given_name(obj):
        return "" if obj.is_protected else obj.given_name

    @staticmethod
    def resolve_family_name(obj):
        return "" if obj.is_protected else obj.family_name

    @staticmethod
    def resolve_sort_name(obj):
        return "" if obj.is_protected else obj.sort_name

    @staticmethod
    def resolve_gender(obj):
        return "" if obj.is_protected else obj.gender

    @staticmethod
    def resolve_biography(obj):
        return "" if obj.is_protected else obj.biography

    @staticmethod
    def resolve_image(obj):
        if obj.is_protected or not obj.image:
            return None
        return obj.image.url

    @staticmethod
    def resolve_party_id(obj):
        party = person_party(obj)
        return popolo.popolo_id_of(party, "organization") if party else None

    @staticmethod
    def resolve_party(obj):
        party = person_party(obj)
        return party.name if party else None

    @staticmethod
    def resolve_protected(obj):
        return obj.is_protected

    @staticmethod
    def resolve_contact_details(obj):
        return [] if obj.is_protected else obj.published_contact_details

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class MembershipOut(Schema):
    id: str
    person_id: str
    organization_id: str
    on_behalf_of_id: str | None
    legislative_period_id: str | None
    role: str
    label: str
    substitute_order: int | None
    start_date: date | None
    end_date: date | None

    @staticmethod
    def resolve_id(obj):
        return popolo.popolo_id_of(obj, "membership")

    @staticmethod
    def resolve_person_id(obj):
        return popolo.popolo_id_of(obj.person, "person")

    @staticmethod
    def resolve_organization_id(obj):
        return popolo.popolo_id_of(obj.organization, "organization")

    @staticmethod
    def resolve_on_behalf_of_id(obj):
        return popolo.popolo_id_of(obj.on_behalf_of, "organization") if obj.on_behalf_of else None

    @staticmethod
    def resolve_legislative_period_id(obj):
        return popolo.popolo_id_of(obj.term, "term") if obj.term else None


def persons_queryset():
    return Person.objects.prefetch_related(
        Prefetch(
            "contact_details",
            queryset=ContactDetail.objects.published().order_by("-is_official", "type", "pk"),
            to_attr="published_contact_details",
        ),
        Prefetch(
            "memberships",
            queryset=Membership.objects.current().select_related("organization", "on_behalf_of"),
            to_attr="current_memberships",
        ),
    ).order_by("sort_name", "pk")


@router.get(
    "/organizations", response={200: list[OrganizationOut], **ERRORS}, summary="Bodies and parties"
)
@paginate(Pagination)
def organizations(request, classification: Text = ""):
    rows = Organization.objects.select_related("parent").order_by("sort_order", "name")
    if classification:
        rows = rows.filter(classification=classification)
    return rows


@router.get(
    "/organizations/{slug}",
    response={200: OrganizationOut, **ERRORS_AND_404},
    summary="One body or party",
)
def organization(request, slug: Text):
    row = Organization.objects.select_related("parent").filter(slug=slug).first()
    if row is None:
        raise Http404
    return row


@router.get("/persons", response={200: list[PersonOut], **ERRORS}, summary="Politicians")
@paginate(Pagination)
def persons(request):
    return persons_queryset()


@router.get(
    "/persons/{slug}", response={200: PersonOut, **ERRORS_AND_404}, summary="One politician"
)
def person(request, slug: Text):
    row = persons_queryset().filter(slug=slug).first()
    if row is None:
        raise Http404
    return row


@router.get("/memberships", response={200: list[MembershipOut], **ERRORS}, summary="Assignments")
@paginate(Pagination)
def memberships(request, organization: Text = "", current: bool = False):
    rows = Membership.objects.select_related("person", "organization", "on_behalf_of", "term")
    # A protected person's assignments are not published; their party is.
    rows = rows.exclude(
        Q(person__is_protected=True)
        & ~Q(organization__classification=Organization.Classification.PARTY)
    )
    if organization:
        rows = rows.filter(organization__slug=organization)
    if current:
        rows = rows.current()
    return rows.order_by("pk")


@router.get("/popolo.json", summary="Persons, organizations and memberships as Popolo")
def popolo_export(request):
    return popolo.export_document()
