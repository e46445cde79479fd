"""Demo meeting diary for the demo municipality, around today's date.

A year of meetings per body: held ones with approved and announced minutes, documents and
decisions (some after a vote, with votes by party), the newest held meeting with minutes not
yet approved, upcoming ones with notices, one moved meeting (the original time is kept) and
one cancelled; cases that pass through several meetings and bodies; a withheld document with
its legal ground. Idempotent: if any meeting exists, nothing is added.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.timezone import localdate

from democracy.diary import services
from democracy.diary.dates import next_working_day
from democracy.diary.models import AgendaItem, Case, Document, Meeting
from democracy.people.models import Organization

ADDRESS = "Storgatan 1, Norrvik"  # the town hall (Stadshuset)

# slug, weekday (0 = Monday), hour, place, every n months, street address of the place
SCHEDULE = [
    ("kommunfullmaktige", 0, 18, "Sessionssalen, Stadshuset", 1, ADDRESS),
    ("kommunstyrelsen", 2, 9, "Stora sammanträdesrummet, Stadshuset", 1, ADDRESS),
    ("ks-arbetsutskott", 1, 9, "Lilla sammanträdesrummet, Stadshuset", 1, ADDRESS),
    ("barn-och-utbildningsnamnden", 1, 13, "Lärcentrum", 1, "Skolgatan 4, Norrvik"),
    ("socialnamnden", 3, 13, "Rum Ljuset, Stadshuset", 1, ADDRESS),
    ("samhallsbyggnadsnamnden", 1, 9, "Rum Ängen, Stadshuset", 1, ADDRESS),
    ("kultur-och-fritidsnamnden", 3, 17, "Biblioteket", 1, "Torget 1, Norrvik"),
    ("norrviks-energi-ab", 4, 10, "Norrviks Energi", 3, "Verkstadsvägen 2, Norrvik"),
]
MONTHS_BACK, MONTHS_AHEAD = 11, 3

# Vote in the council on the budget: party slug → (yes, no, abstain, absent).
BUDGET_VOTES = {
    "s": (14, 0, 0, 1),
    "c": (5, 0, 0, 0),
    "v": (4, 0, 0, 0),
    "mp": (2, 0, 0, 0),
    "m": (0, 10, 0, 0),
    "sd": (0, 9, 0, 0),
    "kd": (0, 2, 0, 0),
    "l": (0, 1, 1, 0),
}
PLAN_VOTES = {
    "s": (4, 0, 0, 0),
    "m": (2, 0, 0, 0),
    "c": (1, 0, 0, 0),
    "sd": (0, 2, 0, 0),
}


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _meeting_day(first_of_month, weekday):
    """The body's weekday in the second week of the month."""
    return first_of_month + timedelta(days=(weekday - first_of_month.weekday()) % 7 + 7)


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


def seed(out) -> None:
    today = localdate()
    bodies = {o.slug: o for o in Organization.objects.exclude(classification="party")}
    parties = {o.slug: o for o in Organization.objects.filter(classification="party")}
    if not bodies or Meeting.objects.exists():
        out(f"  Meetings: {Meeting.objects.count()} already present.")
        return

    meetings = {}  # (slug, month offset) → meeting
    for slug, weekday, hour, place, every, address in SCHEDULE:
        body = bodies.get(slug)
        if body is None:
            continue
        for offset in range(-MONTHS_BACK, MONTHS_AHEAD + 1):
            if offset % every:
                continue
            day = _meeting_day(_add_months(today.replace(day=1), offset), weekday)
            start = _at(day, hour)
            held = day < today
            meeting = services.meeting_create(
                organization=body,
                start=start,
                end=start + timedelta(hours=3),
                status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
                location=place,
                address=address,
                notice_published_on=day - timedelta(days=10) if (held or offset == 0 or day - today < timedelta(days=14)) else None,
                public_announcement_on=day - timedelta(days=14) if body.slug == "kommunfullmaktige" else None,
                actor=None,
            )
            meetings[(slug, offset)] = meeting
            services.agenda_item_add(meeting=meeting, title="Val av justerare", actor=None)
            services.agenda_item_add(
                meeting=meeting, title="Godkännande av dagordningen", actor=None
            )
            if meeting.notice_published_on:
                services.document_add(
                    kind=Document.Kind.NOTICE,
                    title=f"Kallelse {meeting}",
                    meeting=meeting,
                    published_on=meeting.notice_published_on,
                    text=f"<p>{body.name} kallas till sammanträde {day:%Y-%m-%d} kl. {hour}.00 i {place}.</p>",
                    actor=None,
                )
                services.document_add(
                    kind=Document.Kind.AGENDA,
                    title=f"Föredragningslista {meeting}",
                    meeting=meeting,
                    published_on=meeting.notice_published_on,
                    actor=None,
                )

    cases = _seed_cases(bodies, meetings, parties, today)

    # Close the held meetings: standard decisions, minutes approved and announced (except the
    # newest one of the executive board, whose minutes are still waiting for approval).
    newest_ks = max(
        (m for (slug, _o), m in meetings.items() if slug == "kommunstyrelsen" and m.start.date() < today),
        key=lambda m: m.start,
        default=None,
    )
    for meeting in meetings.values():
        if timezone.localtime(meeting.start).date() >= today:
            continue
        for item in meeting.agenda_items.filter(outcome=""):
            standard = item.case_id is None
            services.agenda_item_record_decision(
                item=item,
                outcome=AgendaItem.Outcome.ELECTION if item.position == 1 else AgendaItem.Outcome.APPROVED,
                decision_text=(
                    "Sammanträdet väljer två justerare." if item.position == 1
                    else "Dagordningen godkänns." if standard else "Förslaget bifalls."
                ),
                decided_at=meeting.start + timedelta(minutes=10 * item.position),
                actor=None,
            )
        day = timezone.localtime(meeting.start).date()
        if meeting == newest_ks and today - day < timedelta(days=12):
            services.meeting_transition(meeting=meeting, to=Meeting.Status.HELD, actor=None)
            services.document_add(
                kind=Document.Kind.MINUTES,
                title=f"Protokoll {meeting} (ojusterat)",
                meeting=meeting,
                minutes_version=Document.MinutesVersion.UNADJUSTED,
                published_on=day + timedelta(days=1),
                text="<p>Protokollet är inte justerat. Besluten gäller först när protokollet har justerats och anslagits.</p>",
                actor=None,
            )
            continue
        adjusted = next_working_day(day + timedelta(days=6))
        announced = next_working_day(adjusted + timedelta(days=1))
        if announced > today:
            adjusted, announced = day, day
        services.meeting_record_minutes(
            meeting=meeting, adjusted_on=adjusted, announced_on=announced, actor=None
        )
        services.document_add(
            kind=Document.Kind.MINUTES,
            title=f"Protokoll {meeting}",
            meeting=meeting,
            minutes_version=Document.MinutesVersion.ADJUSTED,
            published_on=announced,
            text=(
                f"<p>Protokollet justerades {adjusted:%Y-%m-%d} och anslogs {announced:%Y-%m-%d}.</p>"
                "<p>Den som är medlem i kommunen kan överklaga besluten till förvaltningsrätten "
                "inom tre veckor från den dag protokollet anslogs.</p>"
            ),
            actor=None,
        )

    # One upcoming meeting moved, one cancelled.
    moved = meetings.get(("kommunstyrelsen", 2))
    if moved is not None:
        services.meeting_move(
            meeting=moved,
            start=moved.start + timedelta(days=1, hours=4),
            actor=None,
            reason="Flyttat på grund av budgetarbetet.",
        )
    cancelled = meetings.get(("kultur-och-fritidsnamnden", 2))
    if cancelled is not None:
        services.meeting_cancel(
            meeting=cancelled, actor=None, reason="Inställt: inga ärenden att behandla."
        )
    confirmed = meetings.get(("kommunfullmaktige", 1))
    if confirmed is not None and confirmed.status == Meeting.Status.PLANNED:
        services.meeting_transition(meeting=confirmed, to=Meeting.Status.CONFIRMED, actor=None)
    out(
        f"  Meetings: {Meeting.objects.count()} meetings, {len(cases)} cases, "
        f"{AgendaItem.objects.exclude(outcome='').count()} decisions."
    )


def _votes(parties, table):
    return {
        parties[slug]: {"yes": y, "no": n, "abstain": a, "absent": absent}
        for slug, (y, n, a, absent) in table.items()
        if slug in parties
    }


def _seed_cases(bodies, meetings, parties, today) -> list[Case]:
    """Cases that pass through more than one meeting, each step as an agenda item."""
    created = []

    def step(slug, offset, case, proposal, outcome="", decision="", votes=None, public=True):
        meeting = meetings.get((slug, offset))
        if meeting is None:
            return None
        item = services.agenda_item_add(
            meeting=meeting, title=case.title, case=case, proposal_text=proposal,
            public=public, actor=None,
        )
        if outcome and timezone.localtime(meeting.start).date() < today:
            services.agenda_item_record_decision(
                item=item, outcome=outcome, decision_text=decision, party_votes=votes,
                decided_at=meeting.start + timedelta(hours=1), actor=None,
            )
        return item

    def open_case(slug, title, summary, origin=Case.Origin.OFFICIAL, days_ago=300):
        case = services.case_open(
            title=title,
            summary=summary,
            responsible_organization=bodies[slug],
            origin=origin,
            registered_on=today - timedelta(days=days_ago),
            actor=None,
        )
        created.append(case)
        return case

    if {"kommunstyrelsen", "kommunfullmaktige", "ks-arbetsutskott"} <= bodies.keys():
        budget = open_case(
            "kommunstyrelsen",
            "Budget 2027 med plan för 2028–2029",
            "Hur mycket pengar varje nämnd får nästa år och vilken skattesats kommunen ska ha.",
            days_ago=150,
        )
        step("ks-arbetsutskott", -3, budget, "Arbetsutskottet föreslår kommunstyrelsen att föreslå fullmäktige att fastställa budgeten.",
             AgendaItem.Outcome.APPROVED, "Arbetsutskottet föreslår kommunstyrelsen att föreslå fullmäktige att fastställa budgeten.")
        step("kommunstyrelsen", -2, budget, "Kommunstyrelsen föreslår fullmäktige att fastställa budgeten och skattesatsen 21,45 kronor.",
             AgendaItem.Outcome.APPROVED, "Kommunstyrelsen föreslår fullmäktige att fastställa budgeten och skattesatsen 21,45 kronor. Moderaterna och Sverigedemokraterna reserverar sig.")
        step("kommunfullmaktige", -1, budget, "Fullmäktige föreslås fastställa budgeten och skattesatsen 21,45 kronor.",
             AgendaItem.Outcome.APPROVED_AFTER_VOTE,
             "Kommunfullmäktige fastställer budgeten och skattesatsen 21,45 kronor efter votering (25–22, 1 avstod).",
             votes=_votes(parties, BUDGET_VOTES))
        services.document_add(
            kind=Document.Kind.OFFICIAL_REPORT, title="Tjänsteskrivelse: budget 2027", case=budget,
            text="<p>Ekonomiavdelningen föreslår en budget i balans med oförändrad skattesats.</p>",
            registry_document_id=f"{budget.diary_number}-2", actor=None,
        )

        motion = open_case(
            "kommunstyrelsen",
            "Motion om gratis kollektivtrafik för unga under 20 år",
            "Vänsterpartiet föreslår att unga under 20 år ska åka gratis med kommunens bussar.",
            origin=Case.Origin.MOTION, days_ago=250,
        )
        step("kommunfullmaktige", -6, motion, "Motionen anmäls och lämnas till kommunstyrelsen för beredning.",
             AgendaItem.Outcome.NOTED, "Motionen lämnas till kommunstyrelsen för beredning.")
        step("kommunstyrelsen", 1, motion, "Kommunstyrelsen föreslås föreslå fullmäktige att avslå motionen med hänvisning till kostnaderna.")

    if "samhallsbyggnadsnamnden" in bodies:
        plan = open_case(
            "samhallsbyggnadsnamnden",
            "Detaljplan för bostäder vid Norra hamnen",
            "En ny plan som gör det möjligt att bygga cirka 300 bostäder och en förskola vid Norra hamnen.",
            days_ago=280,
        )
        step("samhallsbyggnadsnamnden", -5, plan, "Nämnden föreslås godkänna planförslaget för granskning.",
             AgendaItem.Outcome.TABLED, "Ärendet bordläggs till nästa sammanträde.")
        step("samhallsbyggnadsnamnden", -4, plan, "Nämnden föreslås godkänna planförslaget för granskning.",
             AgendaItem.Outcome.APPROVED_AFTER_VOTE, "Nämnden godkänner planförslaget för granskning efter votering (7–2).",
             votes=_votes(parties, PLAN_VOTES))

    if "barn-och-utbildningsnamnden" in bodies:
        school = open_case(
            "barn-och-utbildningsnamnden",
            "Skolskjuts för elever i Västerby",
            "Om eleverna i Västerby ska få skolskjuts när deras skolväg ändras.",
            days_ago=200,
        )
        step("barn-och-utbildningsnamnden", -2, school, "Nämnden föreslås införa skolskjuts från och med höstterminen.",
             AgendaItem.Outcome.REFERRED_BACK, "Ärendet återremitteras för att utreda trafiksäkerheten på skolvägen.")
        step("barn-och-utbildningsnamnden", 1, school, "Nämnden föreslås införa skolskjuts från och med vårterminen.")

    if "kultur-och-fritidsnamnden" in bodies:
        gym = open_case(
            "kultur-och-fritidsnamnden",
            "Medborgarförslag om ett utegym vid Badsjön",
            "En invånare föreslår ett utegym vid Badsjön som alla kan använda gratis.",
            origin=Case.Origin.CITIZEN_PROPOSAL, days_ago=180,
        )
        step("kultur-och-fritidsnamnden", -1, gym, "Nämnden föreslås bifalla medborgarförslaget och bygga utegymmet under våren.",
             AgendaItem.Outcome.APPROVED, "Nämnden bifaller medborgarförslaget. Utegymmet byggs under våren.")

    if "socialnamnden" in bodies:
        secret = open_case(
            "socialnamnden",
            "Individärende enligt socialtjänstlagen",
            "Ett ärende om en enskild person. Det behandlas inom stängda dörrar.",
            days_ago=60,
        )
        item = step("socialnamnden", -1, secret, "", AgendaItem.Outcome.APPROVED,
                    "Beslut enligt förslaget.", public=True)
        if item is not None:
            services.document_add(
                kind=Document.Kind.DECISION_BASIS, title="Utredning i individärende", case=secret,
                public=False, withheld_ground="OSL 26 kap. 1 § (sekretess inom socialtjänsten)",
                registry_document_id=f"{secret.diary_number}-1", actor=None,
            )
    return created
