"""Cases and meetings change status only along their transition tables (issue 16, item 3):
every pair of statuses through the service, the move of a meeting, and the back office."""

from datetime import timedelta
from itertools import product

import pytest
from django.urls import reverse
from django.utils import timezone

from democracy.core.models import AuditEntry
from democracy.diary import services
from democracy.diary.models import Case, Meeting
from tests.diary.factories import CaseFactory, MeetingFactory
from tests.diary.test_admin_queries import (  # noqa: F401 - editor_client is a fixture
    editor_client,
    inline,
    meeting_admin_form,
)

pytestmark = pytest.mark.django_db

CASE_PAIRS = [(old, new) for old, new in product(Case.Status.values, repeat=2) if old != new]
MEETING_PAIRS = [(old, new) for old, new in product(Meeting.Status.values, repeat=2)]


@pytest.mark.parametrize(("old", "new"), CASE_PAIRS)
def test_case_transition_follows_the_table(old, new):
    case = CaseFactory(status=old)
    if new in Case.TRANSITIONS[old]:
        services.case_transition(case=case, to=new, actor=None)
        case.refresh_from_db()
        assert case.status == new
        entry = AuditEntry.objects.get(action="diary.case.status")
        assert (entry.data["from"], entry.data["to"]) == (old, new)
    else:
        with pytest.raises(services.DiaryError, match="kan inte gå från"):
            services.case_transition(case=case, to=new, actor=None)
        case.refresh_from_db()
        assert case.status == old
        assert not AuditEntry.objects.filter(action="diary.case.status").exists()


@pytest.mark.parametrize(("old", "new"), MEETING_PAIRS)
def test_meeting_transition_follows_the_table(old, new):
    meeting = MeetingFactory(status=old)
    if old == new and new != Meeting.Status.MOVED:
        services.meeting_transition(meeting=meeting, to=new, actor=None)  # nothing to do
        assert not AuditEntry.objects.filter(action="diary.meeting.status").exists()
    elif new in Meeting.TRANSITIONS[old]:
        services.meeting_transition(meeting=meeting, to=new, actor=None)
        meeting.refresh_from_db()
        assert meeting.status == new
        entry = AuditEntry.objects.get(action="diary.meeting.status")
        assert (entry.data["from"], entry.data["to"]) == (old, new)
    else:
        with pytest.raises(services.DiaryError, match="kan inte gå från"):
            services.meeting_transition(meeting=meeting, to=new, actor=None)
        meeting.refresh_from_db()
        assert meeting.status == old


def test_an_unknown_status_is_refused_by_name():
    with pytest.raises(services.DiaryError, match="Okänd status"):
        services.case_transition(case=CaseFactory(), to="nonsense", actor=None)
    with pytest.raises(services.DiaryError, match="Okänd status"):
        services.meeting_transition(meeting=MeetingFactory(), to="nonsense", actor=None)


@pytest.mark.parametrize("old", Meeting.Status.values)
def test_a_meeting_moves_through_the_transition_table(old):
    meeting = MeetingFactory(status=old)
    start = meeting.start + timedelta(days=7)
    if Meeting.Status.MOVED in Meeting.TRANSITIONS[old]:
        services.meeting_move(meeting=meeting, start=start, actor=None, reason="Krock.")
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.MOVED and meeting.start == start
        entry = AuditEntry.objects.get(action="diary.meeting.status")
        assert (entry.data["from"], entry.data["to"]) == (old, Meeting.Status.MOVED)
        assert AuditEntry.objects.filter(action="diary.meeting.move").count() == 1
    else:
        with pytest.raises(services.DiaryError, match="kan inte flyttas"):
            services.meeting_move(meeting=meeting, start=start, actor=None)
        meeting.refresh_from_db()
        assert meeting.status == old and meeting.start != start


# --- The back office ----------------------------------------------------------------------------


def _case_form(case, status):
    return {
        "title": case.title,
        "summary": case.summary,
        "responsible_organization": str(case.responsible_organization_id),
        "origin": case.origin,
        "status": status,
        "registered_on": case.registered_on.isoformat(),
        "closed_on": "",
        **inline("documents", []),
    }


def test_an_impossible_case_status_in_the_admin_is_a_message(editor_client):  # noqa: F811
    case = CaseFactory(status=Case.Status.CLOSED, closed_on=timezone.localdate())
    url = reverse("admin:diary_case_change", args=[case.pk])
    response = editor_client.post(url, _case_form(case, Case.Status.ON_AGENDA))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"]
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


def test_a_new_case_cannot_start_where_the_table_does_not_lead(editor_client):  # noqa: F811
    case = CaseFactory.build(responsible_organization=CaseFactory().responsible_organization)
    response = editor_client.post(
        reverse("admin:diary_case_add"), _case_form(case, Case.Status.DECIDED)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["status"]
    assert "Inkommet" in errors[0] and "Beslutat" in errors[0]
    assert Case.objects.filter(title=case.title).count() == 0


def test_a_case_status_change_in_the_admin_goes_through_the_service(editor_client):  # noqa: F811
    case = CaseFactory(status=Case.Status.ON_AGENDA)
    url = reverse("admin:diary_case_change", args=[case.pk])
    assert editor_client.post(url, _case_form(case, Case.Status.TABLED)).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.TABLED
    entry = AuditEntry.objects.get(action="diary.case.status")
    assert (entry.data["from"], entry.data["to"]) == ("on_agenda", "tabled")


def _meeting_form(meeting, *, status, start=None):
    return meeting_admin_form(meeting, status=status, start=start)


def test_an_impossible_meeting_status_in_the_admin_is_a_message(editor_client):  # noqa: F811
    meeting = MeetingFactory(status=Meeting.Status.HELD)
    url = reverse("admin:diary_meeting_change", args=[meeting.pk])
    response = editor_client.post(url, _meeting_form(meeting, status=Meeting.Status.PLANNED))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_a_meeting_moved_in_the_admin_goes_through_the_service(editor_client):  # noqa: F811
    meeting = MeetingFactory(status=Meeting.Status.CONFIRMED)
    later = meeting.start + timedelta(days=7)
    url = reverse("admin:diary_meeting_change", args=[meeting.pk])
    form = _meeting_form(meeting, status=Meeting.Status.CONFIRMED, start=later)
    assert editor_client.post(url, form).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MOVED and meeting.original_start is not None
    entry = AuditEntry.objects.get(action="diary.meeting.status")
    assert (entry.data["from"], entry.data["to"]) == ("confirmed", "moved")


def test_a_cancelled_meeting_planned_again_at_a_new_time_is_planned(editor_client):  # noqa: F811
    """Cancelled to moved is not in the table: planned again at another time, it is planned."""
    meeting = MeetingFactory(status=Meeting.Status.CANCELLED)
    later = meeting.start + timedelta(days=7)
    url = reverse("admin:diary_meeting_change", args=[meeting.pk])
    form = _meeting_form(meeting, status=Meeting.Status.PLANNED, start=later)
    assert editor_client.post(url, form).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    entry = AuditEntry.objects.get(action="diary.meeting.status")
    assert (entry.data["from"], entry.data["to"]) == ("cancelled", "planned")
