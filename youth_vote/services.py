"""Every write of the youth-council election.

Administrative steps are audit-logged (never with a ballot choice or a voter next to a
choice). Casting a ballot is not: a ballot is anonymous, and logging it would tie it to a
moment. ``ballot_cast`` and ``manual_ballot_record`` mark the voter and store the ballot in
one transaction; the unique voter of ``Participation`` refuses a second ballot.
"""

import csv
import io
import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from django.utils.timezone import localdate
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _

from democracy.core.dates import validate_sensible_date
from democracy.core.db import prepared_cursor
from democracy.core.sanitize import clean_html, clean_text
from democracy.core.services import audit_head, audit_log
from youth_vote import apportion, codes, tally
from youth_vote.models import (
    Ballot,
    Candidate,
    CandidateResult,
    District,
    DistrictResult,
    Election,
    Extension,
    Participation,
    School,
    SchoolClass,
    SchoolTurnout,
    Tracker,
    Voter,
    VotingSession,
)

RESERVED_SLUGS = {"vote", "admin", "sessions", "classes", "schools", "hub"}
SESSION_MAX_MINUTES = 240
EXPORT_FORMAT = "delta-youth-vote-export/1"
CONFIG_FORMAT = "delta-youth-vote-config/1"


class AlreadyVoted(Exception):
    """The voter is already marked as voted; no second ballot was stored."""


class VotingClosed(Exception):
    """The election is not open for votes now."""


class InvalidChoice(Exception):
    """The choice is not a candidate on this voter's ballot."""


def first_voting_day(election: Election) -> date:
    """The calendar day voting opens, in the municipality's time zone (ages count from it)."""
    return localdate(election.opens_at)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _require_draft(election: Election) -> None:
    if election.status != Election.Status.DRAFT:
        raise ValidationError(
            _("The election is frozen: its configuration can no longer be changed.")
        )


def _transition(*, election: Election, to: str, actor, action: str, data=None, reason="") -> None:
    if to not in Election.TRANSITIONS[Election.Status(election.status)]:
        raise ValidationError(_("This step is not possible in the election's current state."))
    election.status = to
    audit_log(actor=actor, action=action, target=election, data=data, reason=reason)


# --- Election set-up ------------------------------------------------------------------------


def _unique_election_slug(base: str) -> str:
    root = slugify(base)[:70] or "val"
    if root in RESERVED_SLUGS:
        root = f"{root}-val"
    candidate, n = root, 1
    while Election.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{root}-{n}"
    return candidate


def _check_dates(**values: date | datetime | None) -> None:
    # The one range of democracy.core.dates, for callers that bypass the forms.
    for key, value in values.items():
        try:
            validate_sensible_date(value)
        except ValidationError as error:
            raise ValidationError({key: error.messages}) from error


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    _check_dates(opens_at=opens_at, closes_at=closes_at)
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("Voting must close after it opens.")})


@transaction.atomic
def election_create(
    *,
    actor,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    total_members: int = 81,
    total_substitutes: int = 20,
    council=None,
    term_start: date | None = None,
    term_end: date | None = None,
    slug: str = "",
) -> Election:
    _check_window(opens_at, closes_at)
    _check_dates(term_start=term_start, term_end=term_end)
    election = Election(
        name=clean_text(name),
        slug=slug or _unique_election_slug(name),
        description=clean_html(description),
        opens_at=opens_at,
        closes_at=closes_at,
        total_members=total_members,
        total_substitutes=total_substitutes,
        council=council,
        term_start=term_start,
        term_end=term_end,
    )
    election.full_clean()
    election.save(force_insert=True)
    audit_log(actor=actor, action="youth_vote.election.create", target=election)
    return election


ELECTION_EDITABLE = {
    "name",
    "description",
    "opens_at",
    "closes_at",
    "total_members",
    "total_substitutes",
    "council",
    "term_start",
    "term_end",
}


@transaction.atomic
def election_update(*, election: Election, actor, **fields) -> Election:
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require_draft(election)
    unknown = set(fields) - ELECTION_EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "name" in fields:
        fields["name"] = clean_text(fields["name"])
    if "description" in fields:
        fields["description"] = clean_html(fields["description"])
    for key, value in fields.items():
        setattr(election, key, value)
    _check_window(election.opens_at, election.closes_at)
    _check_dates(term_start=election.term_start, term_end=election.term_end)
    election.full_clean()
    election.save(update_fields=sorted(fields))
    if {"total_members", "total_substitutes"} & set(fields):
        seats_apportion(election=election)
    audit_log(
        actor=actor,
        action="youth_vote.election.update",
        target=election,
        data={"fields": sorted(fields)},
    )
    return election


def seats_apportion(*, election: Election) -> list[District]:
    """Share the members and the substitutes between the districts by child population."""
    districts = list(election.districts.all())
    populations = {d.slug: d.child_population for d in districts}
    members = apportion.largest_remainder(populations, election.total_members)
    substitutes = apportion.largest_remainder(populations, election.total_substitutes)
    for district in districts:
        district.seats_members = members[district.slug].seats
        district.seats_substitutes = substitutes[district.slug].seats
        district.save(update_fields=["seats_members", "seats_substitutes"])
    return districts


@transaction.atomic
def district_create(*, election: Election, actor, name: str, child_population: int) -> District:
    _require_draft(election)
    name = clean_text(name)
    if election.districts.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("There is already a district with this name.")})
    root = slugify(name)[:70] or "omrade"
    slug, n = root, 1
    while election.districts.filter(slug=slug).exists():
        n += 1
        slug = f"{root}-{n}"
    district = District(election=election, name=name, slug=slug, child_population=child_population)
    district.full_clean()
    district.save(force_insert=True)
    seats_apportion(election=election)
    audit_log(
        actor=actor,
        action="youth_vote.district.create",
        target=district,
        data={"child_population": child_population},
    )
    return district


@transaction.atomic
def district_update(*, district: District, actor, name: str, child_population: int) -> District:
    _require_draft(district.election)
    name = clean_text(name)
    if district.election.districts.filter(name__iexact=name).exclude(pk=district.pk).exists():
        raise ValidationError({"name": _("There is already a district with this name.")})
    district.name = name
    district.child_population = child_population
    district.full_clean()
    district.save(update_fields=["name", "child_population"])
    seats_apportion(election=district.election)
    audit_log(
        actor=actor,
        action="youth_vote.district.update",
        target=district,
        data={"child_population": child_population},
    )
    return district


@transaction.atomic
def district_delete(*, district: District, actor) -> None:
    election = district.election
    _require_draft(election)
    if district.schools.exists() or district.candidates.exists() or district.voters.exists():
        raise ValidationError(
            _("The district has schools, candidates or voters; move or remove them first.")
        )
    audit_log(actor=actor, action="youth_vote.district.delete", target=district)
    district.delete()
    seats_apportion(election=election)


@transaction.atomic
def school_create(*, election: Election, district: District, actor, name: str) -> School:
    _require_draft(election)
    if district.election_id != election.pk:
        raise ValidationError({"district": _("Choose a district of this election.")})
    name = clean_text(name)
    root = slugify(name)[:70] or "skola"
    slug, n = root, 1
    while election.schools.filter(slug=slug).exists():
        n += 1
        slug = f"{root}-{n}"
    school = School(election=election, district=district, name=name, slug=slug)
    school.full_clean()
    school.save(force_insert=True)
    audit_log(actor=actor, action="youth_vote.school.create", target=school)
    return school


@transaction.atomic
def school_update(*, school: School, actor, name: str, district: District) -> School:
    _require_draft(school.election)
    if district.election_id != school.election_id:
        raise ValidationError({"district": _("Choose a district of this election.")})
    school.name = clean_text(name)
    school.district = district
    school.full_clean()
    school.save(update_fields=["name", "district"])
    audit_log(actor=actor, action="youth_vote.school.update", target=school)
    return school


@transaction.atomic
def school_set_contacts(*, school: School, users, actor) -> School:
    """Who may open sessions and print codes for this school (allowed while voting runs)."""
    from democracy.core.permissions import has_role
    from democracy.core.roles import Role

    users = list(users)
    for user in users:
        if not has_role(user, Role.SCHOOL_CONTACT):
            raise ValidationError(
                _("%(email)s is not a school contact person.") % {"email": user.email}
            )
    before = set(school.contacts.values_list("pk", flat=True))
    school.contacts.set(users)
    after = {u.pk for u in users}
    if before != after:
        audit_log(
            actor=actor,
            action="youth_vote.school.contacts",
            target=school,
            data={"added": sorted(after - before), "removed": sorted(before - after)},
        )
    return school


# --- Candidates -----------------------------------------------------------------------------


def candidate_eligibility_problems(
    *, election: Election, grade: int, birth_date: date
) -> list[str]:
    problems = []
    if grade < election.candidate_min_grade:
        problems.append(
            _("A candidate must have started school year %(grade)s.")
            % {"grade": election.candidate_min_grade}
        )
    if age_on(birth_date, first_voting_day(election)) >= election.max_age:
        problems.append(
            _("A candidate must be younger than %(age)s on the first day of voting.")
            % {"age": election.max_age}
        )
    if birth_date > first_voting_day(election):
        problems.append(_("The date of birth is in the future."))
    return problems


@transaction.atomic
def candidate_create(
    *,
    election: Election,
    district: District,
    actor,
    given_name: str,
    family_name: str,
    grade: int,
    birth_date: date,
    school_name: str = "",
    statement: str = "",
    photo=None,
    photo_alt: str = "",
) -> Candidate:
    _require_draft(election)
    if district.election_id != election.pk:
        raise ValidationError({"district": _("Choose a district of this election.")})
    problems = candidate_eligibility_problems(election=election, grade=grade, birth_date=birth_date)
    if problems:
        raise ValidationError(problems)
    if photo and not clean_text(photo_alt):
        raise ValidationError({"photo_alt": _("Describe the photo for people who cannot see it.")})
    candidate = Candidate(
        election=election,
        district=district,
        given_name=clean_text(given_name),
        family_name=clean_text(family_name),
        grade=grade,
        birth_date=birth_date,
        school_name=clean_text(school_name),
        statement=clean_html(statement),
        photo_alt=clean_text(photo_alt),
    )
    if photo:
        candidate.photo = photo
    candidate.full_clean()
    candidate.save(force_insert=True)
    audit_log(actor=actor, action="youth_vote.candidate.create", target=candidate)
    return candidate


@transaction.atomic
def candidate_update(
    *, candidate: Candidate, actor, statement: str, photo=None, photo_alt: str = ""
) -> Candidate:
    """New statement or photo: back to review, because they have not been checked."""
    _require_draft(candidate.election)
    if candidate.status == Candidate.Status.WITHDRAWN:
        raise ValidationError(_("The candidate has withdrawn."))
    candidate.statement = clean_html(statement)
    if photo:
        candidate.photo = photo
    candidate.photo_alt = clean_text(photo_alt)
    if candidate.photo and not candidate.photo_alt:
        raise ValidationError({"photo_alt": _("Describe the photo for people who cannot see it.")})
    candidate.status = Candidate.Status.PENDING
    candidate.status_reason = ""
    candidate.full_clean()
    candidate.save(update_fields=["statement", "photo", "photo_alt", "status", "status_reason"])
    audit_log(actor=actor, action="youth_vote.candidate.update", target=candidate)
    return candidate


@transaction.atomic
def candidate_transition(*, candidate: Candidate, to: str, actor, reason: str = "") -> Candidate:
    """Approve, reject or withdraw a candidate (before the election is frozen)."""
    candidate = (
        Candidate.objects.select_for_update().select_related("election").get(pk=candidate.pk)
    )
    _require_draft(candidate.election)
    to = Candidate.Status(to)
    if to not in Candidate.TRANSITIONS[Candidate.Status(candidate.status)]:
        raise ValidationError(_("This step is not possible for the candidate now."))
    reason = clean_text(reason)
    if to in (Candidate.Status.REJECTED, Candidate.Status.WITHDRAWN) and not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    previous = candidate.status
    candidate.status = to
    candidate.status_reason = reason
    candidate.save(update_fields=["status", "status_reason"])
    audit_log(
        actor=actor,
        action=f"youth_vote.candidate.{to}",
        target=candidate,
        reason=reason,
        data={"from": previous},
    )
    return candidate


@transaction.atomic
def candidate_photo_remove(*, candidate: Candidate, actor, reason: str) -> Candidate:
    _require_draft(candidate.election)
    if candidate.photo:
        candidate.photo.delete(save=False)
    candidate.photo = ""
    candidate.photo_alt = ""
    candidate.save(update_fields=["photo", "photo_alt"])
    audit_log(
        actor=actor,
        action="youth_vote.candidate.photo_remove",
        target=candidate,
        reason=clean_text(reason),
    )
    return candidate


# --- Voter roll -----------------------------------------------------------------------------

# The longest student reference the roll keeps, and the highest school year (gymnasium
# year 4 at a "gymnasiesärskola" is year 13).
STUDENT_REF_MAX = 64
GRADE_MAX = 13
ROLL_COLUMNS = [
    "student_ref",
    "given_name",
    "family_name",
    "class",
    "grade",
    "birth_date",
    "district",
]


@dataclass
class RollImportReport:
    school: School
    accepted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    classes_created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def _decode_csv(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not text in UTF-8 or Windows encoding."))


@transaction.atomic
def roll_import(
    *, election: Election, school: School, data: bytes | str, actor
) -> RollImportReport:
    """Add the students in a CSV file to the roll of ``school``.

    Columns (a header row, comma or semicolon separated): ``student_ref, given_name,
    family_name, class, grade, birth_date (YYYY-MM-DD), district`` (the slug or name of the
    student's home district). Good rows are added; every rejected row is reported with its
    line number and the reason. Only while the election is a draft.
    """
    _require_draft(election)
    if school.election_id != election.pk:
        raise ValidationError(_("The school does not take part in this election."))
    # One import per school at a time: a double-submitted file waits for the first and then
    # finds its students already on the roll, instead of failing on the unique constraint.
    school = School.objects.select_for_update().get(pk=school.pk)
    text = _decode_csv(data).replace("\x00", "")
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ROLL_COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            _("The file lacks the column(s): %(columns)s. Expected: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(ROLL_COLUMNS)}
        )
    reader.fieldnames = header
    report = RollImportReport(school=school)
    districts = {}
    for d in election.districts.all():
        districts[d.slug.lower()] = d
        districts[d.name.lower()] = d
    classes = {c.name.lower(): c for c in school.classes.all()}
    first_day = first_voting_day(election)
    seen = set()
    to_create = []
    for line, row in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        empty = [c for c in ROLL_COLUMNS if not values.get(c)]
        if empty:
            report.rejected.append((line, _("Empty: %(columns)s.") % {"columns": ", ".join(empty)}))
            continue
        district = districts.get(values["district"].lower())
        if district is None:
            report.rejected.append(
                (line, _("Unknown district “%(name)s”.") % {"name": values["district"]})
            )
            continue
        if len(values["student_ref"]) > STUDENT_REF_MAX:
            report.rejected.append(
                (
                    line,
                    _("The student reference is longer than %(max)s characters.")
                    % {"max": STUDENT_REF_MAX},
                )
            )
            continue
        try:
            grade = int(values["grade"])
        except ValueError:
            report.rejected.append((line, _("The school year is not a number.")))
            continue
        if not 0 <= grade <= GRADE_MAX:
            report.rejected.append(
                (line, _("The school year must be between 0 and %(max)s.") % {"max": GRADE_MAX})
            )
            continue
        try:
            birth_date = parse_date(values["birth_date"])
        except ValueError:
            birth_date = None
        if birth_date is None:
            report.rejected.append((line, _("The date of birth is not a date (YYYY-MM-DD).")))
            continue
        if birth_date > first_day:
            report.rejected.append((line, _("The date of birth is in the future.")))
            continue
        if grade < election.voter_min_grade:
            report.rejected.append(
                (
                    line,
                    _("Too young to vote: school year %(grade)s (from %(min)s).")
                    % {"grade": grade, "min": election.voter_min_grade},
                )
            )
            continue
        if age_on(birth_date, first_day) >= election.max_age:
            report.rejected.append(
                (
                    line,
                    _("Too old to vote: %(age)s or older on the first day of voting.")
                    % {"age": election.max_age},
                )
            )
            continue
        class_name = clean_text(values["class"])[:40]
        given_name = clean_text(values["given_name"])[:100]
        family_name = clean_text(values["family_name"])[:100]
        if not (class_name and given_name and family_name):
            report.rejected.append((line, _("The name or the class is empty after cleaning.")))
            continue
        key = (class_name.lower(), values["student_ref"])
        if key in seen:
            report.rejected.append((line, _("The same student appears twice in the file.")))
            continue
        seen.add(key)
        school_class = classes.get(class_name.lower())
        if school_class is None:
            school_class = SchoolClass.objects.create(school=school, name=class_name)
            classes[class_name.lower()] = school_class
            report.classes_created.append(class_name)
        elif Voter.objects.filter(
            election=election, school_class=school_class, student_ref=values["student_ref"]
        ).exists():
            report.rejected.append((line, _("The student is already on the roll.")))
            continue
        to_create.append(
            Voter(
                election=election,
                school_class=school_class,
                district=district,
                student_ref=values["student_ref"],
                given_name=given_name,
                family_name=family_name,
                grade=grade,
                birth_date=birth_date,
            )
        )
    Voter.objects.bulk_create(to_create, batch_size=1000)
    report.accepted = len(to_create)
    audit_log(
        actor=actor,
        action="youth_vote.roll.import",
        target=school,
        data={
            "accepted": report.accepted,
            "rejected": len(report.rejected),
            "classes_created": report.classes_created,
        },
    )
    return report


@transaction.atomic
def roll_remove_class(*, school_class: SchoolClass, actor) -> int:
    """Take a whole class off the roll (draft only), e.g. to import a corrected file."""
    school = school_class.school
    _require_draft(school.election)
    removed = Voter.objects.filter(school_class=school_class).delete()[0]
    audit_log(
        actor=actor,
        action="youth_vote.roll.remove_class",
        target=school,
        data={"class": school_class.name, "removed": removed},
    )
    school_class.delete()
    return removed


# --- Codes (the credential step: only school contact persons see codes) ----------------------


def _require_codes_allowed(election: Election) -> None:
    if election.purged_at or election.has_closed:
        raise ValidationError(_("Voting has closed; no more codes are given out."))


@transaction.atomic
def class_codes_issue(*, school_class: SchoolClass, actor) -> list[tuple[Voter, str]]:
    """New codes for every student in the class who has not voted; old codes stop working.

    The codes are returned once, for the printed class sheet, and exist nowhere else.
    """
    election = school_class.school.election
    _require_codes_allowed(election)
    voters = list(
        Voter.objects.select_for_update()
        .filter(school_class=school_class)
        .exclude(pk__in=Participation.objects.values("voter_id"))
        .order_by("family_name", "given_name", "student_ref")
    )
    issued = [(voter, codes.code_generate()) for voter in voters]
    _codes_assign(election=election, issued=issued)
    audit_log(
        actor=actor,
        action="youth_vote.codes.issue",
        target=school_class,
        data={"codes": len(issued)},
    )
    return issued


def _codes_assign(*, election: Election, issued: list[tuple[Voter, str]]) -> None:
    """Store the keyed hashes of ``issued`` codes; the codes themselves are not kept."""
    for voter, code in issued:
        voter.code_hash = codes.code_hash(election_id=election.pk, code=code)
    Voter.objects.bulk_update([voter for voter, _code in issued], ["code_hash"], batch_size=500)


@transaction.atomic
def voter_code_reissue(*, voter: Voter, actor, reason: str = "") -> str:
    """A new code for a student who lost theirs; the old one stops working at once.

    Refused once the student has voted. The voter row is locked, so a vote being cast at the
    same moment either lands first (and the reissue is refused) or uses the old code, which
    the reissue then no longer matches.
    """
    voter = (
        Voter.objects.select_for_update()
        .select_related("school_class__school__election")
        .get(pk=voter.pk)
    )
    election = voter.election
    _require_codes_allowed(election)
    if Participation.objects.filter(voter=voter).exists():
        raise ValidationError(_("The student has already voted; a new code cannot be given."))
    code = codes.code_generate()
    voter.code_hash = codes.code_hash(election_id=election.pk, code=code)
    voter.save(update_fields=["code_hash"])
    audit_log(
        actor=actor,
        action="youth_vote.codes.reissue",
        target=voter.school_class,
        reason=clean_text(reason),
        data={"voter": str(voter.pk)},
    )
    return code


# --- Freeze, window, sessions ---------------------------------------------------------------


def freeze_problems(election: Election) -> list[str]:
    """What stops the election from being frozen, in plain words (empty: ready)."""
    problems = []
    districts = list(election.districts.all())
    if not districts:
        problems.append(_("Add at least one district."))
    if sum(d.seats_members for d in districts) != election.total_members:
        problems.append(_("The members are not all shared out: check the child populations."))
    if not election.schools.exists():
        problems.append(_("Add at least one school."))
    if not election.voters.exists():
        problems.append(_("Import the voter roll."))
    if election.candidates.filter(status=Candidate.Status.PENDING).exists():
        problems.append(_("Some candidates are waiting for review."))
    approved = set(
        election.candidates.filter(status=Candidate.Status.APPROVED).values_list(
            "district_id", flat=True
        )
    )
    for district in districts:
        if district.pk not in approved:
            problems.append(
                _("%(district)s has no approved candidate.") % {"district": district.name}
            )
    if election.closes_at <= timezone_now():
        problems.append(_("The voting window has already ended."))
    return problems


def roll_hash_compute(election: Election) -> tuple[str, int, dict[str, int]]:
    rows = sorted(
        [str(voter_id), district_slug, school_slug, class_name]
        for voter_id, district_slug, school_slug, class_name in Voter.objects.filter(
            election=election
        ).values_list("id", "district__slug", "school_class__school__slug", "school_class__name")
    )
    per_district = {}
    for _voter, district_slug, _school, _class in rows:
        per_district[district_slug] = per_district.get(district_slug, 0) + 1
    return codes.sha256_hex(codes.canonical_json(rows)), len(rows), per_district


def config_build(election: Election) -> dict:
    """The canonical configuration the fingerprint is computed over."""
    roll_hash, roll_count, per_district = roll_hash_compute(election)
    return {
        "format": CONFIG_FORMAT,
        "election": {
            "slug": election.slug,
            "name": election.name,
            "opens_at": election.opens_at.isoformat(),
            "closes_at": election.closes_at.isoformat(),
            "members": election.total_members,
            "substitutes": election.total_substitutes,
            "apportionment": election.apportionment_method,
        },
        "districts": [
            {
                "slug": d.slug,
                "name": d.name,
                "child_population": d.child_population,
                "members": d.seats_members,
                "substitutes": d.seats_substitutes,
            }
            for d in election.districts.order_by("slug")
        ],
        "schools": [
            {"slug": s.slug, "name": s.name, "district": s.district.slug}
            for s in election.schools.select_related("district").order_by("slug")
        ],
        "candidates": [
            {"key": str(c.key), "name": c.name, "district": c.district.slug}
            for c in election.candidates.filter(status=Candidate.Status.APPROVED)
            .select_related("district")
            .order_by("key")
        ],
        "roll": {"count": roll_count, "hash": roll_hash, "per_district": per_district},
    }


@transaction.atomic
def election_freeze(*, election: Election, actor) -> Election:
    """Lock the configuration and publish its fingerprint; nothing in it changes after this."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require_draft(election)
    problems = freeze_problems(election)
    if problems:
        raise ValidationError(problems)
    config = config_build(election)
    election.config = config
    election.roll_hash = config["roll"]["hash"]
    election.fingerprint = codes.sha256_hex(codes.canonical_json(config))
    election.frozen_at = timezone_now()
    election.original_closes_at = election.closes_at
    _transition(
        election=election,
        to=Election.Status.FROZEN,
        actor=actor,
        action="youth_vote.election.freeze",
        data={"fingerprint": election.fingerprint, "roll_hash": election.roll_hash},
    )
    election.save(
        update_fields=[
            "config",
            "roll_hash",
            "fingerprint",
            "frozen_at",
            "original_closes_at",
            "status",
        ]
    )
    return election


@transaction.atomic
def election_extend(
    *, election: Election, actor, new_closes_at: datetime, reason: str
) -> Extension:
    """Move the closing time later, with a public reason (e.g. an outage during voting)."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Election.Status.FROZEN:
        raise ValidationError(
            _("Only a frozen election that has not been counted can be extended.")
        )
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is published.")})
    _check_dates(new_closes_at=new_closes_at)
    if new_closes_at <= election.closes_at:
        raise ValidationError({"new_closes_at": _("The new closing time must be later.")})
    if new_closes_at <= timezone_now():
        raise ValidationError({"new_closes_at": _("The new closing time must be in the future.")})
    extension = Extension.objects.create(
        election=election,
        previous_closes_at=election.closes_at,
        new_closes_at=new_closes_at,
        reason=reason,
        decided_by=getattr(actor, "email", "") or "system",
    )
    election.closes_at = new_closes_at
    election.save(update_fields=["closes_at"])
    audit_log(
        actor=actor,
        action="youth_vote.election.extend",
        target=election,
        reason=reason,
        data={
            "previous_closes_at": extension.previous_closes_at,
            "new_closes_at": new_closes_at,
        },
    )
    return extension


@transaction.atomic
def session_open(*, school_class: SchoolClass, actor, minutes: int) -> VotingSession:
    election = school_class.school.election
    if not election.is_open:
        raise ValidationError(_("Sessions can only be opened while voting is open."))
    if not 5 <= minutes <= SESSION_MAX_MINUTES:
        raise ValidationError(
            {
                "minutes": _("A session lasts from 5 to %(max)s minutes.")
                % {"max": SESSION_MAX_MINUTES}
            }
        )
    now = timezone_now()
    for running in VotingSession.objects.select_for_update().filter(
        school_class=school_class, ended_early_at__isnull=True, ends_at__gt=now
    ):
        running.ended_early_at = now
        running.save(update_fields=["ended_early_at"])
    session = VotingSession.objects.create(
        school_class=school_class,
        opened_by=actor,
        starts_at=now,
        ends_at=min(now + timedelta(minutes=minutes), election.closes_at),
        secret=codes.session_secret_generate(),
    )
    audit_log(
        actor=actor,
        action="youth_vote.session.open",
        target=school_class,
        data={"session": session.pk, "minutes": minutes},
    )
    return session


@transaction.atomic
def session_end(*, session: VotingSession, actor) -> VotingSession:
    if session.ended_early_at is None and session.ends_at > timezone_now():
        session.ended_early_at = timezone_now()
        session.save(update_fields=["ended_early_at"])
        audit_log(
            actor=actor,
            action="youth_vote.session.end",
            target=session.school_class,
            data={"session": session.pk},
        )
    return session


def session_codes_unlock(*, session: VotingSession, actor) -> int:
    """The contact person lets every code of the class try again at once (after a pupil tried
    a classmate's code with wrong class codes, say); returns how many codes that covers."""
    from youth_vote import booth

    hashes = list(
        Voter.objects.filter(school_class_id=session.school_class_id, code_hash__isnull=False)
        .values_list("code_hash", flat=True)
    )
    booth.code_unlock(hashes)
    audit_log(
        actor=actor,
        action="youth_vote.session.unlock_codes",
        target=session.school_class,
        data={"session": session.pk},
    )
    return len(hashes)


# --- Casting --------------------------------------------------------------------------------


def _store_ballot(*, voter_id, election: Election, district_id: int, candidate_id) -> str:
    """Mark the voter and store the anonymous ballot and its tracker: all or nothing.

    The participation row goes first: its unique voter is what refuses a second ballot, in
    the database, whatever any earlier check said. No application-level "has voted?" check
    is needed for correctness. A tracker that collides with an existing one (about 1 in
    31^10 per pair) fails the whole write, which is then tried again with a new one.
    """
    write = _insert_cast_postgresql if connection.vendor == "postgresql" else _insert_cast_orm
    for _attempt in range(5):
        tracker = codes.tracker_generate()
        try:
            write(
                voter_id=voter_id,
                election_id=election.pk,
                district_id=district_id,
                candidate_id=candidate_id,
                tracker=tracker,
            )
            return tracker
        except IntegrityError as exc:
            if Participation.objects.filter(voter_id=voter_id).exists():
                raise AlreadyVoted from exc
            if not Tracker.objects.filter(election_id=election.pk, code=tracker).exists():
                raise
    raise RuntimeError("Could not draw a unique tracker.")


def _insert_cast_orm(*, voter_id, election_id, district_id, candidate_id, tracker) -> None:
    with transaction.atomic():
        Participation.objects.create(election_id=election_id, voter_id=voter_id)
        Ballot.objects.create(
            election_id=election_id, district_id=district_id, candidate_id=candidate_id
        )
        Tracker.objects.create(election_id=election_id, code=tracker)


# On PostgreSQL the three inserts are one statement (data-modifying CTEs): atomic by itself,
# one round trip instead of five (BEGIN, three INSERTs, COMMIT) on the busiest write.
_CAST_SQL = """
WITH participation AS (
    INSERT INTO {participation} (id, election_id, voter_id) VALUES (%s, %s, %s) RETURNING 1
), ballot AS (
    INSERT INTO {ballot} (id, election_id, district_id, candidate_id)
    VALUES (%s, %s, %s, %s) RETURNING 1
), tracker AS (
    INSERT INTO {tracker} (id, election_id, code) VALUES (%s, %s, %s) RETURNING 1
)
SELECT (SELECT count(*) FROM participation) + (SELECT count(*) FROM ballot)
     + (SELECT count(*) FROM tracker)
"""


def _insert_cast_postgresql(*, voter_id, election_id, district_id, candidate_id, tracker) -> None:
    quote = connection.ops.quote_name
    sql = _CAST_SQL.format(
        participation=quote(Participation._meta.db_table),
        ballot=quote(Ballot._meta.db_table),
        tracker=quote(Tracker._meta.db_table),
    )
    params = [
        uuid.uuid4(), election_id, uuid.UUID(str(voter_id)),
        uuid.uuid4(), election_id, district_id, candidate_id,
        uuid.uuid4(), election_id, tracker,
    ]  # fmt: skip
    # Inside an outer transaction (a manual ballot) a savepoint keeps a refused insert from
    # breaking it; in autocommit the statement is its own transaction.
    # Prepared once per connection (decision 67): PostgreSQL plans the three INSERTs once.
    if connection.in_atomic_block:
        with transaction.atomic(), prepared_cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.fetchone()[0]
    else:
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.fetchone()[0]
    if written != 3:  # pragma: no cover -- each INSERT writes one row or raises
        raise DatabaseError(f"A cast wrote {written} rows instead of 3.")


# Approved candidates per district of a frozen election, by election and freeze time. The
# configuration cannot change after the freeze (``_require_draft``), so the ballot's choices
# are read once per process instead of once per cast.
_frozen_choices: dict[tuple[int, object], dict[int, dict[str, int]]] = {}


def _approved_choices(election: Election) -> dict[int, dict[str, int]]:
    """``{district_id: {candidate key: candidate id}}`` of the approved candidates."""
    key = (election.pk, election.frozen_at)
    if election.frozen_at is not None and key in _frozen_choices:
        return _frozen_choices[key]
    choices: dict[int, dict[str, int]] = {}
    for pk, district_id, candidate_key in Candidate.objects.filter(
        election_id=election.pk, status=Candidate.Status.APPROVED
    ).values_list("pk", "district_id", "key"):
        choices.setdefault(district_id, {})[str(candidate_key)] = pk
    if election.frozen_at is not None:
        _frozen_choices[key] = choices
    return choices


def _choice_for(*, election: Election, district_id: int, choice: str) -> int | None:
    """The candidate id for ``choice`` (a candidate key, or ``"blank"``), checked."""
    if choice == "blank":
        return None
    candidate = _approved_choices(election).get(district_id, {}).get(str(choice).lower())
    if candidate is None:
        raise InvalidChoice
    return candidate


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def ballot_cast(*, election: Election, voter_id, district_id: int, choice: str) -> str:
    """Cast a ballot for a voter authenticated in a session; returns the tracker.

    Raises ``VotingClosed`` outside the window, ``InvalidChoice`` for a choice that is not on
    the voter's ballot (nothing is stored), ``AlreadyVoted`` for a second attempt.
    """
    if election.phase_at(timezone_now()) != Election.Phase.OPEN:
        raise VotingClosed
    candidate_id = _choice_for(election=election, district_id=district_id, choice=choice)
    return _store_ballot(
        voter_id=voter_id, election=election, district_id=district_id, candidate_id=candidate_id
    )


def manual_ballot_record(*, voter: Voter, choice: str, actor) -> str:
    """Record a paper ballot for a student without a code, in the same count and exclusion.

    The audit entry says who recorded a manual ballot at which school; never for whom or
    what.
    """
    election = voter.election
    if election.phase_at(timezone_now()) != Election.Phase.OPEN:
        raise VotingClosed
    candidate_id = _choice_for(election=election, district_id=voter.district_id, choice=choice)
    with transaction.atomic():
        tracker = _store_ballot(
            voter_id=voter.pk,
            election=election,
            district_id=voter.district_id,
            candidate_id=candidate_id,
        )
        audit_log(
            actor=actor,
            action="youth_vote.ballot.manual",
            target=voter.school_class.school,
        )
    return tracker


# --- Count, publication, diary, purge -------------------------------------------------------


@transaction.atomic
def election_tally(*, election: Election, actor) -> list[tally.DistrictCount]:
    """Count the ballots once voting has closed; ties are broken by a recorded seeded lot."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.phase != Election.Phase.CLOSED:
        raise ValidationError(_("The votes can be counted once, after voting has closed."))
    seed = secrets.token_hex(16)
    counted = tally.count_election(election, seed=seed)
    eligible = dict(
        Voter.objects.filter(election=election)
        .order_by()
        .values_list("district_id")
        .annotate(n=Count("*"))
    )
    results = []
    for district_count in counted:
        DistrictResult.objects.update_or_create(
            district=district_count.district,
            defaults={
                "ballots": district_count.ballots,
                "blank": district_count.blank,
                "eligible": eligible.get(district_count.district.pk, 0),
            },
        )
        for entry in district_count.ranked:
            results.append(
                CandidateResult(
                    candidate=entry.candidate,
                    votes=entry.votes,
                    rank=entry.rank,
                    lot=entry.lot,
                    outcome=entry.outcome,
                    substitute_order=entry.substitute_order,
                )
            )
    CandidateResult.objects.filter(candidate__election=election).delete()
    CandidateResult.objects.bulk_create(results)
    turnout = (
        Voter.objects.filter(election=election)
        .order_by()
        .values("school_class__school_id")
        .annotate(eligible=Count("id"), voted=Count("participation"))
    )
    for row in turnout:
        SchoolTurnout.objects.update_or_create(
            school_id=row["school_class__school_id"],
            defaults={"eligible": row["eligible"], "voted": row["voted"]},
        )
    election.tie_seed = seed
    election.tallied_at = timezone_now()
    _transition(
        election=election,
        to=Election.Status.TALLIED,
        actor=actor,
        action="youth_vote.election.tally",
        data={"tie_seed": seed, "ballots": sum(d.ballots for d in counted)},
    )
    election.save(update_fields=["tie_seed", "tallied_at", "status"])
    return counted


@transaction.atomic
def election_publish(*, election: Election, actor) -> Election:
    election = Election.objects.select_for_update().get(pk=election.pk)
    election.published_at = timezone_now()
    _transition(
        election=election,
        to=Election.Status.PUBLISHED,
        actor=actor,
        action="youth_vote.election.publish",
    )
    election.save(update_fields=["published_at", "status"])
    return election


@transaction.atomic
def election_add_members_to_council(*, election: Election, actor) -> int:
    """Add the elected members and substitutes to the youth council in the diary: names only."""
    from democracy.people.models import Membership, Organization
    from democracy.people.services import membership_create, person_create

    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Election.Status.PUBLISHED:
        raise ValidationError(_("Publish the result first."))
    if election.members_added_at:
        raise ValidationError(_("The elected members are already in the diary."))
    council = (
        election.council
        or Organization.objects.filter(
            classification=Organization.Classification.YOUTH_COUNCIL
        ).first()
    )
    if council is None:
        raise ValidationError(_("There is no youth council in the diary to add them to."))
    start = election.term_start or localdate(election.closes_at) + timedelta(days=1)
    end = election.term_end or start.replace(year=start.year + 1) - timedelta(days=1)
    elected = CandidateResult.objects.filter(
        candidate__election=election,
        outcome__in=[CandidateResult.Outcome.MEMBER, CandidateResult.Outcome.SUBSTITUTE],
    ).select_related("candidate__district")
    added = 0
    substitute_counter = 0
    ordered = sorted(
        elected,
        key=lambda r: (
            r.outcome != CandidateResult.Outcome.MEMBER,
            r.candidate.district.name,
            r.rank,
        ),
    )
    for result in ordered:
        candidate = result.candidate
        person = person_create(
            given_name=candidate.given_name, family_name=candidate.family_name, actor=actor
        )
        is_member = result.outcome == CandidateResult.Outcome.MEMBER
        if not is_member:
            substitute_counter += 1
        membership_create(
            person=person,
            organization=council,
            actor=actor,
            role=Membership.Role.MEMBER if is_member else Membership.Role.SUBSTITUTE,
            substitute_order=None if is_member else substitute_counter,
            start_date=start,
            end_date=end,
            label=candidate.district.name,
        )
        added += 1
    election.members_added_at = timezone_now()
    election.council = council
    election.save(update_fields=["members_added_at", "council"])
    audit_log(
        actor=actor,
        action="youth_vote.election.add_to_council",
        target=election,
        data={"council": council.slug, "added": added},
    )
    return added


@transaction.atomic
def election_purge(*, election: Election, actor) -> dict:
    """After certification: destroy the code-to-student link and participation details.

    Deletes the roll (names, code hashes), the participation marks and the sessions with
    their code secrets. Ballots, trackers, results and turnout per school stay, so the count
    can still be reproduced from the published export and from the ballot table.
    """
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.status != Election.Status.PUBLISHED:
        raise ValidationError(_("Only a published election's roll can be destroyed."))
    if election.purged_at:
        raise ValidationError(_("The roll is already destroyed."))
    participations = Participation.objects.filter(election=election).delete()[0]
    sessions = VotingSession.objects.filter(school_class__school__election=election).delete()[0]
    voters = Voter.objects.filter(election=election).delete()[0]
    _ballot_side_rewrite_shuffled(election)
    election.purged_at = timezone_now()
    election.save(update_fields=["purged_at"])
    counts = {"voters": voters, "participations": participations, "sessions": sessions}
    audit_log(actor=actor, action="youth_vote.election.purge", target=election, data=counts)
    return counts


def _ballot_side_rewrite_shuffled(election: Election) -> None:
    """Write the ballots and the trackers again, in a random order and with new keys.

    A cast writes the participation mark, the ballot and the tracker together, so the rows
    lie in the tables' files (and in a dump) in the order they were cast, each table in the
    same order: the n-th tracker sits where the n-th ballot does. No query orders by that,
    but a reader of the files could line a student's tracker up with a ballot. Rewritten in
    a random order, the stored order says nothing; the count does not change.
    """
    rng = random.SystemRandom()
    ballots = list(
        Ballot.objects.filter(election=election)
        .order_by()
        .values_list("district_id", "candidate_id")
    )
    trackers = list(
        Tracker.objects.filter(election=election).order_by().values_list("code", flat=True)
    )
    rng.shuffle(ballots)
    rng.shuffle(trackers)
    Ballot.objects.filter(election=election).delete()
    Tracker.objects.filter(election=election).delete()
    Ballot.objects.bulk_create(
        (
            Ballot(election=election, district_id=district_id, candidate_id=candidate_id)
            for district_id, candidate_id in ballots
        ),
        batch_size=5000,
    )
    Tracker.objects.bulk_create(
        (Tracker(election=election, code=code) for code in trackers), batch_size=5000
    )


def export_build(election: Election) -> dict:
    """The public export: configuration, fingerprint, shuffled ballots, results, seed."""
    districts = {d.pk: d.slug for d in election.districts.all()}
    candidates = {c.pk: str(c.key) for c in election.candidates.all()}
    ballots = [
        [districts[district_id], candidates[candidate_id] if candidate_id else None]
        for district_id, candidate_id in Ballot.objects.filter(election=election)
        .order_by()
        .values_list("district_id", "candidate_id")
        .iterator(chunk_size=5000)
    ]
    random.SystemRandom().shuffle(ballots)
    trackers = sorted(Tracker.objects.filter(election=election).values_list("code", flat=True))
    results = []
    for district in election.districts.order_by("slug").select_related("result"):
        rows = CandidateResult.objects.filter(candidate__district=district).select_related(
            "candidate"
        )
        result = getattr(district, "result", None)
        results.append(
            {
                "district": district.slug,
                "ballots": result.ballots if result else 0,
                "blank": result.blank if result else 0,
                "candidates": [
                    {
                        "key": str(row.candidate.key),
                        "name": row.candidate.name,
                        "votes": row.votes,
                        "rank": row.rank,
                        "lot": row.lot,
                        "outcome": row.outcome,
                        "substitute_order": row.substitute_order,
                    }
                    for row in rows.order_by("rank")
                ],
            }
        )
    head = audit_head()
    return {
        "format": EXPORT_FORMAT,
        "election": election.slug,
        "config": election.config,
        "fingerprint": election.fingerprint,
        "extensions": [
            {
                "previous_closes_at": e.previous_closes_at.isoformat(),
                "new_closes_at": e.new_closes_at.isoformat(),
                "reason": e.reason,
            }
            for e in election.extensions.all()
        ],
        "ballots": ballots,
        "trackers": trackers,
        "results": {"districts": results},
        "tie_seed": election.tie_seed,
        "lot_rule": tally.LOT_RULE,
        "turnout_by_school": [
            {"school": t.school.slug, "eligible": t.eligible, "voted": t.voted}
            for t in SchoolTurnout.objects.filter(school__election=election).select_related(
                "school"
            )
            if t.voted >= _min_reported()
        ],
        "audit_head": {"seq": head.seq, "hash": head.hash},
    }


def _min_reported() -> int:
    from django.conf import settings

    return settings.YOUTH_VOTE_MIN_REPORTED_COUNT
