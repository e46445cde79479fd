"""Reads of the meeting diary shared by pages, feeds and the API.

Every list here runs a fixed number of queries whatever the amount of data (prefetches, not
lazy loops); the page tests assert it.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.timezone import localdate
from django.utils.timezone import now as timezone_now

from democracy.diary.models import AgendaItem, Case, Document, Meeting, PartyVote
from democracy.people.models import Organization


def meetings_upcoming(*, limit: int = 5, organization: Organization | None = None):
    meetings = (
        Meeting.objects.filter(start__gte=timezone_now() - timedelta(hours=3))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("organization")
        .order_by("start")
    )
    if organization is not None:
        meetings = meetings.filter(organization=organization)
    return meetings[:limit]


def meetings_past(*, organization: Organization, limit: int = 12):
    return (
        Meeting.objects.filter(organization=organization, start__lt=timezone_now())
        .select_related("organization")
        .annotate(item_count=Count("agenda_items"))
        .order_by("-start")[:limit]
    )


def decisions_latest(*, limit: int = 5):
    """The newest public decisions in cases (procedural items such as "Val av justerare",
    which have no case, are left out)."""
    return (
        AgendaItem.objects.filter(public=True, case__isnull=False)
        .exclude(outcome="")
        .select_related("meeting__organization", "case")
        .order_by("-meeting__start", "-position")[:limit]
    )


def decisions_for_feed(*, limit: int = 50):
    """Public decisions, newest first, with what an Atom entry needs."""
    return (
        AgendaItem.objects.filter(public=True)
        .exclude(outcome="")
        .select_related("meeting__organization", "case")
        .order_by("-decided_at", "-meeting__start", "-position")[:limit]
    )


@dataclass
class MonthPage:
    month: date  # the first day
    meetings: list
    previous: date
    next: date
    bodies: list
    body: Organization | None


def month_start(value: date) -> date:
    return value.replace(day=1)


def add_months(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def meetings_by_month(*, month: date, body_slug: str = "") -> MonthPage:
    """Meetings in one calendar month (local time), optionally of one body."""
    first = month_start(month)
    last_day = calendar.monthrange(first.year, first.month)[1]
    tz = timezone.get_current_timezone()
    since = datetime.combine(first, time.min, tzinfo=tz)
    until = datetime.combine(first.replace(day=last_day), time.max, tzinfo=tz)
    bodies = list(
        Organization.objects.exclude(classification=Organization.Classification.PARTY).filter(
            dissolution_date__isnull=True
        )
    )
    body = next((b for b in bodies if b.slug == body_slug), None) if body_slug else None
    meetings = (
        Meeting.objects.filter(start__gte=since, start__lte=until)
        .select_related("organization")
        .annotate(item_count=Count("agenda_items"))
        .order_by("start")
    )
    if body is not None:
        meetings = meetings.filter(organization=body)
    return MonthPage(
        month=first,
        meetings=list(meetings),
        previous=add_months(first, -1),
        next=add_months(first, 1),
        bodies=bodies,
        body=body,
    )


def _agenda_prefetch():
    return Prefetch(
        "agenda_items",
        queryset=AgendaItem.objects.select_related("case")
        .prefetch_related(
            Prefetch(
                "party_votes",
                queryset=PartyVote.objects.select_related("party"),
            ),
            Prefetch("documents", queryset=Document.objects.order_by("kind", "title")),
        )
        .order_by("position"),
    )


def meeting_get(*, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("organization", "term")
        .prefetch_related(
            _agenda_prefetch(),
            Prefetch(
                "documents",
                queryset=Document.objects.exclude(agenda_item__public=False).order_by(
                    "kind", "title"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def meetings_for_ics(*, organization: Organization | None = None, case: Case | None = None):
    """Meetings for a calendar feed: a year back and everything ahead."""
    since = timezone_now() - timedelta(days=366)
    meetings = Meeting.objects.filter(start__gte=since).select_related("organization")
    if organization is not None:
        meetings = meetings.filter(organization=organization)
    if case is not None:
        # Only where the case was a public item, as on the case page: a closed item does not
        # show that the case was handled at that meeting.
        meetings = meetings.filter(agenda_items__case=case, agenda_items__public=True).distinct()
    return meetings.order_by("start")


@dataclass
class CaseJourney:
    case: Case
    appearances: list  # agenda items, oldest first, each with .meeting
    decisions: list
    upcoming: list
    documents: list
    where_now: str
    current_body: Organization


def case_get(*, slug: str) -> CaseJourney:
    """A case with every agenda appearance across meetings, its decisions and documents."""
    case = (
        Case.objects.select_related("responsible_organization")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("meeting__organization")
                .prefetch_related(
                    Prefetch("party_votes", queryset=PartyVote.objects.select_related("party")),
                    "documents",
                )
                .order_by("meeting__start", "position"),
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.select_related("meeting")
                .exclude(agenda_item__public=False)
                .order_by("created_at"),
            ),
        )
        .filter(slug=slug)
        .first()
    )
    if case is None:
        raise Http404
    appearances = [item for item in case.agenda_items.all() if item.public]
    now = timezone_now()
    upcoming = [
        item
        for item in appearances
        if item.meeting.start >= now and item.meeting.status != Meeting.Status.CANCELLED
    ]
    decisions = [item for item in appearances if item.outcome]
    documents = list(case.documents.all())
    for item in appearances:
        documents.extend(item.documents.all())
    current_body = case.responsible_organization
    if upcoming:
        current_body = upcoming[0].meeting.organization
    elif appearances:
        current_body = appearances[-1].meeting.organization
    return CaseJourney(
        case=case,
        appearances=appearances,
        decisions=decisions,
        upcoming=upcoming,
        documents=documents,
        where_now=case.get_status_display(),
        current_body=current_body,
    )


def body_cases(*, organization: Organization, limit: int = 10):
    return (
        Case.objects.filter(Q(responsible_organization=organization))
        .select_related("responsible_organization")
        .order_by("-registered_on", "-sequence")[:limit]
    )


def document_get_withheld(*, pk: int) -> Document:
    document = (
        Document.objects.select_related(
            "case__responsible_organization",
            "meeting__organization",
            "agenda_item__case__responsible_organization",
            "agenda_item__meeting__organization",
        )
        .filter(pk=pk, public=False)
        # A closed agenda item hides its title; its documents' titles and case stay hidden too.
        .exclude(agenda_item__public=False)
        .first()
    )
    if document is None:
        raise Http404
    return document


def today() -> date:
    return localdate()
