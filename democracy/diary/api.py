"""Open data API for the meeting diary: meetings with their agendas (Open Civic Data Event)
and cases with every treatment (OCD Bill with actions)."""

from datetime import date, datetime

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from democracy.api import ERRORS, ERRORS_AND_404, Day, Pagination, RowId, Text
from democracy.diary.models import AgendaItem, Case, Document, Meeting, PartyVote
from democracy.people.popolo import popolo_id_of

router = Router(tags=["meeting diary"])

# Our meeting status → Open Civic Data Event status.
OCD_STATUS = {
    Meeting.Status.PLANNED: "tentative",
    Meeting.Status.CONFIRMED: "confirmed",
    Meeting.Status.MOVED: "confirmed",
    Meeting.Status.CANCELLED: "cancelled",
    Meeting.Status.HELD: "passed",
}


class VoteOut(Schema):
    party_id: str
    party: str
    yes: int
    no: int
    abstain: int
    absent: int

    @staticmethod
    def resolve_party_id(obj):
        return popolo_id_of(obj.party, "organization")

    @staticmethod
    def resolve_party(obj):
        return obj.party.name


class DocumentOut(Schema):
    note: str
    classification: str
    date: date | None
    public: bool
    withheld_ground: str
    minutes_version: str
    links: list[dict]

    @staticmethod
    def resolve_note(obj):
        return obj.title

    @staticmethod
    def resolve_classification(obj):
        return obj.kind

    @staticmethod
    def resolve_date(obj):
        return obj.published_on

    @staticmethod
    def resolve_links(obj):
        if obj.public and obj.file:
            return [{"url": obj.file.url}]
        return []


class AgendaItemOut(Schema):
    order: int
    paragraph: str
    description: str
    case_id: str | None
    case_identifier: str | None
    proposal_text: str
    decision_text: str
    outcome: str
    decided_at: datetime | None
    votes: list[VoteOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_order(obj):
        return obj.position

    @staticmethod
    def resolve_description(obj):
        return obj.title

    @staticmethod
    def resolve_case_id(obj):
        return obj.case.slug if obj.case else None

    @staticmethod
    def resolve_case_identifier(obj):
        return obj.case.diary_number if obj.case else None

    @staticmethod
    def resolve_votes(obj):
        return list(obj.party_votes.all())

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())


class LocationOut(Schema):
    name: str
    address: str


class MeetingOut(Schema):
    id: int
    name: str
    classification: str
    organization_id: str
    start_date: datetime
    end_date: datetime | None
    original_start_date: datetime | None
    all_day: bool
    status: str
    delta_status: str
    status_note: str
    publicity: str
    location: LocationOut
    notice_published_on: date | None
    minutes_adjusted_on: date | None
    minutes_announced_on: date | None
    appeal_deadline: date | None
    agenda: list[AgendaItemOut]
    documents: list[DocumentOut]
    url: str

    @staticmethod
    def resolve_name(obj):
        return obj.name

    @staticmethod
    def resolve_classification(obj):
        return "committee-meeting"

    @staticmethod
    def resolve_organization_id(obj):
        return popolo_id_of(obj.organization, "organization")

    @staticmethod
    def resolve_start_date(obj):
        return timezone.localtime(obj.start)

    @staticmethod
    def resolve_end_date(obj):
        return timezone.localtime(obj.end) if obj.end else None

    @staticmethod
    def resolve_original_start_date(obj):
        return timezone.localtime(obj.original_start) if obj.was_moved else None

    @staticmethod
    def resolve_all_day(obj):
        return False

    @staticmethod
    def resolve_status(obj):
        return OCD_STATUS[obj.status]

    @staticmethod
    def resolve_delta_status(obj):
        return obj.status

    @staticmethod
    def resolve_location(obj):
        return {"name": obj.location, "address": obj.address}

    @staticmethod
    def resolve_appeal_deadline(obj):
        return obj.appeal_deadline

    @staticmethod
    def resolve_agenda(obj):
        return [item for item in obj.agenda_items.all() if item.public]

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class ActionOut(Schema):
    date: datetime
    description: str
    organization_id: str
    meeting_id: int
    classification: str
    decision_text: str

    @staticmethod
    def resolve_date(obj):
        return timezone.localtime(obj.meeting.start)

    @staticmethod
    def resolve_description(obj):
        return obj.title

    @staticmethod
    def resolve_organization_id(obj):
        return popolo_id_of(obj.meeting.organization, "organization")

    @staticmethod
    def resolve_classification(obj):
        return obj.outcome or "on-agenda"


class CaseOut(Schema):
    id: str
    identifier: str
    title: str
    abstract: str
    from_organization_id: str
    classification: str
    status: str
    registered_on: date
    closed_on: date | None
    actions: list[ActionOut]
    url: str

    @staticmethod
    def resolve_id(obj):
        return obj.slug

    @staticmethod
    def resolve_identifier(obj):
        return obj.diary_number

    @staticmethod
    def resolve_abstract(obj):
        return obj.summary

    @staticmethod
    def resolve_from_organization_id(obj):
        return popolo_id_of(obj.responsible_organization, "organization")

    @staticmethod
    def resolve_classification(obj):
        return obj.origin

    @staticmethod
    def resolve_actions(obj):
        return [item for item in obj.agenda_items.all() if item.public]

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


def meetings_queryset():
    return Meeting.objects.select_related("organization").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related("case")
            .prefetch_related(
                Prefetch("party_votes", queryset=PartyVote.objects.select_related("party")),
                Prefetch("documents", queryset=Document.objects.order_by("kind", "title")),
            )
            .order_by("position"),
        ),
        Prefetch(
            "documents",
            queryset=Document.objects.exclude(agenda_item__public=False).order_by("kind", "title"),
        ),
    )


def cases_queryset():
    return Case.objects.select_related("responsible_organization").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related("meeting__organization").order_by(
                "meeting__start", "position"
            ),
        )
    )


@router.get(
    "/meetings", response={200: list[MeetingOut], **ERRORS}, summary="Meetings with their agendas"
)
@paginate(Pagination)
def meetings(
    request, organization: Text = "", since: Day | None = None, until: Day | None = None
):
    rows = meetings_queryset().order_by("start", "pk")
    if organization:
        rows = rows.filter(organization__slug=organization)
    if since:
        rows = rows.filter(start__date__gte=since)
    if until:
        rows = rows.filter(start__date__lte=until)
    return rows


@router.get(
    "/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS_AND_404}, summary="One meeting"
)
def meeting(request, meeting_id: RowId):
    row = meetings_queryset().filter(pk=meeting_id).first()
    if row is None:
        raise Http404
    return row


@router.get("/cases", response={200: list[CaseOut], **ERRORS}, summary="Cases with every treatment")
@paginate(Pagination)
def cases(request, organization: Text = "", status: Text = ""):
    rows = cases_queryset().order_by("-year", "-sequence")
    if organization:
        rows = rows.filter(responsible_organization__slug=organization)
    if status:
        rows = rows.filter(status=status)
    return rows


@router.get("/cases/{slug}", response={200: CaseOut, **ERRORS_AND_404}, summary="One case")
def case(request, slug: Text):
    row = cases_queryset().filter(slug=slug).first()
    if row is None:
        raise Http404
    return row
