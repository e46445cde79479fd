"""Journey 1 of issue 12, in one real browser session per person, clicked and typed:

an election administrator sets up an election (districts with child populations, a school,
candidates with a photo and a statement, approved on the page, a roll from a CSV file),
freezes it; a school contact person prints the class's codes and opens a session; two
students vote in the booth with their printed code and the rotating class code; the contact
person records a paper ballot; voting closes; the administrator counts, publishes and adds
the elected to the youth council; the youth council's page and each elected student's page
then show the new assignment. axe-core and the 320 px reflow check run on every page type.

The voting window closes by the clock, as it does for a real election; the test moves the
clock of the whole process (the served app runs in a thread of it) past the closing time.
"""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from democracy.core.roles import Role
from democracy.people.models import Membership, Organization
from democracy.people.services import organization_create
from tests.proposals.test_browser import sign_in
from youth_vote.models import Ballot, Candidate, Election, Participation, Voter

pytestmark = pytest.mark.browser

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _png(path):
    image = Image.new("RGB", (120, 120), (40, 110, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _roll_csv(path, year):
    born = f"{year - 13}-04-02"
    rows = [
        "student_ref,given_name,family_name,class,grade,birth_date,district",
        f"7001,Alva,Berg,7A,7,{born},norr",
        f"7002,Bo,Söderlund,7A,7,{born},Söder",
        f"7003,Omar,Haddad,7A,7,{born},norr",
        f"7004,Dana,Ek,7A,7,{born},norr",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def new_page(_playwright_browser, live_app):
    """``new_page()``: a page in a browser context of its own (one person, one device),
    in Swedish; every context is closed when the test ends."""
    contexts = []

    def make():
        context = _playwright_browser.new_context(
            base_url=live_app.url, locale="sv-SE", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _add_candidate(page, *, given, family, district, birth, statement="", photo=None, alt=""):
    page.get_by_label("Förnamn").fill(given)
    page.get_by_label("Efternamn").fill(family)
    page.get_by_label("Område").select_option(label=district)
    page.get_by_label("Skola").fill("Norrskolan")
    page.get_by_label("Årskurs").fill("8")
    page.get_by_label("Födelsedatum").fill(birth)
    if statement:
        page.get_by_label("Därför ska du rösta på mig").fill(statement)
    if photo:
        page.get_by_label(re.compile(r"^Foto")).set_input_files(str(photo))
        page.get_by_label("Beskrivning av fotot").fill(alt)
    page.get_by_role("button", name="Lägg till").click()
    page.get_by_text("Kandidaten är tillagd").wait_for()


def _vote_in_booth(new_page, live_app, assert_accessible, *, code, class_code, candidate):
    student = new_page()
    student.goto(live_app("/youth-vote/vote/"))
    student.get_by_label("Din kod").fill(code)
    student.get_by_label("Klassens kod").fill(class_code)
    student.get_by_role("button", name="Nästa").click()
    student.get_by_role("heading", name="Välj en kandidat").wait_for()
    assert_accessible(student)
    student.get_by_label(candidate).check()
    student.get_by_role("button", name="Nästa").click()
    student.locator(".yv-confirm").wait_for()
    assert candidate in student.locator(".yv-confirm").inner_text()
    student.get_by_role("button", name="Ja, rösta").click()
    student.wait_for_url(live_app("/youth-vote/vote/done/"))
    tracker = student.locator(".yv-tracker__code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", tracker)
    assert_accessible(student)
    return tracker


def test_election_from_set_up_to_the_youth_council(
    live_app, assert_accessible, make_user, new_page, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = make_user(
        email="valadmin@example.org", name="Vera Valadmin", roles=[Role.ELECTION_ADMIN], totp=True
    )
    contact = make_user(
        email="kontakt@example.org", name="Kim Kontakt", roles=[Role.SCHOOL_CONTACT], totp=True
    )
    # The youth council is a body of the diary, kept by the diary editors.
    organization_create(
        name="Ungdomsfullmäktige",
        slug="ungdomsfullmaktige",
        classification=Organization.Classification.YOUTH_COUNCIL,
        actor=None,
    )
    now = timezone.localtime()
    opens_at = (now - timedelta(hours=1)).replace(second=0, microsecond=0)
    closes_at = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    candidate_birth = f"{now.year - 14}-09-15"

    # --- The election administrator sets the election up. -----------------------------------
    admin_page = new_page()
    sign_in(admin_page, live_app, admin, totp=True)
    admin_page.goto(live_app("/staff/"))
    admin_page.get_by_role("link", name="Val till ungdomsfullmäktige").click()
    admin_page.wait_for_url(live_app("/youth-vote/admin/"))
    assert_accessible(admin_page)
    admin_page.get_by_label("Namn").fill("Val till ungdomsfullmäktige i Norrvik")
    admin_page.get_by_label("Om valet").fill("Eleverna väljer ungdomsfullmäktige.")
    admin_page.get_by_label("Röstningen öppnar").fill(opens_at.strftime(LOCAL_MINUTE))
    admin_page.get_by_label("Röstningen stänger").fill(closes_at.strftime(LOCAL_MINUTE))
    admin_page.get_by_label("Ledamöter att välja").fill("3")
    admin_page.get_by_label("Ersättare att välja").fill("2")
    admin_page.get_by_label("Ungdomsfullmäktige i diariet").select_option(
        label="Ungdomsfullmäktige"
    )
    admin_page.get_by_role("button", name="Skapa").click()
    admin_page.get_by_text("Valet är skapat").wait_for()
    election = Election.objects.get()
    slug = election.slug
    assert_accessible(admin_page)

    # Districts with their child populations: the seats are shared by them.
    admin_page.get_by_role("navigation", name="Inställningar").get_by_role(
        "link", name="Områden"
    ).click()
    for name, population in (("Norr", "600"), ("Söder", "400")):
        # The Swedish name; the inputs for the other languages follow it ("Namn (Finska)" …).
        admin_page.get_by_label("Namn:", exact=True).fill(name)
        admin_page.get_by_label("Barn som bor i området").fill(population)
        admin_page.get_by_role("button", name="Lägg till").click()
        admin_page.get_by_role("row", name=re.compile(name)).wait_for()
    rows = admin_page.get_by_role("table").inner_text()
    assert re.search(r"Norr\s+600\s+2\s+1", rows), rows
    assert re.search(r"Söder\s+400\s+1\s+1", rows), rows
    assert_accessible(admin_page)

    # A school, and its contact person.
    admin_page.get_by_role("link", name="Skolor", exact=True).click()
    admin_page.get_by_label("Namn").fill("Norrskolan")
    admin_page.get_by_label("Område").select_option(label="Norr")
    admin_page.get_by_role("button", name="Lägg till").click()
    admin_page.get_by_role("heading", name="Norrskolan").wait_for()
    assert_accessible(admin_page)
    admin_page.get_by_label("Kontaktpersoner").fill(contact.email)
    admin_page.get_by_role("button", name="Spara").last.click()
    admin_page.get_by_role("cell", name=contact.email).wait_for()

    # Candidates: one with a photo and a statement; every one approved on the page.
    admin_page.get_by_role("link", name="Kandidater", exact=True).click()
    photo = _png(tmp_path / "alva.png")
    _add_candidate(
        admin_page,
        given="Saga",
        family="Lind",
        district="Norr",
        birth=candidate_birth,
        statement="Jag vill ha fler cykelvägar till skolan.",
        photo=photo,
        alt="Saga Lind ler framför skolan.",
    )
    _add_candidate(admin_page, given="Elias", family="Nord", district="Norr", birth=candidate_birth)
    _add_candidate(admin_page, given="Maja", family="Berg", district="Norr", birth=candidate_birth)
    _add_candidate(admin_page, given="Noah", family="Syd", district="Söder", birth=candidate_birth)
    _add_candidate(admin_page, given="Ella", family="Strand", district="Söder", birth=candidate_birth)
    assert_accessible(admin_page)
    for name in ("Saga Lind", "Elias Nord", "Maja Berg", "Noah Syd", "Ella Strand"):
        admin_page.get_by_role("link", name=name).click()
        admin_page.get_by_role("heading", name=name).wait_for()
        if name == "Saga Lind":
            assert admin_page.get_by_role("img", name="Saga Lind ler framför skolan.").count() == 1
            assert "fler cykelvägar" in admin_page.content()
            assert_accessible(admin_page)
        admin_page.get_by_role("group", name="Vad ska göras").get_by_role(
            "radio", name="Godkänn"
        ).check()
        admin_page.get_by_role("button", name="Spara beslutet").click()
        admin_page.get_by_text("Godkänd", exact=True).wait_for()
        admin_page.get_by_role("link", name="Kandidater", exact=True).click()
    assert Candidate.objects.filter(status=Candidate.Status.APPROVED).count() == 5
    # The uploaded photo is stored as sent (the test server does not serve media files:
    # DEBUG is off, and in production the web server serves them).
    saga = Candidate.objects.get(given_name="Saga")
    assert Image.open(saga.photo.path).size == (120, 120)

    # The roll, from the school's CSV file.
    admin_page.get_by_role("link", name="Röstlängd", exact=True).click()
    admin_page.get_by_label("Skola").select_option(label="Norrskolan")
    admin_page.get_by_label("CSV-fil").set_input_files(str(_roll_csv(tmp_path / "7a.csv", now.year)))
    admin_page.get_by_role("button", name="Läs in").click()
    admin_page.get_by_text("4 elever lades till.").wait_for()
    assert_accessible(admin_page)
    assert Voter.objects.count() == 4

    # Freeze: the fingerprint is published and voting is open (its window has begun).
    admin_page.get_by_role("link", name="Översikt").click()
    admin_page.get_by_role("button", name="Lås valet").click()
    admin_page.get_by_text("Valet är låst").wait_for()
    # … which also makes the key that locks the votes: five key sheets, printed once.
    admin_page.get_by_role("heading", name="Nyckelblad 1 av 5").wait_for()
    assert_accessible(admin_page)
    sheets = [c.strip() for c in admin_page.locator(".yv-keysheet__code code").all_inner_texts()]
    assert len(sheets) == 5 and len(set(sheets)) == 5
    admin_page.get_by_role("link", name="Tillbaka till valet").click()
    assert "Nyckelblad 1 av 5" not in admin_page.content()  # shown once
    election.refresh_from_db()
    assert election.fingerprint and election.is_open
    public = new_page()
    public.goto(live_app(f"/youth-vote/{slug}/"))
    assert election.fingerprint in public.locator("code.yv-hash").inner_text()
    assert "Röstningen är öppen" in public.locator("dl.facts").inner_text()
    assert_accessible(public)
    public.goto(live_app(f"/youth-vote/{slug}/candidates/"))
    assert public.get_by_role("img", name="Saga Lind ler framför skolan.").count() == 1
    assert_accessible(public)

    # --- The school contact person: codes for the class, then a session. --------------------
    contact_page = new_page()
    sign_in(contact_page, live_app, contact, totp=True)
    contact_page.goto(live_app("/staff/"))
    contact_page.get_by_role("link", name="Röstningstillfällen").click()
    contact_page.get_by_role("heading", name="Norrskolan").wait_for()
    assert_accessible(contact_page)
    contact_page.get_by_role("link", name="Skriv ut koder för 7A").click()
    assert_accessible(contact_page)
    contact_page.get_by_role("button", name="Gör koderna och visa arket").click()
    slips = contact_page.locator(".yv-slip")
    slips.first.wait_for()
    assert slips.count() == 4
    assert_accessible(contact_page)
    printed = {}
    for index in range(slips.count()):
        slip = slips.nth(index)
        name = slip.locator(".yv-slip__name").inner_text().replace("7A", "").strip()
        printed[name] = slip.locator(".yv-slip__code").inner_text().strip()
    contact_page.get_by_role("link", name="Tillbaka till röstningstillfällena").click()
    contact_page.get_by_role("button", name="Öppna röstning för 7A").click()
    contact_page.locator("[data-field=code]").wait_for()
    assert_accessible(contact_page)

    def class_code():
        return contact_page.locator("[data-field=code]").inner_text().strip()

    # --- Two students vote in the booth with their slips and the class code. ----------------
    trackers = [
        _vote_in_booth(
            new_page,
            live_app,
            assert_accessible,
            code=printed["Alva Berg"],
            class_code=class_code(),
            candidate="Saga Lind",
        ),
        _vote_in_booth(
            new_page,
            live_app,
            assert_accessible,
            code=printed["Bo Söderlund"].lower(),  # typed as it comes: case does not matter
            class_code=class_code(),
            candidate="Noah Syd",
        ),
    ]
    assert Ballot.objects.count() == 2 and Participation.objects.count() == 2

    # --- A paper ballot, for a student who votes without a code. ----------------------------
    contact_page.goto(live_app("/youth-vote/sessions/"))
    contact_page.get_by_role("link", name="För in en röstsedel på papper").click()
    contact_page.get_by_label("Sök eleven (namn eller elevnummer)").fill("Omar")
    contact_page.get_by_role("button", name="Sök").click()
    contact_page.get_by_role("link", name="Haddad, Omar (7A)").click()
    contact_page.get_by_label("Elias Nord").check()
    assert_accessible(contact_page)
    contact_page.get_by_role("button", name="Räkna röstsedeln").click()
    contact_page.get_by_text("Röstsedeln är räknad").wait_for()
    assert_accessible(contact_page)
    assert Ballot.objects.count() == 3

    # While voting runs, turnout is shown by the same rule everywhere: not 3 of 4.
    public.goto(live_app(f"/youth-vote/{slug}/"))
    assert "3 av 4" not in public.content()
    assert_accessible(public)

    # --- Voting closes by the clock. --------------------------------------------------------
    with time_machine.travel(closes_at + timedelta(minutes=5), tick=True):
        public.goto(live_app("/youth-vote/vote/"))
        assert "Röstningen har stängt" in public.content()

        # The administrator counts, checks, publishes and adds the elected to the council.
        # Three of the five trustees come with their key sheets; one mistypes at first.
        admin_page.goto(live_app(f"/youth-vote/admin/{slug}/"))
        admin_page.get_by_role("link", name="Räkna rösterna").click()
        admin_page.get_by_label("Nyckelblad 2").fill(sheets[1])
        admin_page.get_by_label("Nyckelblad 4").fill(sheets[3].lower().replace("-", " "))
        admin_page.get_by_label("Nyckelblad 5").fill(sheets[0])  # sheet 1's code in box 5
        admin_page.get_by_role("button", name="Räkna rösterna").click()
        admin_page.get_by_text("Koden hör inte till nyckelblad 5").wait_for()
        assert_accessible(admin_page)
        assert admin_page.get_by_label("Nyckelblad 2").input_value() == sheets[1]  # kept
        assert election.__class__.objects.get(pk=election.pk).status == "frozen"
        admin_page.get_by_label("Nyckelblad 5").fill(sheets[4])
        admin_page.get_by_role("button", name="Räkna rösterna").click()
        admin_page.get_by_text("Rösterna är räknade").wait_for()
        assert_accessible(admin_page)
        admin_page.goto(live_app(f"/youth-vote/admin/{slug}/"))
        admin_page.get_by_role("button", name="Publicera resultatet").click()
        admin_page.get_by_text("Resultatet, kvittokoderna och exporten är publicerade").wait_for()
        admin_page.get_by_role("button", name="Lägg till de valda i ungdomsfullmäktige").click()
        admin_page.get_by_text("De valda ledamöterna och ersättarna är tillagda").wait_for()
        assert_accessible(admin_page)
        assert Membership.objects.filter(organization__slug="ungdomsfullmaktige").count() == 3

        # The public result: who was elected, and only as many as were elected.
        public.goto(live_app(f"/youth-vote/{slug}/results/"))
        assert_accessible(public)
        norr = public.get_by_role("region", name="Norr").inner_text()
        assert "Valda här: 2 av 2 ledamöter och 0 av 1 ersättare." in norr, norr
        assert "De andra platserna står tomma" in norr
        public.goto(live_app(f"/youth-vote/{slug}/trackers/"))
        for tracker in trackers:
            public.get_by_label("Din kvittokod").fill(tracker)
            public.get_by_role("button", name="Sök").click()
            public.locator(".message--success").wait_for()
        assert_accessible(public)

        # The youth council's page in the diary, and each elected student's page.
        public.goto(live_app("/bodies/ungdomsfullmaktige/"))
        assert_accessible(public)
        members = public.get_by_role("region", name=re.compile("Ledamöter"))
        for name in ("Saga Lind", "Elias Nord", "Noah Syd"):
            assert members.get_by_role("link", name=name).count() == 1, name
        assert members.get_by_role("link", name="Maja Berg").count() == 0
        for name in ("Saga Lind", "Elias Nord", "Noah Syd"):
            public.goto(live_app("/bodies/ungdomsfullmaktige/"))
            public.get_by_role("link", name=name).first.click()
            public.get_by_role("heading", name=name, level=1).wait_for()
            text = public.locator("main").inner_text()
            assert "Ungdomsfullmäktige" in text, text
            assert "Inga uppdrag just nu" not in text, text
            assert_accessible(public)
