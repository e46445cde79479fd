"""Popolo JSON in and out: persons, organizations (parties included), memberships, contact
details and legislative periods (terms), in the shape EveryPolitician publishes.

Identity: a row imported from elsewhere keeps the source's ``id`` in ``popolo_id`` and is
found by it next time, so a second import of the same file changes nothing. Rows that Delta
itself created are exported as ``delta/<kind>/<slug>`` (memberships ``delta/membership/<pk>``)
and are found by slug (or pk) when such a document is read back, so Delta's own export
imports without duplicates. EveryPolitician memberships have no ``id``; theirs is derived
from the membership's content.

Contact details from an import are stored unpublished, without consent, unless the caller
says consent was collected (``consent_source``): publication needs the person's consent, and
a public source does not give it.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import pgettext

from democracy.core.sanitize import clean_html
from democracy.people import services
from democracy.people.models import ContactDetail, Membership, Organization, Person, Term
from democracy.people.selectors import person_party

DELTA_PREFIX = "delta/"

# Popolo / Open Civic Data organization classifications → ours.
CLASSIFICATIONS = {
    "party": Organization.Classification.PARTY,
    # A Popolo "legislature" is a national parliament (EveryPolitician: the Riksdag), never
    # the municipality's own council.
    "legislature": Organization.Classification.LEGISLATURE,
    "council": Organization.Classification.COUNCIL,
    "lower": Organization.Classification.COUNCIL,
    "upper": Organization.Classification.COUNCIL,
    "executive": Organization.Classification.EXECUTIVE_BOARD,
    "executive_board": Organization.Classification.EXECUTIVE_BOARD,
    "committee": Organization.Classification.COMMITTEE,
    "commission": Organization.Classification.COMMITTEE,
    "subcommittee": Organization.Classification.SUBCOMMITTEE,
    "corporation": Organization.Classification.COMPANY_BOARD,
    "company_board": Organization.Classification.COMPANY_BOARD,
    "youth_council": Organization.Classification.YOUTH_COUNCIL,
}

# Popolo contact types (vCard names) → ours; others are skipped and reported.
CONTACT_TYPES = {
    "email": ContactDetail.Type.EMAIL,
    "voice": ContactDetail.Type.VOICE,
    "phone": ContactDetail.Type.VOICE,
    "cell": ContactDetail.Type.CELL,
    "mobile": ContactDetail.Type.CELL,
    "address": ContactDetail.Type.ADDRESS,
    "url": ContactDetail.Type.URL,
    "twitter": ContactDetail.Type.SOCIAL,
    "facebook": ContactDetail.Type.SOCIAL,
    "social": ContactDetail.Type.SOCIAL,
}

ROLES = {
    "chair": Membership.Role.CHAIR,
    "chairman": Membership.Role.CHAIR,
    "ordförande": Membership.Role.CHAIR,
    "vice chair": Membership.Role.FIRST_VICE_CHAIR,
    "substitute": Membership.Role.SUBSTITUTE,
    "ersättare": Membership.Role.SUBSTITUTE,
    "member": Membership.Role.MEMBER,
    "ledamot": Membership.Role.MEMBER,
    **{value: value for value in Membership.Role.values},
}


class PopoloError(Exception):
    """The document cannot be imported; the message says why, for a person to read."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def __str__(self):
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )


@dataclass
class ImportReport:
    terms: Tally = field(default_factory=Tally)
    organizations: Tally = field(default_factory=Tally)
    persons: Tally = field(default_factory=Tally)
    memberships: Tally = field(default_factory=Tally)
    contact_details: Tally = field(default_factory=Tally)
    warnings: list[str] = field(default_factory=list)
    # The row being read, named in the error if it cannot be saved.
    current: str = ""

    @property
    def changed(self) -> bool:
        return any(
            t.created or t.updated
            for t in (
                self.terms,
                self.organizations,
                self.persons,
                self.memberships,
                self.contact_details,
            )
        )

    def lines(self) -> list[str]:
        return [
            f"Terms: {self.terms}",
            f"Organizations: {self.organizations}",
            f"Persons: {self.persons}",
            f"Memberships: {self.memberships}",
            f"Contact details: {self.contact_details}",
        ]


# --- Reading ------------------------------------------------------------------------------------


def load_document(raw: bytes | str) -> dict:
    """Parse and check the shape of a Popolo document; raise ``PopoloError`` if it is wrong."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise PopoloError(f"The file is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise PopoloError("A Popolo document is a JSON object with persons, organizations …")
    known = {"persons", "organizations", "memberships", "events"}
    if not known & data.keys():
        raise PopoloError(
            "No persons, organizations, memberships or events found: is this a Popolo document?"
        )
    for key in known:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise PopoloError(f"'{key}' must be a list.")
        for index, row in enumerate(value):
            if not isinstance(row, dict):
                raise PopoloError(f"{key}[{index}] must be an object.")
            if not isinstance(row.get("id", ""), str) and key != "memberships":
                raise PopoloError(f"{key}[{index}].id must be a string.")
    for index, person in enumerate(data.get("persons", [])):
        if not str(person.get("id") or "").strip():
            raise PopoloError(f"persons[{index}] has no id.")
        if not (
            str(person.get("name") or "").strip() or str(person.get("family_name") or "").strip()
        ):
            raise PopoloError(f"persons[{index}] ({person['id']}) has no name.")
    for index, organization in enumerate(data.get("organizations", [])):
        if not str(organization.get("id") or "").strip() or not organization.get("name"):
            raise PopoloError(f"organizations[{index}] needs an id and a name.")
    for index, membership in enumerate(data.get("memberships", [])):
        if not membership.get("person_id") or not membership.get("organization_id"):
            raise PopoloError(f"memberships[{index}] needs person_id and organization_id.")
    return data


def _date(value, where: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise PopoloError(f"{where}: a date must be a string (YYYY-MM-DD).")
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        parsed = parse_date(text[:10])
    except ValueError:
        parsed = None
    if parsed is None:
        raise PopoloError(f"{where}: '{value}' is not a date (YYYY-MM-DD).")
    return parsed


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _delta_key(popolo_id: str, kind: str) -> str | None:
    prefix = f"{DELTA_PREFIX}{kind}/"
    return popolo_id[len(prefix) :] if popolo_id.startswith(prefix) else None


def _find(model, popolo_id: str, kind: str):
    local = _delta_key(popolo_id, kind)
    if local is not None:
        lookup = {"pk": int(local)} if kind == "membership" and local.isdigit() else {"slug": local}
        return model.objects.filter(**lookup).first()
    return model.objects.filter(popolo_id=popolo_id).first()


def _update(instance, values: dict, *, actor, update_service) -> bool:
    changes = {k: v for k, v in values.items() if getattr(instance, k) != v}
    if not changes:
        return False
    update_service(actor=actor, **changes)
    return True


def split_name(person: dict) -> tuple[str, str]:
    given = _text(person.get("given_name"), 100)
    family = _text(person.get("family_name"), 100)
    if given or family:
        return given, family
    parts = _text(person.get("name"), 200).split()
    if len(parts) == 1:
        return "", parts[0][:100]
    return " ".join(parts[:-1])[:100], parts[-1][:100]


@transaction.atomic
def import_document(
    data: dict, *, actor=None, consent_source: str = "", dry_run: bool = False
) -> ImportReport:
    """Load a checked Popolo document (see ``load_document``); idempotent."""
    report = ImportReport()
    try:
        terms = _import_terms(data.get("events", []), report, actor)
        organizations = _import_organizations(data.get("organizations", []), report, actor)
        persons = _import_persons(data.get("persons", []), report, actor, consent_source)
        _import_memberships(
            data.get("memberships", []), report, actor, terms, organizations, persons
        )
    except ValidationError as error:
        # A value the model does not accept (an invalid photo address, a membership that
        # ends before it starts …): the whole import is rolled back, with the row named.
        raise PopoloError(f"{report.current}: {_messages(error)}") from None
    if dry_run:
        transaction.set_rollback(True)
    return report


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _import_terms(events, report, actor) -> dict:
    periods = [
        e
        for e in events
        if "period" in str(e.get("classification", "")).lower()
        or "term" in str(e.get("classification", "")).lower()
    ]
    periods.sort(key=lambda e: str(e.get("start_date") or ""))
    found = {}
    for index, event in enumerate(periods):
        popolo_id = _text(event.get("id"), 200)
        report.current = f"events ({popolo_id})"
        start = _date(event.get("start_date"), f"events ({popolo_id})")
        end = _date(event.get("end_date"), f"events ({popolo_id})")
        if start is None:
            report.terms.skipped += 1
            report.warnings.append(f"Term {popolo_id}: no start date, skipped.")
            continue
        if end is None:
            # An open period ends the day before the next one starts, else after four years.
            following = periods[index + 1].get("start_date") if index + 1 < len(periods) else None
            next_start = _date(following, "events") if following else None
            end = (
                (next_start - timezone.timedelta(days=1))
                if next_start
                else start.replace(year=start.year + 4) - timezone.timedelta(days=1)
            )
        name = _term_name(_text(event.get("name"), 100), start, end) or popolo_id
        term = _find(Term, popolo_id, "term")
        values = {"name": name, "start_date": start, "end_date": end}
        if term is None:
            extra = {} if popolo_id.startswith(DELTA_PREFIX) else {"popolo_id": popolo_id}
            slug = _delta_key(popolo_id, "term") or services.unique_slug(Term, popolo_id)
            term = services.term_create(actor=actor, slug=slug, **values, **extra)
            report.terms.created += 1
        elif _update(
            term,
            values,
            actor=actor,
            update_service=lambda t=term, **c: services.term_update(term=t, **c),
        ):
            report.terms.updated += 1
        else:
            report.terms.unchanged += 1
        found[popolo_id] = term
    return found


def _term_name(name: str, start: date, end: date) -> str:
    """A readable term name: an election label ("2014 election") names the vote, not the
    four years after it, so such a period is called "Mandatperioden 2014–2018". The name is
    stored, like the rest of what the municipality publishes, in the site's language
    (``LANGUAGE_CODE``) whatever language the import runs in; pages mark it with that
    language."""
    if not name or "election" in name.lower() or name.lower().endswith("val"):
        with translation.override(settings.LANGUAGE_CODE):
            # Translators: the name given to an imported term of office, e.g. 2014–2018.
            return pgettext("generated term name", "Term of office %(start)s–%(end)s") % {
                "start": start.year,
                "end": end.year,
            }
    return name


# Swedish parties by their other names (older names, long forms) and EveryPolitician ids:
# an import links to the municipality's own party rather than adding a second one.
PARTY_ALIASES = {
    "folkpartiet liberalerna": "liberalerna",
    "folkpartiet": "liberalerna",
    "fp": "liberalerna",
    "moderata samlingspartiet": "moderaterna",
    "miljöpartiet": "miljöpartiet de gröna",
    "socialdemokratiska arbetarepartiet": "socialdemokraterna",
    "sveriges socialdemokratiska arbetareparti": "socialdemokraterna",
    "kristdemokratiska samhällspartiet": "kristdemokraterna",
}


def _find_party(popolo_id: str, name: str):
    """An existing party with this Popolo id, name, short name or a known other name."""
    parties = Organization.objects.filter(classification=Organization.Classification.PARTY)
    party = parties.filter(popolo_id=popolo_id).first() if popolo_id else None
    if party is not None:
        return party
    wanted = {name.strip().lower(), popolo_id.strip().lower()}
    wanted |= {PARTY_ALIASES[w] for w in list(wanted) if w in PARTY_ALIASES}
    for party in parties:
        if {party.name.strip().lower(), party.short_name.strip().lower()} & wanted:
            return party
    return None


def _keep_party(party: Organization, popolo_id: str, report) -> None:
    """The municipality's party row is kept as staff keep it (name, colour); the import only
    records the source's id on it, once."""
    if not party.popolo_id and not popolo_id.startswith(DELTA_PREFIX):
        if not Organization.objects.filter(popolo_id=popolo_id).exists():
            Organization.objects.filter(pk=party.pk).update(popolo_id=popolo_id)
            party.popolo_id = popolo_id
            report.organizations.updated += 1
            return
    report.organizations.unchanged += 1


def _import_organizations(rows, report, actor) -> dict:
    found = {}
    pending_parents = []
    for row in rows:
        popolo_id = _text(row.get("id"), 200)
        report.current = f"organizations ({popolo_id})"
        raw_class = str(row.get("classification") or "").strip().lower()
        classification = CLASSIFICATIONS.get(raw_class)
        if classification is None:
            classification = Organization.Classification.COMMITTEE
            report.warnings.append(
                f"Organization {popolo_id}: classification '{raw_class or 'none'}' read as committee."
            )
        short_name = ""
        for other in row.get("other_names") or []:
            if isinstance(other, dict) and other.get("note") == "short name":
                short_name = _text(other.get("name"), 20)
        values = {
            "name": _text(row.get("name"), 200),
            "classification": classification,
            "founding_date": _date(row.get("founding_date"), f"organization {popolo_id}"),
            "dissolution_date": _date(row.get("dissolution_date"), f"organization {popolo_id}"),
        }
        if short_name:
            values["short_name"] = short_name
        organization = _find(Organization, popolo_id, "organization")
        if (
            organization is None or organization.is_party
        ) and classification == Organization.Classification.PARTY:
            party = organization or _find_party(popolo_id, values["name"])
            if party is not None:
                _keep_party(party, popolo_id, report)
                found[popolo_id] = party
                continue
        if organization is None:
            extra = {} if popolo_id.startswith(DELTA_PREFIX) else {"popolo_id": popolo_id}
            slug = _delta_key(popolo_id, "organization") or services.unique_slug(
                Organization, short_name or values["name"]
            )
            organization = services.organization_create(actor=actor, slug=slug, **values, **extra)
            report.organizations.created += 1
        elif _update(
            organization,
            values,
            actor=actor,
            update_service=lambda o=organization, **c: services.organization_update(
                organization=o, **c
            ),
        ):
            report.organizations.updated += 1
        else:
            report.organizations.unchanged += 1
        found[popolo_id] = organization
        if row.get("parent_id"):
            pending_parents.append((organization, str(row["parent_id"])))
    for organization, parent_id in pending_parents:
        report.current = f"organizations ({organization.popolo_id or organization.slug})"
        parent = found.get(parent_id) or _find(Organization, parent_id, "organization")
        if parent is None:
            report.warnings.append(
                f"Organization {organization.name}: parent {parent_id} not found."
            )
        elif parent.pk == organization.pk:
            report.warnings.append(f"Organization {organization.name}: is its own parent, ignored.")
        elif organization.parent_id != parent.pk:
            services.organization_update(organization=organization, actor=actor, parent=parent)
    return found


def _import_persons(rows, report, actor, consent_source) -> dict:
    found = {}
    for row in rows:
        popolo_id = _text(row.get("id"), 200)
        report.current = f"persons ({popolo_id})"
        given, family = split_name(row)
        values = {
            "given_name": given,
            "family_name": family,
            "sort_name": _text(row.get("sort_name"), 200) or f"{family}, {given}".strip(", "),
            "gender": _text(row.get("gender"), 20),
            "image_url": _text(row.get("image"), 200),
        }
        if row.get("biography") or row.get("summary"):
            # Cleaned here as person_update would, so that a second import compares alike.
            values["biography"] = clean_html(_text(row.get("biography") or row.get("summary"), 5000))
        person = _find(Person, popolo_id, "person")
        if person is None:
            extra = {} if popolo_id.startswith(DELTA_PREFIX) else {"popolo_id": popolo_id}
            slug = _delta_key(popolo_id, "person") or services.unique_slug(
                Person, f"{given} {family}"
            )
            person = services.person_create(actor=actor, slug=slug, **values, **extra)
            report.persons.created += 1
        elif _update(
            person,
            values,
            actor=actor,
            update_service=lambda p=person, **c: services.person_update(person=p, **c),
        ):
            report.persons.updated += 1
        else:
            report.persons.unchanged += 1
        found[popolo_id] = person
        _import_contacts(person, row, report, actor, consent_source)
    return found


def _contact_rows(row) -> list[tuple[str, str, str, str]]:
    """(raw type, value, label, note) from a person's email, contact_details and links."""
    rows = []
    if row.get("email"):
        rows.append(("email", str(row["email"]), "", ""))
    for detail in row.get("contact_details") or []:
        if isinstance(detail, dict):
            rows.append(
                (
                    str(detail.get("type") or "").lower(),
                    str(detail.get("value") or ""),
                    str(detail.get("label") or ""),
                    str(detail.get("note") or ""),
                )
            )
    for link in row.get("links") or []:
        if isinstance(link, dict) and link.get("url"):
            note = str(link.get("note") or "").lower()
            kind = "social" if note in ("twitter", "facebook", "instagram", "linkedin") else "url"
            rows.append((kind, str(link["url"]), str(link.get("note") or ""), ""))
    return rows


def _import_contacts(person, row, report, actor, consent_source) -> None:
    existing = {(c.type, c.value) for c in person.contact_details.all()}
    for raw_type, value, label, note in _contact_rows(row):
        kind = CONTACT_TYPES.get(raw_type)
        value = value.strip()[:300]
        if kind is None or not value:
            report.contact_details.skipped += 1
            if kind is None:
                report.warnings.append(f"{person.name}: contact type '{raw_type}' not supported.")
            continue
        if (kind, value) in existing:
            report.contact_details.unchanged += 1
            continue
        consent = {}
        if consent_source:
            consent = {
                "publish": True,
                "consent_given_at": timezone.now(),
                "consent_source": consent_source[:200],
            }
        services.contact_detail_add(
            person=person,
            type=kind,
            value=value,
            label=label[:100],
            note=note[:300],
            actor=actor,
            **consent,
        )
        existing.add((kind, value))
        report.contact_details.created += 1


def membership_key(row: dict) -> str:
    if row.get("id"):
        return str(row["id"])[:200]
    parts = [
        str(row.get(k) or "")
        for k in (
            "person_id",
            "organization_id",
            "on_behalf_of_id",
            "legislative_period_id",
            "role",
            "start_date",
            "end_date",
            "area_id",
        )
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"membership/{digest}"


def _import_memberships(rows, report, actor, terms, organizations, persons) -> None:
    for row in rows:
        popolo_id = membership_key(row)
        report.current = f"memberships ({popolo_id})"
        person = persons.get(str(row["person_id"])) or _find(
            Person, str(row["person_id"]), "person"
        )
        organization = organizations.get(str(row["organization_id"])) or _find(
            Organization, str(row["organization_id"]), "organization"
        )
        if person is None or organization is None:
            report.memberships.skipped += 1
            report.warnings.append(
                f"Membership {popolo_id}: unknown person or organization, skipped."
            )
            continue
        party = None
        if row.get("on_behalf_of_id"):
            party = organizations.get(str(row["on_behalf_of_id"])) or _find(
                Organization, str(row["on_behalf_of_id"]), "organization"
            )
            if party is None or not party.is_party:
                report.warnings.append(
                    f"Membership {popolo_id}: party {row['on_behalf_of_id']} not found."
                )
                party = None
        term = None
        if row.get("legislative_period_id"):
            term = terms.get(str(row["legislative_period_id"])) or _find(
                Term, str(row["legislative_period_id"]), "term"
            )
        raw_role = str(row.get("role") or "member").strip()
        role = ROLES.get(raw_role.lower(), Membership.Role.MEMBER)
        start = _date(row.get("start_date"), f"membership {popolo_id}")
        end = _date(row.get("end_date"), f"membership {popolo_id}")
        values = {
            "role": role,
            "term": term,
            "on_behalf_of": party,
            "start_date": start if start is not None else (term.start_date if term else None),
            "end_date": end if end is not None else (term.end_date if term else None),
            "label": _text(row.get("label"), 200)
            or ("" if raw_role.lower() in ROLES else raw_role[:200]),
        }
        if row.get("substitute_order") not in (None, ""):
            try:
                values["substitute_order"] = int(row["substitute_order"])
            except (TypeError, ValueError):
                raise PopoloError(
                    f"memberships ({popolo_id}): substitute_order must be a whole number."
                ) from None
        membership = _find(Membership, popolo_id, "membership")
        if membership is None:
            membership = services.membership_create(
                person=person, organization=organization, actor=actor, **values
            )
            if not popolo_id.startswith(DELTA_PREFIX):
                Membership.objects.filter(pk=membership.pk).update(popolo_id=popolo_id)
            report.memberships.created += 1
        elif _update(
            membership,
            {"person": person, "organization": organization, **values},
            actor=actor,
            update_service=lambda m=membership, **c: services.membership_update(membership=m, **c),
        ):
            report.memberships.updated += 1
        else:
            report.memberships.unchanged += 1


# --- Writing --------------------------------------------------------------------------------------


def popolo_id_of(instance, kind: str) -> str:
    if instance.popolo_id:
        return instance.popolo_id
    key = instance.pk if kind == "membership" else instance.slug
    return f"{DELTA_PREFIX}{kind}/{key}"


def contact_detail_json(detail: ContactDetail) -> dict:
    data = {"type": detail.type, "value": detail.value}
    if detail.label:
        data["label"] = detail.label
    if detail.note:
        data["note"] = detail.note
    if detail.valid_from:
        data["valid_from"] = detail.valid_from.isoformat()
    if detail.valid_until:
        data["valid_until"] = detail.valid_until.isoformat()
    return data


def export_document() -> dict:
    """Persons, organizations, memberships and terms as one Popolo document.

    Only published contact details (consent, validity) appear; a protected person appears
    with name and party only.
    """

    published = ContactDetail.objects.published()
    persons = Person.objects.prefetch_related(
        Prefetch("contact_details", queryset=published.order_by("pk"), to_attr="published"),
        Prefetch(
            "memberships",
            queryset=Membership.objects.current().select_related("organization", "on_behalf_of"),
            to_attr="current_memberships",
        ),
    ).order_by("sort_name", "pk")
    person_rows = [_person_row(person) for person in persons]
    protected_ids = {person.pk for person in persons if person.is_protected}
    organizations = Organization.objects.select_related("parent").order_by("sort_order", "name")
    organization_rows = [_organization_row(organization) for organization in organizations]
    memberships = Membership.objects.select_related(
        "person", "organization", "on_behalf_of", "term"
    ).order_by("pk")
    membership_rows = [
        _membership_row(membership)
        for membership in memberships
        if membership.person_id not in protected_ids or membership.organization.is_party
    ]
    events = [
        {
            "id": popolo_id_of(term, "term"),
            "name": term.name,
            "classification": "legislative period",
            "start_date": term.start_date.isoformat(),
            "end_date": term.end_date.isoformat(),
        }
        for term in Term.objects.order_by("start_date")
    ]
    return {
        "persons": person_rows,
        "organizations": organization_rows,
        "memberships": membership_rows,
        "events": events,
    }


def _person_row(person: Person) -> dict:
    """A person's Popolo row: a protected person with name and party only."""
    row = {"id": popolo_id_of(person, "person"), "name": person.name}
    if person.is_protected:
        party = person_party(person)
        if party is not None:
            row["party_id"] = popolo_id_of(party, "organization")
        return row
    row.update(given_name=person.given_name, family_name=person.family_name)
    for name in ("sort_name", "gender", "biography"):
        if getattr(person, name):
            row[name] = getattr(person, name)
    emails = [d.value for d in person.published if d.type == ContactDetail.Type.EMAIL]
    if emails:
        row["email"] = emails[0]
    row["contact_details"] = [contact_detail_json(d) for d in person.published]
    return row


def _organization_row(organization: Organization) -> dict:
    row = {
        "id": popolo_id_of(organization, "organization"),
        "name": organization.name,
        "classification": organization.classification,
        "identifiers": [{"scheme": "delta-slug", "identifier": organization.slug}],
    }
    if organization.short_name:
        row["other_names"] = [{"name": organization.short_name, "note": "short name"}]
    if organization.parent:
        row["parent_id"] = popolo_id_of(organization.parent, "organization")
    for name in ("founding_date", "dissolution_date"):
        if getattr(organization, name):
            row[name] = getattr(organization, name).isoformat()
    return row


def _membership_row(membership: Membership) -> dict:
    row = {
        "id": popolo_id_of(membership, "membership"),
        "person_id": popolo_id_of(membership.person, "person"),
        "organization_id": popolo_id_of(membership.organization, "organization"),
        "role": membership.role,
    }
    if membership.label:
        row["label"] = membership.label
    if membership.on_behalf_of:
        row["on_behalf_of_id"] = popolo_id_of(membership.on_behalf_of, "organization")
    if membership.term:
        row["legislative_period_id"] = popolo_id_of(membership.term, "term")
    if membership.substitute_order:
        row["substitute_order"] = membership.substitute_order
    for name in ("start_date", "end_date"):
        if getattr(membership, name):
            row[name] = getattr(membership, name).isoformat()
    return row
