"""Calendar (iCalendar, RFC 5545) and Atom feeds of the meeting diary.

Each meeting is one VEVENT with a stable UID (``meeting-<pk>@<host>``): a moved meeting keeps
its UID and gets a higher SEQUENCE, so subscribed calendars move the event instead of adding a
second one; a cancelled meeting stays in the feed with STATUS:CANCELLED. Times are given in
Europe/Stockholm with its VTIMEZONE.
"""

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, Timezone, vText

from democracy.diary import selectors
from democracy.diary.models import Meeting

STOCKHOLM = "Europe/Stockholm"
PRODID = "-//Delta//Meeting diary//SV"

ICS_STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.CONFIRMED: "CONFIRMED",
    Meeting.Status.MOVED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
}


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{site_host()}"


def meetings_calendar(meetings, *, name: str) -> bytes:
    zone = ZoneInfo(STOCKHOLM)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", STOCKHOLM)
    meetings = list(meetings)
    if meetings:
        first = min(m.start for m in meetings).astimezone(zone).replace(tzinfo=None)
        last = max(m.end or m.start for m in meetings).astimezone(zone).replace(tzinfo=None)
        calendar.add_component(
            Timezone.from_tzid(STOCKHOLM, first_date=first - timedelta(days=1), last_date=last)
        )
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, zone))
    return calendar.to_ical()


def meeting_event(meeting: Meeting, zone) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at.astimezone(ZoneInfo("UTC")))
    event.add("last-modified", meeting.updated_at.astimezone(ZoneInfo("UTC")))
    event.add("created", meeting.created_at.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", meeting.start.astimezone(zone))
    end = meeting.end or meeting.start + timedelta(hours=2)
    event.add("dtend", end.astimezone(zone))
    summary = meeting.name
    if meeting.is_cancelled:
        summary = _("Cancelled: %(name)s") % {"name": summary}
    event.add("summary", summary)
    description = [meeting.organization.name, meeting.get_publicity_display()]
    if meeting.was_moved:
        original = timezone.localtime(meeting.original_start)
        description.append(
            _("Moved from %(date)s.") % {"date": original.strftime("%Y-%m-%d %H:%M")}
        )
    if meeting.status_note:
        description.append(meeting.status_note)
    url = settings.SITE_URL + meeting.get_absolute_url()
    description.append(url)
    event.add("description", "\n".join(str(part) for part in description))
    if meeting.location or meeting.address:
        event.add("location", vText(", ".join(p for p in (meeting.location, meeting.address) if p)))
    event.add("url", url)
    event.add("status", ICS_STATUS[meeting.status])
    # Each change of time, place, title or status is a new revision: calendar clients replace
    # the event they have.
    event.add("sequence", meeting.calendar_sequence)
    event.add("transp", "OPAQUE")
    event.add("categories", [meeting.organization.short_name or meeting.organization.name])
    return event


def ics_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


class DecisionsFeed(Feed):
    """Atom 1.0: the newest public decisions, one entry per decided agenda item."""

    feed_type = Atom1Feed
    subtitle = gettext_lazy("The newest decisions of the council, the board and the committees.")

    def title(self):
        return _("Decisions in %(municipality)s") % {"municipality": settings.MUNICIPALITY_NAME}

    def link(self):

        return reverse("diary:meeting-list")

    def feed_url(self):

        return reverse("diary:decisions-feed")

    def items(self):
        return selectors.decisions_for_feed(limit=50)

    def item_title(self, item):
        return f"{item.meeting.organization.name}: {item.title}"

    def item_description(self, item):
        lines = [f"{item.get_outcome_display()}."]
        if item.decision_text:
            lines.append(item.decision_text)
        if item.case:
            lines.append(_("Case %(number)s") % {"number": item.case.diary_number})
        # The summary is HTML to feed readers: escaped paragraphs and line breaks, as the
        # decision shows on the meeting page.
        return linebreaks("\n\n".join(str(line) for line in lines), autoescape=True)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"tag:{site_host()},2026:decision-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.decided_at or item.meeting.start

    def item_updateddate(self, item):
        return item.decided_at or item.meeting.start

    def item_author_name(self, item):
        return item.meeting.organization.name

    def item_categories(self, item):
        return [item.get_outcome_display()]
