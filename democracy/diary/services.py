"""Writes to the meeting diary. Every change is audit-logged."""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.timezone import localdate
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _

from democracy.core.sanitize import clean_html, clean_line, clean_text
from democracy.core.services import audit_log
from democracy.diary.models import AgendaItem, Case, Document, Meeting, PartyVote
from democracy.diary.signals import agenda_item_decided
from democracy.people.models import Organization, Term


class DiaryError(Exception):
    """A diary change that breaks a rule; the message is fit to show to an editor."""


def case_open(
    *,
    title: str,
    responsible_organization: Organization,
    origin: str = Case.Origin.OFFICIAL,
    summary: str = "",
    actor=None,
    registered_on: date | None = None,
    series: str | None = None,
) -> Case:
    """Register a new case and give it the next free diary number in its series and year.

    Numbers are allocated as max + 1 under the unique constraint on (series, year, sequence);
    when two registrations race for the same number the loser retries with the next one.
    """
    registered_on = registered_on or localdate()
    series = series or responsible_organization.diary_series
    for _attempt in range(10):
        try:
            with transaction.atomic():
                last = (
                    Case.objects.filter(series=series, year=registered_on.year).aggregate(
                        last=Max("sequence")
                    )["last"]
                    or 0
                )
                case = Case(
                    series=series,
                    year=registered_on.year,
                    sequence=last + 1,
                    slug=Case.slug_for(series, registered_on.year, last + 1),
                    title=title,
                    summary=summary,
                    responsible_organization=responsible_organization,
                    origin=origin,
                    registered_on=registered_on,
                )
                case.full_clean()
                case.save(force_insert=True)
                audit_log(
                    actor=actor,
                    action="diary.case.open",
                    target=case,
                    data={"diary_number": case.diary_number, "origin": origin},
                )
                return case
        except IntegrityError:
            continue
    raise DiaryError("Could not allocate a diary number; try again.")


def case_status_refusal(*, old: str, to: str) -> str:
    """Why a case cannot go from status ``old`` to ``to`` (``Case.TRANSITIONS``), or "" when it
    can. The one statement of the rule: ``case_transition`` and the back office's form use it."""
    if to == old:
        return ""
    if to not in Case.Status.values:
        return _("Unknown status.")
    if to not in Case.TRANSITIONS.get(old, set()):
        return _("A case cannot go from “%(old)s” to “%(new)s”.") % {
            "old": Case.Status(old).label,
            "new": Case.Status(to).label,
        }
    return ""


@transaction.atomic
def case_transition(*, case: Case, to: str, actor, reason: str = "") -> Case:
    """Move ``case`` to status ``to``; refuses moves ``Case.TRANSITIONS`` does not allow.

    The one place a case's status changes: the agenda, the decisions and the back office all
    come through here, so each change is checked and audit-logged the same way.
    """
    old = case.status
    if to == old:
        return case
    refusal = case_status_refusal(old=old, to=to)
    if refusal:
        raise DiaryError(refusal)
    case.status = to
    if to == Case.Status.CLOSED and case.closed_on is None:
        case.closed_on = localdate()
    case.full_clean()
    case.save(update_fields=["status", "closed_on", "updated_at"])
    audit_log(
        actor=actor,
        action="diary.case.status",
        target=case,
        reason=reason,
        data={"from": old, "to": to},
    )
    return case


def case_put_on_agenda(*, case: Case, actor) -> Case:
    """An item for ``case`` is on an agenda: the case is "on the agenda" (not "received").

    A closed case cannot be taken up again (``agenda_item_add`` refuses it first).
    """
    if case.status in (Case.Status.ON_AGENDA, Case.Status.CLOSED):
        return case
    return case_transition(case=case, to=Case.Status.ON_AGENDA, actor=actor)


def agenda_refusal(case: Case | None) -> str:
    """Why ``case`` cannot be put on an agenda, or "" when it can."""
    if case is not None and case.status == Case.Status.CLOSED:
        return _("The case %(number)s is closed and cannot be put on an agenda.") % {
            "number": case.diary_number
        }
    return ""


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    actor,
    case: Case | None = None,
    proposal_text: str = "",
    public: bool = True,
    position: int | None = None,
) -> AgendaItem:
    """Put an item on ``meeting``'s agenda (at the end unless ``position`` is given)."""
    refusal = agenda_refusal(case)
    if refusal:
        raise DiaryError(refusal)
    if position is None:
        last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
        position = last + 1
    item = AgendaItem(
        meeting=meeting,
        case=case,
        position=position,
        title=title,
        proposal_text=proposal_text,
        public=public,
    )
    item.full_clean()
    item.save(force_insert=True)
    if case is not None:
        case_put_on_agenda(case=case, actor=actor)
    audit_log(
        actor=actor,
        action="diary.agenda_item.add",
        target=item,
        data={"meeting": meeting.pk, "case": case.pk if case else None},
    )
    return item


def decision_refusal(meeting: Meeting, *, case: Case | None = None) -> str:
    """Why no decision can be recorded at ``meeting`` yet, or "" when it can.

    The one rule (docs/decisions.md 69) used by the service, the admin's forms and the
    e-proposal answer: a body decides at its meeting, so a decision is recorded only on an
    item of a meeting that has been held, never on a planned, confirmed, moved or cancelled one.
    """
    if meeting.status != Meeting.Status.HELD:
        return _(
            "A decision can only be recorded once the meeting has been held (it is “%(status)s”)."
        ) % {"status": Meeting.Status(meeting.status).label}
    if case is not None and case.status == Case.Status.CLOSED:
        return _("The case %(number)s is closed: no new decision can be recorded in it.") % {
            "number": case.diary_number
        }
    return ""


# What a decision's outcome means for the case it concerns.
OUTCOME_CASE_STATUS = {
    AgendaItem.Outcome.REFERRED_BACK: Case.Status.REFERRED_BACK,
    AgendaItem.Outcome.TABLED: Case.Status.TABLED,
    AgendaItem.Outcome.WITHDRAWN: Case.Status.IN_PREPARATION,
}


@transaction.atomic
def agenda_item_record_decision(
    *,
    item: AgendaItem,
    outcome: str,
    decision_text: str,
    actor,
    party_votes: dict[Organization, dict[str, int]] | None = None,
    decided_at=None,
) -> AgendaItem:
    """Record the decision on an agenda item, and move its case along.

    A final outcome marks the case decided; referral back, postponement and withdrawal send
    it back to preparation. Listeners of ``agenda_item_decided`` (e-proposals) hear about it
    after commit.
    """
    if outcome not in AgendaItem.Outcome.values:
        raise DiaryError("Unknown outcome.")
    refusal = decision_refusal(item.meeting, case=item.case)
    if refusal:
        raise DiaryError(refusal)
    item.outcome = outcome
    item.decision_text = decision_text
    # Decided at the meeting: the decision's date is the meeting's, not the time it was typed in.
    item.decided_at = decided_at or min(item.meeting.start, timezone_now())
    item.full_clean()
    item.save(update_fields=["outcome", "decision_text", "decided_at"])
    for party, counts in (party_votes or {}).items():
        PartyVote.objects.update_or_create(agenda_item=item, party=party, defaults=counts)
    case = item.case
    if case is not None:
        target = OUTCOME_CASE_STATUS.get(outcome, Case.Status.DECIDED)
        if case.status != target:
            # Decided on this agenda: through "on the agenda", also when a decision is corrected.
            if case.status != Case.Status.ON_AGENDA:
                case_transition(case=case, to=Case.Status.ON_AGENDA, actor=actor)
            case_transition(case=case, to=target, actor=actor)
    audit_log(
        actor=actor,
        action="diary.agenda_item.decide",
        target=item,
        data={"outcome": outcome, "case": case.pk if case else None},
    )
    item_id, case_id = item.pk, (case.pk if case else None)
    transaction.on_commit(
        lambda: agenda_item_decided.send(sender=AgendaItem, agenda_item_id=item_id, case_id=case_id)
    )
    return item


# --- Meetings ---------------------------------------------------------------------------------


def _changed(instance, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def meeting_create(
    *,
    organization: Organization,
    start,
    actor,
    end=None,
    number: int | None = None,
    status: str = Meeting.Status.PLANNED,
    publicity: str | None = None,
    term=None,
    **fields,
) -> Meeting:
    """Plan a meeting of ``organization``; numbered next in the body's year unless given."""

    local_start = timezone.localtime(start)
    year = local_start.year
    if number is None:
        last = (
            Meeting.objects.filter(organization=organization, year=year).aggregate(
                last=Max("number")
            )["last"]
            or 0
        )
        number = last + 1
    if term is None:
        term = Term.objects.filter(
            start_date__lte=local_start.date(), end_date__gte=local_start.date()
        ).first()
    if publicity is None:
        publicity = (
            Meeting.Publicity.OPEN
            if organization.meetings_public_default
            else Meeting.Publicity.CLOSED
        )
    meeting = Meeting(
        organization=organization,
        term=term,
        year=year,
        number=number,
        start=start,
        end=end,
        status=status,
        publicity=publicity,
        **fields,
    )
    meeting.full_clean()
    meeting.save(force_insert=True)
    audit_log(
        actor=actor,
        action="diary.meeting.create",
        target=meeting,
        data={"organization": organization.pk, "start": start, "status": status},
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, **fields) -> list[str]:
    """Change plain fields of a meeting (not its status or time: see transition and move)."""
    for name in ("status", "start", "original_start"):
        if name in fields:
            raise DiaryError(f"Use meeting_transition / meeting_move to change {name}.")
    changed = _changed(meeting, fields)
    if changed:
        meeting.full_clean()
        meeting.save(update_fields=[*changed, "updated_at"])
        audit_log(
            actor=actor, action="diary.meeting.update", target=meeting, data={"fields": changed}
        )
    return changed


def meeting_status_refusal(*, old: str, to: str) -> str:
    """Why a meeting cannot go from status ``old`` to ``to`` (``Meeting.TRANSITIONS``), or ""
    when it can. The one statement of the rule: ``meeting_transition``, ``meeting_move`` and the
    back office's form use it. Moved to "moved" again is a new time, so it is a move."""
    if to == old and to != Meeting.Status.MOVED:
        return ""
    if to not in Meeting.Status.values:
        return _("Unknown status.")
    if to not in Meeting.TRANSITIONS.get(old, set()):
        return _("A meeting cannot go from “%(old)s” to “%(new)s”.") % {
            "old": Meeting.Status(old).label,
            "new": Meeting.Status(to).label,
        }
    return ""


@transaction.atomic
def meeting_transition(*, meeting: Meeting, to: str, actor, reason: str = "") -> Meeting:
    """Move a meeting to status ``to``; refuses moves the state machine does not allow."""
    old = meeting.status
    if to == old and to != Meeting.Status.MOVED:
        return meeting
    refusal = meeting_status_refusal(old=old, to=to)
    if refusal:
        raise DiaryError(refusal)
    meeting.status = to
    fields = ["status", "updated_at"]
    if reason:
        meeting.status_note = reason[:300]
        fields.append("status_note")
    meeting.full_clean()
    meeting.save(update_fields=fields)
    audit_log(
        actor=actor,
        action="diary.meeting.status",
        target=meeting,
        reason=reason,
        data={"from": old, "to": to},
    )
    return meeting


@transaction.atomic
def meeting_move(*, meeting: Meeting, start, actor, end=None, reason: str = "") -> Meeting:
    """Move a meeting to a new time; the first planned start is kept as ``original_start``.

    The meeting keeps its identity (and so its iCalendar UID): calendars that subscribed to
    it see the new time.
    """
    if meeting_status_refusal(old=meeting.status, to=Meeting.Status.MOVED):
        raise DiaryError(_("A held or cancelled meeting cannot be moved."))
    old_status = meeting.status
    # The status goes through the state machine (which logs it); the time is this service's.
    meeting_transition(meeting=meeting, to=Meeting.Status.MOVED, actor=actor, reason=reason)
    previous = meeting.start
    if meeting.original_start is None:
        meeting.original_start = previous
    duration = (meeting.end - meeting.start) if meeting.end else None
    meeting.start = start
    meeting.end = end or (start + duration if duration else None)
    meeting.status_note = reason[:300]
    meeting.full_clean()
    meeting.save(update_fields=["original_start", "start", "end", "status_note", "updated_at"])
    audit_log(
        actor=actor,
        action="diary.meeting.move",
        target=meeting,
        reason=reason,
        data={"from": previous, "to": start, "status_before": old_status},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str = "") -> Meeting:
    return meeting_transition(
        meeting=meeting, to=Meeting.Status.CANCELLED, actor=actor, reason=reason
    )


@transaction.atomic
def meeting_record_minutes(
    *, meeting: Meeting, actor, adjusted_on: date, announced_on: date | None = None
) -> Meeting:
    """Record that the minutes were approved (justerade) and announced (anslag).

    The appeal deadline (three weeks after the announcement, moved past holidays) follows
    from ``announced_on``. A meeting with approved minutes has been held.
    """
    if announced_on is not None and announced_on < adjusted_on:
        raise DiaryError(_("The minutes cannot be announced before they are approved."))
    if adjusted_on < timezone.localtime(meeting.start).date():
        raise DiaryError(_("The minutes cannot be approved before the meeting."))
    if meeting.status != Meeting.Status.HELD:
        meeting_transition(meeting=meeting, to=Meeting.Status.HELD, actor=actor)
    meeting.minutes_adjusted_on = adjusted_on
    meeting.minutes_announced_on = announced_on
    meeting.full_clean()
    meeting.save(update_fields=["minutes_adjusted_on", "minutes_announced_on", "updated_at"])
    audit_log(
        actor=actor,
        action="diary.meeting.minutes",
        target=meeting,
        data={"adjusted_on": adjusted_on, "announced_on": announced_on},
    )
    return meeting


# --- Cases, agenda items, documents -----------------------------------------------------------


def document_refusal(*, public: bool, withheld_ground: str) -> str:
    """Why a document cannot be saved as it is, or "" when it can: the one rule used by
    ``document_add`` and the admin's document forms. A withheld document names the legal
    ground for withholding it (and keeps no text: the callers drop it)."""
    if not public and not (withheld_ground or "").strip():
        return _("A withheld document needs the legal ground for withholding it.")
    return ""


@transaction.atomic
def document_add(
    *,
    kind: str,
    title: str,
    actor,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    case: Case | None = None,
    public: bool = True,
    withheld_ground: str = "",
    text: str = "",
    **fields,
) -> Document:
    """Attach a document; a withheld one must name its legal ground (and keeps no text)."""
    refusal = document_refusal(public=public, withheld_ground=withheld_ground)
    if refusal:
        raise DiaryError(refusal)
    document = Document(
        kind=kind,
        title=title,
        meeting=meeting,
        agenda_item=agenda_item,
        case=case,
        public=public,
        withheld_ground=withheld_ground.strip(),
        text=clean_html(text) if public else "",
        **fields,
    )
    if document.published_on is None and public:
        document.published_on = localdate()
    document.full_clean()
    document.save(force_insert=True)
    audit_log(
        actor=actor,
        action="diary.document.add",
        target=document,
        data={"kind": kind, "public": public},
    )
    return document


# --- Requests -----------------------------------------------------------------------------------


def document_request_send(
    *, document: Document, requester_email: str, requester_name: str = "", message: str = ""
) -> None:
    """Send a request for a withheld document to the right registrar (through the task queue).

    The request names the diary number and the document id, so the registrar can find it and
    try the secrecy question. The requester may stay anonymous apart from a reply address.
    """
    case = document.case or (document.agenda_item.case if document.agenda_item else None)
    context = {
        "document": document,
        "case": case,
        "meeting": document.meeting
        or (document.agenda_item.meeting if document.agenda_item else None),
        "requester_email": requester_email,
        "requester_name": clean_line(requester_name),
        "message": clean_text(message),
        "site_url": settings.SITE_URL,
    }
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("diary/email/document_request.txt", context)
        subject = _("Request for a public document: %(title)s") % {"title": document.title}
        if case is not None:
            subject += f" ({case.diary_number})"
    email = EmailMessage(
        subject=subject[:200], body=body, to=[document.registry_email], reply_to=[requester_email]
    )
    transaction.on_commit(email.send)
