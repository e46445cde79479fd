"""E-proposals in a real browser: the full journey, the live count, and axe-core WCAG 2.1 AA on
every page, in Swedish, with the key flows done by keyboard."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils.timezone import now as timezone_now

from democracy.core.roles import Role
from democracy.diary import services as diary_services
from democracy.diary.models import Case, Meeting
from proposals import services
from proposals.models import Proposal
from tests.conftest import PASSWORD, totp_now
from tests.proposals.factories import DistrictFactory
from tests.support.browser import choose_language

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def sign_in(page, live_app, user, *, totp=False):
    page.goto(live_app("/accounts/login/"))
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    if totp:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Kod").fill(totp_now(user))
        page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def press(page, locator, key="Enter"):
    """Do it by keyboard: focus the control, then press the key."""
    locator.focus()
    page.keyboard.press(key)


def signers(count):
    """Demo residents, made cheaply (no password hashing per person)."""
    User = get_user_model()
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(email=f"demo{i:03d}@example.net", name=f"Demo {i}", password=unusable)
            for i in range(count)
        ]
    )
    return list(User.objects.filter(email__startswith="demo").order_by("email"))


def test_full_journey(
    page, live_app, assert_accessible, make_user, topic, committee, _playwright_browser
):
    DistrictFactory(slug="centrum", name="Centrum")
    proposer = make_user(email="petra@example.org", name="Petra Proposer")
    moderator = make_user(
        email="maja@example.org", name="Maja Moderator", roles=[Role.MODERATOR], totp=True
    )

    # 1. A resident writes and submits, by keyboard.
    sign_in(page, live_app, proposer)
    page.goto(live_app("/proposals/new/"))
    assert_accessible(page)
    page.get_by_label("Rubrik").fill("Belysning längs promenadstråket vid ån")
    page.get_by_label("Sammanfattning").fill("Gångvägen vid ån är mörk på kvällarna.")
    page.get_by_label("Ditt förslag").fill(
        "Gångvägen längs ån saknar belysning på en lång sträcka.\n\nSätt upp lampor så att alla kan gå där tryggt."
    )
    page.get_by_label("Ämne").select_option(label="Trafik och gator")
    press(page, page.get_by_role("button", name="Fortsätt: granska och skicka"))
    page.wait_for_url(re.compile(r"/proposals/\d+/review/$"))
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Skicka till moderatorerna"))
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    assert "Förslaget väntar på att en moderator" in page.content()
    proposal = Proposal.objects.get()
    assert proposal.status == Proposal.Status.SUBMITTED

    # 2. A moderator signs in with TOTP and publishes it for the responsible committee.
    moderator_page = _playwright_browser.new_context(
        base_url=live_app.url, locale="sv-SE"
    ).new_page()
    sign_in(moderator_page, live_app, moderator, totp=True)
    moderator_page.goto(live_app("/moderation/"))
    assert_accessible(moderator_page)
    moderator_page.get_by_role("link", name=proposal.title).click()
    moderator_page.wait_for_url(re.compile(r"/moderation/proposals/\d+/$"))
    assert_accessible(moderator_page)
    shot(moderator_page, "moderation-detail")
    moderator_page.get_by_label("Ansvarigt organ").select_option(label=committee.name)
    press(moderator_page, moderator_page.get_by_role("button", name="Publicera för underskrifter"))
    moderator_page.get_by_text("Förslaget är publicerat.").wait_for()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED and proposal.threshold == 200
    moderator_page.context.close()

    # 3. 199 demo residents sign (through the service); the 200th signs in the browser.
    for user in signers(199):
        services.proposal_sign(proposal=proposal, user=user)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED
    page.context.clear_cookies()
    last = make_user(email="sista@example.org", name="Sigge Sist")
    sign_in(page, live_app, last)
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    assert page.locator("[data-count-number]").inner_text() == "199"
    assert_accessible(page)
    shot(page, "proposal-open")
    press(page, page.get_by_label("Visa mitt namn i listan över dem som skrivit under"), "Space")
    press(
        page,
        page.get_by_label("Mejla mig när förslaget skickas till nämnden och när det har beslutats"),
        "Space",
    )
    press(page, page.get_by_role("button", name="Skriv under förslaget"))
    page.get_by_text("Tack för din underskrift").wait_for()

    # 4. At the threshold the case is opened in the diary at once.
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REFERRED
    case = Case.objects.get()
    assert case.origin == Case.Origin.E_PROPOSAL and case.responsible_organization == committee
    assert list(case.proposals.all()) == [proposal]
    page.reload()
    assert case.diary_number in page.content()
    assert "Sigge Sist" in page.content()
    assert_accessible(page)
    try:
        case_url = case.get_absolute_url()
    except NoReverseMatch:  # the diary's pages arrive with the diary issue
        case_url = None
    if case_url:
        page.goto(live_app(case_url))
        assert case.diary_number in page.content()

    # 5. The committee decides on the agenda item for the case.
    meeting = Meeting.objects.create(
        organization=committee,
        year=timezone_now().year,
        number=1,
        start=timezone_now() + timedelta(minutes=1),
        status=Meeting.Status.HELD,
    )
    item = diary_services.agenda_item_add(meeting=meeting, title=case.title, case=case, actor=None)
    diary_services.agenda_item_record_decision(
        item=item, outcome="approved", decision_text="Nämnden bifaller e-förslaget.", actor=None
    )

    # 6. The proposal page and the proposer's inbox show the decision.
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    content = page.content()
    assert "Nämnden bifaller e-förslaget." in content
    assert "Bifall" in content or item.get_outcome_display() in content
    assert str(meeting) in content
    assert_accessible(page)
    shot(page, "proposal-answered")
    to_proposer = [m for m in mail.outbox if m.to == [proposer.email]]
    assert [m.subject for m in to_proposer][-1].endswith("Nu finns ett beslut om förslaget")
    assert "Nämnden bifaller e-förslaget." in to_proposer[-1].body
    to_last = [m for m in mail.outbox if m.to == [last.email]]
    assert len(to_last) == 2  # referral and decision: the one signer who asked for updates


def test_live_count_updates_without_reload(page, live_app, make_proposal, make_user):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=50)
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    page.wait_for_timeout(500)  # the websocket connects
    for _ in range(3):
        services.proposal_sign(proposal=proposal, user=make_user())
    from playwright.sync_api import expect

    expect(page.locator("[data-count-number]")).to_have_text("3", timeout=5000)
    assert page.locator("[data-count-remaining]").inner_text() == "47"
    assert page.console_errors == []


# A socket that neither opens nor fails, as behind a proxy that holds the upgrade request.
HANGING_WEBSOCKET = """
window.WebSocket = function () { this.readyState = 0; this.send = function () {}; this.close = function () {}; };
"""


def test_live_count_polls_on_its_own_when_the_socket_never_opens(page, live_app, make_proposal, make_user):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=50)
    page.add_init_script(HANGING_WEBSOCKET)
    page.clock.install()
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    for _ in range(3):
        services.proposal_sign(proposal=proposal, user=make_user())
    from playwright.sync_api import expect

    page.clock.run_for(2000)
    assert page.locator("[data-count-number]").inner_text() == "0"  # no socket, not yet polling
    page.clock.run_for(4000)  # 5 s without an open socket: it polls count.json
    expect(page.locator("[data-count-number]")).to_have_text("3", timeout=5000)
    assert page.locator("[data-count-remaining]").inner_text() == "47"
    # Screen readers hear the new count once, politely.
    announcer = page.locator("[data-count-announce]")
    assert announcer.get_attribute("aria-live") == "polite"
    expect(announcer).to_have_text("Underskrifter: 3 av 50 som behövs")
    # Real time, not the page's clock: one recount per count interval, and count.json may be
    # served from the browser's cache for max-age + stale-while-revalidate (3 s).
    time.sleep(3.1)
    services.proposal_sign(proposal=proposal, user=make_user())
    page.clock.run_for(10_000)  # the next poll shows it; the announcement waits its 30 s
    expect(page.locator("[data-count-number]")).to_have_text("4", timeout=5000)
    assert announcer.inner_text() == "Underskrifter: 3 av 50 som behövs"
    page.clock.run_for(25_000)
    expect(announcer).to_have_text("Underskrifter: 4 av 50 som behövs")
    assert page.console_errors == []


@pytest.mark.parametrize(
    "status",
    [
        Proposal.Status.PUBLISHED,
        Proposal.Status.ANSWERED,
        Proposal.Status.REJECTED,
        Proposal.Status.EXPIRED,
        Proposal.Status.WITHDRAWN,
    ],
)
def test_public_proposal_pages_pass_axe(page, live_app, assert_accessible, make_proposal, status):
    proposal = make_proposal(status)
    for path in (
        f"/proposals/{proposal.pk}/",
        f"/proposals/{proposal.pk}/signers/",
        "/proposals/",
        "/proposals/rules/",
    ):
        page.goto(live_app(path))
        assert page.locator("html").get_attribute("lang") == "sv"
        assert_accessible(page)
    if status == Proposal.Status.PUBLISHED:
        shot(page, "rules")
        page.goto(live_app("/proposals/"))
        shot(page, "list")


def test_resident_pages_pass_axe_and_errors_are_announced(
    page, live_app, assert_accessible, make_user, make_proposal
):
    resident = make_user(name="Rut Resident")
    published = make_proposal(Proposal.Status.PUBLISHED)
    mine = make_proposal(Proposal.Status.REVISION_REQUESTED, author=resident)
    sign_in(page, live_app, resident)
    for path in (
        "/proposals/mine/",
        f"/proposals/{mine.pk}/",
        f"/proposals/{mine.pk}/edit/",
        f"/proposals/{mine.pk}/withdraw/",
        f"/proposals/{published.pk}/report/",
    ):
        page.goto(live_app(path))
        assert_accessible(page)
    # A form error is shown, linked to the field, and the page is still accessible.
    page.goto(live_app("/proposals/new/"))
    page.get_by_label("Rubrik").fill("")
    page.get_by_label("Sammanfattning").fill("Bara en sammanfattning")
    press(page, page.get_by_role("button", name="Fortsätt: granska och skicka"))
    page.get_by_role("alert").wait_for()
    assert page.get_by_label("Sammanfattning").input_value() == "Bara en sammanfattning"
    assert_accessible(page)
    shot(page, "form-error")
    # The sign form with an error.
    page.goto(live_app(f"/proposals/{published.pk}/"))
    press(page, page.get_by_label("Visa mitt namn i listan över dem som skrivit under"), "Space")
    page.get_by_label("Namn som visas").fill("")
    press(page, page.get_by_role("button", name="Skriv under förslaget"))
    page.get_by_text("Skriv namnet som ska visas").first.wait_for()
    assert_accessible(page)


def test_moderation_pages_pass_axe(
    page, live_app, assert_accessible, moderator, make_proposal, make_user
):
    submitted = make_proposal(Proposal.Status.SUBMITTED)
    published = make_proposal(Proposal.Status.PUBLISHED, threshold=50)
    services.proposal_sign(proposal=published, user=make_user(), ip_address="192.0.2.5")
    services.comment_create(proposal=published, author=make_user(), body="En kommentar")
    services.report_create(
        reporter=make_user(), reason="offensive", comment=published.comments.get()
    )
    sign_in(page, live_app, moderator, totp=True)
    for path in (
        "/moderation/",
        f"/moderation/proposals/{submitted.pk}/",
        f"/moderation/proposals/{published.pk}/",
        "/moderation/reasons/",
        "/moderation/reasons/new/",
        "/staff/",
    ):
        page.goto(live_app(path))
        assert_accessible(page)
    page.goto(live_app("/moderation/"))
    shot(page, "moderation-queue")
    assert reverse("proposals:moderation-queue") in page.content() or "Moderering" in page.content()


def test_proposal_page_in_english_passes_axe(page, live_app, assert_accessible, make_proposal):
    proposal = make_proposal(Proposal.Status.ANSWERED)
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    choose_language(page, "English")
    page.wait_for_url(live_app(f"/proposals/{proposal.pk}/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "The proposal's journey" in page.content()
    assert_accessible(page)
    page.goto(live_app("/proposals/rules/"))
    assert "Rules for e-proposals" in page.content()
    assert_accessible(page)
