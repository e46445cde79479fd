"""iCalendar and Atom feeds, and the open JSON API."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.utils import timezone
from icalendar import Calendar

from democracy.diary import services
from democracy.diary.models import Document, Meeting
from tests.diary.factories import AgendaItemFactory, CaseFactory, MeetingFactory
from tests.people.factories import OrganizationFactory, PartyFactory, politician

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_ics_all_meetings_round_trips_uids_and_marks_cancelled(client):
    kept = MeetingFactory(start=datetime(2099, 3, 10, 18, tzinfo=STOCKHOLM), title="Budgetmöte")
    cancelled = MeetingFactory(start=datetime(2099, 4, 10, 18, tzinfo=STOCKHOLM))
    services.meeting_cancel(meeting=cancelled, actor=None, reason="Inga ärenden.")
    calendar, found = events(client.get("/meetings.ics"))
    assert set(found) == {f"meeting-{kept.pk}@127.0.0.1", f"meeting-{cancelled.pk}@127.0.0.1"}
    event = found[f"meeting-{kept.pk}@127.0.0.1"]
    assert event["DTSTART"].dt == datetime(2099, 3, 10, 18, tzinfo=STOCKHOLM)
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert str(event["SUMMARY"]) == "Budgetmöte"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert str(found[f"meeting-{cancelled.pk}@127.0.0.1"]["STATUS"]) == "CANCELLED"
    # Serialising what we parsed gives the same UIDs back.
    again = Calendar.from_ical(calendar.to_ical())
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(found)


def test_moved_meeting_keeps_its_uid_with_a_new_time(client):
    meeting = MeetingFactory(start=datetime(2099, 5, 12, 13, tzinfo=STOCKHOLM))
    _cal, before = events(client.get("/meetings.ics"))
    services.meeting_move(meeting=meeting, start=datetime(2099, 5, 19, 9, tzinfo=STOCKHOLM), actor=None)
    _cal, after = events(client.get("/meetings.ics"))
    assert set(before) == set(after)
    event = after[f"meeting-{meeting.pk}@127.0.0.1"]
    assert event["DTSTART"].dt == datetime(2099, 5, 19, 9, tzinfo=STOCKHOLM)
    assert int(event["SEQUENCE"]) > int(before[f"meeting-{meeting.pk}@127.0.0.1"]["SEQUENCE"])


def test_each_change_a_calendar_shows_raises_the_sequence(client, make_user):
    """RFC 5545: every revision of an event has a higher SEQUENCE than the one before, so a
    meeting moved twice, then cancelled, is replaced each time in subscribed calendars."""
    meeting = MeetingFactory(start=datetime(2099, 5, 12, 13, tzinfo=STOCKHOLM))
    uid = f"meeting-{meeting.pk}@127.0.0.1"

    def sequence():
        return int(events(client.get("/meetings.ics"))[1][uid]["SEQUENCE"])

    seen = [sequence()]
    services.meeting_move(meeting=meeting, start=datetime(2099, 5, 19, 9, tzinfo=STOCKHOLM), actor=None)
    seen.append(sequence())
    services.meeting_move(
        meeting=Meeting.objects.get(pk=meeting.pk), start=datetime(2099, 5, 26, 9, tzinfo=STOCKHOLM), actor=None
    )
    seen.append(sequence())
    services.meeting_update(meeting=Meeting.objects.get(pk=meeting.pk), actor=None, webcast_url="https://example.org/tv")
    assert sequence() == seen[-1]  # nothing a calendar shows changed
    services.meeting_update(meeting=Meeting.objects.get(pk=meeting.pk), actor=None, location="Stora salen")
    seen.append(sequence())
    services.meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk), actor=None, reason="Inga ärenden.")
    seen.append(sequence())
    assert seen == sorted(set(seen)) and len(seen) == 5


def test_ics_per_body_and_per_case(client):
    board, other = OrganizationFactory(), OrganizationFactory()
    mine = MeetingFactory(organization=board)
    MeetingFactory(organization=other)
    _cal, found = events(client.get(f"/bodies/{board.slug}/meetings.ics"))
    assert list(found) == [f"meeting-{mine.pk}@127.0.0.1"]
    case = CaseFactory()
    treated = AgendaItemFactory(case=case).meeting
    AgendaItemFactory(case=case, meeting=treated)
    closed = AgendaItemFactory(case=case, public=False).meeting
    _cal, found = events(client.get(f"/cases/{case.slug}/meetings.ics"))
    assert list(found) == [f"meeting-{treated.pk}@127.0.0.1"]  # not the closed item's meeting
    _cal, found = events(client.get("/meetings.ics"))
    assert f"meeting-{closed.pk}@127.0.0.1" in found  # the meeting itself is public
    assert client.get("/cases/nope/meetings.ics").status_code == 404
    assert client.get("/bodies/nope/meetings.ics").status_code == 404


def test_atom_feed_of_decisions_parses(client):
    item = AgendaItemFactory(title="Nytt bibliotek", case=CaseFactory(), meeting=MeetingFactory(status=Meeting.Status.HELD))
    services.agenda_item_record_decision(
        item=item, outcome="approved", decision_text="Biblioteket byggs.\nKostnad & tid <se bilaga>.", actor=None
    )
    AgendaItemFactory(title="Inget beslut än")
    secret = AgendaItemFactory(title="Sekretess", public=False, meeting=MeetingFactory(status=Meeting.Status.HELD))
    services.agenda_item_record_decision(item=secret, outcome="approved", decision_text="X", actor=None)
    response = client.get("/decisions/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == [f"{item.meeting.organization.name}: Nytt bibliotek"]
    entry = feed.entries[0]
    assert entry.link.endswith(item.get_absolute_url())
    # Readers render the summary as HTML: the decision keeps its line break and its text.
    assert "<p>Biblioteket byggs.<br />Kostnad &amp; tid &lt;se bilaga&gt;.</p>" in entry.summary
    assert entry.id == f"tag:127.0.0.1,2026:decision-{item.pk}"


def test_api_organizations_persons_memberships_are_paginated_popolo(client):
    body = OrganizationFactory(name="Kommunstyrelsen")
    party = PartyFactory(name="Röda")
    person = politician(body=body, party=party)
    data = client.get("/api/v1/organizations?page_size=1").json()
    assert data["count"] == 2 and len(data["items"]) == 1
    orgs = {o["slug"]: o for o in client.get("/api/v1/organizations").json()["items"]}
    assert orgs[party.slug]["classification"] == "party"
    assert orgs[body.slug]["id"] == f"delta/organization/{body.slug}"
    persons = client.get("/api/v1/persons").json()["items"]
    assert persons[0]["name"] == person.name and persons[0]["party"] == "Röda"
    assert persons[0]["contact_details"][0]["type"] == "email"
    memberships = client.get(f"/api/v1/memberships?organization={body.slug}").json()["items"]
    assert memberships == [
        {
            "id": memberships[0]["id"],
            "person_id": f"delta/person/{person.slug}",
            "organization_id": f"delta/organization/{body.slug}",
            "on_behalf_of_id": f"delta/organization/{party.slug}",
            "legislative_period_id": memberships[0]["legislative_period_id"],
            "role": "member",
            "label": "",
            "substitute_order": None,
            "start_date": memberships[0]["start_date"],
            "end_date": memberships[0]["end_date"],
        }
    ]
    assert client.get("/api/v1/persons/nobody").status_code == 404


def test_api_meetings_with_agenda_and_cases_with_actions(client):
    party = PartyFactory()
    case = CaseFactory(title="Skolskjuts")
    meeting = MeetingFactory(start=timezone.now() - timedelta(days=2), status=Meeting.Status.HELD)
    item = AgendaItemFactory(meeting=meeting, case=case, position=1, title="Skolskjuts")
    AgendaItemFactory(meeting=meeting, position=2, title="Hemligt", public=False)
    services.agenda_item_record_decision(item=item, outcome="approved_after_vote", decision_text="Ja.",
                                         party_votes={party: {"yes": 4, "no": 1, "abstain": 0, "absent": 0}}, actor=None)
    services.document_add(kind=Document.Kind.DECISION_BASIS, title="Utredning", meeting=meeting, public=False,
                          withheld_ground="OSL 21 kap. 1 §", actor=None)
    data = client.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert data["status"] == "passed" and data["delta_status"] == "held"
    assert [a["description"] for a in data["agenda"]] == ["Skolskjuts"]
    assert data["agenda"][0]["case_identifier"] == case.diary_number
    assert data["agenda"][0]["votes"][0]["yes"] == 4
    assert data["documents"][0]["public"] is False and data["documents"][0]["links"] == []
    listing = client.get("/api/v1/meetings").json()
    assert listing["count"] == 1 and listing["items"][0]["agenda"][0]["outcome"] == "approved_after_vote"
    cases = client.get("/api/v1/cases").json()["items"]
    assert cases[0]["identifier"] == case.diary_number
    assert [a["classification"] for a in cases[0]["actions"]] == ["approved_after_vote"]
    assert client.get(f"/api/v1/cases/{case.slug}").json()["title"] == "Skolskjuts"
    assert client.get("/api/v1/meetings/99999").status_code == 404


def test_openapi_describes_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/organizations", "/api/v1/persons", "/api/v1/memberships",
                 "/api/v1/meetings", "/api/v1/cases", "/api/v1/popolo.json"):
        assert path in schema["paths"], path
