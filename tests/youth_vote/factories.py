"""Factories for the youth-council election tests.

``ElectionFactory`` makes a bare draft election (factory_boy). ``build_election`` sets up a
whole election the way an administrator does, through the services: districts, schools,
approved candidates, a roll, freeze, codes and an open session.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import factory
from django.utils import timezone

from youth_vote import casting, codes, crypto, services
from youth_vote.models import Candidate, Election, School, SchoolClass, Voter, VotingSession


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election

    name = factory.Sequence(lambda n: f"Val {n}")
    slug = factory.Sequence(lambda n: f"val-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    total_members = 9
    total_substitutes = 3


@dataclass
class Built:
    election: Election
    districts: list
    schools: list
    classes: list
    candidates: dict  # district pk -> [Candidate]
    codes: dict = field(default_factory=dict)  # voter pk -> code
    sessions: dict = field(default_factory=dict)  # class pk -> VotingSession
    sheets: list = field(default_factory=list)  # the trustees' key sheets from the freeze

    def shares(self) -> list:
        """The trustees' shares as the count takes them (from the printed sheets)."""
        return [
            crypto.TrusteeShare(index=s.number, secret=codes.share_parse(s.code))
            for s in self.sheets
        ]

    def ballot_choice(self, ballot) -> str | None:
        """Test only: open one ballot with the trustees' shares (Delta itself never does).

        The candidate key the ballot encrypts, or ``None`` for a blank ballot.
        """
        self.election.refresh_from_db()
        options = casting.ballot_layout(self.election).options[ballot.district_id]
        shares = self.shares()[: self.election.trustee_threshold]
        chosen = []
        pairs = crypto.ballot_split(bytes(ballot.ciphertext), len(options))
        for key, (c1, c2) in zip(options, pairs, strict=True):
            parts = [crypto.partial_decrypt(s, c1, context=b"test") for s in shares]
            if crypto.discrete_log(crypto.combine(c2, parts), 1) == 1:
                chosen.append(key)
        assert len(chosen) <= 1, "a ballot with more than one choice"
        return chosen[0] if chosen else None

    def tally_form(self, numbers=(1, 2, 3)) -> dict:
        """The count page's form with the codes of the key sheets ``numbers``."""
        return {f"sheet_{s.number}": s.code for s in self.sheets if s.number in numbers}

    def sheets_file(self, path, numbers=None) -> str:
        """Write some key sheets ("number code" lines) for ``youth_vote_tally --sheets``."""
        chosen = [s for s in self.sheets if numbers is None or s.number in numbers]
        path.write_text("".join(f"{s.number} {s.code}\n" for s in chosen), encoding="utf-8")
        return str(path)

    def voters(self, school_class=None):
        qs = Voter.objects.filter(election=self.election)
        if school_class is not None:
            qs = qs.filter(school_class=school_class)
        return list(qs.order_by("family_name", "given_name", "student_ref"))

    def session_code(self, school_class) -> str:
        return codes.session_code_now(self.sessions[school_class.pk].secret)


def roll_csv(rows) -> str:
    lines = ["student_ref,given_name,family_name,class,grade,birth_date,district"]
    lines += [",".join(str(v) for v in row) for row in rows]
    return "\n".join(lines)


def build_election(
    *,
    admin,
    contact=None,
    districts=(("Norr", 1000), ("Syd", 600)),
    members=5,
    substitutes=2,
    candidates_per_district=3,
    classes_per_school=1,
    students_per_class=6,
    open_now=True,
    freeze=True,
    issue_codes=True,
    open_sessions=True,
    rng=None,
    slug="val",
) -> Built:
    rng = rng or random.Random(1)
    now = timezone.now()
    opens = now - timedelta(hours=1) if open_now else now + timedelta(days=1)
    election = services.election_create(
        actor=admin,
        name="Ungdomsval",
        slug=slug,
        opens_at=opens,
        closes_at=now + timedelta(days=3),
        total_members=members,
        total_substitutes=substitutes,
    )
    made_districts = [
        services.district_create(election=election, actor=admin, name=name, child_population=pop)
        for name, pop in districts
    ]
    schools = []
    for index, district in enumerate(made_districts):
        school = services.school_create(
            election=election, district=district, actor=admin, name=f"Skola {index + 1}"
        )
        if contact is not None:
            services.school_set_contacts(school=school, users=[contact], actor=admin)
        schools.append(school)
    candidates = {}
    for district in made_districts:
        for n in range(candidates_per_district):
            candidate = services.candidate_create(
                election=election,
                district=district,
                actor=admin,
                given_name=f"Kandidat{n}",
                family_name=district.name,
                grade=7,
                birth_date=date(now.year - 13, 3, 1),
            )
            services.candidate_transition(
                candidate=candidate, to=Candidate.Status.APPROVED, actor=admin
            )
            candidates.setdefault(district.pk, []).append(candidate)
    for s_index, school in enumerate(schools):
        rows = []
        for c_index in range(classes_per_school):
            for n in range(students_per_class):
                home = made_districts[s_index] if n % 4 else rng.choice(made_districts)
                rows.append(
                    (
                        f"{s_index}-{c_index}-{n}",
                        f"Elev{n}",
                        f"S{s_index}K{c_index}",
                        f"{7 + c_index}A",
                        7 + c_index,
                        date(now.year - 14, 1 + n % 12, 1).isoformat(),
                        home.slug,
                    )
                )
        report = services.roll_import(
            election=election, school=school, data=roll_csv(rows), actor=admin
        )
        assert report.ok, report.rejected
    classes = list(SchoolClass.objects.filter(school__election=election).order_by("pk"))
    built = Built(election, made_districts, schools, classes, candidates)
    if freeze:
        built.election, built.sheets = services.election_freeze(election=election, actor=admin)
    if issue_codes:
        for school_class in classes:
            for voter, code in services.class_codes_issue(
                school_class=school_class, actor=contact or admin
            ):
                built.codes[voter.pk] = code
    if open_sessions and freeze and open_now:
        for school_class in classes:
            built.sessions[school_class.pk] = services.session_open(
                school_class=school_class, actor=contact or admin, minutes=90
            )
    built.election.refresh_from_db()
    return built


__all__ = ["ElectionFactory", "Built", "build_election", "roll_csv", "School", "VotingSession"]
