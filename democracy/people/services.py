"""Writes to people, bodies and assignments. Every change is audit-logged."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from democracy.core.sanitize import clean_html, clean_line, clean_text
from democracy.core.services import audit_log
from democracy.people.models import ContactDetail, Membership, Organization, Person, Term
from democracy.people.selectors import contact_email_for


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
    if "biography" in fields:
        fields["biography"] = clean_html(fields["biography"])
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


def _changed(instance, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def person_update(*, person: Person, actor, **fields) -> list[str]:
    """Change ``fields`` of ``person``; returns the names that actually changed."""
    if "biography" in fields:
        fields["biography"] = clean_html(fields["biography"])
    changed = _changed(person, fields)
    if changed:
        person.full_clean()
        person.save(update_fields=changed)
        audit_log(
            actor=actor, action="people.person.update", target=person, data={"fields": changed}
        )
    return changed


@transaction.atomic
def organization_create(*, name: str, classification: str, actor, **fields) -> Organization:
    organization = Organization(name=name.strip(), classification=classification, **fields)
    if not organization.slug:
        organization.slug = unique_slug(Organization, fields.get("short_name") or name)
    organization.full_clean()
    organization.save(force_insert=True)
    audit_log(actor=actor, action="people.organization.create", target=organization)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor, **fields) -> list[str]:
    changed = _changed(organization, fields)
    if changed:
        organization.full_clean()
        organization.save(update_fields=changed)
        audit_log(
            actor=actor,
            action="people.organization.update",
            target=organization,
            data={"fields": changed},
        )
    return changed


@transaction.atomic
def term_create(*, name: str, start_date: date, end_date: date, actor, **fields) -> Term:
    term = Term(name=name, start_date=start_date, end_date=end_date, **fields)
    if not term.slug:
        term.slug = unique_slug(Term, name)
    term.full_clean()
    term.save(force_insert=True)
    audit_log(actor=actor, action="people.term.create", target=term)
    return term


@transaction.atomic
def term_update(*, term: Term, actor, **fields) -> list[str]:
    changed = _changed(term, fields)
    if changed:
        term.full_clean()
        term.save(update_fields=changed)
        audit_log(actor=actor, action="people.term.update", target=term, data={"fields": changed})
    return changed


@transaction.atomic
def membership_update(*, membership: Membership, actor, **fields) -> list[str]:
    changed = _changed(membership, fields)
    if changed:
        membership.full_clean()
        membership.save(update_fields=changed)
        audit_log(
            actor=actor,
            action="people.membership.update",
            target=membership,
            data={"fields": changed},
        )
    return changed


@transaction.atomic
def contact_detail_add(
    *,
    person: Person,
    type: str,  # noqa: A002 -- Popolo's field name
    value: str,
    actor,
    publish: bool = False,
    consent_given_at=None,
    consent_source: str = "",
    **fields,
) -> ContactDetail:
    """Add a way to reach ``person``. Publishing needs recorded consent (checked here)."""
    detail = ContactDetail(
        person=person,
        type=type,
        value=value.strip(),
        publish=publish,
        consent_given_at=consent_given_at,
        consent_source=consent_source,
        **fields,
    )
    _check_consent(detail)
    detail.full_clean()
    detail.save(force_insert=True)
    audit_log(
        actor=actor,
        action="people.contact_detail.add",
        target=detail,
        data={"person": person.pk, "type": type, "publish": publish},
    )
    return detail


def _check_consent(detail: ContactDetail) -> None:
    if detail.publish and detail.consent_given_at is None:
        raise ValidationError(
            {"publish": _("A contact detail can be published only when consent is recorded.")}
        )


@transaction.atomic
def record_delete(*, instance, actor, reason: str = "") -> None:
    """Delete a people or diary row (from the back office), leaving an audit entry."""
    audit_log(
        actor=actor,
        action=f"{instance._meta.label_lower}.delete",
        target=instance,
        reason=reason,
    )
    instance.delete()


# --- Contact form ----------------------------------------------------------------------------


class ContactNotPossible(Exception):
    """The person cannot be contacted through the form (no published e-mail, or protected)."""


def politician_message_send(
    *, person: Person, sender_name: str, sender_email: str, subject: str, body: str
) -> None:
    """Relay a resident's message to ``person``'s published e-mail through the task queue.

    The politician's address is never shown to the sender; the reply goes straight to the
    sender (Reply-To). The message itself is not stored in Delta: it exists only in the
    mail to the politician, where it may become a public record (allmän handling).
    """

    target = contact_email_for(person=person)
    if target is None:
        raise ContactNotPossible
    context = {
        "person": person,
        "sender_name": clean_line(sender_name),
        "sender_email": sender_email,
        # One line: a newline in a mail subject makes the message undeliverable.
        "subject": clean_line(subject),
        "body": clean_text(body),
        "site_url": settings.SITE_URL,
        "municipality_name": settings.MUNICIPALITY_NAME,
    }
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("people/email/contact_message.txt", context)
        mail_subject = _("Message via %(site)s: %(subject)s") % {
            "site": settings.MUNICIPALITY_NAME,
            "subject": context["subject"],
        }
    message = EmailMessage(
        subject=mail_subject[:200],
        body=text,
        to=[target.value],
        reply_to=[sender_email],
    )
    # The mail backend enqueues a task; after commit, so a rolled-back request sends nothing.
    transaction.on_commit(message.send)
