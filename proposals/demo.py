"""Demo e-proposals in every state, with demo signers, for the demo municipality.

Deterministic and idempotent: reference data is found by slug, proposals by title, and signer
accounts by e-mail address. The proposals go through the real services (moderation, signing,
referral, the diary decision); only their dates are moved back afterwards, so the demo looks
like a portal that has been in use for a while.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.timezone import now as timezone_now

from democracy.core import demo as translated
from democracy.core.demo import add_translations
from democracy.diary import services as diary_services
from democracy.diary.models import AgendaItem, Meeting
from democracy.people.models import Organization
from proposals import services
from proposals.models import (
    District,
    Proposal,
    ProposalCount,
    ProposalEvent,
    RejectionReason,
    Topic,
)

User = get_user_model()

TOPICS = [
    ("skola", "Skola och förskola", "School and preschool"),
    ("trafik", "Trafik och gator", "Traffic and streets"),
    ("miljo", "Miljö och natur", "Environment and nature"),
    ("kultur-fritid", "Kultur och fritid", "Culture and leisure"),
    ("idrott", "Idrott och motion", "Sport and exercise"),
    ("omsorg", "Omsorg och hälsa", "Care and health"),
    ("bostader", "Bostäder och byggande", "Housing and building"),
    ("ovrigt", "Övrigt", "Other"),
]
# Must match the data migration (0002); repeated here because a flushed test database has none.
REJECTION_REASONS = [
    (
        "not-municipal",
        "Kommunen beslutar inte om frågan",
        "Not something the municipality decides",
        True,
    ),
    (
        "repeat",
        "Ett liknande förslag har beslutats de senaste tolv månaderna",
        "A similar proposal was decided in the last twelve months",
        True,
    ),
    (
        "duplicate",
        "Samma förslag samlar redan underskrifter",
        "The same proposal is already collecting signatures",
        True,
    ),
    (
        "authority",
        "Gäller myndighetsutövning mot en enskild person",
        "Concerns a decision about an individual",
        True,
    ),
    (
        "ongoing",
        "Frågan hanteras redan i en annan process",
        "The matter is already handled in another process",
        True,
    ),
    (
        "complaint",
        "Det är en felanmälan eller ett klagomål",
        "It is a fault report or a complaint",
        True,
    ),
    (
        "unclear",
        "Det framgår inte vad kommunen ska göra",
        "It is not clear what the municipality should do",
        True,
    ),
    (
        "offensive",
        "Kränkande eller diskriminerande innehåll",
        "Offensive or discriminating content",
        False,
    ),
    (
        "personal-data",
        "Innehåller uppgifter om privatpersoner",
        "Contains details of private persons",
        False,
    ),
    (
        "advertising",
        "Reklam eller partipolitisk kampanj",
        "Advertising or party-political campaigning",
        False,
    ),
]

GIVEN = [
    "Alva",
    "Elias",
    "Maja",
    "Noah",
    "Ella",
    "Hugo",
    "Wilma",
    "Liam",
    "Alice",
    "William",
    "Saga",
    "Lucas",
    "Olivia",
    "Oscar",
    "Astrid",
    "Adam",
    "Selma",
    "Ali",
    "Nora",
    "Omar",
]
FAMILY = [
    "Lindqvist",
    "Berg",
    "Holm",
    "Sandberg",
    "Nyström",
    "Ek",
    "Lund",
    "Forsberg",
    "Karimi",
    "Sjöberg",
    "Hedlund",
    "Åberg",
]
DOMAINS = [
    "example.org",
    "example.net",
    "example.com",
    "mail.example",
    "post.example",
    "norrvik.example",
    "brev.example",
    "webmail.example",
]
SIGNER_COUNT = 220


def _signers():
    """Demo residents who sign (no password: they cannot sign in; made cheaply in bulk)."""
    emails = [f"signer{i:03d}@{DOMAINS[i % len(DOMAINS)]}" for i in range(1, SIGNER_COUNT + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    unusable = make_password(None)
    new = [
        User(
            email=email,
            name=f"{GIVEN[i % len(GIVEN)]} {FAMILY[(i * 7) % len(FAMILY)]}",
            password=unusable,
        )
        for i, email in enumerate(emails)
        if email not in existing
    ]
    User.objects.bulk_create(new)
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    have = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=u, email=u.email, verified=True, primary=True)
            for u in users
            if u.pk not in have
        ]
    )
    return users


def _reference_data():
    # The English, Finnish and Arabic names are in democracy.core.demo (issue 15 item 7).
    for order, (slug, name, _name_en) in enumerate(TOPICS):
        topic, _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )
        add_translations(topic, "name", translated.TOPICS.get(slug, {}))
    for order, (slug, name, _population) in enumerate(translated.DISTRICTS):
        district, _ = District.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )
        add_translations(district, "name", translated.DISTRICT_NAMES.get(name, {}))
    for order, (code, title, _title_en, public) in enumerate(REJECTION_REASONS):
        reason, _ = RejectionReason.objects.get_or_create(
            code=code,
            defaults={"title": title, "public": public, "sort_order": order},
        )
        add_translations(reason, "title", translated.REASONS.get(code, {}))


def _sign(proposal, signers, districts):
    for index, user in enumerate(signers):
        slot = index % (len(districts) + 1)  # every sixth signer names no district
        try:
            services.proposal_sign(
                proposal=proposal,
                user=user,
                district=districts[slot] if slot < len(districts) else None,
                show_name=index % 3 == 0,
                notify=index % 2 == 0,
            )
        except services.AlreadySigned:
            pass
    return services.signature_count_refresh(proposal_id=proposal.pk)


def _backdate(proposal, days: int) -> None:
    """Move a demo proposal's dates ``days`` into the past (demo data only)."""
    delta = timedelta(days=days)
    fields = {}
    for name in (
        "created_at",
        "submitted_at",
        "published_at",
        "closes_at",
        "threshold_reached_at",
        "referred_at",
        "answered_at",
        "closed_at",
    ):
        value = getattr(proposal, name)
        if value is not None:
            fields[name] = value - delta
    Proposal.objects.filter(pk=proposal.pk).update(**fields)
    for event in ProposalEvent.objects.filter(proposal=proposal):
        ProposalEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - delta)
    for signature in proposal.signatures.all():
        type(signature).objects.filter(pk=signature.pk).update(
            created_at=signature.created_at - delta
        )
    if proposal.case_id and proposal.referred_at:
        type(proposal.case).objects.filter(pk=proposal.case_id).update(
            registered_on=(proposal.referred_at - delta).date()
        )
    ProposalCount.objects.filter(proposal=proposal).update(updated_at=timezone_now())
    proposal.refresh_from_db()


PROPOSALS = [
    # key, proposer local part, title, summary, body, topic, district, body slug
    (
        "draft",
        "anna.andersson",
        "Fler cykelställ vid stationen",
        "Det behövs fler och säkrare cykelställ vid resecentrum.",
        "Varje morgon är cykelställen vid stationen fulla. Många ställer cykeln mot staket och "
        "träd. Jag föreslår att kommunen bygger minst hundra nya cykelställ med tak.",
        "trafik",
        "centrum",
        "samhallsbyggnadsnamnden",
    ),
    (
        "submitted",
        "bilal.hassan",
        "Belysning längs promenadstråket vid ån",
        "Gångvägen längs ån är mörk på kvällarna och känns otrygg.",
        "Promenadstråket mellan Storbron och Norra hamnen saknar belysning på en lång sträcka. "
        "Många går där efter jobbet och på vintern är det helt mörkt. Sätt upp belysning.",
        "trafik",
        "norra-hamnen",
        "samhallsbyggnadsnamnden",
    ),
    (
        "revision",
        "cecilia.lind",
        "Hundrastgård i Skogsbacka",
        "En inhägnad plats där hundar kan springa lösa.",
        "Det finns många hundar i Skogsbacka men ingen hundrastgård. En inhägnad yta på "
        "grönområdet vid skolan skulle göra det lättare för alla.",
        "miljo",
        "skogsbacka",
        "samhallsbyggnadsnamnden",
    ),
    (
        "near",
        "david.nilsson",
        "Utegym i Västerby",
        "Bygg ett utegym vid motionsspåret i Västerby.",
        "Ett utegym med enkla redskap gör det lätt att träna gratis, för alla åldrar. Platsen "
        "vid motionsspårets start har redan parkering och belysning.",
        "idrott",
        "vasterby",
        "kultur-och-fritidsnamnden",
    ),
    (
        "early",
        "anna.andersson",
        "Simskola för alla barn i årskurs 2",
        "Alla barn ska få lära sig simma i skolan.",
        "Många barn kan inte simma när de slutar lågstadiet. Jag föreslår att alla elever i "
        "årskurs 2 får en veckas simskola i badhuset under skoltid.",
        "skola",
        None,
        "barn-och-utbildningsnamnden",
    ),
    (
        "referred",
        "bilal.hassan",
        "Övergångsställe vid Skolgatan",
        "Ett säkert övergångsställe vid Skolgatan där många barn går till skolan.",
        "Bilarna kör fort på Skolgatan och barnen måste korsa gatan utan övergångsställe. "
        "Anlägg ett upphöjt övergångsställe vid korsningen mot Lärcentrum.",
        "trafik",
        "centrum",
        "samhallsbyggnadsnamnden",
    ),
    (
        "answered",
        "cecilia.lind",
        "Läxhjälp på biblioteket",
        "Gratis läxhjälp för högstadieelever på biblioteket två kvällar i veckan.",
        "Alla har inte någon hemma som kan hjälpa till med läxorna. Biblioteket är öppet och "
        "centralt. Låt studenter och pensionerade lärare ge läxhjälp två kvällar i veckan.",
        "kultur-fritid",
        None,
        "kultur-och-fritidsnamnden",
    ),
    (
        "rejected",
        "david.nilsson",
        "Sänk bensinskatten",
        "Bensinen är för dyr för oss som bor på landet.",
        "Bensinskatten gör det dyrt att ta sig till jobbet. Kommunen borde sänka skatten på "
        "bensin så att fler har råd att köra bil.",
        "trafik",
        None,
        "kommunstyrelsen",
    ),
    (
        "withdrawn",
        "anna.andersson",
        "Glasskiosk i hamnen",
        "En glasskiosk vid gästhamnen under sommaren.",
        "På sommaren kommer många till gästhamnen men det finns ingenstans att köpa glass. "
        "Kommunen kan hyra ut en plats för en glasskiosk.",
        "kultur-fritid",
        "norra-hamnen",
        "kultur-och-fritidsnamnden",
    ),
    (
        "expired",
        "bilal.hassan",
        "Konstgräsplan i Östra Norrvik",
        "En konstgräsplan så att barnen kan spela fotboll året runt.",
        "Gräsplanen i Östra Norrvik går bara att använda halva året. En konstgräsplan skulle "
        "ge föreningarna och skolan en plan som fungerar året runt.",
        "idrott",
        "ostra-norrvik",
        "kultur-och-fritidsnamnden",
    ),
    (
        "hidden",
        "cecilia.lind",
        "Stäng biblioteket på söndagar",
        "Biblioteket behöver inte vara öppet på söndagar.",
        "Biblioteket har öppet på söndagar fast få besöker det då. Pengarna kan användas "
        "bättre till längre öppettider på vardagskvällar.",
        "kultur-fritid",
        None,
        "kultur-och-fritidsnamnden",
    ),
]


def seed(out) -> None:
    _reference_data()
    moderator = User.objects.filter(email="moderator@norrvik.example").first()
    bodies = {o.slug: o for o in Organization.objects.exclude(classification="party")}
    if moderator is None or not bodies:
        out("  E-proposals: skipped (run the accounts and people steps first).")
        return
    signers = _signers()
    districts = list(District.objects.all())
    topics = {t.slug: t for t in Topic.objects.all()}
    district_by_slug = {d.slug: d for d in districts}
    created = 0
    for key, local, title, summary, body, topic, district, body_slug in PROPOSALS:
        if Proposal.objects.filter(title=title).exists():
            continue
        proposer = User.objects.filter(email=f"{local}@norrvik.example").first()
        responsible = bodies.get(body_slug)
        if proposer is None or responsible is None:
            continue
        proposal = services.proposal_create(
            author=proposer,
            title=title,
            summary=summary,
            body=f"<p>{body}</p>",
            topic=topics[topic],
            district=district_by_slug.get(district) if district else None,
        )
        created += 1
        if key == "draft":
            continue
        proposal = services.proposal_submit(proposal=proposal, actor=proposer)
        if key == "submitted":
            _backdate(proposal, 3)
            continue
        if key == "revision":
            services.proposal_request_revision(
                proposal=proposal,
                actor=moderator,
                message="Skriv var i Skogsbacka du tänker dig hundrastgården.",
            )
            _backdate(proposal, 5)
            continue
        if key == "rejected":
            services.proposal_reject(
                proposal=proposal,
                actor=moderator,
                reason=RejectionReason.objects.get(code="not-municipal"),
                text="Skatten på bensin beslutas av riksdagen, inte av kommunen.",
            )
            _backdate(proposal, 40)
            continue
        proposal = services.proposal_publish(
            proposal=proposal, actor=moderator, responsible_organization=responsible
        )
        threshold = proposal.threshold
        if key == "near":
            _sign(proposal, signers[: threshold - 4], districts)
            _backdate(proposal, 60)
        elif key == "early":
            _sign(proposal, signers[:41], districts)
            _backdate(proposal, 10)
        elif key == "withdrawn":
            _sign(proposal, signers[:12], districts)
            services.proposal_withdraw(proposal=proposal, actor=proposer)
            _backdate(proposal, 30)
        elif key == "hidden":
            _sign(proposal, signers[:8], districts)
            services.proposal_hide(
                proposal=proposal,
                actor=moderator,
                reason="Förslaget är dolt medan vi utreder anmälningar om kränkande kommentarer.",
            )
            _backdate(proposal, 20)
        elif key == "expired":
            _sign(proposal, signers[:57], districts)
            _backdate(proposal, 95)
            services.proposal_close_if_due(proposal_id=proposal.pk)
        elif key in ("referred", "answered"):
            _sign(proposal, signers[:threshold], districts)
            proposal.refresh_from_db()
            if key == "answered":
                _backdate(proposal, 150)
                _answer(proposal, responsible)
            else:
                _backdate(proposal, 45)
    out(f"  E-proposals: {created} created, {Proposal.objects.count()} in all.")


def _answer(proposal, responsible) -> None:
    """Put the referred demo proposal on a held meeting of its body and record a decision."""
    meeting = (
        Meeting.objects.filter(organization=responsible, status=Meeting.Status.HELD)
        .order_by("-start")
        .first()
    )
    if meeting is None or proposal.case is None:
        return
    item = diary_services.agenda_item_add(
        meeting=meeting,
        title=f"Svar på e-förslag: {proposal.title}",
        case=proposal.case,
        proposal_text="Nämnden föreslås bifalla e-förslaget och starta läxhjälp till hösten.",
        actor=None,
    )
    diary_services.agenda_item_record_decision(
        item=item,
        outcome=AgendaItem.Outcome.APPROVED,
        decision_text="Nämnden bifaller e-förslaget. Läxhjälp startar på biblioteket till hösten.",
        actor=None,
    )
    # The signal answers the proposal after commit; doing it now keeps the demo in one step.
    services.proposal_case_decided(agenda_item_id=item.pk)
    # The proposal learns of the decision on the day of the meeting.
    Proposal.objects.filter(pk=proposal.pk).update(
        answered_at=meeting.start, closed_at=meeting.start
    )
    ProposalEvent.objects.filter(proposal=proposal, kind=ProposalEvent.Kind.DECIDED).update(
        created_at=meeting.start
    )
