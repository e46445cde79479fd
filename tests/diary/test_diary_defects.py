"""Meeting diary defects of issue 12: each test failed before its fix."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from democracy.core.roles import Role
from democracy.diary import services
from democracy.diary.models import Meeting
from tests.diary.factories import AgendaItemFactory, CaseFactory, MeetingFactory
from tests.diary.test_admin_queries import inline

pytestmark = pytest.mark.django_db


# --- 1. No decision before the meeting is held (decision 69) ----------------------------------


@pytest.mark.parametrize(
    "status",
    [
        Meeting.Status.PLANNED,
        Meeting.Status.CONFIRMED,
        Meeting.Status.MOVED,
        Meeting.Status.CANCELLED,
    ],
)
def test_service_refuses_a_decision_at_a_meeting_not_held(status):
    item = AgendaItemFactory(meeting=MeetingFactory(status=status), case=CaseFactory())
    with pytest.raises(services.DiaryError):
        services.agenda_item_record_decision(
            item=item, outcome="approved", decision_text="Bifalls.", actor=None
        )
    item.refresh_from_db()
    assert item.outcome == "" and item.decided_at is None
    assert item.case.status != "decided"


def test_decision_at_a_held_meeting_is_dated_at_the_meeting():
    start = timezone.now() - timedelta(days=3)
    item = AgendaItemFactory(meeting=MeetingFactory(start=start, status=Meeting.Status.HELD))
    services.agenda_item_record_decision(
        item=item, outcome="approved", decision_text="Bifalls.", actor=None
    )
    item.refresh_from_db()
    assert item.outcome == "approved" and item.decided_at == start


@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user(roles=[Role.DIARY_EDITOR], is_staff=True, totp=True))
    return client


def _item_change(item, outcome="approved"):
    return {
        "meeting": item.meeting_id,
        "position": "1",
        "title": item.title,
        "public": "on",
        "paragraph": "",
        "case": "",
        "proposal_text": "",
        "outcome": outcome,
        "decision_text": "Bifalls.",
        **inline("party_votes", []),
        **inline("documents", []),
    }


def test_admin_refuses_a_decision_at_a_planned_meeting_as_a_form_error(editor_client):
    item = AgendaItemFactory(meeting=MeetingFactory(status=Meeting.Status.PLANNED))
    url = reverse("admin:diary_agendaitem_change", args=[item.pk])
    response = editor_client.post(url, _item_change(item))
    assert response.status_code == 200
    assert "outcome" in response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.outcome == ""
    # Once the meeting is held, the same form records it.
    Meeting.objects.filter(pk=item.meeting_id).update(status=Meeting.Status.HELD)
    assert editor_client.post(url, _item_change(item)).status_code == 302
    item.refresh_from_db()
    assert item.outcome == "approved"


def test_admin_meeting_inline_refuses_a_decision_at_a_planned_meeting(editor_client):
    meeting = MeetingFactory(status=Meeting.Status.PLANNED, location="Rum")
    item = AgendaItemFactory(meeting=meeting, position=1)
    local = timezone.localtime(meeting.start)
    data = {
        "organization": meeting.organization_id,
        "year": str(meeting.year),
        "number": str(meeting.number),
        "title": "",
        "start_0": local.date().isoformat(),
        "start_1": local.strftime("%H:%M"),
        "end_0": "",
        "end_1": "",
        "location": "Rum",
        "address": "",
        "webcast_url": "",
        "status": "planned",
        "publicity": "open",
        "status_note": "",
        **inline(
            "agenda_items",
            [
                {
                    "id": str(item.pk),
                    "meeting": str(meeting.pk),
                    "position": "1",
                    "title": item.title,
                    "paragraph": "",
                    "public": "on",
                    "case": "",
                    "proposal_text": "",
                    "outcome": "approved",
                    "decision_text": "Bifalls.",
                }
            ],
            initial=1,
        ),
        **inline("documents", []),
    }
    response = editor_client.post(reverse("admin:diary_meeting_change", args=[meeting.pk]), data)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.outcome == ""


# --- 4. The meeting place names the address once ----------------------------------------------


def test_demo_meeting_place_names_its_address_once(client):
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    meeting = Meeting.objects.filter(organization__slug="kultur-och-fritidsnamnden").first()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Biblioteket, Torget 1, Norrvik" in page
    for meeting in Meeting.objects.exclude(address=""):
        street = meeting.address.split(",")[0]
        assert street not in meeting.location and not any(ch.isdigit() for ch in meeting.location)
