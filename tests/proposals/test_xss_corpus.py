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
and scripts that carry a payload. Payloads are grouped, so the run opens about twenty pages.
"""

import re

import pytest
from django.utils import timezone

from democracy.diary.models import Case
from proposals import services
from proposals.models import Proposal, Report
from tests.diary.factories import AgendaItemFactory, CaseFactory, MeetingFactory
from tests.people.factories import OrganizationFactory, politician
from tests.proposals.conftest import BODY
from tests.proposals.test_browser import sign_in
from tests.support.xss_payloads import TEMPLATE_MARK, payloads

pytestmark = pytest.mark.browser

CORPUS = payloads()

# Runs before any page script (playwright adds it outside the page's CSP).
DETECT = """
window.__xss = [];
window.__xssHit = (n) => { window.__xss.push("hit:" + n); };
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (n) => { window.__xss.push(name + ":" + n); };
}
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || ""));
}, true);
"""

# What of a payload reached the DOM as markup rather than as text.
MARKUP = """
() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on") && value.includes("__xsshit")) found.push(el.tagName + " " + name);
      if (["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"].includes(name)
          && (value.startsWith("javascript:") || value.startsWith("data:text/html")
              || value.includes("__xsshit"))) found.push(el.tagName + " " + name + "=" + attr.value);
    }
    if (el.tagName === "SCRIPT" && el.textContent.includes("__xssHit")) found.push("SCRIPT");
    if (["IFRAME", "OBJECT", "EMBED", "BASE"].includes(el.tagName)
        && el.outerHTML.includes("xssHit")) found.push(el.tagName);
    // A description <meta> may quote a payload as text; a refresh must not carry one.
    if (el.tagName === "META" && el.httpEquiv && el.outerHTML.includes("xssHit")) found.push("META");
  }
  return found;
}
"""


def chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def joined(items):
    return "\n".join(text for _, text in items)


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


def _open(page, url, dialogs):
    page.goto(url)
    page.wait_for_load_state("load")
    # Give handlers that fire late (autofocus, animations, media errors) their turn.
    page.wait_for_timeout(150)
    executed = page.evaluate("window.__xss")
    csp = page.evaluate("window.__csp")
    markup = page.evaluate(MARKUP)
    text = page.inner_text("body")
    evaluated = re.findall(TEMPLATE_MARK + r"\d+:1337", text)
    return {
        "executed": executed,
        "csp": csp,
        "markup": markup,
        "templates": evaluated,
        "dialogs": list(dialogs),
    }


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
        results[path] = _open(page, live_app(path), dialogs)
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
        results[path] = _open(staff_page, live_app(path), dialogs)
    staff_content = staff_page.content()
    staff.close()

    problems = {path: r for path, r in results.items() if any(r.values())}
    assert not problems, f"payloads ran or reached markup: {problems}"
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
    result = _open(page, live_app("/xss-probe/"), dialogs)
    hits = {entry.split(":")[1] for entry in result["executed"]}
    assert len(hits) >= 20, result["executed"]
    assert len(result["markup"]) >= len(CORPUS) // 2, result["markup"]
