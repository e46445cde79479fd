"""The XSS corpus through the youth vote's candidate fields, rendered in Chromium (issue 13,
"The attack suite in CI").

Candidates' statements are the election's only long user-written text: students write them,
and the administrator enters or pastes them into the candidate form. Every payload of
``tests/support/xss_payloads.py`` goes into statements, names, school names and photo texts
through the service the administrator's forms call; one statement is typed into the
candidate page's own form in the browser. Then the pages that show them are opened in
Chromium with the payloads' hooks in place (``tests/support/xss.py``, shared with the other
suites): the public candidate list, the election page, the booth's ballot (reached by a
student typing the printed code and the session code) and the administrator's candidate
pages.
"""

from datetime import date

import pytest
from django.utils import timezone

from tests.support.xss import chunks, inspect, joined, problems, watch
from tests.support.xss_payloads import payloads
from tests.youth_vote.factories import build_election
from youth_vote import codes, services
from youth_vote.models import Candidate

pytestmark = pytest.mark.browser

CORPUS = payloads()


@pytest.fixture
def written(election_admin, contact):
    """A draft election whose candidates carry the corpus; frozen and opened afterwards by the
    test, after one statement has been typed in the browser."""
    built = build_election(
        admin=election_admin,
        contact=contact,
        candidates_per_district=1,
        open_now=True,
        freeze=False,
        issue_codes=False,
        open_sessions=False,
    )
    birth = date(timezone.now().year - 13, 3, 1)
    made = []
    # Statements carry the corpus eight at a time; names and school names a payload each.
    for group in chunks(CORPUS, 8):
        n, text = group[0]
        candidate = services.candidate_create(
            election=built.election,
            district=built.districts[0],
            actor=election_admin,
            given_name=f"Elev{n} {text}"[:100],
            family_name=f"Efternamn {group[-1][1]}"[:100],
            grade=8,
            birth_date=birth,
            school_name=f"Skola {text}"[:200],
            statement=f"<p>Jag vill {n}</p>\n" + joined(group),
        )
        made.append(candidate)
    return built, made


def test_no_candidate_payload_runs_in_the_booth_or_on_any_page(
    written, page, live_app, login_as, election_admin, contact
):
    built, made = written
    dialogs, csp_console = [], []
    watch(page, dialogs, csp_console)
    results = {}

    # The administrator types one more payload into a candidate's statement and approves
    # every candidate through the page, as in the election set-up.
    login_as(election_admin)
    admin_base = f"/youth-vote/admin/{built.election.slug}/candidates/"
    typed = made[0]
    page.goto(live_app(f"{admin_base}{typed.pk}/"))
    statement = page.get_by_label("Därför ska du rösta på mig")
    statement.fill(CORPUS[0][1] + "\n" + CORPUS[10][1])
    page.get_by_role("button", name="Spara", exact=True).click()
    page.wait_for_selector(".message--success")
    typed.refresh_from_db()
    assert "Jag vill" not in typed.statement  # the typed text replaced the earlier one
    for candidate in made:
        page.goto(live_app(f"{admin_base}{candidate.pk}/"))
        page.get_by_role("group", name="Vad ska göras").get_by_role("radio", name="Godkänn").check()
        page.get_by_role("button", name="Spara beslutet").click()
        page.wait_for_selector(".message--success")
        results[f"{admin_base}{candidate.pk}/"] = inspect(page, None, dialogs, navigate=False)
    results[admin_base] = inspect(page, live_app(admin_base), dialogs)
    assert Candidate.objects.filter(status=Candidate.Status.APPROVED).count() == len(made) + sum(
        len(c) for c in built.candidates.values()
    )

    election, _sheets = services.election_freeze(election=built.election, actor=election_admin)
    school_class = built.classes[0]
    # A student who lives in the district where the corpus stands.
    code = next(
        code
        for voter, code in services.class_codes_issue(school_class=school_class, actor=contact)
        if voter.district_id == built.districts[0].pk
    )
    session = services.session_open(school_class=school_class, actor=contact, minutes=90)
    for path in (f"/youth-vote/{election.slug}/candidates/", f"/youth-vote/{election.slug}/"):
        results[path] = inspect(page, live_app(path), dialogs)
    page.goto(live_app(f"/youth-vote/{election.slug}/candidates/"))
    public_list = page.content()

    # A student reaches the ballot by typing the codes; the ballot shows the statements.
    student = page.context.browser.new_context(base_url=live_app.url, locale="sv-SE")
    booth = student.new_page()
    watch(booth, dialogs, csp_console)
    booth.goto(live_app("/youth-vote/vote/"))
    booth.get_by_label("Din kod").fill(code)
    booth.get_by_label("Klassens kod").fill(codes.session_code_now(session.secret))
    booth.keyboard.press("Enter")
    booth.wait_for_selector("fieldset.yv-ballot")
    results["booth ballot"] = inspect(booth, None, dialogs, navigate=False)
    ballot = booth.content()
    student.close()

    found = problems(results)
    assert not found, f"payloads ran or reached markup: {found}"
    assert not csp_console, csp_console
    # The run saw what it was meant to: the statements and names reached the pages as text.
    assert "__xssHit" in public_list
    assert "__xssHit" in ballot
    district_candidates = Candidate.objects.filter(district=built.districts[0]).count()
    assert ballot.count('name="choice"') == district_candidates + 1  # and a blank vote
