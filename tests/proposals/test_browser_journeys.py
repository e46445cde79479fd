"""The rest of the e-proposal journey in a real browser, clicked and typed as a person does:
a revision request and resubmission, a reported and hidden comment that a moderator shows
again, and a signature withdrawn. axe-core checks each page type the journeys reach."""

import re

import pytest
from django.core import mail

from democracy.core.roles import Role
from proposals.models import Comment, Proposal, Signature
from tests.proposals.test_browser import sign_in

pytestmark = pytest.mark.browser


def new_page(browser, live_app):
    return browser.new_context(base_url=live_app.url, locale="sv-SE").new_page()


def test_revision_request_and_resubmission(
    page, live_app, assert_accessible, make_user, topic, committee, _playwright_browser
):
    proposer = make_user(email="rebecka@example.org", name="Rebecka Resident")
    moderator = make_user(
        email="mod@example.org", name="Mona Moderator", roles=[Role.MODERATOR], totp=True
    )

    sign_in(page, live_app, proposer)
    page.goto(live_app("/proposals/new/"))
    page.get_by_label("Rubrik").fill("Fler bänkar i Stadsparken")
    page.get_by_label("Sammanfattning").fill("Det finns för få bänkar i parken.")
    page.get_by_label("Ditt förslag").fill("Ställ ut fler bänkar längs gångarna i Stadsparken.")
    page.get_by_label("Ämne").select_option(label="Trafik och gator")
    page.get_by_role("button", name="Fortsätt: granska och skicka").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/review/$"))
    page.get_by_role("button", name="Skicka till moderatorerna").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    proposal = Proposal.objects.get()

    # The moderator asks for a change with a reason, through the moderation page.
    mod = new_page(_playwright_browser, live_app)
    sign_in(mod, live_app, moderator, totp=True)
    mod.goto(live_app("/moderation/"))
    mod.get_by_role("link", name=proposal.title).click()
    mod.wait_for_url(re.compile(r"/moderation/proposals/\d+/$"))
    # Asked without saying what to change: the error is announced.
    mod.get_by_role("button", name="Be förslagsställaren ändra förslaget").click()
    mod.get_by_role("alert").first.wait_for(timeout=5000)
    target = mod.get_by_role("alert").get_by_role("link").get_attribute("href")
    assert mod.locator(target).count() == 1  # the error links to the field
    assert_accessible(mod)
    reason = "Skriv vilka gångar i parken som behöver bänkar."
    mod.get_by_label("Vad ska förslagsställaren ändra?").fill(reason)
    mod.get_by_role("button", name="Be förslagsställaren ändra förslaget").click()
    mod.get_by_text("Förslagsställaren har fått en begäran om ändringar.").wait_for()
    assert_accessible(mod)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REVISION_REQUESTED

    # The resident gets an e-mail and sees the request on the proposal page.
    to_proposer = [m for m in mail.outbox if m.to == [proposer.email]]
    assert to_proposer and reason in to_proposer[-1].body
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    page.get_by_text("En moderator ber dig ändra ditt förslag:").wait_for()
    assert reason in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Ändra förslaget").first.click()
    page.wait_for_url(re.compile(r"/proposals/\d+/edit/$"))
    page.get_by_label("Ditt förslag").fill(
        "Ställ ut fler bänkar längs gångarna vid dammen och lekplatsen i Stadsparken."
    )
    page.get_by_role("button", name="Fortsätt: granska och skicka").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/review/$"))
    page.get_by_role("button", name="Skicka till moderatorerna").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    page.get_by_text("Förslaget väntar på att en moderator").wait_for()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED

    # The moderator publishes it; anyone can see it.
    mod.goto(live_app(f"/moderation/proposals/{proposal.pk}/"))
    assert "dammen och lekplatsen" in mod.content()
    mod.get_by_label("Ansvarigt organ").select_option(label=committee.name)
    mod.get_by_role("button", name="Publicera för underskrifter").click()
    mod.get_by_text("Förslaget är publicerat.").wait_for()
    mod.context.close()
    anonymous = new_page(_playwright_browser, live_app)
    anonymous.goto(live_app(f"/proposals/{proposal.pk}/"))
    assert "dammen och lekplatsen" in anonymous.content()
    anonymous.goto(live_app("/proposals/"))
    assert anonymous.get_by_role("link", name=proposal.title).count() == 1
    anonymous.context.close()


def test_reported_comment_is_hidden_and_restored(
    page, live_app, assert_accessible, make_user, make_proposal, settings, _playwright_browser
):
    settings.PROPOSALS_REPORTS_TO_HIDE = 2
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    writer = make_user(email="kalle@example.org", name="Kalle Kommentar")
    sign_in(page, live_app, writer)
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    body = "Det här är en dålig idé och alla som tycker annat är dumma."
    page.get_by_label("Din kommentar").fill(body)
    page.get_by_role("button", name="Publicera kommentaren").click()
    page.get_by_text(body).wait_for()
    comment = Comment.objects.get()

    for n in range(settings.PROPOSALS_REPORTS_TO_HIDE):
        reporter = new_page(_playwright_browser, live_app)
        sign_in(reporter, live_app, make_user(email=f"anmalare{n}@example.org"))
        reporter.goto(live_app(f"/proposals/{proposal.pk}/"))
        reporter.get_by_role("link", name="Anmäl kommentar 1").click()
        reporter.wait_for_url(re.compile(r"/proposals/comments/\d+/report/$"))
        if n == 0:
            assert_accessible(reporter)
            # Sent without a reason: the error is announced and the page stays accessible.
            reporter.get_by_role("button", name="Skicka anmälan").click()
            reporter.get_by_role("alert").first.wait_for()
            target = reporter.get_by_role("alert").get_by_role("link").get_attribute("href")
            assert reporter.locator(target).count() == 1  # the error links to the question
            assert_accessible(reporter)
        reporter.get_by_label("Kränkande eller diskriminerande").check()
        reporter.get_by_role("button", name="Skicka anmälan").click()
        reporter.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/"))
        reporter.context.close()

    comment.refresh_from_db()
    assert comment.hidden
    anonymous = new_page(_playwright_browser, live_app)
    anonymous.goto(live_app(f"/proposals/{proposal.pk}/"))
    assert body not in anonymous.content()

    moderator = make_user(email="mod2@example.org", roles=[Role.MODERATOR], totp=True)
    mod = new_page(_playwright_browser, live_app)
    sign_in(mod, live_app, moderator, totp=True)
    mod.goto(live_app("/moderation/"))
    assert_accessible(mod)
    # Listed once, as hidden, with its reports: not once per report, not offered for hiding.
    assert mod.get_by_role("button", name="Visa kommentaren igen").count() == 1
    assert mod.get_by_role("button", name="Dölj kommentaren").count() == 0
    assert mod.get_by_text("Kränkande eller diskriminerande").count() == 2
    mod.get_by_label("Skäl att visa den igen").fill("Kritiken är hård men inte kränkande.")
    mod.get_by_role("button", name="Visa kommentaren igen").click()
    mod.get_by_text("Kommentaren visas igen.").wait_for()
    comment.refresh_from_db()
    assert not comment.hidden
    mod.context.close()
    anonymous.reload()
    assert body in anonymous.content()
    anonymous.context.close()


def test_signature_withdrawn(page, live_app, assert_accessible, make_user, make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=50)
    resident = make_user(email="sara@example.org", name="Sara Signer")
    sign_in(page, live_app, resident)
    page.goto(live_app(f"/proposals/{proposal.pk}/"))
    page.get_by_role("button", name="Skriv under förslaget").click()
    page.get_by_text("Tack för din underskrift").wait_for()
    assert page.locator("[data-count-number]").inner_text() == "1"

    page.get_by_role("button", name="Ta tillbaka min underskrift").click()
    page.get_by_text("Din underskrift är borttagen").wait_for()
    assert page.locator("[data-count-number]").inner_text() == "0"
    assert page.get_by_role("button", name="Skriv under förslaget").count() == 1
    assert_accessible(page)
    assert not Signature.objects.filter(proposal=proposal, user=resident).exists()
