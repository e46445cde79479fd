"""Demo meetings for the demo municipality's bodies, around today's date.

Idempotent: a body that already has meetings is left as it is.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.timezone import localdate

from democracy.diary import services
from democracy.diary.models import AgendaItem, Case, Meeting
from democracy.people.models import Organization, Term

# slug, weekday (0 = Monday), hour, place
SCHEDULE = [
    ("kommunfullmaktige", 0, 18, "Sessionssalen, Stadshuset"),
    ("kommunstyrelsen", 2, 9, "Stora sammanträdesrummet, Stadshuset"),
    ("barn-och-utbildningsnamnden", 1, 13, "Lärcentrum, Skolgatan 4"),
    ("socialnamnden", 3, 13, "Rum Ljuset, Stadshuset"),
    ("samhallsbyggnadsnamnden", 1, 9, "Rum Ängen, Stadshuset"),
    ("kultur-och-fritidsnamnden", 3, 17, "Biblioteket, Torget 1"),
]

CASES = [
    # body slug, title, summary, proposal text, decision text
    (
        "kommunstyrelsen",
        "Budget 2027 med plan för 2028–2029",
        "Hur mycket pengar varje nämnd får nästa år och vilken skattesats kommunen ska ha.",
        "Kommunstyrelsen föreslår fullmäktige att fastställa budgeten och skattesatsen 21,45 kronor.",
        "Kommunfullmäktige fastställer budgeten och skattesatsen 21,45 kronor.",
    ),
    (
        "samhallsbyggnadsnamnden",
        "Detaljplan för bostäder vid Norra hamnen",
        "En ny plan som gör det möjligt att bygga cirka 300 bostäder och en förskola vid Norra hamnen.",
        "Nämnden föreslås godkänna planförslaget för granskning.",
        "Nämnden godkänner planförslaget för granskning.",
    ),
    (
        "barn-och-utbildningsnamnden",
        "Skolskjuts för elever i Västerby",
        "Om eleverna i Västerby ska få skolskjuts när deras skolväg ändras.",
        "Nämnden föreslås införa skolskjuts från och med höstterminen.",
        "Nämnden inför skolskjuts från och med höstterminen.",
    ),
]


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed(out) -> None:
    today = localdate()
    bodies = {o.slug: o for o in Organization.objects.exclude(classification="party")}
    terms = list(Term.objects.order_by("start_date"))
    if not bodies or Meeting.objects.exists():
        out(f"  Meetings: {Meeting.objects.count()} already present.")
        return

    created = 0
    for slug, weekday, hour, place in SCHEDULE:
        body = bodies.get(slug)
        if body is None:
            continue
        numbers = {}
        # One meeting a month: six months back and three ahead, on the body's weekday.
        for month_offset in range(-6, 4):
            first = (today.replace(day=1) + timedelta(days=32 * month_offset)).replace(day=1)
            day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7)
            start = _at(day, hour)
            numbers[day.year] = numbers.get(day.year, 0) + 1
            term = next((t for t in terms if t.contains(day)), None)
            held = day < today
            meeting = Meeting.objects.create(
                organization=body,
                term=term,
                year=day.year,
                number=numbers[day.year],
                start=start,
                end=start + timedelta(hours=3),
                status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
                publicity=(
                    Meeting.Publicity.OPEN
                    if body.meetings_public_default
                    else Meeting.Publicity.CLOSED
                ),
                location=place,
                notice_published_on=day - timedelta(days=10),
                minutes_adjusted_on=day + timedelta(days=6) if held else None,
                minutes_announced_on=day + timedelta(days=7) if held else None,
            )
            created += 1
            services.agenda_item_add(meeting=meeting, title="Val av justerare", actor=None)

    # A few cases that pass through more than one meeting and end in a decision.
    for body_slug, title, summary, proposal_text, decision_text in CASES:
        body = bodies.get(body_slug)
        if body is None:
            continue
        case = services.case_open(
            title=title,
            summary=summary,
            responsible_organization=body,
            registered_on=today - timedelta(days=200),
            actor=None,
        )
        meetings = list(
            Meeting.objects.filter(organization=body, status=Meeting.Status.HELD).order_by("start")
        )[-3:]
        for index, meeting in enumerate(meetings):
            item = services.agenda_item_add(
                meeting=meeting, title=title, case=case, proposal_text=proposal_text, actor=None
            )
            last = index == len(meetings) - 1
            services.agenda_item_record_decision(
                item=item,
                outcome=AgendaItem.Outcome.APPROVED if last else AgendaItem.Outcome.TABLED,
                decision_text=decision_text if last else "Ärendet bordläggs till nästa sammanträde.",
                actor=None,
            )
    out(f"  Meetings: {created} meetings, {Case.objects.count()} cases.")
