"""Reads of the youth-council election, with their access checks, in one place."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _

from youth_vote.models import (
    Candidate,
    Election,
    Participation,
    School,
    SchoolClass,
    Voter,
    VotingSession,
)


def min_reported() -> int:
    return settings.YOUTH_VOTE_MIN_REPORTED_COUNT


def turnout_step() -> int:
    return max(1, settings.YOUTH_VOTE_TURNOUT_STEP)


def suppressed(count: int) -> int | None:
    """``count``, or ``None`` when it is too small to show without pointing at someone."""
    return count if count >= min_reported() else None


def batched(count: int) -> int | None:
    """A live count for a class or school: ``None`` below the reporting threshold, else
    rounded down to a step of ``YOUTH_VOTE_TURNOUT_STEP`` votes, so the number on the screen
    does not go up as each student leaves the booth ("at least N have voted")."""
    if count < min_reported():
        return None
    step = turnout_step()
    return count - count % step


def elections_public():
    return Election.objects.exclude(status=Election.Status.DRAFT)


def election_current() -> Election | None:
    """The election the public pages lead with: open, else the next, else the latest."""
    now = timezone_now()
    public = elections_public()
    return (
        public.filter(status=Election.Status.FROZEN, opens_at__lte=now, closes_at__gt=now)
        .order_by("closes_at")
        .first()
        or public.filter(status=Election.Status.FROZEN, opens_at__gt=now)
        .order_by("opens_at")
        .first()
        or public.order_by("-closes_at").first()
    )


def election_get_public(*, slug: str) -> Election:
    return get_object_or_404(elections_public(), slug=slug)


def election_get_admin(*, slug: str) -> Election:
    return get_object_or_404(Election, slug=slug)


def ballot_candidates(*, election: Election, district_id: int) -> list[Candidate]:
    return list(
        Candidate.objects.filter(
            election=election, district_id=district_id, status=Candidate.Status.APPROVED
        )
    )


def schools_for_contact(*, user):
    return (
        School.objects.filter(contacts=user, election__purged_at__isnull=True)
        .select_related("election", "district")
        .distinct()
        .order_by("-election__opens_at", "name")
    )


def school_get_for_contact(*, user, pk: int) -> School:
    school = get_object_or_404(School.objects.select_related("election", "district"), pk=pk)
    if not school.contacts.filter(pk=user.pk).exists():
        raise Http404
    return school


def class_get_for_contact(*, user, pk: int) -> SchoolClass:
    school_class = get_object_or_404(
        SchoolClass.objects.select_related("school__election", "school__district"), pk=pk
    )
    if not school_class.school.contacts.filter(pk=user.pk).exists():
        raise Http404
    return school_class


def session_get_for_contact(*, user, pk: int) -> VotingSession:
    session = get_object_or_404(
        VotingSession.objects.select_related("school_class__school__election"), pk=pk
    )
    if not session.school_class.school.contacts.filter(pk=user.pk).exists():
        raise Http404
    return session


def classes_with_counts(*, school: School):
    """The school's classes with the number of students on the roll (never who voted)."""
    return school.classes.annotate(students=Count("voters")).order_by("name")


@dataclass(frozen=True)
class Turnout:
    """Turnout as every page may show it (the rule is ``turnout_shown``).

    ``voted`` is ``None`` when the count is too small to show; ``exact`` is false while it
    is a lower bound ("at least N").
    """

    voted: int | None
    eligible: int
    exact: bool

    @property
    def text(self) -> str:
        if self.voted is None:
            return _("Fewer than %(n)s have voted") % {"n": min_reported()}
        if self.exact:
            return _("%(voted)s of %(eligible)s have voted") % {
                "voted": self.voted,
                "eligible": self.eligible,
            }
        return _("At least %(voted)s of %(eligible)s have voted") % {
            "voted": self.voted,
            "eligible": self.eligible,
        }


def turnout_shown(*, voted: int, eligible: int, election: Election, whole: bool) -> Turnout:
    """The one k-anonymous turnout rule, for every page, screen and JSON that shows turnout.

    Until voting has closed a count is ``batched``: nothing below the reporting threshold,
    and above it a multiple of the step, "at least N". A number that rose by one each time
    a student left the booth would tell the classroom, or anyone reloading the public page
    while one class votes, who has voted. Once voting has closed the counts stop moving:
    the whole election's total is exact (the public list of trackers gives it anyway), and
    a school's or a class's is shown from the reporting threshold up, as on the results
    page.
    """
    if not election.has_closed:
        return Turnout(voted=batched(voted), eligible=eligible, exact=False)
    if whole:
        return Turnout(voted=voted, eligible=eligible, exact=True)
    return Turnout(voted=suppressed(voted), eligible=eligible, exact=True)


def class_turnout(*, school_class: SchoolClass) -> Turnout:
    eligible = Voter.objects.filter(school_class=school_class).count()
    voted = Participation.objects.filter(voter__school_class=school_class).count()
    return turnout_shown(
        voted=voted, eligible=eligible, election=school_class.school.election, whole=False
    )


def election_turnout(*, election: Election) -> Turnout:
    """The whole election's turnout: totals only, never per student."""
    eligible = Voter.objects.filter(election=election).count()
    voted = Participation.objects.filter(election=election).count()
    return turnout_shown(voted=voted, eligible=eligible, election=election, whole=True)


def school_turnout(*, school: School) -> Turnout:
    eligible = Voter.objects.filter(school_class__school=school).count()
    voted = Participation.objects.filter(voter__school_class__school=school).count()
    return turnout_shown(voted=voted, eligible=eligible, election=school.election, whole=False)


def sessions_open_for(*, schools) -> list[VotingSession]:
    now = timezone_now()
    return list(
        VotingSession.objects.filter(
            school_class__school__in=schools,
            starts_at__lte=now,
            ends_at__gt=now,
            ended_early_at__isnull=True,
        ).select_related("school_class__school")
    )


def roll_summary(*, election: Election):
    """Students on the roll per school and class (for administrators; counts only)."""
    return (
        SchoolClass.objects.filter(school__election=election)
        .annotate(students=Count("voters"))
        .select_related("school")
        .order_by("school__name", "name")
    )


def search_text(value: str | None, *, limit: int = 100) -> str:
    """A search box's text, safe for the database: no NUL characters (PostgreSQL refuses
    them), no surrounding space, not longer than ``limit``."""
    return (value or "").replace("\x00", "").strip()[:limit]


def voters_for_manual(*, school: School, query: str = ""):
    """Students of the school on the roll, to pick one for a manual ballot."""
    query = search_text(query)
    voters = Voter.objects.filter(school_class__school=school).select_related("school_class")
    if query:
        voters = voters.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(student_ref__iexact=query)
        )
    return voters.order_by("family_name", "given_name")
