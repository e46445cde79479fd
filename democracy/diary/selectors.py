"""Reads of the meeting diary that more than one page needs."""

from django.utils.timezone import now as timezone_now

from democracy.diary.models import AgendaItem, Meeting


def meetings_upcoming(*, limit: int = 5):
    return (
        Meeting.objects.filter(start__gte=timezone_now())
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("organization")
        .order_by("start")[:limit]
    )


def decisions_latest(*, limit: int = 5):
    return (
        AgendaItem.objects.filter(public=True)
        .exclude(outcome="")
        .select_related("meeting__organization", "case")
        .order_by("-meeting__start", "-position")[:limit]
    )
