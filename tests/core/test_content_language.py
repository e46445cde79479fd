"""On pages in English, what residents and staff wrote in Swedish is marked lang="sv", so a
screen reader reads it with Swedish pronunciation (WCAG 3.1.2; issue 12)."""

from html.parser import HTMLParser

import pytest
from django.conf import settings

from proposals.models import Proposal
from tests.people.factories import OrganizationFactory, politician
from tests.proposals.conftest import (  # noqa: F401 (fixtures)
    _proposal_settings,
    committee,
    make_proposal,
    proposer,
    reason,
    topic,
)
from tests.youth_vote.conftest import election_admin  # noqa: F401 (fixture)
from tests.youth_vote.factories import build_election

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}


class _Languages(HTMLParser):
    """The language in force (the nearest lang attribute) for each piece of text."""

    def __init__(self):
        super().__init__()
        self.stack: list[str | None] = []
        self.texts: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(dict(attrs).get("lang"))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        # The document title cannot carry a language of its own; the page's content can.
        if data.strip() and self.lasttag != "title":
            lang = next((value for value in reversed(self.stack) if value), None)
            self.texts.append((data.strip(), lang))


def _marked(html: str, text: str) -> bool:
    """On an English page, every piece of text containing ``text`` is in lang="sv"."""
    parser = _Languages()
    parser.feed(html)
    found = [lang for data, lang in parser.texts if text in data]
    assert found, f"{text!r} is not on the page"
    assert parser.texts and '<html lang="en"' in html
    unmarked = [data for data, lang in parser.texts if text in data and lang != "sv"]
    assert not unmarked, unmarked
    return True


def test_a_proposal_its_comments_and_the_list(client, make_proposal, make_user):  # noqa: F811
    from proposals import services

    proposal = make_proposal(Proposal.Status.PUBLISHED, title="Cykelvägar till skolorna")
    services.comment_create(proposal=proposal, author=make_user(), body="Bra förslag för barnen")
    page = _english(client).get(proposal.get_absolute_url()).content.decode()
    for text in ("Cykelvägar till skolorna", proposal.summary, "Bra förslag för barnen"):
        assert _marked(page, text), text
    listing = client.get("/proposals/").content.decode()
    assert _marked(listing, "Cykelvägar till skolorna")


def test_a_politicians_biography(client):
    person = politician(body=OrganizationFactory(), biography="<p>Uppvuxen i Norrvik</p>")
    page = _english(client).get(person.get_absolute_url()).content.decode()
    assert _marked(page, "Uppvuxen i Norrvik")


def test_candidates_statements(client, election_admin):  # noqa: F811
    from youth_vote.models import Candidate

    built = build_election(admin=election_admin, open_sessions=False, issue_codes=False, freeze=False)
    candidate = Candidate.objects.filter(election=built.election).first()
    Candidate.objects.filter(pk=candidate.pk).update(statement="<p>Fler fritidsgårdar</p>")
    from youth_vote import services

    services.election_freeze(election=built.election, actor=election_admin)  # and its key
    page = _english(client).get(f"/youth-vote/{built.election.slug}/candidates/").content.decode()
    assert _marked(page, "Fler fritidsgårdar")


def test_a_case_and_a_body_in_the_diary(client):
    from tests.diary.factories import CaseFactory

    case = CaseFactory(title="Ny skola i Västerby", summary="Två skolor byggs om.")
    page = _english(client).get(case.get_absolute_url()).content.decode()
    for text in ("Ny skola i Västerby", "Två skolor byggs om."):
        assert _marked(page, text), text
    body = OrganizationFactory(description="Nämnden ansvarar för skolorna.")
    page = client.get(body.get_absolute_url()).content.decode()
    assert _marked(page, "Nämnden ansvarar för skolorna.")


def test_short_swedish_names_in_lists_and_headings(client):
    """Names of bodies, meetings and parties, meeting places and document titles, as the demo
    municipality has them, on the English pages that list them."""
    import io

    from django.core.management import call_command

    from democracy.diary.models import Document, Meeting
    from democracy.people.models import Membership, Organization

    call_command("seed_demo", stdout=io.StringIO())
    _english(client)
    bodies = client.get("/bodies/").content.decode()
    for body in Organization.objects.filter(classification="committee")[:5]:
        assert _marked(bodies, body.name), body.name
    meeting = Meeting.objects.exclude(location="").filter(agenda_items__isnull=False).first()
    meetings = client.get(meeting.get_absolute_url()).content.decode()
    for text in (meeting.name, meeting.organization.name, meeting.location):
        assert _marked(meetings, text), text
    listing = client.get(f"/meetings/?month={meeting.start:%Y-%m}").content.decode()
    assert _marked(listing, meeting.name) and _marked(listing, meeting.location)
    document = Document.objects.filter(public=True).select_related("case").first()
    if document and document.case_id:
        assert _marked(client.get(document.case.get_absolute_url()).content.decode(), document.title)
    membership = Membership.objects.filter(on_behalf_of__isnull=False).select_related(
        "person", "organization", "on_behalf_of"
    ).first()
    person_page = client.get(membership.person.get_absolute_url()).content.decode()
    assert _marked(person_page, membership.organization.name)
    assert _marked(person_page, membership.on_behalf_of.name)
