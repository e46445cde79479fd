"""Open data: public e-proposals with their counts, journey and linked case.

Never includes who signed (no e-mail addresses, no names) or which moderator decided.
"""

from datetime import datetime

from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from democracy.api import ERRORS, ERRORS_AND_404, Pagination, RowId, Text
from democracy.core.sanitize import clean_html
from democracy.core.translations import all_translations
from proposals import selectors
from proposals.models import District, Proposal

router = Router(tags=["e-proposals"])


class DistrictCount(Schema):
    district: str | None
    count: int


class JourneyEvent(Schema):
    date: datetime
    kind: str
    label: str
    note: str = ""
    diary_number: str | None = None
    meeting_id: int | None = None
    outcome: str | None = None


class ProposalCaseOut(Schema):
    """The case a proposal became. Named apart from the diary's ``CaseOut``: with one name
    for both, the OpenAPI description kept one of them, and /cases was described with this
    one (an integer id where the answer has a slug)."""

    id: int
    diary_number: str | None = None
    title: str
    status: str
    url: str | None = None


class DecisionOut(Schema):
    agenda_item_id: int
    meeting_id: int
    meeting_date: datetime
    body: str
    outcome: str
    outcome_label: str
    text: str


# Municipal content (topics, districts, reasons) is given in the request's language (the
# language cookie; Swedish by default and when there is no translation), and every language's
# text beside it (decision 89).
TRANSLATIONS_HELP = (
    "The text in every language it has, by language code; the Swedish source text is 'sv'."
)


class ProposalSummaryOut(Schema):
    id: int
    title: str
    summary: str
    language: str = Field(
        description="The language the proposer wrote the title, summary and body in."
    )
    status: str
    status_label: str
    topic: str | None = Field(
        description="The topic in the request's language (Swedish unless chosen or translated)."
    )
    topic_translations: dict[str, str] = Field(description=TRANSLATIONS_HELP)
    district: str | None = Field(
        description="The district in the request's language, Swedish when it has none."
    )
    district_translations: dict[str, str] = Field(description=TRANSLATIONS_HELP)
    responsible_organization: str | None
    signature_count: int
    threshold: int | None
    published_at: datetime | None
    closes_at: datetime | None
    referred_at: datetime | None
    answered_at: datetime | None
    url: str


class ProposalOut(ProposalSummaryOut):
    body_html: str
    proposer_name: str
    counts_by_district: list[DistrictCount]
    journey: list[JourneyEvent]
    case: ProposalCaseOut | None
    decision: DecisionOut | None
    rejection_reason: str | None
    rejection_reason_translations: dict[str, str] = Field(description=TRANSLATIONS_HELP)
    treatment_days: int | None
    treatment_overdue: bool


def _summary(proposal: Proposal) -> dict:
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "summary": proposal.summary,
        "language": proposal.language,
        "status": proposal.status,
        "status_label": str(proposal.get_status_display()),
        "topic": proposal.topic.label if proposal.topic else None,
        "topic_translations": all_translations(proposal.topic, "name") if proposal.topic else {},
        "district": proposal.district.label if proposal.district else None,
        "district_translations": (
            all_translations(proposal.district, "name") if proposal.district else {}
        ),
        "responsible_organization": (
            proposal.responsible_organization.name if proposal.responsible_organization else None
        ),
        "signature_count": selectors.count_of(proposal),
        "threshold": proposal.threshold,
        "published_at": proposal.published_at,
        "closes_at": proposal.closes_at,
        "referred_at": proposal.referred_at,
        "answered_at": proposal.answered_at,
        "url": settings.SITE_URL + proposal.get_absolute_url(),
    }


def _case_url(case) -> str | None:

    try:
        return settings.SITE_URL + case.get_absolute_url()
    except NoReverseMatch:  # the diary's pages are not installed
        return None


class _Summaries:
    """A queryset seen through ``_summary``: counted and sliced lazily by the paginator."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, index):
        return [_summary(proposal) for proposal in self.queryset[index]]


@router.get("/", response={200: list[ProposalSummaryOut], **ERRORS}, summary="Public e-proposals")
@paginate(Pagination)
def list_proposals(request, status: Text = "", topic: Text = "", district: Text = "", q: Text = ""):
    """Public proposals, newest first; filter by ``status``, ``topic`` and ``district`` slugs
    and free text ``q``."""
    queryset = selectors.proposal_list(status=status, topic=topic, district=district, query=q)
    return _Summaries(queryset)


@router.get(
    "/{proposal_id}/", response={200: ProposalOut, **ERRORS_AND_404}, summary="One e-proposal"
)
def get_proposal(request, proposal_id: RowId):
    """A public proposal with its counts by district, journey, case and decision."""
    proposal = (
        selectors.proposals_public()
        .select_related("case", "decision_item__meeting__organization")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404
    names = {str(d.pk): d.label for d in District.objects.all()}
    by_district = getattr(getattr(proposal, "count", None), "by_district", {}) or {}
    journey = []
    for step in selectors.journey(proposal):
        if step.kind == "agenda":
            journey.append(
                {
                    "date": step.when,
                    "kind": "agenda",
                    "label": str(step.item.meeting.organization.name),
                    "meeting_id": step.item.meeting_id,
                    "outcome": step.item.outcome or None,
                }
            )
        else:
            journey.append(
                {
                    "date": step.when,
                    "kind": step.kind,
                    "label": str(step.label),
                    "note": step.note,
                    "diary_number": (step.data or {}).get("diary_number"),
                    "outcome": (step.data or {}).get("outcome"),
                }
            )
    case = proposal.case
    item = proposal.decision_item
    clock = selectors.treatment_clock(proposal)
    return {
        **_summary(proposal),
        "body_html": clean_html(proposal.body),
        "proposer_name": proposal.proposer_name,
        "counts_by_district": [
            {"district": names.get(key) if key else None, "count": n}
            for key, n in sorted(by_district.items())
        ],
        "journey": journey,
        "case": (
            {
                "id": case.pk,
                "diary_number": case.diary_number,
                "title": case.title,
                "status": case.status,
                "url": _case_url(case),
            }
            if case
            else None
        ),
        "decision": (
            {
                "agenda_item_id": item.pk,
                "meeting_id": item.meeting_id,
                "meeting_date": item.meeting.start,
                "body": item.meeting.organization.name,
                "outcome": item.outcome,
                "outcome_label": str(item.get_outcome_display()),
                "text": item.decision_text,
            }
            if item and item.public
            else None
        ),
        "rejection_reason": (
            proposal.rejection_reason.label if proposal.rejection_reason else None
        ),
        "rejection_reason_translations": (
            all_translations(proposal.rejection_reason, "title")
            if proposal.rejection_reason
            else {}
        ),
        "treatment_days": clock.days if clock else None,
        "treatment_overdue": bool(clock and clock.overdue),
    }
