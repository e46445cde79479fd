"""Search across the meeting diary, grouped by kind of result.

Each group is a *search source*: an object with a ``key``, a ``label`` and a
``search(query, limit) -> list[SearchHit]``. The diary registers its own sources (cases,
decisions, agenda items, meetings); another app adds a group by calling ``register_source``
from its ``AppConfig.ready()`` (e-proposals, for example), without the diary knowing it.

On PostgreSQL the sources use full-text search with the ``swedish`` configuration (stemming,
so "skolor" finds "skola") and rank the hits. On SQLite (the embedded default) every word's
Swedish stem (Snowball, the stemmer PostgreSQL's ``swedish`` configuration is built on) must
occur in one of the fields, case-insensitively, newest first: "skolor" looks for "skol" and
so finds "skola" and "skolan", "cykelvägar" finds "cykelvägen". It has no ranking and no
compound splitting ("vägar" does not find "cykelväg").
"""

import functools
from dataclasses import dataclass
from datetime import date

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from democracy.diary.models import AgendaItem, Case, Meeting

MAX_QUERY_LENGTH = 200


@dataclass
class SearchHit:
    title: str
    url: str
    kind: str
    meta: str = ""
    text: str = ""
    day: date | None = None


@dataclass
class SearchGroup:
    key: str
    label: str
    hits: list


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def full_text_filter(queryset, query: str, fields: list[str], order_fallback: list[str]):
    """``queryset`` narrowed to rows matching ``query`` in ``fields``, best first."""
    if uses_full_text():
        vector = SearchVector(*fields, config="swedish")
        search_query = SearchQuery(query, config="swedish", search_type="websearch")
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, search_query))
            .filter(search=search_query)
            .order_by("-rank", *order_fallback)
        )
    for word in search_stems(query):
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset.order_by(*order_fallback)


@functools.cache
def _stemmer():

    return snowballstemmer.stemmer("swedish")


def search_stems(query: str, *, most: int = 8) -> list[str]:
    """The words of ``query`` as the substring search looks for them: lower-case Swedish
    stems, or the word itself where its stem would be shorter than three letters."""
    stems = []
    for word in query.lower().split()[:most]:
        stem = _stemmer().stemWord(word)
        stems.append(stem if len(stem) >= 3 else word)
    return stems


def shorten(text: str, length: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class CaseSource:
    key = "cases"
    label = _("Cases")

    def search(self, query: str, limit: int) -> list[SearchHit]:
        cases = full_text_filter(
            Case.objects.select_related("responsible_organization"),
            query,
            ["title", "summary", "series"],
            ["-registered_on", "-sequence"],
        )
        # A diary number typed as such ("KS 2026/00012") finds its case directly.
        exact = Case.objects.none()
        compact = query.strip().upper()
        if "/" in compact:
            series, _sep, rest = compact.rpartition(" ")
            year, _slash, sequence = rest.partition("/")
            if series and year.isdigit() and sequence.isdigit():
                exact = Case.objects.filter(
                    series__iexact=series, year=int(year), sequence=int(sequence)
                ).select_related("responsible_organization")
        exact = list(exact)
        found = exact + [c for c in cases[:limit] if c not in exact]
        return [
            SearchHit(
                title=f"{case.diary_number} {case.title}",
                url=case.get_absolute_url(),
                kind=str(self.label),
                meta=f"{case.responsible_organization.name} · {case.get_status_display()}",
                text=shorten(case.summary),
                day=case.registered_on,
            )
            for case in found[:limit]
        ]


class DecisionSource:
    key = "decisions"
    label = _("Decisions")

    def search(self, query: str, limit: int) -> list[SearchHit]:
        items = full_text_filter(
            AgendaItem.objects.filter(public=True)
            .exclude(outcome="")
            .select_related("meeting__organization", "case"),
            query,
            ["title", "decision_text", "proposal_text"],
            ["-meeting__start", "position"],
        )[:limit]
        return [
            SearchHit(
                title=item.title,
                url=item.get_absolute_url(),
                kind=str(self.label),
                meta=f"{item.meeting.organization.name} · {item.get_outcome_display()}",
                text=shorten(item.decision_text),
                day=timezone.localtime(item.meeting.start).date(),
            )
            for item in items
        ]


class AgendaItemSource:
    key = "agenda_items"
    label = _("Agenda items")

    def search(self, query: str, limit: int) -> list[SearchHit]:
        items = full_text_filter(
            AgendaItem.objects.filter(public=True, outcome="").select_related(
                "meeting__organization", "case"
            ),
            query,
            ["title", "proposal_text"],
            ["-meeting__start", "position"],
        )[:limit]
        return [
            SearchHit(
                title=item.title,
                url=item.get_absolute_url(),
                kind=str(self.label),
                meta=str(item.meeting),
                text=shorten(item.proposal_text),
                day=timezone.localtime(item.meeting.start).date(),
            )
            for item in items
        ]


class MeetingSource:
    key = "meetings"
    label = _("Meetings")

    def search(self, query: str, limit: int) -> list[SearchHit]:
        meetings = full_text_filter(
            Meeting.objects.select_related("organization"),
            query,
            ["title", "organization__name", "location", "status_note"],
            ["-start"],
        )[:limit]
        return [
            SearchHit(
                title=meeting.name,
                url=meeting.get_absolute_url(),
                kind=str(self.label),
                meta=f"{meeting.get_status_display()} · {meeting.location}",
                day=timezone.localtime(meeting.start).date(),
            )
            for meeting in meetings
        ]


_SOURCES = [CaseSource(), DecisionSource(), AgendaItemSource(), MeetingSource()]


def register_source(source) -> None:
    """Add a result group (idempotent by ``key``); used by other apps' ``ready()``."""
    global _SOURCES
    _SOURCES = [s for s in _SOURCES if s.key != source.key] + [source]


def sources() -> list:
    return list(_SOURCES)


def search(query: str, *, limit: int = 10) -> list[SearchGroup]:
    """Every source's hits for ``query``; empty groups are left out."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    groups = []
    for source in sources():
        hits = source.search(query, limit)
        if hits:
            groups.append(SearchGroup(key=source.key, label=str(source.label), hits=hits))
    return groups
