"""The demo youth-council election: open now, the municipality's five districts (the same as
the e-proposals'), schools, candidates, a class
with printed codes and an open session, so that anyone can cast a vote within a minute.

Deterministic (fixed random seeds) and idempotent: the election is found by its slug; the
demo codes are the same on every run, so the printed ones keep working (until used).
"""

import io
import random
import unicodedata
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from democracy.core import demo as translated
from democracy.core.demo import add_translations
from democracy.people.models import Organization
from youth_vote import codes, services
from youth_vote.models import Candidate, Election, Participation, School, SchoolClass, VotingSession

SLUG = "ungdomsval-2026"
DEMO_CLASS = "7A"
DEMO_SCHOOL = "Norrviksskolan"
CONTACT_EMAIL = "skolkontakt@norrvik.example"

# The municipality's districts (shared with the e-proposals): (name, children living there).
DISTRICTS = [(name, population) for _slug, name, population in translated.DISTRICTS]
# (name, district, first and last school year, classes on the roll as (name, school year)).
# Class names follow the school's years: a grundskola's "7A" is in year 7; a gymnasium's
# classes are named by programme and gymnasium year ("NA1A": natural science, year 1, which
# the roll counts as school year 10). Students vote from year 5 until they turn 18.
SCHOOLS = [
    ("Norrviksskolan", "Centrum", (7, 9), [("7A", 7), ("8B", 8)]),
    ("Kyrkskolan", "Centrum", (0, 6), [("5A", 5), ("6B", 6)]),
    ("Hamnskolan", "Norra hamnen", (0, 9), [("6A", 6), ("9C", 9)]),
    ("Solbackeskolan", "Västerby", (4, 9), [("7B", 7), ("9A", 9)]),
    ("Sjöviksgymnasiet", "Västerby", (10, 12), [("NA1A", 10), ("SA2B", 11)]),
    ("Björkhagsskolan", "Östra Norrvik", (0, 9), [("6C", 6), ("8C", 8)]),
    ("Skogsbackaskolan", "Skogsbacka", (0, 9), [("6A", 6), ("8A", 8)]),
]
# More candidates than seats (members and substitutes) in every district, so that the count
# decides something everywhere.
EXTRA_CANDIDATES = {
    "Centrum": 3,
    "Norra hamnen": 2,
    "Västerby": 2,
    "Östra Norrvik": 2,
    "Skogsbacka": 2,
}
FIRST = ["Alva", "Elias", "Maja", "Noah", "Ella", "Hugo", "Wilma", "Liam", "Alice", "Omar",
         "Saga", "Leo", "Selma", "Adam", "Nora", "Ali", "Ebba", "Oscar", "Leila", "Vincent",
         "Astrid", "Yusuf", "Freja", "William", "Tilde", "Melvin", "Idun", "Ibrahim"]
LAST = ["Lind", "Berg", "Holm", "Ek", "Sandberg", "Nyberg", "Ahmadi", "Öberg", "Lund", "Wik",
        "Strand", "Falk", "Hassan", "Sjögren", "Ström", "Dahl", "Forsberg", "Kaya"]
STATEMENTS = [
    "<p>Jag vill ha fler aktiviteter för unga på helgerna och bättre busstider till skolan.</p>",
    "<p>Skolmaten ska vara god och räcka till alla. Jag vill också ha fler platser att vara på efter skolan.</p>",
    "<p>Jag vill att unga ska få säga sitt om hur parker och idrottsplatser byggs.</p>",
    "<p>Mobbning ska tas på allvar. Jag vill att alla ska känna sig trygga i skolan och på fritiden.</p>",
    "<p>Klimatet är viktigt. Jag vill ha fler cykelvägar och mer återvinning i skolorna.</p>",
]
# The demo election's key sheets, for whoever tries counting it (never done for a real one).
KEY_SHEETS_FILE = settings.DATA_DIR / "demo-key-sheets.txt"
COLOURS = ["#0b4a7d", "#14612e", "#6b4a00", "#5b2a86", "#a4161a"]


def _avatar(initials: str, colour: str) -> ContentFile:


    # The default bitmap-free font lacks some letters (Ö): draw the plain-letter initials.
    initials = unicodedata.normalize("NFKD", initials).encode("ascii", "ignore").decode() or "?"
    image = Image.new("RGB", (192, 192), colour)
    draw = ImageDraw.Draw(image)
    draw.text((96, 96), initials, fill="#ffffff", anchor="mm", font_size=72)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=f"{initials.lower()}.png")


def _demo_codes(count: int) -> list[str]:
    rng = random.Random(20261110)
    return [
        codes.code_format("".join(rng.choice(codes.ALPHABET) for _ in range(codes.CODE_LENGTH)))
        for _ in range(count)
    ]


def _born(year: int, grade: int, rng) -> date:
    """A birthday for a student in ``grade`` in the autumn of ``year``: Swedish children start
    year 1 in the autumn of the year they turn seven, so they turn 6 + grade that year (the
    gymnasium's years 1–3 count as 10–12)."""
    return date(year - 6 - grade, rng.randint(1, 12), rng.randint(1, 28))


def _build(admin) -> Election:
    now = timezone.now()
    opens = (now - timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    closes = (now + timedelta(days=10)).replace(hour=17, minute=0, second=0, microsecond=0)
    council = Organization.objects.filter(slug="ungdomsfullmaktige").first()
    year = now.year
    election = services.election_create(
        actor=admin,
        name=f"Val till ungdomsfullmäktige {year}",
        slug=SLUG,
        description=(
            "<p>Alla elever från årskurs 5 till 17 år som bor i Norrviks kommun får rösta. "
            "Du röstar på en kandidat i det område där du bor. Rösten är hemlig.</p>"
        ),
        opens_at=opens,
        closes_at=closes,
        total_members=15,
        total_substitutes=5,
        council=council,
        term_start=date(year + 1, 1, 1),
        term_end=date(year + 1, 12, 31),
    )
    districts = {
        name: services.district_create(
            election=election,
            actor=admin,
            name=name,
            child_population=population,
            translations={
                language: {"name": text}
                for language, text in translated.DISTRICT_NAMES.get(name, {}).items()
            },
        )
        for name, population in DISTRICTS
    }
    User = get_user_model()
    contact = User.objects.filter(email=CONTACT_EMAIL).first()
    rng = random.Random(2026)
    schools = {}
    for name, district, _years, _classes in SCHOOLS:
        school = services.school_create(
            election=election, district=districts[district], actor=admin, name=name
        )
        if contact is not None:
            services.school_set_contacts(school=school, users=[contact], actor=admin)
        schools[name] = school
    # Candidates: more than the district's seats, approved; photos drawn here, statements in
    # Swedish. A candidate goes to a grundskola of their district, in a year it has (from 6).
    names = rng.sample([(first, last) for first in FIRST for last in LAST], 60)
    for d_index, (name, _population) in enumerate(DISTRICTS):
        district = districts[name]
        district.refresh_from_db()  # the seats were shared when the districts were added
        wanted = district.seats_members + district.seats_substitutes + EXTRA_CANDIDATES[name]
        local = [
            (school, years)
            for school, home, years, _classes in SCHOOLS
            if home == name and years[0] <= 9 and years[1] >= election.candidate_min_grade
        ]
        for c_index in range(wanted):
            given, family = names.pop()
            school_name, (first_year, last_year) = rng.choice(local)
            grade = rng.randint(max(first_year, election.candidate_min_grade), last_year)
            candidate = services.candidate_create(
                election=election,
                district=district,
                actor=admin,
                given_name=given,
                family_name=family,
                grade=grade,
                birth_date=_born(year, grade, rng),
                school_name=school_name,
                statement=rng.choice(STATEMENTS),
                photo=_avatar(given[0] + family[0], COLOURS[(d_index + c_index) % len(COLOURS)])
                if c_index % 2 == 0
                else None,
                photo_alt=f"Porträtt av {given} {family}" if c_index % 2 == 0 else "",
            )
            services.candidate_transition(
                candidate=candidate, to=Candidate.Status.APPROVED, actor=admin
            )
    # The roll: the demo class 7A and the other classes of each school.
    district_names = [name for name, _p in DISTRICTS]
    for s_index, (school_name, school_district, _years, classes) in enumerate(SCHOOLS):
        lines = ["student_ref,given_name,family_name,class,grade,birth_date,district"]
        for class_name, grade in classes:
            for n in range(24 if class_name == DEMO_CLASS else 14):
                district = school_district if rng.random() < 0.8 else rng.choice(district_names)
                lines.append(
                    f"{s_index}{class_name}{n:02d},{rng.choice(FIRST)},{rng.choice(LAST)},"
                    f"{class_name},{grade},{_born(year, grade, rng).isoformat()},{district}"
                )
        services.roll_import(
            election=election, school=schools[school_name], data="\n".join(lines), actor=admin
        )
    election, sheets = services.election_freeze(election=election, actor=admin)
    # The demo's trustees are whoever reads this file: a real election prints the sheets once.
    KEY_SHEETS_FILE.parent.mkdir(parents=True, exist_ok=True)
    KEY_SHEETS_FILE.write_text(
        "".join(f"{sheet.number} {sheet.code}\n" for sheet in sheets), encoding="utf-8"
    )
    return election


def seed(out) -> None:
    User = get_user_model()
    admin = User.objects.filter(email="valadmin@norrvik.example").first()
    election = Election.objects.filter(slug=SLUG).first()
    if election is None:
        election = _build(admin)
    for district in election.districts.all():  # an election built before the translations
        add_translations(district, "name", translated.DISTRICT_NAMES.get(district.name, {}))
    school = School.objects.get(election=election, name=DEMO_SCHOOL)
    school_class = SchoolClass.objects.get(school=school, name=DEMO_CLASS)
    voters = list(school_class.voters.order_by("family_name", "given_name", "student_ref"))
    demo_codes = _demo_codes(len(voters))
    not_voted = set(
        school_class.voters.exclude(
            pk__in=Participation.objects.values("voter_id")
        ).values_list("pk", flat=True)
    )
    services.codes_assign(
        election=election,
        issued=[(v, c) for v, c in zip(voters, demo_codes, strict=True) if v.pk in not_voted],
    )
    session = None
    if election.is_open:
        session = next(
            (s for s in VotingSession.objects.filter(school_class=school_class) if s.is_open),
            None,
        )
        if session is None or (session.ends_at - timezone.now()) < timedelta(minutes=60):
            contact = User.objects.filter(email=CONTACT_EMAIL).first()
            session = services.session_open(
                school_class=school_class, actor=contact, minutes=services.SESSION_MAX_MINUTES
            )
    out(f"Youth-council election: {election.name} ({election.get_phase_display()}).")
    out(f"  Vote at /youth-vote/vote/ with a code of class {DEMO_CLASS} at {DEMO_SCHOOL}:")
    for voter, code in list(zip(voters, demo_codes, strict=True))[:6]:
        used = "" if voter.pk in not_voted else " (used)"
        out(f"    {code}  {voter.given_name} {voter.family_name}{used}")
    out(f"    … {len(voters)} demo codes in all.")
    if KEY_SHEETS_FILE.exists():
        out(
            f"  The demo trustees' key sheets (to count after closing) are in {KEY_SHEETS_FILE}: "
            f".venv/bin/python manage.py youth_vote_tally {SLUG} < {KEY_SHEETS_FILE}"
        )
    if session is not None:
        out(
            f"  The class code is on the classroom screen /youth-vote/sessions/{session.pk}/ "
            f"(sign in as {CONTACT_EMAIL}), or: .venv/bin/python -c \"import pyotp; "
            f"print(pyotp.TOTP('{session.secret}', interval=60).now())\""
        )
