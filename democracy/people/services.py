"""Writes to people, bodies and assignments. Every change is audit-logged."""

from datetime import date

from django.db import transaction
from django.utils.text import slugify

from democracy.core.services import audit_log
from democracy.people.models import Membership, Organization, Person, Term


def unique_slug(model, base: str, *, exclude_pk=None) -> str:
    """``base`` slugified, with -2, -3 … appended until no other row of ``model`` has it."""
    root = slugify(base)[:100] or "x"
    candidate, n = root, 1
    while model.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists():
        n += 1
        candidate = f"{root}-{n}"
    return candidate


@transaction.atomic
def person_create(*, given_name: str, family_name: str, actor, **fields) -> Person:
    person = Person(given_name=given_name.strip(), family_name=family_name.strip(), **fields)
    if not person.slug:
        person.slug = unique_slug(Person, f"{person.given_name} {person.family_name}")
    if not person.sort_name:
        person.sort_name = f"{person.family_name}, {person.given_name}"
    person.full_clean()
    person.save(force_insert=True)
    audit_log(actor=actor, action="people.person.create", target=person)
    return person


@transaction.atomic
def membership_create(
    *,
    person: Person,
    organization: Organization,
    actor,
    role: str = Membership.Role.MEMBER,
    term: Term | None = None,
    on_behalf_of: Organization | None = None,
    substitute_order: int | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    label: str = "",
) -> Membership:
    membership = Membership(
        person=person,
        organization=organization,
        role=role,
        term=term,
        on_behalf_of=on_behalf_of,
        substitute_order=substitute_order,
        start_date=start_date if start_date is not None else (term.start_date if term else None),
        end_date=end_date if end_date is not None else (term.end_date if term else None),
        label=label,
    )
    membership.full_clean()
    membership.save(force_insert=True)
    audit_log(
        actor=actor,
        action="people.membership.create",
        target=membership,
        data={"person": person.pk, "organization": organization.pk, "role": role},
    )
    return membership
