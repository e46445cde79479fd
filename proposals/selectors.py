"""Reads of e-proposals that pages, the API, the hub and site search share."""

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils.timezone import now as timezone_now

from democracy.diary.models import AgendaItem, Case
from democracy.diary.search import search_stems
from proposals import rules
from proposals.models import (
    Comment,
    District,
    Proposal,
    ProposalCount,
    ProposalEvent,
    Report,
    Signature,
)
from proposals.permissions import can_view
from proposals.services import COUNT_PAYLOAD_KEY, count_payload, count_payload_ttl

Status = Proposal.Status

PUBLIC_FILTER = (
    Q(status__in=[Status.PUBLISHED, Status.REFERRED, Status.ANSWERED, Status.EXPIRED])
    | Q(status=Status.REJECTED, rejection_reason__public=True)
    | Q(status=Status.WITHDRAWN, published_at__isnull=False)
)

DETAIL_RELATED = (
    "topic",
    "district",
    "responsible_organization",
    "case",
    "decision_item__meeting__organization",
    "rejection_reason",
    "count",
)


def proposals_public():
    return Proposal.objects.filter(PUBLIC_FILTER).select_related(
        "topic", "district", "responsible_organization", "count", "rejection_reason"
    )


def proposal_get_visible(*, user, pk: int) -> Proposal:
    """The proposal if ``user`` may see it; 404 otherwise (also for drafts of others)."""
    proposal = Proposal.objects.select_related(*DETAIL_RELATED).filter(pk=pk).first()
    if proposal is None or not can_view(user, proposal):
        raise Http404
    return proposal


def proposal_get_for_signing(*, user, pk: int) -> Proposal:
    """The proposal to sign or unsign: one light query when it is open; 404 as for the page."""
    proposal = (
        Proposal.objects.filter(pk=pk, status=Status.PUBLISHED)
        .only("pk", "status", "closes_at", "published_at")
        .first()
    )
    return proposal or proposal_get_visible(user=user, pk=pk)


def proposal_get_for_moderation(*, pk: int) -> Proposal:
    proposal = Proposal.objects.select_related(*DETAIL_RELATED).filter(pk=pk).first()
    if proposal is None or proposal.status == Status.DRAFT:
        raise Http404
    return proposal


# --- The public list ------------------------------------------------------------------------

SORTS = {
    "newest": ("-published_at", "-pk"),
    "most_signed": (F("count__total").desc(nulls_last=True), "-published_at"),
    "closing_soon": (F("closes_at").asc(nulls_last=True), "pk"),
}
LIST_STATUSES = [
    Status.PUBLISHED,
    Status.REFERRED,
    Status.ANSWERED,
    Status.EXPIRED,
    Status.REJECTED,
    Status.WITHDRAWN,
]


def _text_filter(queryset, query: str):
    """Without full-text search (SQLite): every word's Swedish stem in the title, the summary
    or the text (``diary.search.search_stems``)."""

    for word in search_stems(query):
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return queryset


def _param(value: str, limit: int) -> str:
    """A query parameter made safe for any database: no NUL bytes, bounded length."""
    return (value or "").replace("\x00", "").strip()[:limit]


def proposal_list(
    *,
    status: str = "",
    topic: str = "",
    district: str = "",
    query: str = "",
    sort: str = "newest",
):
    status, topic, district = _param(status, 30), _param(topic, 60), _param(district, 60)
    query = _param(query, 200)
    queryset = proposals_public()
    if status in LIST_STATUSES:
        queryset = queryset.filter(status=status)
    if topic:
        queryset = queryset.filter(topic__slug=topic)
    if district:
        queryset = queryset.filter(district__slug=district)
    if query:
        queryset = _text_filter(queryset, query)
    if sort == "closing_soon" and not status:
        # "Closing soon" means the proposals still collecting; a chosen status is kept, in
        # closing order, rather than emptying the list.
        queryset = queryset.filter(status=Status.PUBLISHED)
    return queryset.order_by(*SORTS.get(sort, SORTS["newest"]))


def proposals_of(*, user):
    return (
        Proposal.objects.filter(proposer=user)
        .select_related("topic", "count", "rejection_reason")
        .order_by("-updated_at")
    )


# --- Site search and similar proposals ------------------------------------------------------


def proposal_search(*, query: str, limit: int = 20) -> list[Proposal]:
    """Public proposals matching ``query``: Swedish full-text on PostgreSQL, else icontains."""
    query = _param(query, 200)
    if not query or limit <= 0:
        return []
    queryset = proposals_public()
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("title", weight="A", config="swedish")
            + SearchVector("summary", weight="B", config="swedish")
            + SearchVector("body", weight="C", config="swedish")
        )
        search = SearchQuery(query, config="swedish", search_type="websearch")
        return list(
            queryset.annotate(rank=SearchRank(vector, search))
            .filter(rank__gt=0)
            .order_by("-rank", "-published_at")[:limit]
        )
    return list(_text_filter(queryset, query).order_by("-published_at")[:limit])


STOPWORDS = set(
    """
    alla att av bara bli blir de dem den denna deras det detta dig din dina där ett efter eller
    en för från genom har hela hon här hur jag kan kunna man med mer min mot mycket måste när
    och också om på sig sin sina ska skulle som så till under upp ut utan vad vara vi vid vill
    våra åt över också kommunen kommun förslag norrvik
    about after also from have into more should that their there this with would
    """.split()
)


def _significant_words(text: str) -> list[str]:
    words = []
    for word in re.findall(r"\w+", (text or "").lower()):
        if len(word) >= 4 and word not in STOPWORDS and not word.isdigit() and word not in words:
            words.append(word)
    return words[:10]


@dataclass
class Similar:
    proposal: Proposal
    score: int
    repeat: bool  # decided within the repeat period: the rules say it is not accepted again


def proposals_similar(
    *,
    title: str,
    summary: str = "",
    exclude_pk: int | None = None,
    limit: int = 5,
    include_pending: bool = False,
) -> list[Similar]:
    """Existing proposals that share words with this one, decided ones included."""
    words = _significant_words(f"{title} {summary}")
    candidates = _similar_candidates(words, include_pending=include_pending)
    return _rank_similar(candidates, words, exclude_pk=exclude_pk, limit=limit)


def proposals_similar_to_each(
    proposals, *, limit: int = 3, include_pending: bool = False
) -> dict[int, list[Similar]]:
    """``proposals_similar`` for a list of proposals (the moderation queue) in one query."""
    words_of = {p.pk: _significant_words(f"{p.title} {p.summary}") for p in proposals}
    every_word = sorted({word for words in words_of.values() for word in words})
    candidates = _similar_candidates(
        every_word, include_pending=include_pending, pool=200 + 20 * len(words_of)
    )
    return {
        pk: _rank_similar(candidates, words, exclude_pk=pk, limit=limit)
        for pk, words in words_of.items()
    }


@dataclass
class SimilarDecision:
    item: object  # a decided diary.AgendaItem
    score: int
    repeat: bool  # decided within the repeat period


def decisions_similar(*, title: str, summary: str = "", limit: int = 3) -> list[SimilarDecision]:
    """Decisions in the meeting diary on cases that share words with this proposal, whatever
    the case came from (a medborgarförslag, a motion, the administration): the repeat rule is
    about what was decided, not how it was proposed. Cases that came from e-proposals are left
    out, since ``proposals_similar`` shows those proposals themselves."""

    words = _significant_words(f"{title} {summary}")
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= (
            Q(case__title__icontains=word)
            | Q(title__icontains=word)
            | Q(case__summary__icontains=word)
        )
    items = (
        AgendaItem.objects.filter(public=True, case__isnull=False)
        .exclude(outcome="")
        .exclude(case__origin=Case.Origin.E_PROPOSAL)
        .filter(condition)
        .select_related("case", "meeting__organization")
        .order_by("-decided_at", "-pk")[:100]
    )
    repeat_since = timezone_now() - timedelta(days=30 * rules.current().repeat_months)
    found, seen_cases = [], set()
    for item in items:
        if item.case_id in seen_cases:
            continue  # the case's latest decision stands for it
        seen_cases.add(item.case_id)
        title_words = set(re.findall(r"\w+", f"{item.case.title} {item.title}".lower()))
        summary_words = set(re.findall(r"\w+", item.case.summary.lower()))
        score = sum(2 * (w in title_words) + (w in summary_words) for w in words)
        if score < 2:
            continue
        repeat = item.decided_at is not None and item.decided_at >= repeat_since
        found.append(SimilarDecision(item, score, repeat))
    found.sort(key=lambda s: (-s.score, -(s.item.decided_at.timestamp() if s.item.decided_at else 0)))
    return found[:limit]


def _similar_candidates(words: list[str], *, include_pending: bool, pool: int = 200):
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(summary__icontains=word)
    base = PUBLIC_FILTER | Q(status=Status.SUBMITTED) if include_pending else PUBLIC_FILTER
    return list(
        Proposal.objects.filter(base)
        .filter(condition)
        .select_related("count", "decision_item", "rejection_reason")
        .order_by("-created_at")[:pool]
    )


def _rank_similar(candidates, words: list[str], *, exclude_pk, limit: int) -> list[Similar]:
    repeat_since = timezone_now() - timedelta(days=30 * rules.current().repeat_months)
    results = []
    for candidate in candidates:
        if candidate.pk == exclude_pk:
            continue
        title_words = set(re.findall(r"\w+", candidate.title.lower()))
        summary_words = set(re.findall(r"\w+", candidate.summary.lower()))
        score = sum(2 * (w in title_words) + (w in summary_words) for w in words)
        if score < 2:
            continue
        repeat = (
            candidate.status == Status.ANSWERED
            and candidate.answered_at is not None
            and candidate.answered_at >= repeat_since
        )
        results.append(Similar(candidate, score, repeat))
    results.sort(key=lambda s: (-s.score, -s.proposal.pk))
    return results[:limit]


# --- One proposal ---------------------------------------------------------------------------


def count_of(proposal: Proposal) -> int:
    try:
        return proposal.count.total
    except ProposalCount.DoesNotExist:
        return 0


def counts_by_district(proposal: Proposal) -> list[tuple[str, int]]:
    try:
        by = proposal.count.by_district
    except ProposalCount.DoesNotExist:
        return []
    names = {str(d.pk): d.name for d in District.objects.all()}
    rows = [(names.get(key, ""), n) for key, n in by.items() if key and key in names]
    rows.sort(key=lambda row: (-row[1], row[0]))
    unknown = by.get("", 0)
    return rows + ([("", unknown)] if unknown else [])


def count_payload_cached(*, pk: int) -> dict | None:
    """The payload of ``/proposals/<id>/count.json``: from the cache when warm (no query)."""

    payload = cache.get(COUNT_PAYLOAD_KEY.format(pk))
    if payload is not None:
        return payload
    proposal = proposals_public().filter(pk=pk).first()
    if proposal is None:
        return None
    count = ProposalCount.objects.filter(proposal=proposal).first()
    payload = count_payload(proposal, count)
    cache.set(COUNT_PAYLOAD_KEY.format(pk), payload, count_payload_ttl())
    return payload


def signature_of(*, proposal: Proposal, user) -> Signature | None:
    if not user.is_authenticated:
        return None
    return Signature.objects.filter(
        proposal=proposal, user=user, status=Signature.Status.VALID
    ).first()


def signers_public(*, proposal: Proposal):
    """The public signer list: valid signatures by people who chose to show their name.

    Only the name and the day: the signer gave a district for the counts by district, and
    was told it is used for nothing else.
    """
    return (
        Signature.objects.filter(proposal=proposal, status=Signature.Status.VALID)
        .exclude(public_name="")
        .only("public_name", "created_at")
        .order_by("-created_at", "-pk")
    )


def comments_visible(*, proposal: Proposal):
    return Comment.objects.filter(proposal=proposal, hidden=False).order_by("created_at", "pk")


@dataclass
class JourneyStep:
    when: datetime
    kind: str
    label: str
    note: str = ""
    data: dict | None = None
    item: object = None


# Steps on the same day follow the order of the process: a case is on an agenda before the
# meeting decides it.
_JOURNEY_ORDER = {"agenda": 1, ProposalEvent.Kind.DECIDED: 2}


def journey(proposal: Proposal, *, private: bool = False) -> list[JourneyStep]:
    """The public timeline: lifecycle events and the case's meetings; never who did it.

    A decision is dated when the meeting took it (the agenda item's ``decided_at``), not when
    it was typed in, and follows the agenda appearance it was taken at.
    """
    steps = []
    items = []
    if proposal.case_id:
        items = list(
            proposal.case.agenda_items.filter(public=True).select_related(
                "meeting__organization"
            )
        )
    decided_on = {item.pk: item.decided_at or item.meeting.start for item in items}
    events = proposal.events.all()
    if not private:
        events = events.filter(kind__in=ProposalEvent.PUBLIC_KINDS)
    for event in events:
        when = event.created_at
        if event.kind == ProposalEvent.Kind.DECIDED:
            when = decided_on.get((event.data or {}).get("agenda_item"), when)
        steps.append(
            JourneyStep(
                when=when,
                kind=event.kind,
                label=event.get_kind_display(),
                note=event.note,
                data=event.data,
            )
        )
    for item in items:
        steps.append(JourneyStep(when=item.meeting.start, kind="agenda", label="", item=item))
    steps.sort(key=lambda step: (step.when, _JOURNEY_ORDER.get(step.kind, 0)))
    return steps


@dataclass
class TreatmentClock:
    days: int
    limit: int
    overdue: bool
    answered: bool


def treatment_clock(proposal: Proposal, now=None) -> TreatmentClock | None:
    """Days since referral, and whether the configured treatment time has passed."""
    if proposal.referred_at is None:
        return None
    end = proposal.answered_at or now or timezone_now()
    days = max(0, (end - proposal.referred_at).days)
    limit = rules.current().treatment_days
    return TreatmentClock(
        days=days,
        limit=limit,
        overdue=proposal.answered_at is None and days > limit,
        answered=proposal.answered_at is not None,
    )


def days_left(proposal: Proposal, now=None) -> int | None:
    if proposal.status != Status.PUBLISHED or proposal.closes_at is None:
        return None
    remaining = proposal.closes_at - (now or timezone_now())
    return max(0, remaining.days + (1 if remaining.seconds else 0))


# --- Moderation -----------------------------------------------------------------------------


def moderation_queue():
    """Proposals waiting for review, oldest first."""
    return (
        Proposal.objects.filter(status=Status.SUBMITTED)
        .select_related("topic", "district")
        .order_by("submitted_at", "pk")
    )


def reports_open():
    return (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("proposal", "comment__proposal")
        .order_by("created_at", "pk")
    )


def signature_sources(*, proposal: Proposal, limit: int = 10) -> dict:
    """Networks and e-mail domains with the most valid signatures: where bursts come from."""

    valid = Signature.objects.filter(proposal=proposal, status=Signature.Status.VALID)
    networks = (
        valid.exclude(network="").values("network").annotate(n=Count("id")).order_by("-n")[:limit]
    )
    domains = (
        valid.exclude(email_domain="")
        .values("email_domain")
        .annotate(n=Count("id"))
        .order_by("-n")[:limit]
    )
    return {"networks": list(networks), "domains": list(domains)}


def proposals_near_threshold(*, limit: int = 3) -> list[Proposal]:
    """Open proposals closest to their threshold (the hub's "almost there")."""
    candidates = (
        Proposal.objects.filter(status=Status.PUBLISHED, closes_at__gt=timezone_now())
        .select_related("count", "topic")
        .order_by(F("count__total").desc(nulls_last=True), "closes_at")[: limit * 4]
    )
    ranked = sorted(
        candidates,
        key=lambda p: ((p.threshold or 1) - count_of(p), p.closes_at),
    )
    return ranked[:limit]


_DISTRICT_IDS_SECONDS = 60.0
_district_ids: tuple[float, frozenset[int]] = (float("-inf"), frozenset())


def district_ids() -> frozenset[int]:
    """The districts' ids, read at most once a minute per process: districts change seldom,
    and the signing view only uses the set to accept a district without a query (a district
    added in another process meanwhile goes through the form's own check; one removed is left
    out of the signature by the INSERT). A change in this process is seen at once
    (``district_ids_forget``, called on every save and delete of a district)."""
    global _district_ids
    read_at, ids = _district_ids
    now = time.monotonic()
    if now - read_at > _DISTRICT_IDS_SECONDS:
        ids = frozenset(District.objects.values_list("id", flat=True))
        _district_ids = (now, ids)
    return ids


def district_ids_forget() -> None:
    global _district_ids
    _district_ids = (float("-inf"), frozenset())
