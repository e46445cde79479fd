"""Journey 2 of issue 12 in a real browser, clicked and typed as a diary editor does: two cases,
a meeting planned with an agenda and a notice, the meeting held, decisions with votes by party,
the minutes approved (justerat) and announced (anslaget); then what a resident finds: the case
page, the calendar feeds and the last day to appeal (three weeks after the announcement)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from democracy.core.roles import Role
from democracy.diary.dates import appeal_deadline
from democracy.diary.models import AgendaItem, Case, Document, Meeting
from democracy.people.models import Organization
from tests.people.factories import OrganizationFactory, PartyFactory
from tests.proposals.test_browser import sign_in

pytestmark = pytest.mark.browser

SWEDISH_MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
]


def swedish_date(day) -> str:
    return f"{day.day} {SWEDISH_MONTHS[day.month - 1]} {day.year}"


def choose(page, field_id: str, text: str) -> None:
    """Pick ``text`` in the admin's autocomplete box for ``field_id``: open it, type, choose."""
    page.locator(f"#{field_id} + .select2").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def accessible(page, assert_accessible) -> None:
    """axe and reflow once the page has loaded, as a person sees it."""
    page.wait_for_load_state()
    assert_accessible(page)


def saved(page) -> None:
    """The admin said it saved; if it did not, fail with the errors it shows."""
    page.wait_for_load_state()
    errors = page.locator(".errornote, .errorlist")
    if errors.count():
        fields = page.locator(".errors, .form-row.errors").all_inner_texts()
        raise AssertionError(
            "The admin did not save: " + " | ".join(errors.all_inner_texts() + fields)
        )
    page.locator(".messagelist .success").wait_for()


def test_diary_editor_takes_a_meeting_from_planned_to_held(
    page, live_app, assert_accessible, make_user, settings, tmp_path, _playwright_browser
):
    settings.MEDIA_ROOT = str(tmp_path)
    board = OrganizationFactory(
        name="Kommunstyrelsen",
        slug="kommunstyrelsen",
        short_name="KS",
        registry_series="KS",
        classification=Organization.Classification.EXECUTIVE_BOARD,
    )
    PartyFactory(name="Socialdemokraterna", short_name="S", slug="s")
    PartyFactory(name="Moderaterna", short_name="M", slug="m")
    editor = make_user(
        email="diarie@example.org", name="Dana Diarie", roles=[Role.DIARY_EDITOR], totp=True
    )
    today = timezone.localdate()
    day = today - timedelta(days=1)  # the meeting was yesterday evening

    sign_in(page, live_app, editor, totp=True)
    page.goto(live_app("/admin/"))

    # 1. Two cases are registered; each gets the next diary number of the board's series.
    for title, summary in (
        ("Ny cykelväg längs Storgatan", "Kommunen bygger en cykelväg längs Storgatan."),
        ("Öppettider på biblioteket", "Biblioteket får öppet på söndagar."),
    ):
        page.get_by_role("link", name="Ärenden").first.click()
        page.get_by_role("link", name=re.compile("Lägg till ärende")).click()
        accessible(page, assert_accessible)
        form = page.locator("fieldset").first  # the case itself, not its documents
        form.get_by_label("Titel:").fill(title)
        form.get_by_label("Sammanfattning i klarspråk:").fill(summary)
        choose(page, "id_responsible_organization", "Kommunstyrelsen")
        form.get_by_label("Registrerat:").fill(today.isoformat())
        page.get_by_role("button", name="Spara", exact=True).click()
        saved(page)
    cykel = Case.objects.get(title="Ny cykelväg längs Storgatan")
    bibliotek = Case.objects.get(title="Öppettider på biblioteket")
    assert (cykel.diary_number, bibliotek.diary_number) == (
        f"KS {today.year}/00001",
        f"KS {today.year}/00002",
    )
    assert cykel.status == Case.Status.RECEIVED

    # 2. The meeting is planned with its agenda: the two cases.
    page.goto(live_app("/admin/"))
    page.get_by_role("link", name="Möten").first.click()
    page.get_by_role("link", name=re.compile("Lägg till möte")).click()
    accessible(page, assert_accessible)
    choose(page, "id_organization", "Kommunstyrelsen")
    page.get_by_label("År:").fill(str(day.year))
    page.get_by_label("Börjar: datum").fill(day.isoformat())
    page.get_by_label("Börjar: tid").fill("18:00")
    page.get_by_label("Slutar: datum").fill(day.isoformat())
    page.get_by_label("Slutar: tid").fill("20:00")
    page.get_by_label("Plats:").fill("Sessionssalen, Stadshuset")
    page.get_by_label("Öppet eller stängt:").select_option(label="Öppet för allmänheten")
    first = page.locator("#agenda_items-0")
    first.get_by_label("Ordning:").fill("1")
    first.get_by_label("Titel:").fill("Ny cykelväg längs Storgatan")
    choose(page, "id_agenda_items-0-case", "Ny cykelväg")
    first.get_by_label("Förslag till beslut:").fill("Kommunstyrelsen bygger cykelvägen 2027.")
    page.get_by_role("button", name="Lägg till ytterligare Ärendepunkt").click()
    second = page.locator("#agenda_items-1")
    second.get_by_label("Ordning:").fill("2")
    second.get_by_label("Titel:").fill("Öppettider på biblioteket")
    choose(page, "id_agenda_items-1-case", "Öppettider")
    second.get_by_label("Förslag till beslut:").fill("Biblioteket har öppet på söndagar.")
    # The notice (kallelse) is attached as a file.
    page.get_by_role("button", name="Lägg till ytterligare Handling").click()
    notice = page.locator("#documents-0")
    notice.get_by_label("Typ:").select_option(label="Kallelse")
    notice.get_by_label("Titel:").fill("Kallelse till kommunstyrelsen")
    notice.get_by_label("Fil:").set_input_files(
        {"name": "kallelse.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 kallelse"}
    )
    accessible(page, assert_accessible)
    page.get_by_role("button", name="Spara och fortsätt redigera").click()
    saved(page)
    accessible(page, assert_accessible)
    meeting = Meeting.objects.get(organization=board)
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.agenda_items.count() == 2
    assert meeting.documents.get().file.name.endswith(".pdf")

    # The cases are on the agenda now, in the public diary too.
    cykel.refresh_from_db()
    assert cykel.status == Case.Status.ON_AGENDA
    resident = _playwright_browser.new_context(base_url=live_app.url, locale="sv-SE").new_page()
    resident.goto(live_app(cykel.get_absolute_url()))
    assert "På dagordningen" in resident.locator(".key-facts").inner_text()
    assert_accessible(resident)

    # 3. A decision before the meeting is held is refused, with the reason on the field.
    page.locator("#agenda_items-0").get_by_label("Utfall:").select_option(label="Bifall")
    page.get_by_role("button", name="Spara och fortsätt redigera").click()
    page.locator(".errornote").wait_for()
    assert "när sammanträdet har hållits" in page.locator("#agenda_items-0 .errorlist").inner_text()
    accessible(page, assert_accessible)
    assert not AgendaItem.objects.exclude(outcome="").exists()
    page.locator("#agenda_items-0").get_by_label("Utfall:").select_option(label="---------")

    # The meeting is held.
    page.get_by_label("Status:", exact=True).select_option(label="Genomfört")
    page.get_by_role("button", name="Spara och fortsätt redigera").click()
    saved(page)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD

    # 4. The decisions, one after a vote by party, through each agenda item's own page.
    page.locator("#agenda_items-0").get_by_role("link", name="Ändra", exact=True).click()
    page.get_by_label("Utfall:").select_option(label="Bifall efter omröstning")
    page.get_by_label("Beslut:", exact=True).fill("Kommunstyrelsen bygger cykelvägen längs Storgatan 2027.")
    for index, (party, yes, no) in enumerate((("Socialdemokraterna", 7, 0), ("Moderaterna", 0, 4))):
        page.get_by_role("button", name="Lägg till ytterligare Partiets röster").click()
        choose(page, f"id_party_votes-{index}-party", party)
        page.locator(f"#id_party_votes-{index}-yes").fill(str(yes))
        page.locator(f"#id_party_votes-{index}-no").fill(str(no))
    accessible(page, assert_accessible)
    page.get_by_role("button", name="Spara", exact=True).click()
    saved(page)
    item = AgendaItem.objects.get(case=cykel)
    assert item.outcome == AgendaItem.Outcome.APPROVED_AFTER_VOTE
    assert item.party_votes.count() == 2

    page.goto(live_app(f"/admin/diary/meeting/{meeting.pk}/change/"))
    page.locator("#agenda_items-1").get_by_role("link", name="Ändra", exact=True).click()
    page.get_by_label("Utfall:").select_option(label="Återremiss")
    page.get_by_label("Beslut:", exact=True).fill("Ärendet återremitteras för en kostnadsberäkning.")
    page.get_by_role("button", name="Spara", exact=True).click()
    saved(page)

    # 5. The minutes are approved (justerat) and announced (anslaget) today; the approved
    # minutes are attached.
    page.goto(live_app(f"/admin/diary/meeting/{meeting.pk}/change/"))
    page.get_by_label("Protokollet justerat:").fill(today.isoformat())
    page.get_by_label("Protokollet anslaget:").fill(today.isoformat())
    page.get_by_role("button", name="Lägg till ytterligare Handling").click()
    minutes = page.locator("#documents-1")
    minutes.get_by_label("Typ:").select_option(label="Protokoll")
    minutes.get_by_label("Titel:").fill("Protokoll från kommunstyrelsen")
    minutes.get_by_label("Protokollversion:").select_option(label="Justerat")
    minutes.get_by_label("Fil:").set_input_files(
        {"name": "protokoll.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 protokoll"}
    )
    page.get_by_role("button", name="Spara och fortsätt redigera").click()
    saved(page)
    deadline = appeal_deadline(today)
    assert swedish_date(deadline) in page.locator(".field-appeal_deadline_display").inner_text()

    # 6. What a resident finds: the meeting, the case with its decision and votes, the deadline.
    resident.goto(live_app(meeting.get_absolute_url()))
    facts = resident.locator(".key-facts").inner_text()
    assert "Genomfört" in facts and swedish_date(deadline) in facts
    assert "Protokoll från kommunstyrelsen" in resident.locator("#documents-heading + *").inner_text()
    assert_accessible(resident)
    resident.get_by_role("link", name=f"Ärende {cykel.diary_number}").click()
    resident.wait_for_url(re.compile(re.escape(cykel.get_absolute_url())))
    assert "Beslutat" in resident.locator(".key-facts").inner_text()
    timeline = resident.locator(".timeline").inner_text()
    assert "Bifall efter omröstning" in timeline
    assert f"överklaga senast {swedish_date(deadline)}" in timeline.lower() or (
        swedish_date(deadline) in timeline
    )
    votes = resident.get_by_role("table", name="Röster per parti")
    assert "Socialdemokraterna" in votes.inner_text() and "Moderaterna" in votes.inner_text()
    assert_accessible(resident)
    bibliotek.refresh_from_db()
    assert bibliotek.status == Case.Status.REFERRED_BACK

    # The case's calendar has the meeting, confirmed, at its time.
    href = resident.get_by_role("link", name=re.compile("i din kalender")).get_attribute("href")
    response = resident.request.get(live_app(href))
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.body()).walk("VEVENT")]
    assert [str(e["status"]) for e in events] == ["CONFIRMED"]
    assert events[0]["dtstart"].dt == timezone.localtime(meeting.start)
    # So has the board's.
    resident.goto(live_app(board.get_absolute_url()))
    href = resident.get_by_role("link", name=re.compile("kalender", re.I)).first.get_attribute(
        "href"
    )
    body = resident.request.get(live_app(href)).body()
    assert [str(e["uid"]) for e in Calendar.from_ical(body).walk("VEVENT")] == [
        str(events[0]["uid"])
    ]
    assert Document.objects.filter(meeting=meeting).count() == 2
    resident.context.close()
    # The back-office lists the editor started from pass axe too.
    for path in ("/admin/", "/admin/diary/meeting/", "/admin/diary/case/"):
        page.goto(live_app(path))
        accessible(page, assert_accessible)
