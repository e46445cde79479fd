"""The XSS corpus through the back office of the meeting diary and the people register, and
through the public contact forms, rendered in Chromium (issue 13, "The attack suite in CI").

The proposal suite (``tests/proposals/test_xss_corpus.py``) covers what residents write. Here
every payload of ``tests/support/xss_payloads.py`` goes in as a diary editor would enter it:
posted to the Django admin's own add forms (so the admin's forms, ``save_model`` and the
services they call, such as ``case_open`` and ``agenda_item_record_decision``, do what they do
in production), into case titles and summaries, meeting titles, places, addresses and status
notes, agenda items with their proposed decisions and decisions, documents with their text,
bodies and their descriptions, party names, terms of office, politicians' names, "about"
texts, assignment titles and contact details. Residents then send the corpus through the
politician contact form and the document request form (a re-shown form echoes what was
typed).

Every public page that shows those texts is opened in Chromium with the shared detectors
(``tests/support/xss.py``): the hub, bodies, meetings, cases, politicians, search results,
the contact and request forms, and the back office's own lists and pages. The Atom feed of
decisions is HTML to a feed reader: its entries are shown on a page with no CSP at all, as
a reader might, and must carry no markup from a payload.
"""

import html
from datetime import timedelta
from urllib.parse import quote

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from democracy.core.roles import Role
from democracy.diary.models import AgendaItem, Case, Document, Meeting
from democracy.people.models import Organization, Person, Term
from tests.proposals.test_browser import sign_in
from tests.support.xss import chunks, inspect, joined, problems, watch
from tests.support.xss_payloads import payloads

pytestmark = pytest.mark.browser

CORPUS = payloads()
TEXTS = [text for _, text in CORPUS]


def text(i: int, length: int) -> str:
    """Payload ``i`` (any index: it wraps round), cut to what the field takes."""
    return TEXTS[i % len(TEXTS)][:length]


def formset(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def admin_add(client, model: str, fields: dict, inlines: dict | None = None):
    """Post ``fields`` to the admin's add form of ``model`` ("app_model"), with ``inlines``
    rows per inline prefix (every other inline of the page is sent empty); return the new
    object."""
    url = reverse(f"admin:{model}_add")
    form_page = client.get(url)
    assert form_page.status_code == 200, url
    inlines = dict(inlines or {})
    data = dict(fields)
    for inline in form_page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update(formset(prefix, inlines.pop(prefix, [])))
    assert not inlines, f"no such inline on {url}: {list(inlines)}"
    response = client.post(url, data)
    if response.status_code != 302:
        context = response.context
        errors = [context["adminform"].form.errors] + [
            (inline.formset.prefix, inline.formset.errors, inline.formset.non_form_errors())
            for inline in context["inline_admin_formsets"]
        ]
        pytest.fail(f"the admin refused {model}: {errors}")
    return form_page.context["adminform"].form._meta.model.objects.order_by("-pk").first()


def split(moment) -> dict:
    local = timezone.localtime(moment)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M")}


def datetime_fields(name: str, moment) -> dict:
    return {f"{name}_{part}": value for part, value in split(moment).items()}


def organization(**fields) -> dict:
    blank = {
        "name": "", "short_name": "", "slug": "", "classification": "committee", "parent": "",
        "description": "", "email": "", "registry_email": "", "registry_series": "",
        "color": "", "founding_date": "", "dissolution_date": "", "sort_order": "100",
        "popolo_id": "",
    }  # fmt: skip
    return blank | fields


def meeting(body, *, number, start, status, title, place, address, note, public=True) -> dict:
    return {
        "organization": body.pk, "term": "", "year": str(start.year), "number": str(number),
        "title": title, **datetime_fields("start", start),
        **datetime_fields("end", start + timedelta(hours=3)), "location": place,
        "address": address, "webcast_url": "", "status": status,
        "publicity": "open" if public else "closed", "status_note": note,
        "notice_published_on": "", "public_announcement_on": "", "minutes_adjusted_on": "",
        "minutes_announced_on": "",
    }  # fmt: skip


def document(i: int, *, public=True, **fields) -> dict:
    return {
        "kind": "decision_basis", "title": text(i, 300), "minutes_version": "",
        "published_on": "", "text": joined(CORPUS[i : i + 10]), "public": "on" if public else "",
        "withheld_ground": "" if public else text(i + 1, 200),
        "registry_document_id": text(i + 2, 50), **fields,
    }  # fmt: skip


@pytest.fixture
def entered(client, make_user):
    """The corpus entered through the admin by a diary editor; what the pages need to know."""
    editor = make_user(
        email="diarie@example.org", name="Dana Diarie", roles=[Role.DIARY_EDITOR],
        is_staff=True, totp=True,
    )  # fmt: skip
    client.force_login(editor)
    today = timezone.localdate()
    now = timezone.now()

    term = admin_add(client, "people_term", {
        "name": text(0, 100), "slug": "mandat-xss",
        "start_date": str(today - timedelta(days=400)), "end_date": str(today + timedelta(days=1000)),
        "popolo_id": "",
    })  # fmt: skip
    old_term = admin_add(client, "people_term", {
        "name": text(1, 100), "slug": "mandat-xss-tidigare",
        "start_date": str(today - timedelta(days=2000)), "end_date": str(today - timedelta(days=401)),
        "popolo_id": "",
    })  # fmt: skip
    parties = [
        admin_add(
            client,
            "people_organization",
            organization(
                name=text(i, 200),
                short_name=text(i + 1, 20),
                slug=f"parti-{i}",
                classification="party",
                color='"><svg>',  # seven characters: the field's length
            ),
        )
        for i in range(0, 8, 2)
    ]
    body = admin_add(client, "people_organization", organization(
        name=text(3, 200), short_name="XN", slug="namnd-xss", description=joined(CORPUS),
        registry_series="XN", registry_email="registrator@example.org",
        meetings_public_default="on",
    ))  # fmt: skip
    admin_add(client, "people_organization", organization(
        name=text(4, 200), slug="utskott-xss", classification="subcommittee", parent=body.pk,
        description=joined(CORPUS[:20]),
    ))  # fmt: skip

    # One politician per twenty payloads, each with a seat, a party, an earlier seat and
    # contact details (published with consent, so the page links the contact form).
    people = []
    for index, group in enumerate(chunks(CORPUS, 20)):
        first = group[0][0] - 1
        consent = datetime_fields("consent_given_at", now - timedelta(days=5))
        contact = {"label": text(first + 1, 100), "note": text(first + 2, 300), "is_official": "",
                   "publish": "on", "consent_source": text(first + 3, 200), "valid_from": "",
                   "valid_until": "", **consent}  # fmt: skip
        people.append(admin_add(client, "people_person", {
            "given_name": text(first, 100), "family_name": f"Efternamn{index}",
            "sort_name": f"Efternamn{index}, {text(first, 100)}"[:200], "slug": f"person-{index}",
            "image_alt": text(first + 4, 200), "biography": joined(group), "gender": "",
            "user": "", "image_url": "", "popolo_id": "",
        }, {
            "memberships": [
                {"organization": body.pk, "role": "member", "on_behalf_of": parties[index].pk,
                 "term": term.pk, "substitute_order": "", "start_date": str(term.start_date),
                 "end_date": ""},
                {"organization": parties[index].pk, "role": "member", "on_behalf_of": "",
                 "term": "", "substitute_order": "", "start_date": "", "end_date": ""},
                {"organization": body.pk, "role": "chair", "on_behalf_of": parties[index].pk,
                 "term": old_term.pk, "substitute_order": "", "start_date": str(old_term.start_date),
                 "end_date": str(old_term.end_date)},
            ],
            "contact_details": [
                {"type": "email", "value": f"politiker{index}@example.org", **contact},
                {"type": "url", "value": f"javascript:__xssHit({first + 1})", **contact},
                {"type": "social", "value": text(first + 5, 300), **contact},
                {"type": "address", "value": text(first + 6, 300), **contact},
            ],
        }))  # fmt: skip

    # Cases: a payload as the title, the whole corpus as the summary, documents attached.
    cases = [
        admin_add(
            client,
            "diary_case",
            {
                "title": text(i, 300),
                "summary": joined(CORPUS),
                "responsible_organization": body.pk,
                "origin": "motion",
                "status": "received",
                "registered_on": str(today - timedelta(days=30)),
                "closed_on": "",
            },
            {"documents": [document(i), document(i + 30, public=False)]},
        )
        for i in range(0, 12)
    ]

    # A held meeting that decided the first six cases, an upcoming one with the next six on
    # its agenda, and a cancelled one with a note.
    def items(selected, *, decided):
        rows = []
        for position, case in enumerate(selected, start=1):
            i = position * 7
            rows.append({
                "position": str(position), "paragraph": text(i, 20), "title": text(i + 1, 300),
                "case": str(case.pk), "public": "on", "proposal_text": joined(CORPUS[i : i + 12]),
                "outcome": "approved" if decided else "",
                "decision_text": joined(CORPUS[i + 12 : i + 24]) if decided else "",
            })  # fmt: skip
        rows.append({"position": str(len(rows) + 1), "paragraph": "", "title": text(70, 300),
                     "case": "", "public": "", "proposal_text": text(71, 1000), "outcome": "",
                     "decision_text": ""})  # fmt: skip
        return rows

    held = admin_add(
        client, "diary_meeting",
        meeting(body, number=1, start=now - timedelta(days=2), status="held", title=text(5, 200),
                place=text(6, 200), address=text(7, 300), note=text(8, 200)),
        {"agenda_items": items(cases[:6], decided=True), "documents": [document(40), document(50)]},
    )  # fmt: skip
    upcoming = admin_add(
        client, "diary_meeting",
        meeting(body, number=2, start=now + timedelta(days=3), status="planned", title=text(9, 200),
                place=text(10, 200), address=text(11, 300), note=text(12, 200)),
        {"agenda_items": items(cases[6:], decided=False), "documents": [document(60)]},
    )  # fmt: skip
    cancelled = admin_add(
        client, "diary_meeting",
        meeting(body, number=3, start=now + timedelta(days=4), status="cancelled",
                title=text(13, 200), place=text(14, 200), address=text(15, 300), note=text(16, 200)),
    )  # fmt: skip
    withheld = Document.objects.filter(public=False).order_by("pk").first()
    return {
        "editor": editor, "body": body, "parties": parties, "people": people, "cases": cases,
        "meetings": [held, upcoming, cancelled], "withheld": withheld,
    }  # fmt: skip


def public_paths(entered) -> list[str]:
    held, upcoming, cancelled = entered["meetings"]
    months = {timezone.localtime(m.start).strftime("%Y-%m") for m in entered["meetings"]}
    probes = [quote(TEXTS[i]) for i in (0, 10, 26, 47, 69)]
    return [
        "/",
        "/bodies/",
        entered["body"].get_absolute_url(),
        "/bodies/utskott-xss/",
        *(f"/meetings/?month={month}" for month in sorted(months)),
        f"/meetings/?body={entered['body'].slug}",
        *(m.get_absolute_url() for m in (held, upcoming, cancelled)),
        *(case.get_absolute_url() for case in entered["cases"][::3]),
        "/politicians/",
        *(party.get_absolute_url() for party in entered["parties"][:2]),
        *(person.get_absolute_url() for person in entered["people"]),
        f"/politicians/{entered['people'][0].slug}/contact/",
        f"/documents/{entered['withheld'].pk}/request/",
        "/search/?q=img",
        "/search/?q=link",
        # What a visitor types is shown back: in the search box, the heading and the filters.
        *(f"/search/?q={probe}" for probe in probes),
        *(f"/politicians/?q={probe}" for probe in probes[:2]),
        f"/meetings/?body={probes[0]}&month={probes[1]}",
    ]


def staff_paths(entered) -> list[str]:
    held = entered["meetings"][0]
    return [
        "/admin/diary/case/",
        "/admin/diary/meeting/",
        "/admin/diary/agendaitem/",
        "/admin/diary/document/",
        "/admin/people/person/",
        "/admin/people/organization/",
        reverse("admin:diary_meeting_change", args=[held.pk]),
        reverse("admin:diary_case_change", args=[entered["cases"][0].pk]),
        reverse("admin:people_person_change", args=[entered["people"][0].pk]),
        reverse("admin:people_organization_change", args=[entered["body"].pk]),
    ]


def send_form(page, dialogs, values: dict, url: str) -> dict:
    """Fill the form of ``url`` with ``values`` (label: text) and send it; inspect the result."""
    page.goto(url)
    for label, value in values.items():
        field = page.get_by_label(label, exact=True)
        if value is True:
            field.check()
        else:
            field.fill(value)
    page.locator("main form[method=post] button[type=submit]").click()
    return inspect(page, None, dialogs, navigate=False)


def test_no_payload_entered_in_the_back_office_runs_on_any_page(
    entered, page, live_app, _playwright_browser
):
    # What the admin stored is what was sent (nothing refused, nothing lost on the way).
    assert Case.objects.count() == 12 and Meeting.objects.count() == 3
    assert AgendaItem.objects.exclude(outcome="").count() == 6
    assert Person.objects.count() == 4 and Term.objects.count() == 2
    assert Organization.objects.filter(classification="party").count() == 4

    dialogs, csp_console = [], []
    watch(page, dialogs, csp_console)
    results = {}
    shown = {}
    for path in public_paths(entered):
        results[path] = inspect(page, live_app(path), dialogs)
        shown[path] = page.content()

    # A resident writes the corpus into the contact form: once with an address the form
    # refuses (the form comes back, filled in), once accepted (the politician's page says so).
    person = entered["people"][0]
    contact = live_app(f"/politicians/{person.slug}/contact/")
    for i, email in ((20, "inte-en-adress"), (40, "invanare@example.org")):
        values = {
            "Ditt namn": text(i, 100), "Din e-postadress": email, "Ämne": text(i + 1, 150),
            "Meddelande": joined(CORPUS[i : i + 20]),
            "Jag förstår att mitt meddelande kan bli en allmän handling.": True,
        }  # fmt: skip
        results[f"contact form ({email})"] = send_form(page, dialogs, values, contact)
    assert page.url.endswith(person.get_absolute_url()), page.url
    request = live_app(f"/documents/{entered['withheld'].pk}/request/")
    values = {"Din e-postadress": "fel", "Ditt namn (om du vill)": text(60, 100),
              "Något mer du vill säga (om du vill)": joined(CORPUS[60:70])}  # fmt: skip
    results["document request form"] = send_form(page, dialogs, values, request)

    # The feed of decisions, as a feed reader shows it: each entry's HTML on a page without
    # any Content-Security-Policy.
    # feedparser's own cleaning is off: the reader must not be what stops a payload. Titles
    # are text in Atom and are escaped as text; summaries are HTML and are shown as HTML.
    body = page.request.get(live_app("/decisions/feed.atom")).body()
    entries = feedparser.parse(body, sanitize_html=False).entries
    assert all(entry.title_detail.type == "text/plain" for entry in entries)
    assert all(entry.summary_detail.type == "text/html" for entry in entries)
    reader = "<!doctype html><title>reader</title><body>" + "".join(
        f"<article><h2>{html.escape(entry.title)}</h2>{entry.summary}</article>"
        for entry in entries
    )
    page.route(
        "**/feed-reader/", lambda route: route.fulfill(body=reader, content_type="text/html")
    )
    results["decisions feed in a reader"] = inspect(page, live_app("/feed-reader/"), dialogs)

    # The diary editor sees the back office's lists and pages of what was entered.
    staff = _playwright_browser.new_context(base_url=live_app.url, locale="sv-SE")
    staff_page = staff.new_page()
    watch(staff_page, dialogs, csp_console)
    sign_in(staff_page, live_app, entered["editor"], totp=True)
    for path in staff_paths(entered):
        results[path] = inspect(staff_page, live_app(path), dialogs)
        shown[path] = staff_page.content()
    staff.close()

    found = problems(results)
    assert not found, f"payloads ran or reached markup: {found}"
    assert not csp_console, csp_console
    # The run saw what it was meant to: every page opened shows the corpus, as text.
    assert len(results) >= 40
    assert len(entries) == 6 and "__xssHit" in reader
    assert [path for path, content in shown.items() if "__xssHit" not in content] == []
