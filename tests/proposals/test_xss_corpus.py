"""The XSS corpus through the user-writable fields, rendered in Chromium (issue 13, "The attack
suite in CI").

Every payload of ``tests/support/xss_payloads.py`` is written through the real services (the
same calls the forms make) into proposal titles, summaries and bodies, comments, account
names, public signer names and report texts; staff-written texts (a politician's "about", a
body's description, a case's title and summary, a meeting's location, an agenda item) are
stored raw, as if written some other way, since the templates must hold on their own. Then
every page that shows them is opened in Chromium with the payloads' hooks in place:
``__xssHit``, ``alert``, ``confirm``, ``prompt`` and ``print`` record a call, dialogs and
Content-Security-Policy violations (a payload that reached markup and was only stopped by the
CSP) are recorded, and the DOM is searched for event-handler attributes, ``javascript:`` URLs
and scripts that carry a payload (``tests/support/xss.py``, shared with the diary's suite in
``tests/diary/test_xss_corpus.py``). Payloads are grouped, so the run opens about twenty pages.
"""

import pytest
from django.utils import timezone

from democracy.diary.models import Case
from proposals import services
from proposals.models import Proposal, Report
from tests.diary.factories import AgendaItemFactory, CaseFactory, MeetingFactory
from tests.people.factories import OrganizationFactory, politician
from tests.proposals.conftest import BODY
from tests.proposals.test_browser import sign_in
from tests.support.xss import DETECT, chunks, inspect, joined, problems
from tests.support.xss_payloads import payloads

pytestmark = pytest.mark.browser

CORPUS = payloads()


@pytest.fixture
def written(make_user, moderator, topic, committee, settings):
    """Write the corpus through the services; return the paths of the pages that show it."""
    settings.PROPOSALS_SIGNATURE_THRESHOLD = 1000
    paths = set()
    author = make_user(email="author@example.org", name=CORPUS[0][1][:150])

    def published(title, summary, body):
        proposal = services.proposal_create(
            author=author, title=title, summary=summary[:600], body=body, topic=topic
        )
        services.proposal_submit(proposal=proposal, actor=author)
        return services.proposal_publish(
            proposal=proposal, actor=moderator, responsible_organization=committee
        )

    # One proposal per payload as title and summary; the bodies carry the corpus ten at a time.
    proposals = []
    bodies = chunks(CORPUS, 10)
    # A payload the sanitiser empties would leave no title: each gets a few words before it.
    for i, (n, text) in enumerate(CORPUS):
        body = BODY + (joined(bodies[i]) if i < len(bodies) else "")
        proposals.append(published(f"Förslag {n} {text}"[:150], f"Sammanfattning {text}", body))
    paths |= {"/proposals/", "/proposals/?page=2", "/proposals/?page=3", "/proposals/?page=4"}
    paths |= {f"/proposals/{p.pk}/" for p in proposals[: len(bodies)]}
    paths.add("/search/?q=img")

    # Comments, account names and public signer names on one proposal; reports on both.
    target = proposals[0]
    for n, text in CORPUS:
        person = make_user(email=f"x{n}@example.org", name=text[:150])
        services.comment_create(proposal=target, author=person, body=f"Kommentar {n} {text}")
        services.proposal_sign(
            proposal=target, user=person, show_name=True, public_name=f"Namn {n} {text}"[:100], recount=False
        )
    services.signature_count_refresh(proposal_id=target.pk)
    reporters = [make_user(email=f"r{n}@example.org") for n, _ in CORPUS[:20]]
    for reporter, group in zip(reporters, chunks(CORPUS, 4), strict=False):
        services.report_create(
            reporter=reporter, reason=Report.Reason.OFFENSIVE, text=joined(group)[:1000],
            proposal=target,
        )
        services.report_create(
            reporter=reporter, reason=Report.Reason.OFFENSIVE, text=joined(group)[:1000],
            comment=target.comments.first(),
        )
    paths |= {f"/proposals/{target.pk}/signers/", "/account/"}

    # Staff-written texts, stored raw.
    body = OrganizationFactory(description=joined(CORPUS))
    for group in chunks(CORPUS, 20):
        person = politician(body=body, biography=joined(group))
        paths.add(person.get_absolute_url())
    meeting = MeetingFactory(organization=body, location=CORPUS[5][1][:200])
    for _n, text in CORPUS[:30]:
        case = CaseFactory(
            responsible_organization=body, title=text[:200], summary=joined(CORPUS)
        )
        AgendaItemFactory(meeting=meeting, case=case, title=text[:200], proposal_text=text)
    paths |= {
        body.get_absolute_url(),
        "/bodies/",
        meeting.get_absolute_url(),
        "/meetings/",
        Case.objects.first().get_absolute_url(),
        "/politicians/",
    }
    return {"author": author, "target": target, "paths": sorted(paths)}


def test_no_payload_runs_on_any_page_that_shows_it(
    written, page, live_app, moderator, _playwright_browser
):
    dialogs = []
    csp_console = []
    page.context.add_init_script(DETECT)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "console",
        lambda m: csp_console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    # The corpus's author sees the public pages and their own account page.
    sign_in(page, live_app, written["author"])
    results = {}
    for path in written["paths"]:
        results[path] = inspect(page, live_app(path), dialogs)
    shown = page.content()

    # A moderator sees the queue with the reports and the moderation page of the proposal.
    staff = _playwright_browser.new_context(base_url=live_app.url, locale="sv-SE")
    staff.add_init_script(DETECT)
    staff_page = staff.new_page()
    staff_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    staff_page.on(
        "console",
        lambda m: csp_console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(staff_page, live_app, moderator, totp=True)
    for path in ("/moderation/", f"/moderation/proposals/{written['target'].pk}/"):
        results[path] = inspect(staff_page, live_app(path), dialogs)
    staff_content = staff_page.content()
    staff.close()

    found = problems(results)
    assert not found, f"payloads ran or reached markup: {found}"
    assert not csp_console, csp_console
    # The run saw what it was meant to: the pages opened show the corpus as text.
    assert len(results) >= 20
    assert Proposal.objects.filter(status=Proposal.Status.PUBLISHED).count() == len(CORPUS)
    assert "__xssHit" in shown
    assert "__xssHit" in staff_content
    assert timezone.now()


def test_the_detectors_catch_the_corpus_when_nothing_cleans_it(page, live_app):
    """The same hooks on a page that shows the corpus raw, with no CSP: most payloads run, and
    the DOM check sees the rest. Without this the test above could pass by seeing nothing."""
    raw = "<!doctype html><title>probe</title><body>" + "\n".join(
        f"<div>{text}</div>" for _, text in CORPUS
    )
    page.context.add_init_script(DETECT)
    page.route(
        "**/xss-probe/", lambda route: route.fulfill(body=raw, content_type="text/html")
    )
    dialogs = []
    result = inspect(page, live_app("/xss-probe/"), dialogs)
    hits = {entry.split(":")[1] for entry in result["executed"]}
    assert len(hits) >= 20, result["executed"]
    assert len(result["markup"]) >= len(CORPUS) // 2, result["markup"]
