"""The demo municipality's political organisation: terms, parties, bodies, politicians.

Deterministic (a fixed random seed) and idempotent: rows are found by slug before they are
created, so running it twice changes nothing.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from democracy.core import demo as translated
from democracy.core.demo import add_translations
from democracy.people.models import ContactDetail, Membership, Organization, Person, Term
from democracy.people.services import membership_create, person_create

TERMS = [
    ("2022–2026", "2022-2026", date(2022, 10, 15), date(2026, 10, 14)),
    ("2026–2030", "2026-2030", date(2026, 10, 15), date(2030, 10, 14)),
]

PARTIES = [
    # slug, name, short name, colour, seats in the council (of 49) for 2026–2030
    ("s", "Socialdemokraterna", "S", "#e8112d", 15),
    ("m", "Moderaterna", "M", "#52bdec", 10),
    ("sd", "Sverigedemokraterna", "SD", "#dddd00", 9),
    ("c", "Centerpartiet", "C", "#009933", 5),
    ("v", "Vänsterpartiet", "V", "#da291c", 4),
    ("kd", "Kristdemokraterna", "KD", "#000077", 2),
    ("l", "Liberalerna", "L", "#006ab3", 2),
    ("mp", "Miljöpartiet de gröna", "MP", "#83cf39", 2),
]

BODIES = [
    # slug, name, short, classification, parent slug, public meetings, description, seats
    (
        "kommunfullmaktige", "Kommunfullmäktige", "KF", Organization.Classification.COUNCIL, None, True,
        "Kommunens högsta beslutande organ. Fullmäktige beslutar om budget, skatt, mål och "
        "regler för hela kommunen. Sammanträdena är öppna för alla.", 49,
    ),
    (
        "kommunstyrelsen", "Kommunstyrelsen", "KS", Organization.Classification.EXECUTIVE_BOARD, None, False,
        "Leder och samordnar kommunens arbete, har hand om ekonomin och bereder ärenden "
        "till fullmäktige.", 13,
    ),
    (
        "ks-arbetsutskott", "Kommunstyrelsens arbetsutskott", "KSAU", Organization.Classification.SUBCOMMITTEE,
        "kommunstyrelsen", False, "Bereder kommunstyrelsens ärenden.", 5,
    ),
    (
        "barn-och-utbildningsnamnden", "Barn- och utbildningsnämnden", "BUN", Organization.Classification.COMMITTEE,
        None, False, "Ansvarar för förskola, grundskola, fritidshem och gymnasieskola.", 11,
    ),
    (
        "socialnamnden", "Socialnämnden", "SN", Organization.Classification.COMMITTEE, None, False,
        "Ansvarar för äldreomsorg, stöd till personer med funktionsnedsättning, "
        "individ- och familjeomsorg.", 11,
    ),
    (
        "samhallsbyggnadsnamnden", "Samhällsbyggnadsnämnden", "SBN", Organization.Classification.COMMITTEE,
        None, False, "Ansvarar för planering, bygglov, gator, parker och miljötillsyn.", 9,
    ),
    (
        "kultur-och-fritidsnamnden", "Kultur- och fritidsnämnden", "KFN", Organization.Classification.COMMITTEE,
        None, False, "Ansvarar för bibliotek, kulturskola, idrottsanläggningar och föreningsbidrag.", 7,
    ),
    (
        "norrviks-energi-ab", "Norrviks Energi AB", "NEAB", Organization.Classification.COMPANY_BOARD, None, False,
        "Kommunens bolag för fjärrvärme, elnät och bredband.", 5,
    ),
    (
        "ungdomsfullmaktige", "Ungdomsfullmäktige", "UF", Organization.Classification.YOUTH_COUNCIL, None, True,
        "Ungas röst i kommunen. Ledamöterna väljs av eleverna varje höst.", 0,
    ),
]

GIVEN_NAMES = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Eva", "Johan", "Sara", "Per",
    "Lena", "Mikael", "Emma", "Fredrik", "Sofia", "Ahmed", "Fatima", "Jonas", "Ingrid",
    "Mohammed", "Elin", "Oskar", "Hanna", "Nils", "Amira", "Gustav", "Linnea", "Ali",
    "Helena", "Björn", "Maja", "Daniel", "Åsa", "Peter", "Zeynep", "Henrik", "Ida", "Kristian",
]
FAMILY_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindqvist",
    "Berg", "Holm", "Ali", "Hassan", "Lundgren", "Sandberg", "Forsberg", "Åberg", "Öberg",
    "Nyström", "Ekström", "Sjöberg", "Wallin", "Engström", "Mohammadi", "Yilmaz",
]

COUNCIL_SIZE = 49
PEOPLE_COUNT = 100


def _get_or_create_term(name, slug, start, end):
    term, _ = Term.objects.get_or_create(
        slug=slug, defaults={"name": name, "start_date": start, "end_date": end}
    )
    return term


def seed(out) -> None:  # noqa: C901 - one straight script of demo steps, read top to bottom
    rng = random.Random(2026)
    terms = [_get_or_create_term(*spec) for spec in TERMS]
    previous_term, current_term = terms

    parties = {}
    for order, (slug, name, short, color, _seats) in enumerate(PARTIES):
        parties[slug], _ = Organization.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "short_name": short,
                "classification": Organization.Classification.PARTY,
                "color": color,
                "sort_order": order,
            },
        )

    bodies = {}
    for order, (slug, name, short, kind, parent, public, description, _seats) in enumerate(BODIES):
        bodies[slug], _ = Organization.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "short_name": short,
                "registry_series": "KS" if kind == Organization.Classification.SUBCOMMITTEE else short,
                "classification": kind,
                "parent": bodies.get(parent),
                "meetings_public_default": public,
                "description": description,
                "email": f"{short.lower()}@norrvik.example",
                "registry_email": "registrator@norrvik.example",
                "sort_order": order,
            },
        )
        add_translations(bodies[slug], "description", translated.BODIES.get(slug, {}))

    if Person.objects.exists():
        out(f"  People: {Person.objects.count()} politicians already present.")
        return

    # Politicians, each with a party; the order decides who gets which seat.
    party_cycle = []
    for slug, _name, _short, _color, seats in PARTIES:
        party_cycle += [slug] * seats
    names = set()
    people = []
    while len(people) < PEOPLE_COUNT:
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        if (given, family) in names:
            continue
        names.add((given, family))
        party = parties[party_cycle[len(people) % len(party_cycle)]]
        person = person_create(given_name=given, family_name=family, actor=None)
        people.append((person, party))

    by_party = {}
    for person, party in people:
        by_party.setdefault(party.slug, []).append(person)

    def members_for(n_seats, offset, exclude=()):
        """n seats split over the parties by council size, picking people in party order
        (never anyone in ``exclude``: a substitute is not also a member of the body)."""
        chosen = []
        for slug, _name, _short, _color, seats in PARTIES:
            share = round(n_seats * seats / COUNCIL_SIZE)
            pool = [p for p in by_party.get(slug, []) if p not in exclude]
            for i in range(min(share, len(pool))):
                chosen.append((pool[(offset + i) % len(pool)], parties[slug]))
        return chosen[:n_seats]

    for offset, (slug, _name, _short, _kind, _parent, _public, _desc, seats) in enumerate(BODIES):
        if not seats:
            continue
        body = bodies[slug]
        members = members_for(seats, offset)
        substitutes = members_for(
            max(2, seats // 2), offset + 3, exclude={person for person, _party in members}
        )
        for index, (person, party) in enumerate(members):
            role = Membership.Role.MEMBER
            if index == 0:
                role = Membership.Role.CHAIR
            elif index == 1:
                role = Membership.Role.FIRST_VICE_CHAIR
            elif index == 2 and seats >= 9:
                role = Membership.Role.SECOND_VICE_CHAIR
            membership_create(
                person=person, organization=body, term=current_term, role=role,
                on_behalf_of=party, actor=None,
            )
        for order, (person, party) in enumerate(substitutes, start=1):
            membership_create(
                person=person, organization=body, term=current_term,
                role=Membership.Role.SUBSTITUTE, substitute_order=order,
                on_behalf_of=party, actor=None,
            )
        # Past assignments: the same body in the previous term, shifted by one person.
        for person, party in members_for(seats, offset + 1):
            membership_create(
                person=person, organization=body, term=previous_term,
                role=Membership.Role.MEMBER, on_behalf_of=party, actor=None,
            )

    # Every politician belongs to a party (Popolo: membership of the party organisation).
    for person, party in people:
        membership_create(person=person, organization=party, term=current_term, actor=None)

    # Contact details: official e-mail published with consent for most; a phone number for
    # some; a few withheld (no consent) and one protected person.
    consent_at = timezone.make_aware(datetime.combine(current_term.start_date, time(9, 0)))
    for index, (person, _party) in enumerate(people):
        slug_mail = person.slug.replace("-", ".")
        consented = index % 7 != 3
        ContactDetail.objects.create(
            person=person,
            type=ContactDetail.Type.EMAIL,
            value=f"{slug_mail}@politiker.norrvik.example",
            label="Uppdragsadress",
            is_official=True,
            publish=consented,
            consent_given_at=consent_at if consented else None,
            consent_source="Samtyckesblankett" if consented else "",
        )
        if index % 3 == 0:
            ContactDetail.objects.create(
                person=person,
                type=ContactDetail.Type.CELL,
                value=f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                label="Mobil",
                publish=consented,
                consent_given_at=consent_at if consented else None,
                consent_source="Samtyckesblankett" if consented else "",
            )
        if index % 11 == 5:
            # A number that was valid in the previous term only: never shown any more.
            ContactDetail.objects.create(
                person=person,
                type=ContactDetail.Type.VOICE,
                value=f"0555-{rng.randint(10000, 99999)}",
                label="Telefon (tidigare uppdrag)",
                publish=True,
                consent_given_at=consent_at,
                consent_source="Samtyckesblankett",
                valid_until=current_term.start_date - timedelta(days=1),
            )
    protected = people[-1][0]
    protected.is_protected = True
    protected.save(update_fields=["is_protected"])
    out(
        f"  People: {len(people)} politicians, {len(parties)} parties, "
        f"{len(bodies)} bodies, terms {previous_term} and {current_term}."
    )
