"""Reads of people, bodies and assignments shared by pages, feeds and the API.

Two rules live here and nowhere else:

- Contact details are shown only through ``ContactDetail.objects.published()`` (publish flag,
  recorded consent, valid today, not a protected person).
- A protected person is shown with name and party only: no photo, biography, contact details
  or assignments in bodies.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils.timezone import localdate

from democracy.people.models import ContactDetail, Membership, Organization, Person, Term

BODY_CLASSIFICATIONS = [
    choice for choice in Organization.Classification.values if choice != "party"
]


def term_current(*, on=None) -> Term | None:
    day = on or localdate()
    return (
        Term.objects.filter(start_date__lte=day, end_date__gte=day).first()
        or Term.objects.filter(start_date__lte=day).order_by("-start_date").first()
        or Term.objects.order_by("start_date").first()
    )


def parties_list():
    return Organization.objects.filter(classification=Organization.Classification.PARTY)


def bodies_list():
    """Every body (not parties), with its parent, in the municipality's order."""
    return (
        Organization.objects.exclude(
            classification__in=[
                Organization.Classification.PARTY,
                Organization.Classification.LEGISLATURE,
            ]
        )
        .filter(dissolution_date__isnull=True)
        .select_related("parent")
    )


def body_get(*, slug: str) -> Organization:
    body = (
        Organization.objects.exclude(classification=Organization.Classification.PARTY)
        .select_related("parent")
        .filter(slug=slug)
        .first()
    )
    if body is None:
        raise Http404
    return body


def _current_memberships_prefetch(day):
    return Prefetch(
        "memberships",
        queryset=Membership.objects.current(on=day)
        .select_related("organization", "on_behalf_of", "term")
        .order_by("organization__sort_order", "organization__name", "role"),
        to_attr="current_memberships",
    )


def person_party(person: Person) -> Organization | None:
    """The person's party: a current party membership, else the party of a current seat."""
    memberships = getattr(person, "current_memberships", None)
    if memberships is None:
        memberships = list(
            Membership.objects.current()
            .filter(person=person)
            .select_related("organization", "on_behalf_of")
        )
    for membership in memberships:
        if membership.organization.is_party:
            return membership.organization
    for membership in memberships:
        if membership.on_behalf_of_id:
            return membership.on_behalf_of
    return None


def politicians_list(*, party: str = "", body: str = "", query: str = "", on=None):
    """Persons with a current assignment, filtered by party slug and/or body slug.

    Each person carries ``current_memberships`` (prefetched) and ``party``; the list runs a
    fixed number of queries whatever its length.
    """
    day = on or localdate()
    current = Q(memberships__start_date__isnull=True) | Q(memberships__start_date__lte=day)
    current &= Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=day)
    people = Person.objects.filter(current)
    if party:
        people = people.filter(
            Q(
                memberships__organization__slug=party,
                memberships__organization__classification="party",
            )
            | Q(memberships__on_behalf_of__slug=party),
            current,
        )
    if body:
        # One filter() call, so the slug and the dates apply to the same membership: a seat in
        # the body that has ended (or not begun) does not count, whatever else the person has.
        # A protected person's assignments are not shown, so they are not found by body either.
        people = people.filter(current, memberships__organization__slug=body, is_protected=False)
    if query:
        for word in query.split()[:5]:
            people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    people = people.distinct().prefetch_related(_current_memberships_prefetch(day))
    result = list(people.order_by("sort_name", "family_name", "given_name"))
    for person in result:
        person.party = person_party(person)
        person.public_memberships = (
            []
            if person.is_protected
            else [m for m in person.current_memberships if not m.organization.is_party]
        )
    return result


def terms_past(*, on=None):
    """Terms of office that have ended and in which someone held an assignment (not a party
    membership), newest first: the politician list offers their representatives."""
    day = on or localdate()
    return (
        Term.objects.filter(end_date__lt=day)
        .filter(memberships__in=Membership.objects.exclude(organization__classification="party"))
        .distinct()
        .order_by("-start_date")
    )


def politicians_of_term(*, term: Term, party: str = "", body: str = "", query: str = ""):
    """Persons who held an assignment in ``term`` (whether or not they hold one now), filtered
    like ``politicians_list``; each carries ``public_memberships`` (that term's seats, none for
    a protected person) and ``party`` (the one they sat for then)."""
    seat = Q(memberships__term=term) & ~Q(memberships__organization__classification="party")
    if party:
        seat &= Q(memberships__on_behalf_of__slug=party)
    if body:
        seat &= Q(memberships__organization__slug=body)
    people = Person.objects.filter(seat)
    if body:
        people = people.filter(is_protected=False)
    for word in query.split()[:5]:
        people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    seats = (
        Membership.objects.filter(term=term)
        .exclude(organization__classification="party")
        .select_related("organization", "on_behalf_of", "term")
        .order_by("organization__sort_order", "organization__name", "role")
    )
    people = people.distinct().prefetch_related(
        Prefetch("memberships", queryset=seats, to_attr="term_memberships")
    )
    result = list(people.order_by("sort_name", "family_name", "given_name"))
    for person in result:
        person.party = next(
            (m.on_behalf_of for m in person.term_memberships if m.on_behalf_of_id), None
        )
        person.public_memberships = [] if person.is_protected else person.term_memberships
    return result


@dataclass
class PoliticianProfile:
    person: Person
    party: Organization | None
    current_memberships: list = field(default_factory=list)
    past_memberships: list = field(default_factory=list)
    upcoming_memberships: list = field(default_factory=list)
    contact_details: list = field(default_factory=list)
    contact_email: ContactDetail | None = None

    @property
    def can_be_contacted(self) -> bool:
        return self.contact_email is not None


def politician_get(*, slug: str, on=None) -> PoliticianProfile:
    """The public profile of one politician; a protected person gets name and party only."""
    day = on or localdate()
    person = (
        Person.objects.filter(slug=slug)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related(
                    "organization", "on_behalf_of", "term"
                ).order_by("-start_date", "organization__sort_order"),
                to_attr="all_memberships",
            )
        )
        .first()
    )
    if person is None:
        raise Http404
    current = [m for m in person.all_memberships if m.is_current(day)]
    person.current_memberships = current
    party = person_party(person)
    if party is None:
        # A former representative (an imported Riksdag member of 2014–2018): the party of
        # the latest assignment, so the page still says whom they represented.
        party = next((m.on_behalf_of for m in person.all_memberships if m.on_behalf_of_id), None)
    profile = PoliticianProfile(person=person, party=party)
    if person.is_protected:
        return profile
    profile.current_memberships = [m for m in current if not m.organization.is_party]
    # Elected but not yet in office (a youth council elected in November that takes its
    # seats later): shown as coming, not hidden until the first day.
    profile.upcoming_memberships = sorted(
        (m for m in person.all_memberships if m.is_upcoming(day) and not m.organization.is_party),
        key=lambda m: m.start_date,
    )
    profile.past_memberships = [
        m
        for m in person.all_memberships
        if not m.is_current(day) and not m.organization.is_party and (m.start_date or day) <= day
    ]
    profile.contact_details = list(contact_details_published(person=person, on=day))
    profile.contact_email = contact_email_for(person=person, on=day)
    return profile


def contact_details_published(*, person: Person, on=None):
    return (
        ContactDetail.objects.published(on=on)
        .filter(person=person)
        .order_by("-is_official", "type", "pk")
    )


def contact_email_for(*, person: Person, on=None) -> ContactDetail | None:
    """The address the contact form relays to: a published e-mail with consent, official first."""
    if person.is_protected:
        return None
    return (
        contact_details_published(person=person, on=on)
        .filter(type=ContactDetail.Type.EMAIL)
        .first()
    )


@dataclass
class RoleGroup:
    role: str
    label: str
    memberships: list


def body_members(*, body: Organization, on=None) -> tuple[list[RoleGroup], int]:
    """Current members of ``body`` grouped by role, and how many protected ones are not listed."""
    day = on or localdate()
    memberships = list(
        Membership.objects.current(on=day)
        .filter(organization=body)
        .select_related("person", "on_behalf_of", "term")
        .order_by("substitute_order", "person__sort_name")
    )
    hidden = sum(1 for m in memberships if m.person.is_protected)
    groups = []
    for role in Membership.ROLE_ORDER:
        listed = [m for m in memberships if m.role == role and not m.person.is_protected]
        if listed:
            groups.append(
                RoleGroup(role=role, label=Membership.Role(role).label, memberships=listed)
            )
    return groups, hidden


@dataclass
class UpcomingGroup:
    start_date: object
    groups: list


def body_members_upcoming(*, body: Organization, on=None) -> list[UpcomingGroup]:
    """Members of ``body`` whose seats begin after ``on``, by start date and then by role.

    A newly elected body (the youth council, after its election) is listed before its
    first day, so its page does not say that nobody is registered.
    """
    day = on or localdate()
    memberships = list(
        Membership.objects.upcoming(on=day)
        .filter(organization=body, person__is_protected=False)
        .select_related("person", "on_behalf_of", "term")
        .order_by(
            "start_date",
            "substitute_order",
            "person__sort_name",
            "person__family_name",
            "person__given_name",
        )
    )
    dates = sorted({m.start_date for m in memberships})
    result = []
    for start in dates:
        groups = []
        for role in Membership.ROLE_ORDER:
            listed = [m for m in memberships if m.start_date == start and m.role == role]
            if listed:
                groups.append(
                    RoleGroup(role=role, label=Membership.Role(role).label, memberships=listed)
                )
        result.append(UpcomingGroup(start_date=start, groups=groups))
    return result


def body_member_counts():
    """Current member count per body id (one query), for the body list."""
    day = localdate()
    rows = (
        Membership.objects.current(on=day)
        .exclude(organization__classification=Organization.Classification.PARTY)
        .exclude(role=Membership.Role.SUBSTITUTE)
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    return {row["organization_id"]: row["n"] for row in rows}
