"""Every write of the youth-council election.

Administrative steps are audit-logged (never with a ballot choice or a voter next to a
choice). Casting lives in ``youth_vote/casting.py`` and the key and the count in
``youth_vote/counting.py``; their entry points are re-exported here so that callers find
every write of the election in one place.
"""

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from django.utils.timezone import localdate
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _

from democracy.core.dates import validate_sensible_date
from democracy.core.permissions import has_role
from democracy.core.roles import Role
from democracy.core.sanitize import clean_html, clean_text
from democracy.core.services import audit_head, audit_log
from democracy.people.models import Membership, Organization
from democracy.people.services import membership_create, person_create
from youth_vote import apportion, booth, codes, counting, tally
from youth_vote.casting import (  # noqa: F401 -- re-exported, see the module docstring
    AlreadyVoted,
    InvalidChoice,
    VotingClosed,
    ballot_cast,
    manual_ballot_record,
)
from youth_vote.counting import election_rekey, election_tally  # noqa: F401 -- re-exported
from youth_vote.models import (
    Ballot,
    Candidate,
    CandidateResult,
    District,
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
from youth_vote.transitions import election_transition

RESERVED_SLUGS = {"vote", "admin", "sessions", "classes", "schools", "hub"}
SESSION_MAX_MINUTES = 240
EXPORT_FORMAT = "delta-youth-vote-export/2"
CONFIG_FORMAT = "delta-youth-vote-config/2"


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
def _check_trustees(trustees: int, threshold: int) -> None:
    problems = counting.trustee_problems(trustees, threshold)
    if problems:
        raise ValidationError({"trustee_threshold": problems})


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
    trustees: int = 5,
    trustee_threshold: int = 3,
) -> Election:
    _check_window(opens_at, closes_at)
    _check_dates(term_start=term_start, term_end=term_end)
    _check_trustees(trustees, trustee_threshold)
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
        trustees=trustees,
        trustee_threshold=trustee_threshold,
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
    "trustees",
    "trustee_threshold",
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
    _check_trustees(election.trustees, election.trustee_threshold)
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
def district_create(
    *, election: Election, actor, name: str, child_population: int, translations=None
) -> District:
    _require_draft(election)
    name = clean_text(name)
    if election.districts.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("There is already a district with this name.")})
    root = slugify(name)[:70] or "omrade"
    slug, n = root, 1
    while election.districts.filter(slug=slug).exists():
        n += 1
        slug = f"{root}-{n}"
    district = District(
        election=election,
        name=name,
        slug=slug,
        child_population=child_population,
        translations=translations or {},
    )
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
def district_update(
    *, district: District, actor, name: str, child_population: int, translations=None
) -> District:
    _require_draft(district.election)
    name = clean_text(name)
    if district.election.districts.filter(name__iexact=name).exclude(pk=district.pk).exists():
        raise ValidationError({"name": _("There is already a district with this name.")})
    district.name = name
    district.child_population = child_population
    if translations is not None:
        district.translations = translations
    district.full_clean()
    district.save(update_fields=["name", "child_population", "translations"])
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
def roll_import(  # noqa: C901 - to be split with the services package (issue 16, item 1)
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
    codes_assign(election=election, issued=issued)
    audit_log(
        actor=actor,
        action="youth_vote.codes.issue",
        target=school_class,
        data={"codes": len(issued)},
    )
    return issued


def codes_assign(*, election: Election, issued: list[tuple[Voter, str]]) -> None:
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
    problems += counting.trustee_problems(election.trustees, election.trustee_threshold)
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
def election_freeze(*, election: Election, actor) -> tuple[Election, list[counting.KeySheet]]:
    """Lock the configuration and publish its fingerprint; nothing in it changes after this.

    Also creates the election key: its public part goes into the configuration; the key
    sheets are returned to be printed once for the trustees and are stored nowhere.
    """
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require_draft(election)
    problems = freeze_problems(election)
    if problems:
        raise ValidationError(problems)
    config = config_build(election)
    config["encryption"], sheets = counting.key_create(election)
    election.config = config
    election.roll_hash = config["roll"]["hash"]
    election.fingerprint = codes.sha256_hex(codes.canonical_json(config))
    election.frozen_at = timezone_now()
    election.original_closes_at = election.closes_at
    election_transition(
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
    return election, sheets


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

    hashes = list(
        Voter.objects.filter(
            school_class_id=session.school_class_id, code_hash__isnull=False
        ).values_list("code_hash", flat=True)
    )
    booth.code_unlock(hashes)
    audit_log(
        actor=actor,
        action="youth_vote.session.unlock_codes",
        target=session.school_class,
        data={"session": session.pk},
    )
    return len(hashes)


# --- Count, publication, diary, purge -------------------------------------------------------


@transaction.atomic
def election_publish(*, election: Election, actor) -> Election:
    election = Election.objects.select_for_update().get(pk=election.pk)
    election.published_at = timezone_now()
    election_transition(
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
        Ballot.objects.filter(election=election).order_by().values_list("district_id", "ciphertext")
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
            Ballot(
                election=election, district_id=district_id, ciphertext=ciphertext, summed=True
            )
            for district_id, ciphertext in ballots
        ),
        batch_size=5000,
    )
    Tracker.objects.bulk_create(
        (Tracker(election=election, code=code) for code in trackers), batch_size=5000
    )


def export_build(election: Election) -> dict:
    """The public export: configuration with the public key, fingerprint, every encrypted
    ballot (shuffled), the decrypted sums with the trustees' proofs, results and seed."""
    districts = {d.pk: d.slug for d in election.districts.all()}
    ballots = [
        [districts[district_id], bytes(ciphertext).hex()]
        for district_id, ciphertext in Ballot.objects.filter(election=election)
        .order_by()
        .values_list("district_id", "ciphertext")
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
        "decryption": election.decryption,
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

    return settings.YOUTH_VOTE_MIN_REPORTED_COUNT
