"""Writes to the meeting diary. Every change is audit-logged."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.timezone import localdate
from django.utils.timezone import now as timezone_now

from democracy.core.services import audit_log
from democracy.diary.models import AgendaItem, Case, Meeting, PartyVote
from democracy.diary.signals import agenda_item_decided
from democracy.people.models import Organization


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


@transaction.atomic
def case_set_status(*, case: Case, status: str, actor, reason: str = "") -> Case:
    old = case.status
    case.status = status
    if status == Case.Status.CLOSED and case.closed_on is None:
        case.closed_on = localdate()
    case.full_clean()
    case.save(update_fields=["status", "closed_on", "updated_at"])
    audit_log(
        actor=actor,
        action="diary.case.status",
        target=case,
        reason=reason,
        data={"from": old, "to": status},
    )
    return case


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
    if case is not None and case.status in {
        Case.Status.RECEIVED,
        Case.Status.IN_PREPARATION,
        Case.Status.REFERRED_BACK,
        Case.Status.TABLED,
    }:
        case.status = Case.Status.ON_AGENDA
        case.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        action="diary.agenda_item.add",
        target=item,
        data={"meeting": meeting.pk, "case": case.pk if case else None},
    )
    return item


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
) -> AgendaItem:
    """Record the decision on an agenda item, and move its case along.

    A final outcome marks the case decided; referral back, postponement and withdrawal send
    it back to preparation. Listeners of ``agenda_item_decided`` (e-proposals) hear about it
    after commit.
    """
    if outcome not in AgendaItem.Outcome.values:
        raise DiaryError("Unknown outcome.")
    item.outcome = outcome
    item.decision_text = decision_text
    item.decided_at = timezone_now()
    item.full_clean()
    item.save(update_fields=["outcome", "decision_text", "decided_at"])
    for party, counts in (party_votes or {}).items():
        PartyVote.objects.update_or_create(agenda_item=item, party=party, defaults=counts)
    case = item.case
    if case is not None:
        case.status = OUTCOME_CASE_STATUS.get(outcome, Case.Status.DECIDED)
        case.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        action="diary.agenda_item.decide",
        target=item,
        data={"outcome": outcome, "case": case.pk if case else None},
    )
    item_id, case_id = item.pk, (case.pk if case else None)
    transaction.on_commit(
        lambda: agenda_item_decided.send(
            sender=AgendaItem, agenda_item_id=item_id, case_id=case_id
        )
    )
    return item
