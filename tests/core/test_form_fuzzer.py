"""The form fuzzer (issue 13, "The attack suite in CI"): every form the crawl finds, one field
at a time.

A crawl of the demo municipality (as a visitor, a signed-in resident and a staff member with
every role and a second factor) collects each distinct form: its action, method, encoding and
named controls. Each form is then sent once with plausible values (what the page offers, or
a believable value for the control's type); once for each hostile text (NUL bytes, invalid
UTF-8, text far over any limit and over SQLite's LIKE limit, a number beyond 64 bits, a date
as text, invisible characters) in every text control at once; once with a broken upload in
its file controls; and for each other control (numbers, dates and times, choices, hidden
keys) with each of its hostile values (beyond 64 bits, year 1 and 9999, impossible dates,
unknown choices) while the rest stays plausible, so the bad value meets the form's own checks
and, where the rest passes, the service behind it. Every answer must be something other than a 5xx. New forms are covered without being
listed here; ``test_no_server_errors.py`` is the page crawl this builds on.
"""

import io
from collections import Counter
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from democracy.core.roles import Role
from tests.support import crawl

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
INVALID_UTF8 = b"\xff\xfe\xc3\x28 \xed\xa0\x80"
LONG = "x" * 70_000
HUGE = "9" * 40
DATES = ["0001-01-01", "9999-12-31", "2026-02-31", "-2026-01-01"]
HOSTILE = {
    "text": [NUL, INVALID_UTF8, LONG, HUGE, DATES[0], " \u202e\u200b "],
    "number": [HUGE, "-" + HUGE, "1e309", "NaN", "0.5"],
    "date": DATES,
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-31T25:61"],
    "time": ["25:61", "00:00:00.00000001"],
    "email": [NUL + "@example.org", "a@" + "x" * 300 + ".se", INVALID_UTF8],
    "choice": [HUGE, "zz", INVALID_UTF8],
    "file": ["broken upload"],
}
KIND_OF = {
    "textarea": "text",
    "search": "text",
    "password": "text",
    "url": "text",
    "tel": "text",
    "color": "text",
    "hidden": "choice",
    "select": "choice",
    "radio": "choice",
    "checkbox": "choice",
}
SKIP_FIELDS = {"csrfmiddlewaretoken"}
MAX_FIELDS_PER_FORM = 8


def _plausible(kind: str, name: str) -> str:
    """A value a person might type into an empty control of this kind."""
    soon = timezone.localtime() + timedelta(days=2)
    return {
        "email": "fuzz@example.org",
        "number": "1",
        "date": soon.date().isoformat(),
        "datetime-local": soon.strftime("%Y-%m-%dT10:00"),
        "time": "10:00",
        "password": "Fuzz-Password-2026!",
        "url": "https://example.org/",
        "textarea": "En rimlig text som någon kunde ha skrivit i rutan för att pröva den.",
    }.get(kind, "Prov" if "name" not in name else "Fuzz Fuzzsson")


def _forms(client, start: list[str]) -> dict:
    """The distinct forms on the pages reachable from ``start``: {key: (action, form)}."""
    found = {}
    for path, _response, parser in crawl.pages(client, start, per_route=1):
        for form in parser.forms if parser else ():
            action = crawl.form_action(form, path)
            pattern = crawl.route(urlsplit(action).path) if action else None
            if pattern is not None:
                found.setdefault(
                    (form["method"], pattern, tuple(sorted(form["kinds"]))), (action, form)
                )
    return found


def _baseline(form: dict) -> dict:
    data = {}
    for name, kind in form["kinds"].items():
        value = form["fields"].get(name)
        if kind == "file":
            continue
        if kind == "checkbox" and value is None:
            continue  # an unchecked box sends nothing
        data[name] = value if value else _plausible(kind, name)
    return data


def _send(client, action: str, form: dict, data: dict, upload: tuple = ()):
    if form["method"] != "post":
        return client.get(action + ("&" if "?" in action else "?") + urlencode(data, doseq=True))
    if upload or "multipart" in form["enctype"]:
        payload = dict(data)
        for name in upload:
            # Claims to be a picture; is not one, and its name is far too long.
            payload[name] = SimpleUploadedFile(
                "x" * 300 + ".png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"
            )
        return client.post(action, payload)
    return client.post(
        action, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def _trials(form: dict) -> list[tuple[tuple[str, ...], str, object]]:
    """(names, kind, value) to send: each hostile text value in every text control at once
    (a text control's checks are its own), and each hostile date, number, choice or address
    in one control at a time with the rest plausible, so it can reach the form's and the
    service's checks behind the field's own."""
    kinds = {
        name: KIND_OF.get(kind, kind)
        for name, kind in form["kinds"].items()
        if name not in SKIP_FIELDS
    }
    texts = tuple(name for name, kind in kinds.items() if kind == "text")
    files = tuple(name for name, kind in kinds.items() if kind == "file")
    trials = [((), "", None)]
    if texts:
        trials += [(texts, "text", value) for value in HOSTILE["text"]]
    if files:
        trials.append((files, "file", None))
    others = [name for name, kind in kinds.items() if kind not in ("text", "file")]
    for name in others[:MAX_FIELDS_PER_FORM]:
        kind = kinds[name]
        trials += [((name,), kind, value) for value in HOSTILE.get(kind, HOSTILE["choice"])]
    return trials


def _fuzz(client, start: list[str]) -> tuple[Counter, list[str]]:
    tally: Counter = Counter()
    failures: list[str] = []
    for action, form in _forms(client, start).values():
        tally["forms"] += 1
        baseline = _baseline(form)
        for names, kind, value in _trials(form):
            data = dict(baseline)
            upload = names if kind == "file" else ()
            if kind != "file":
                data.update(dict.fromkeys(names, value))
            response = _send(client, action, form, data, upload)
            tally["requests"] += 1
            tally[f"status {response.status_code // 100}xx"] += 1
            if response.status_code >= 500:
                error = (getattr(response, "exc_info", None) or (None, ""))[1]
                failures.append(
                    f"{form['method'].upper()} {action} {','.join(names)[:80]}={value!r:.40} "
                    f"-> {response.status_code} {error!r:.200}"
                )
    print(dict(tally))
    return tally, failures


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_visitor_forms_survive_hostile_values(client, demo):
    tally, failures = _fuzz(client, ["/", "/accounts/login/", "/accounts/signup/"])
    assert tally["forms"] >= 8, tally  # the crawl found the site's public forms
    assert tally["status 2xx"] + tally["status 3xx"] > 0
    assert failures == [], "\n".join(failures)


def test_resident_forms_survive_hostile_values(client, demo, make_user):
    client.force_login(make_user(name="Fuzz Resident"))
    tally, failures = _fuzz(client, ["/", "/account/", "/proposals/new/"])
    assert tally["forms"] >= 10, tally
    assert failures == [], "\n".join(failures)


def test_staff_forms_survive_hostile_values(client, demo, make_user):
    client.force_login(make_user(roles=list(Role.values), totp=True, is_staff=True))
    tally, failures = _fuzz(client, ["/", "/staff/", "/moderation/", "/admin/"])
    assert tally["forms"] >= 40, tally
    assert failures == [], "\n".join(failures)
