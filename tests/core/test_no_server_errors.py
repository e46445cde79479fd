"""No user action gives a server error: a crawl of the demo municipality.

Starting from the pages each kind of user starts at, the crawl follows every link on the
site, a few pages per URL pattern, as a visitor, a signed-in resident and a staff member
holding every role with a second factor. On each page it also asks again with nonsense in
the query string, and it sends every form on the page twice: empty, and filled with values
that are too long, of the wrong kind or carry a NUL byte or markup. Every answer must be
something other than a 5xx. New pages and forms are covered without being listed here.
"""

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from democracy.core.roles import Role
from tests.support import crawl

pytestmark = pytest.mark.django_db

PAGES_PER_ROUTE = 2
JUNK_QUERY = (
    "?page=abc&month=2026-13&year=x&q=%00%3Cscript%3E&sort=zz&status=zz&body=zz&party=zz"
    "&topic=zz&district=zz&date=31-02-2026&term=zz&kind=zz&role=zz&o=zz&format=zz"
)
JUNK_VALUES = ["x" * 20_000, "\x00", "<script>alert(1)</script>", "-1", "9" * 30, "2026-02-31"]


def _crawl(client, start: list[str], failures: list[str]) -> int:
    requests = 0

    def check(method, path, response):
        if response.status_code >= 500:
            error = (getattr(response, "exc_info", None) or (None, ""))[1]
            failures.append(f"{method} {path} -> {response.status_code} {error!r:.300}")

    for path, response, parser in crawl.pages(client, start, per_route=PAGES_PER_ROUTE):
        requests += 1
        check("GET", path, response)
        if urlsplit(path).query == "":
            check("GET", path + JUNK_QUERY, client.get(path + JUNK_QUERY))
            requests += 1
        for form in parser.forms if parser else ():
            action = crawl.form_action(form, path)
            if action is None:
                continue
            for values in ({}, None):
                data = {name: form["fields"].get(name, "") for name in form["kinds"]}
                for index, name in enumerate(data):
                    if name == "csrfmiddlewaretoken":
                        continue
                    data[name] = "" if values is not None else JUNK_VALUES[index % len(JUNK_VALUES)]
                if form["method"] == "post":
                    answer = client.post(action, data)
                else:
                    answer = client.get(action, data)
                requests += 1
                check(form["method"].upper(), f"{action} {sorted(data)}", answer)
    return requests


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_visitor_never_meets_a_server_error(client, demo):
    failures: list[str] = []
    requests = _crawl(client, ["/", "/accounts/login/", "/accounts/signup/"], failures)
    assert requests > 100  # the crawl really went through the site
    assert failures == [], "\n".join(failures)


def test_resident_never_meets_a_server_error(client, demo, make_user):
    client.force_login(make_user(name="Crawl Resident"))
    failures: list[str] = []
    requests = _crawl(client, ["/", "/account/", "/proposals/new/"], failures)
    assert requests > 100
    assert failures == [], "\n".join(failures)


def test_staff_never_meet_a_server_error(client, demo, make_user):
    client.force_login(make_user(roles=list(Role.values), totp=True, is_staff=True))
    failures: list[str] = []
    requests = _crawl(client, ["/", "/staff/", "/moderation/", "/admin/"], failures)
    assert requests > 100
    assert failures == [], "\n".join(failures)
