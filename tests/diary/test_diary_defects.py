"""Meeting diary defects of issue 12: each test failed before its fix."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from democracy.core.roles import Role
from democracy.diary import services
from democracy.diary.models import Case, Document, Meeting
from tests.diary.factories import AgendaItemFactory, CaseFactory, MeetingFactory
from tests.diary.test_admin_queries import inline, meeting_admin_form

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


# --- 5. A case put on an agenda is "on the agenda": one transition table (Case.TRANSITIONS) ---


def _meeting_change_with_new_item(meeting, case):
    return meeting_admin_form(
        meeting,
        agenda_items=[
            {
                "meeting": str(meeting.pk),
                "position": "1",
                "title": "Ny cykelväg",
                "paragraph": "",
                "public": "on",
                "case": str(case.pk),
                "proposal_text": "Bygg cykelvägen.",
                "outcome": "",
                "decision_text": "",
            }
        ],
    )


def test_case_put_on_an_agenda_in_the_admin_is_on_the_agenda(editor_client):
    meeting = MeetingFactory(status=Meeting.Status.PLANNED, location="Rum")
    case = CaseFactory()
    assert case.status == Case.Status.RECEIVED
    url = reverse("admin:diary_meeting_change", args=[meeting.pk])
    response = editor_client.post(url, _meeting_change_with_new_item(meeting, case))
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == Case.Status.ON_AGENDA
    page = editor_client.get(case.get_absolute_url()).content.decode()
    assert "På dagordningen" in page and "Inkommet" not in page


def test_case_status_changes_only_along_the_transition_table():
    case = CaseFactory()
    with pytest.raises(services.DiaryError):
        services.case_transition(case=case, to=Case.Status.DECIDED, actor=None)
    services.case_transition(case=case, to=Case.Status.CLOSED, actor=None)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_on is not None
    with pytest.raises(services.DiaryError):
        services.case_transition(case=case, to=Case.Status.ON_AGENDA, actor=None)
    with pytest.raises(services.DiaryError):  # a closed case is not put on an agenda again
        services.agenda_item_add(meeting=MeetingFactory(), title="Igen", case=case, actor=None)


def test_decision_moves_a_case_through_the_agenda():
    case = CaseFactory()
    item = AgendaItemFactory(meeting=MeetingFactory(status=Meeting.Status.HELD), case=case)
    services.agenda_item_record_decision(
        item=item, outcome="referred_back", decision_text="Återremiss.", actor=None
    )
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED_BACK
    # Corrected to a final outcome: decided, through "on the agenda".
    services.agenda_item_record_decision(
        item=item, outcome="approved", decision_text="Bifalls.", actor=None
    )
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED
    from democracy.core.models import AuditEntry

    moves = [
        (e.data["from"], e.data["to"])
        for e in AuditEntry.objects.filter(action="diary.case.status").order_by("seq")
    ]
    assert moves == [
        ("received", "on_agenda"),
        ("on_agenda", "referred_back"),
        ("referred_back", "on_agenda"),
        ("on_agenda", "decided"),
    ]


def test_admin_offers_only_allowed_case_statuses(editor_client):
    case = CaseFactory(status=Case.Status.ON_AGENDA)
    url = reverse("admin:diary_case_change", args=[case.pk])
    form = editor_client.get(url).context["adminform"].form
    offered = {value for value, _label in form.fields["status"].choices}
    assert offered == {"on_agenda", *Case.TRANSITIONS[Case.Status.ON_AGENDA]}
    assert "received" not in offered


# --- 6. Date badges in the language of the page: "dec", not "Dec", in Swedish ------------------


def test_meeting_date_badge_uses_the_languages_month_abbreviation(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = datetime(2026, 10, 8, 18, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    MeetingFactory(start=start, title="Oktobermötet")
    badge = '<div class="meeting-row__date" aria-hidden="true"><span class="meeting-row__day">8</span>{}</div>'
    swedish = client.get("/meetings/?month=2026-10").content.decode()
    assert badge.format("okt") in swedish
    client.cookies.load({"django_language": "en"})
    english = client.get("/meetings/?month=2026-10").content.decode()
    assert badge.format("Oct") in english


def test_no_template_abbreviates_months_in_english_style():
    """``date:"M"`` is title-case English style in every language; use ``month_abbr``."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""date:\s*["'][^"']*[MbN][^"']*["']|strftime\([^)]*%b""")
    offenders = []
    for path in root.rglob("*"):
        if path.suffix not in {".html", ".txt", ".py"} or {".venv", "var", "tests"} & set(path.parts):
            continue
        for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


# --- 7. An Atom entry is updated when the decision was taken, not when it was typed in --------


def test_atom_entry_updated_is_the_decisions_date(client):
    import feedparser

    start = (timezone.now() - timedelta(days=12)).replace(microsecond=0)
    item = AgendaItemFactory(
        case=CaseFactory(), meeting=MeetingFactory(start=start, status=Meeting.Status.HELD)
    )
    services.agenda_item_record_decision(
        item=item, outcome="approved", decision_text="Bifalls.", actor=None
    )
    feed = feedparser.parse(client.get("/decisions/feed.atom").content)
    entry = feed.entries[0]
    assert entry.updated == entry.published == start.isoformat()
    assert feed.feed.updated == start.isoformat()


def test_demo_decisions_in_the_atom_feed_are_dated_at_their_meetings(client):
    import io
    from datetime import datetime

    import feedparser
    from django.core.management import call_command

    from democracy.diary.models import AgendaItem

    call_command("seed_demo", stdout=io.StringIO())
    feed = feedparser.parse(client.get("/decisions/feed.atom").content)
    assert feed.entries
    for entry in feed.entries:
        item = AgendaItem.objects.select_related("meeting").get(pk=entry.id.rsplit("-", 1)[1])
        updated = datetime.fromisoformat(entry.updated)
        assert timezone.localdate(updated) == timezone.localdate(item.meeting.start), entry.title


# --- 8. The back office's fields have names (axe label, aria-input-field-name, WCAG 4.1.2) -----


def test_admin_split_date_and_time_boxes_are_named_after_their_field(editor_client):
    import re

    page = editor_client.get(reverse("admin:diary_meeting_add")).content.decode()
    assert 'aria-label="Börjar: datum"' in page and 'aria-label="Börjar: tid"' in page
    assert 'aria-label="Slutar: datum"' in page
    # The script that names the autocomplete boxes runs after Django's autocomplete.js.
    assert re.search(r'<script src="[^"]*people/admin-field-names\.js" defer>', page)
    assert "css/admin.css" in page  # breadcrumb links underlined


def test_a_withheld_document_needs_its_ground_and_keeps_no_text_in_the_back_office(
    editor_client,
):
    """The rule of ``document_add`` holds in the admin too (it did not: a withheld document
    could be saved with no legal ground, and kept the text that is not public)."""
    case = CaseFactory()
    url = reverse("admin:diary_document_add")
    data = {
        "kind": "decision_basis", "title": "Utredning om enskild", "case": case.pk,
        "text": "<p>Uppgifter om hälsa.</p>", "public": "", "meeting": "", "agenda_item": "",
        "minutes_version": "", "published_on": "", "registry_document_id": "D-1",
        "withheld_ground": "",
    }  # fmt: skip
    refused = editor_client.post(url, data)
    assert refused.status_code == 200 and not Document.objects.exists()
    assert "withheld_ground" in refused.context["adminform"].form.errors

    response = editor_client.post(url, data | {"withheld_ground": "OSL 26 kap. 1 §"})
    assert response.status_code == 302
    document = Document.objects.get()
    assert not document.public and document.text == ""
    assert document.withheld_ground == "OSL 26 kap. 1 §"
