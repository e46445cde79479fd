"""The meeting diary's public pages: bodies, meetings, cases, documents, search, the hub."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from democracy.diary import services
from democracy.diary.models import AgendaItem, Case, Document, Meeting
from democracy.people.models import Membership
from tests.diary.factories import AgendaItemFactory, CaseFactory, DocumentFactory, MeetingFactory
from tests.people.factories import OrganizationFactory, PartyFactory, politician

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


def test_body_list_and_detail_show_members_by_role_and_meetings(client):
    board = OrganizationFactory(name="Kommunstyrelsen", slug="kommunstyrelsen")
    party = PartyFactory(name="Röda")
    chair = politician(body=board, party=party, role=Membership.Role.CHAIR, given_name="Ordf")
    member = politician(body=board, party=party, given_name="Ledamot")
    upcoming = MeetingFactory(organization=board, start=timezone.now() + timedelta(days=3))
    past = MeetingFactory(
        organization=board, start=timezone.now() - timedelta(days=30), status="held"
    )

    listing = client.get(reverse("diary:body-list"))
    assert listing.status_code == 200
    assert "Kommunstyrelsen" in listing.content.decode()
    assert "Röda" not in [b.name for g in listing.context["groups"] for b in g["bodies"]]

    response = client.get(board.get_absolute_url())
    assert response.status_code == 200
    groups = response.context["member_groups"]
    assert [g.role for g in groups] == [Membership.Role.CHAIR, Membership.Role.MEMBER]
    assert [m.person for m in groups[0].memberships] == [chair]
    assert [m.person for m in groups[1].memberships] == [member]
    assert response.context["upcoming"] == [upcoming]
    assert list(response.context["past"]) == [past]
    assert client.get("/bodies/no-such/").status_code == 404
    assert client.get(f"/bodies/{party.slug}/").status_code == 404


def test_meetings_by_month_and_filter_by_body(client):
    board, school = OrganizationFactory(), OrganizationFactory()
    march = MeetingFactory(organization=board, start=at(2026, 3, 10, 18))
    MeetingFactory(organization=school, start=at(2026, 3, 31, 23, 30))
    MeetingFactory(organization=board, start=at(2026, 4, 1, 0, 30))

    response = client.get(reverse("diary:meeting-list"), {"month": "2026-03"})
    assert response.status_code == 200
    assert len(response.context["page"].meetings) == 2  # the 31 March 23:30 one is March locally
    response = client.get(reverse("diary:meeting-list"), {"month": "2026-03", "body": board.slug})
    assert response.context["page"].meetings == [march]
    html = response.content.decode()
    assert "?month=2026-02" in html and "?month=2026-04" in html
    for nonsense in ("13-2026", "2026-13", "x", "9999999-1"):
        assert client.get(reverse("diary:meeting-list"), {"month": nonsense}).status_code == 200


def test_moved_meeting_shows_its_original_date(client):
    meeting = MeetingFactory(start=at(2026, 5, 12, 13))
    services.meeting_move(
        meeting=meeting, start=at(2026, 5, 19, 9), actor=None, reason="Krock med budgetdagen."
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MOVED
    assert meeting.original_start == at(2026, 5, 12, 13)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "12 maj 2026, 13:00" in html and "19 maj 2026, 09:00" in html
    assert "Krock med budgetdagen." in html
    # Moving again keeps the first planned time.
    services.meeting_move(meeting=meeting, start=at(2026, 5, 26, 9), actor=None)
    meeting.refresh_from_db()
    assert meeting.original_start == at(2026, 5, 12, 13)
    listing = client.get(reverse("diary:meeting-list"), {"month": "2026-05"}).content.decode()
    assert "12 maj 2026" in listing


def test_state_machine_refuses_moves_it_does_not_allow():
    meeting = MeetingFactory()
    services.meeting_transition(meeting=meeting, to=Meeting.Status.HELD, actor=None)
    with pytest.raises(services.DiaryError):
        services.meeting_transition(meeting=meeting, to=Meeting.Status.CANCELLED, actor=None)
    with pytest.raises(services.DiaryError):
        services.meeting_move(meeting=meeting, start=timezone.now(), actor=None)


@pytest.mark.parametrize(
    ("announced", "deadline"),
    [
        (date(2026, 1, 12), date(2026, 2, 2)),  # across a month end
        (date(2026, 2, 13), date(2026, 3, 6)),  # across the end of February
        (
            date(2026, 12, 10),
            date(2026, 12, 31) + timedelta(days=4),
        ),  # year end: 31 Dec, 1 Jan, weekend
        (date(2026, 3, 14), date(2026, 4, 7)),  # 4 April is Saturday, 5–6 April Easter
    ],
)
def test_appeal_deadline_on_the_meeting_page(client, announced, deadline):
    meeting = MeetingFactory(
        status=Meeting.Status.HELD,
        start=timezone.make_aware(
            datetime.combine(announced - timedelta(days=7), datetime.min.time())
        )
        + timedelta(hours=9)
    )
    item = AgendaItemFactory(meeting=meeting)
    services.agenda_item_record_decision(
        item=item, outcome="approved", decision_text="Bifall.", actor=None
    )
    services.meeting_record_minutes(
        meeting=meeting,
        adjusted_on=announced - timedelta(days=1),
        announced_on=announced,
        actor=None,
    )
    response = client.get(meeting.get_absolute_url())
    assert response.context["appeal_deadline"] == deadline
    html = response.content.decode()
    assert f"{deadline.day} " in html and "Sista dag att överklaga" in html


def test_minutes_cannot_be_announced_before_approval():
    meeting = MeetingFactory(start=at(2026, 3, 2, 9))
    with pytest.raises(services.DiaryError):
        services.meeting_record_minutes(
            meeting=meeting, adjusted_on=date(2026, 3, 9), announced_on=date(2026, 3, 8), actor=None
        )
    with pytest.raises(services.DiaryError):
        services.meeting_record_minutes(meeting=meeting, adjusted_on=date(2026, 3, 1), actor=None)


def test_meeting_page_orders_agenda_and_shows_outcomes_votes_and_documents(client):
    meeting = MeetingFactory(status=Meeting.Status.HELD)
    party = PartyFactory(name="Gula")
    second = AgendaItemFactory(meeting=meeting, position=2, title="Andra punkten")
    first = AgendaItemFactory(meeting=meeting, position=1, title="Första punkten")
    secret = AgendaItemFactory(meeting=meeting, position=3, title="Hemlig punkt", public=False)
    services.agenda_item_record_decision(
        item=second,
        outcome=AgendaItem.Outcome.APPROVED_AFTER_VOTE,
        decision_text="Bifall efter votering.",
        party_votes={party: {"yes": 3, "no": 1, "abstain": 0, "absent": 1}},
        actor=None,
    )
    DocumentFactory(
        meeting=meeting, kind=Document.Kind.MINUTES, title="Protokoll", minutes_version="unadjusted"
    )
    response = client.get(meeting.get_absolute_url())
    assert response.context["agenda"] == [first, second, secret]
    html = response.content.decode()
    assert html.index("Första punkten") < html.index("Andra punkten")
    assert "Bifall efter omröstning" in html and "Gula" in html
    assert "Hemlig punkt" not in html
    assert "Protokoll" in html and "Ojusterat" in html
    assert "protokollet är inte justerat" in html.lower()
    assert client.get("/meetings/999999/").status_code == 404


def test_cancelled_meeting_is_marked(client):
    meeting = MeetingFactory()
    services.meeting_cancel(meeting=meeting, actor=None, reason="Inga ärenden.")
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Mötet är inställt." in html and "Inga ärenden." in html


def test_case_page_follows_every_appearance(client):
    board, council = (
        OrganizationFactory(name="Kommunstyrelsen"),
        OrganizationFactory(name="Kommunfullmäktige"),
    )
    case = services.case_open(
        title="Ny simhall",
        responsible_organization=board,
        origin=Case.Origin.E_PROPOSAL,
        actor=None,
    )
    first = services.agenda_item_add(
        meeting=MeetingFactory(organization=board, start=timezone.now() - timedelta(days=40), status=Meeting.Status.HELD),
        title="Ny simhall",
        case=case,
        proposal_text="Bordlägg.",
        actor=None,
    )
    services.agenda_item_record_decision(
        item=first, outcome="tabled", decision_text="Bordläggs.", actor=None
    )
    second = services.agenda_item_add(
        meeting=MeetingFactory(organization=board, start=timezone.now() - timedelta(days=10), status=Meeting.Status.HELD),
        title="Ny simhall",
        case=case,
        proposal_text="Föreslå KF att bygga.",
        actor=None,
    )
    services.agenda_item_record_decision(
        item=second, outcome="approved", decision_text="KS föreslår KF att bygga.", actor=None
    )
    upcoming = services.agenda_item_add(
        meeting=MeetingFactory(organization=council, start=timezone.now() + timedelta(days=10)),
        title="Ny simhall",
        case=case,
        proposal_text="Bygg simhallen.",
        actor=None,
    )

    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    journey = response.context["journey"]
    assert journey.appearances == [first, second, upcoming]
    assert journey.decisions == [first, second]
    assert journey.upcoming == [upcoming]
    assert journey.current_body == council
    html = response.content.decode()
    assert case.diary_number in html
    assert "E-förslag" in html  # the case's origin
    assert (
        "Bordläggs." in html and "KS föreslår KF att bygga." in html and "Bygg simhallen." in html
    )
    case.refresh_from_db()
    assert case.status == Case.Status.ON_AGENDA
    assert client.get("/cases/ks-1999-00001/").status_code == 404


def test_withheld_document_shows_its_ground_and_a_request_route(
    client, django_capture_on_commit_callbacks
):
    board = OrganizationFactory(registry_email="registrator@sn.example")
    case = CaseFactory(responsible_organization=board)
    document = services.document_add(
        kind=Document.Kind.DECISION_BASIS,
        title="Utredning",
        case=case,
        public=False,
        withheld_ground="OSL 26 kap. 1 §",
        registry_document_id="SN 2026/45-3",
        text="<p>Hemlig text</p>",
        actor=None,
    )
    assert document.text == ""
    html = client.get(case.get_absolute_url()).content.decode()
    assert "OSL 26 kap. 1 §" in html
    request_url = reverse("diary:document-request", args=[document.pk])
    assert request_url in html
    page = client.get(request_url)
    assert page.status_code == 200 and case.diary_number in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            request_url, {"email": "journalist@example.org", "message": "Gärna digitalt."}
        )
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["registrator@sn.example"]
    assert message.reply_to == ["journalist@example.org"]
    assert case.diary_number in message.subject
    assert "SN 2026/45-3" in message.body and "Gärna digitalt." in message.body
    bad = client.post(request_url, {"email": "no"})
    assert bad.status_code == 200 and bad.context["form"].errors
    public = DocumentFactory(case=case)
    assert client.get(reverse("diary:document-request", args=[public.pk])).status_code == 404


def test_documents_of_a_closed_agenda_item_are_not_shown_or_named_anywhere(client):
    case = CaseFactory()
    item = AgendaItemFactory(case=case, public=False, title="Hemlig punkt")
    document = services.document_add(
        kind=Document.Kind.DECISION_BASIS,
        title="Utredning om en namngiven elev",
        case=case,
        agenda_item=item,
        meeting=item.meeting,
        public=False,
        withheld_ground="OSL 23 kap. 2 §",
        actor=None,
    )
    assert client.get(reverse("diary:document-request", args=[document.pk])).status_code == 404
    for url in (
        case.get_absolute_url(),
        item.meeting.get_absolute_url(),
        f"/api/v1/meetings/{item.meeting.pk}",
        f"/api/v1/cases/{case.slug}",
    ):
        text = client.get(url).content.decode()
        assert "namngiven elev" not in text and "Hemlig punkt" not in text


def test_withheld_document_needs_a_ground():
    case = CaseFactory()
    with pytest.raises(services.DiaryError):
        services.document_add(kind="attachment", title="X", case=case, public=False, actor=None)


def test_search_finds_cases_decisions_items_and_meetings(client):
    board = OrganizationFactory(name="Samhällsbyggnadsnämnden")
    case = CaseFactory(
        title="Detaljplan för Norra hamnen",
        summary="Bostäder och en förskola vid vattnet.",
        responsible_organization=board,
    )
    meeting = MeetingFactory(
        organization=board,
        title="Extra sammanträde om hamnen",
        start=timezone.now() - timedelta(days=3),
        status=Meeting.Status.HELD,
    )
    decided = AgendaItemFactory(meeting=meeting, case=case, title="Detaljplan för Norra hamnen")
    services.agenda_item_record_decision(
        item=decided,
        outcome="approved",
        decision_text="Planen godkänns för granskning.",
        actor=None,
    )
    AgendaItemFactory(
        meeting=MeetingFactory(), title="Förskola i Västerby", proposal_text="Bygg en förskola."
    )
    AgendaItemFactory(meeting=meeting, title="Hemlig förskola", public=False)

    response = client.get(reverse("diary:search"), {"q": "förskola"})
    assert response.status_code == 200
    groups = {g.key: g for g in response.context["groups"]}
    assert [h.url for h in groups["cases"].hits] == [case.get_absolute_url()]
    assert [h.title for h in groups["agenda_items"].hits] == ["Förskola i Västerby"]
    assert "Hemlig förskola" not in response.content.decode()
    by_decision = {
        g.key: g for g in client.get(reverse("diary:search"), {"q": "granskning"}).context["groups"]
    }
    assert [h.url for h in by_decision["decisions"].hits] == [decided.get_absolute_url()]
    by_number = {
        g.key: g
        for g in client.get(reverse("diary:search"), {"q": case.diary_number}).context["groups"]
    }
    assert by_number["cases"].hits[0].url == case.get_absolute_url()
    meetings = {
        g.key: g for g in client.get(reverse("diary:search"), {"q": "hamnen"}).context["groups"]
    }
    assert meeting.get_absolute_url() in [h.url for h in meetings["meetings"].hits]
    nothing = client.get(reverse("diary:search"), {"q": "zzzqqq"})
    assert nothing.context["groups"] == [] and "zzzqqq" in nothing.content.decode()
    for odd in ["", "   ", "'\"&|!:*()", "a" * 500, "<script>"]:
        assert client.get(reverse("diary:search"), {"q": odd}).status_code == 200


def test_search_sources_can_be_added_by_other_apps(client):
    from democracy.diary import search

    class Proposals:
        key = "proposals"
        label = "E-förslag"

        def search(self, query, limit):
            return [
                search.SearchHit(title=f"Förslag om {query}", url="/proposals/1/", kind="E-förslag")
            ]

    original = search.sources()
    search.register_source(Proposals())
    try:
        groups = client.get(reverse("diary:search"), {"q": "bad"}).context["groups"]
        assert [g.key for g in groups] == ["proposals"]
    finally:
        search._SOURCES[:] = original


def test_hub_shows_upcoming_meetings_and_latest_decisions(client):
    soon = MeetingFactory(start=timezone.now() + timedelta(days=2))
    cancelled = MeetingFactory(
        start=timezone.now() + timedelta(days=3), status=Meeting.Status.CANCELLED
    )
    item = AgendaItemFactory(
        meeting=MeetingFactory(start=timezone.now() - timedelta(days=5), status=Meeting.Status.HELD),
        title="Nytt äldreboende",
        case=CaseFactory(),
    )
    services.agenda_item_record_decision(
        item=item, outcome="approved", decision_text="Ja.", actor=None
    )
    response = client.get("/")
    assert list(response.context["upcoming_meetings"]) == [soon]
    assert cancelled not in response.context["upcoming_meetings"]
    html = response.content.decode()
    assert "Nytt äldreboende" in html and item.get_absolute_url() in html
    assert soon.get_absolute_url() in html


def test_open_data_page_links_feeds_and_api(client):
    html = client.get(reverse("diary:open-data")).content.decode()
    for url in (
        "/meetings.ics",
        "/decisions/feed.atom",
        "/api/v1/popolo.json",
        "/api/v1/openapi.json",
    ):
        assert url in html


def test_pages_have_no_inline_script_or_style(client):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting)
    person = politician(body=meeting.organization)
    for url in [
        "/",
        "/bodies/",
        meeting.organization.get_absolute_url(),
        "/meetings/",
        meeting.get_absolute_url(),
        "/politicians/",
        person.get_absolute_url(),
        reverse("people:politician-contact", args=[person.slug]),
        "/search/?q=x",
        "/open-data/",
    ]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and " style=" not in html and "<style" not in html, url


@time_machine.travel(date(2026, 6, 1))
def test_time_frozen_lifecycle_upcoming_then_past(client):
    meeting = MeetingFactory(start=at(2026, 6, 10, 9))
    assert meeting in client.get("/").context["upcoming_meetings"]
    with time_machine.travel(date(2026, 6, 20)):
        assert meeting not in client.get("/").context["upcoming_meetings"]


def test_search_finds_other_forms_of_a_word_on_every_database(client):
    """Issue 12: on the embedded default (SQLite) "skolor" and "cykelvägar" found nothing
    when the texts said "skola" and "cykelvägen"; now both databases find them."""
    CaseFactory(title="Ny skola i Västerby", summary="En skola för 400 elever.")
    CaseFactory(title="Cykelvägen längs ån", summary="Belysning på cykelvägen.")
    CaseFactory(title="Simhall", summary="Badet byggs om.")

    def found(query):
        groups = {g.key: g for g in client.get(reverse("diary:search"), {"q": query}).context["groups"]}
        return [hit.title for hit in groups["cases"].hits] if "cases" in groups else []

    for query, title in (
        ("skolor", "Ny skola i Västerby"),
        ("cykelvägar", "Cykelvägen längs ån"),
        ("Skolor", "Ny skola i Västerby"),
    ):
        hits = found(query)
        assert len(hits) == 1 and hits[0].endswith(title), (query, hits)


@pytest.mark.skipif(
    __import__("django.db", fromlist=["connection"]).connection.vendor != "postgresql",
    reason="Swedish full-text search (stemming) needs PostgreSQL",
)
def test_full_text_search_uses_swedish_stemming_and_ranks(client):
    CaseFactory(title="Nya skolor i Västerby", summary="Två skolor byggs.")
    CaseFactory(title="Simhall", summary="En skola nämns i förbigående.")
    groups = {
        g.key: g for g in client.get(reverse("diary:search"), {"q": "skola"}).context["groups"]
    }
    titles = [hit.title for hit in groups["cases"].hits]
    assert len(titles) == 2
    assert "Nya skolor i Västerby" in titles[0]
