"""The back office (Django admin) for diary editors, and bounded queries on a large data set."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from democracy.core.models import AuditEntry
from democracy.core.roles import Role
from democracy.diary.models import AgendaItem, Case, Meeting
from democracy.diary.signals import agenda_item_decided
from democracy.people.models import ContactDetail, Person
from tests.diary.factories import CaseFactory
from tests.people.factories import OrganizationFactory, PartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, make_user):
    editor = make_user(roles=[Role.DIARY_EDITOR], is_staff=True, totp=True)
    client.force_login(editor)
    client.editor = editor
    return client


def inline(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def meeting_admin_form(meeting, *, status=None, start=None, agenda_items=()):
    """The back office's meeting form as a browser sends it for ``meeting`` (its status and
    start unless given), with ``agenda_items`` as new inline rows and no documents."""
    local = timezone.localtime(start or meeting.start)
    return {
        "organization": meeting.organization_id,
        "year": str(meeting.year),
        "number": str(meeting.number),
        "title": "",
        "start_0": local.date().isoformat(),
        "start_1": local.strftime("%H:%M"),
        "end_0": "",
        "end_1": "",
        "location": meeting.location,
        "address": "",
        "webcast_url": "",
        "status": status or meeting.status,
        "publicity": "open",
        "status_note": "",
        **inline("agenda_items", list(agenda_items)),
        **inline("documents", []),
    }


def test_editor_creates_a_meeting_with_an_agenda_item_and_records_the_decision(editor_client):
    body = OrganizationFactory(name="Socialnämnden")
    party = PartyFactory()
    case = CaseFactory(responsible_organization=body)
    heard = []

    def listener(sender, agenda_item_id, case_id, **kwargs):
        heard.append((agenda_item_id, case_id))

    agenda_item_decided.connect(listener)
    try:
        data = {
            "organization": body.pk, "year": "2026", "number": "4", "title": "",
            "start_0": "2026-05-12", "start_1": "13:00", "end_0": "2026-05-12", "end_1": "16:00",
            "location": "Rum Ljuset", "address": "", "webcast_url": "", "status": "planned",
            "publicity": "closed", "status_note": "",
            **inline("agenda_items", [{"position": "1", "title": "Val av justerare", "paragraph": "", "public": "on",
                                       "case": str(case.pk), "proposal_text": "Förslag.", "outcome": "", "decision_text": ""}]),
            **inline("documents", []),
        }
        response = editor_client.post(reverse("admin:diary_meeting_add"), data)
        assert response.status_code == 302, response.context["adminform"].errors if response.context else response
        meeting = Meeting.objects.get()
        item = meeting.agenda_items.get()
        assert item.case == case
        actions = list(AuditEntry.objects.values_list("action", flat=True))
        assert "diary.meeting.create" in actions and "diary.agendaitem.create" in actions
        assert AuditEntry.objects.filter(action="diary.meeting.create").get().actor_label == editor_client.editor.email

        # Record the decision on the agenda item, with votes by party, once the meeting is held.
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
        change = {
            "meeting": meeting.pk, "position": "1", "paragraph": "§ 12", "title": "Val av justerare",
            "case": str(case.pk), "public": "on", "proposal_text": "Förslag.", "outcome": "approved_after_vote",
            "decision_text": "Nämnden bifaller förslaget.",
            **inline("party_votes", [{"party": str(party.pk), "yes": "5", "no": "2", "abstain": "0", "absent": "0"}]),
            **inline("documents", []),
        }
        response = editor_client.post(reverse("admin:diary_agendaitem_change", args=[item.pk]), change)
        assert response.status_code == 302
    finally:
        agenda_item_decided.disconnect(listener)
    item.refresh_from_db()
    assert item.outcome == "approved_after_vote" and item.decided_at is not None
    assert item.party_votes.get().yes == 5
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED
    assert AuditEntry.objects.filter(action="diary.agenda_item.decide", target_id=str(item.pk)).exists()
    assert AuditEntry.objects.filter(action="diary.partyvote.create").exists()
    assert heard == []  # after commit only: the test transaction never commits
    call_command("audit_verify", stdout=io.StringIO())


def test_admin_decision_fires_the_signal_after_commit(editor_client, django_capture_on_commit_callbacks):
    heard = []
    item = AgendaItem.objects.create(meeting=Meeting.objects.create(
        organization=OrganizationFactory(), year=2026, start="2026-05-12T10:00:00+02:00",
        status=Meeting.Status.HELD), position=1, title="Punkt")
    agenda_item_decided.connect(lambda sender, **kw: heard.append(kw["agenda_item_id"]), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(reverse("admin:diary_agendaitem_change", args=[item.pk]), {
                "meeting": item.meeting_id, "position": "1", "title": "Punkt", "public": "on", "paragraph": "",
                "case": "", "proposal_text": "", "outcome": "noted", "decision_text": "Anmäls.",
                **inline("party_votes", []), **inline("documents", []),
            })
    finally:
        agenda_item_decided.disconnect(dispatch_uid="t")
    assert heard == [item.pk]


def test_moving_a_meeting_in_the_admin_keeps_the_original_time(editor_client):
    meeting = Meeting.objects.create(organization=OrganizationFactory(), year=2026, number=1,
                                     start="2026-05-12T13:00:00+02:00", location="Rum")
    url = reverse("admin:diary_meeting_change", args=[meeting.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    data = {
        "organization": meeting.organization_id, "year": "2026", "number": "1", "title": "",
        "start_0": "2026-05-19", "start_1": "09:00", "end_0": "", "end_1": "", "location": "Rum",
        "address": "", "webcast_url": "", "status": "planned", "publicity": "closed", "status_note": "Krock.",
        **inline("agenda_items", []), **inline("documents", []),
    }
    assert editor_client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "moved" and meeting.original_start.isoformat() == "2026-05-12T11:00:00+00:00"
    # A move the state machine refuses is a form error, not a server error.
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    data["status"] = "planned"
    response = editor_client.post(url, data)
    assert response.status_code == 200 and response.context["adminform"].errors


@pytest.mark.parametrize(
    ("adjusted", "announced", "field"),
    [
        ("", "2026-05-20", "minutes_announced_on"),
        ("2026-05-20", "2026-05-19", "minutes_announced_on"),
        ("2026-05-11", "2026-05-20", "minutes_adjusted_on"),
    ],
)
def test_admin_refuses_minutes_dates_that_give_a_wrong_appeal_deadline(
    editor_client, adjusted, announced, field
):
    meeting = Meeting.objects.create(organization=OrganizationFactory(), year=2026, number=1,
                                     start="2026-05-12T13:00:00+02:00", location="Rum")
    url = reverse("admin:diary_meeting_change", args=[meeting.pk])
    data = {
        "organization": meeting.organization_id, "year": "2026", "number": "1", "title": "",
        "start_0": "2026-05-12", "start_1": "13:00", "end_0": "", "end_1": "", "location": "Rum",
        "address": "", "webcast_url": "", "status": "planned", "publicity": "closed",
        "status_note": "", "minutes_adjusted_on": adjusted, "minutes_announced_on": announced,
        **inline("agenda_items", []), **inline("documents", []),
    }
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.minutes_announced_on is None


def test_contact_detail_cannot_be_published_without_consent_in_the_admin(editor_client):
    person = Person.objects.create(given_name="Ada", family_name="Berg", slug="ada-berg")
    data = {"person": person.pk, "type": "email", "value": "ada@example.org", "label": "", "note": "",
            "publish": "on", "consent_given_at_0": "", "consent_given_at_1": "", "consent_source": "",
            "valid_from": "", "valid_until": ""}
    response = editor_client.post(reverse("admin:people_contactdetail_add"), data)
    assert response.status_code == 200
    assert "publish" in response.context["adminform"].form.errors
    assert not ContactDetail.objects.exists()
    data.update(consent_given_at_0="2026-01-10", consent_given_at_1="10:00", consent_source="Blankett")
    assert editor_client.post(reverse("admin:people_contactdetail_add"), data).status_code == 302
    assert AuditEntry.objects.filter(action="people.contactdetail.create").exists()


def test_new_case_in_the_admin_gets_the_next_diary_number(editor_client):
    body = OrganizationFactory(registry_series="KS")
    CaseFactory(series="KS", year=2026, sequence=7, responsible_organization=body)
    response = editor_client.post(reverse("admin:diary_case_add"), {
        "title": "Ny förskola", "summary": "", "responsible_organization": body.pk, "origin": "motion",
        "status": "received", "registered_on": "2026-03-01", "closed_on": "", **inline("documents", []),
    })
    assert response.status_code == 302
    case = Case.objects.get(title="Ny förskola")
    assert case.diary_number == "KS 2026/00008" and case.slug == "ks-2026-00008"
    assert AuditEntry.objects.filter(action="diary.case.open", target_id=str(case.pk)).exists()


def test_every_people_and_diary_admin_page_opens_for_an_editor(editor_client):
    call_command("seed_demo", stdout=io.StringIO())
    for model in ("people/term", "people/organization", "people/person", "people/membership",
                  "people/contactdetail", "diary/meeting", "diary/case", "diary/agendaitem", "diary/document"):
        assert editor_client.get(f"/admin/{model}/").status_code == 200, model
        assert editor_client.get(f"/admin/{model}/add/").status_code == 200, model
    meeting = Meeting.objects.filter(status="held").first()
    assert editor_client.get(reverse("admin:diary_meeting_change", args=[meeting.pk])).status_code == 200
    person = Person.objects.first()
    assert editor_client.get(reverse("admin:people_person_change", args=[person.pk])).status_code == 200


def test_pages_run_a_bounded_number_of_queries_on_the_demo_data(client, django_assert_max_num_queries):
    """The demo municipality: 64 politicians, 9 bodies, ~110 meetings, ~300 agenda items."""
    call_command("seed_demo", stdout=io.StringIO())
    busiest = max(Meeting.objects.all(), key=lambda m: m.agenda_items.count())
    case = max(Case.objects.all(), key=lambda c: c.agenda_items.count())
    person = Person.objects.filter(is_protected=False).first()
    pages = [
        ("/", 10),
        ("/bodies/", 10),
        ("/bodies/kommunfullmaktige/", 12),
        ("/politicians/", 10),
        ("/politicians/?party=s", 10),
        (person.get_absolute_url(), 10),
        ("/meetings/", 10),
        (busiest.get_absolute_url(), 12),
        (case.get_absolute_url(), 10),
        ("/search/?q=budget", 12),
        ("/meetings.ics", 6),
        ("/decisions/feed.atom", 6),
        ("/api/v1/meetings?page_size=200", 12),
        ("/api/v1/persons?page_size=200", 8),
        ("/api/v1/memberships?page_size=200", 6),
        ("/api/v1/cases", 8),
        ("/api/v1/popolo.json", 8),
    ]
    for url, limit in pages:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_values_that_are_no_key_or_status_are_form_errors_not_server_errors(editor_client):
    """A hand-made request with a non-key in an autocomplete field, or a status that does not
    exist, comes back as the form with errors (the autocomplete widget used to raise)."""
    meeting = Meeting.objects.create(organization=OrganizationFactory(), year=2026, number=1,
                                     start="2026-05-12T13:00:00+02:00", location="Rum")
    url = reverse("admin:diary_meeting_change", args=[meeting.pk])
    data = {
        "organization": "\x00", "year": "2026", "number": "1", "title": "",
        "start_0": "2026-05-12", "start_1": "13:00", "end_0": "", "end_1": "", "location": "Rum",
        "address": "", "webcast_url": "", "status": "no-such-status", "publicity": "public",
        "status_note": "", **inline("agenda_items", []), **inline("documents", []),
    }
    response = editor_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].errors
    assert set(errors) >= {"organization", "status"}
    response = editor_client.post(
        reverse("admin:people_membership_add"), {"person": "2026-02-31", "organization": "x"}
    )
    assert response.status_code == 200
    assert "person" in response.context["adminform"].errors
