"""No user action gives a server error: a crawl of the demo municipality.

Starting from the pages each kind of user starts at, the crawl follows every link on the
site, a few pages per URL pattern, as a visitor, a signed-in resident and a staff member
holding every role with a second factor. On each page it also asks again with nonsense in
the query string, and it sends every form on the page twice: empty, and filled with values
that are too long, of the wrong kind or carry a NUL byte or markup. Every answer must be
something other than a 5xx. New pages and forms are covered without being listed here.
"""

import io
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from democracy.core.roles import Role

pytestmark = pytest.mark.django_db

PAGES_PER_ROUTE = 2
JUNK_QUERY = (
    "?page=abc&month=2026-13&year=x&q=%00%3Cscript%3E&sort=zz&status=zz&body=zz&party=zz"
    "&topic=zz&district=zz&date=31-02-2026&term=zz&kind=zz&role=zz&o=zz&format=zz"
)
JUNK_VALUES = ["x" * 20_000, "\x00", "<script>alert(1)</script>", "-1", "9" * 30, "2026-02-31"]
# Links that end the crawler's session or switch the language for the rest of the crawl.
SKIP_PATH_PARTS = ("logout", "/i18n/", "/language/", "delete", "/admin/logout")
SKIP_PREFIXES = ("/static/", "/media/", "/ws/")


class _PageParser(HTMLParser):
    """Collects the links and the forms (with their named fields) of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if name and attrs.get("type") not in ("submit", "reset", "image"):
                self._form["fields"].setdefault(name, attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


def _local(href: str, base: str) -> str | None:
    href = urldefrag(href)[0]
    if not href or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path.startswith("/"):
        href = base.rsplit("/", 1)[0] + "/" + href
        parts = urlsplit(href)
    if parts.path.startswith(SKIP_PREFIXES) or any(p in parts.path for p in SKIP_PATH_PARTS):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _crawl(client, start: list[str], failures: list[str]) -> int:
    client.raise_request_exception = False  # collect every failure, answered as the site would
    seen_per_route: Counter = Counter()
    visited: set[str] = set()
    queue = list(start)
    requests = 0

    def check(method, path, response):
        if response.status_code >= 500:
            error = (getattr(response, "exc_info", None) or (None, ""))[1]
            failures.append(f"{method} {path} -> {response.status_code} {error!r:.300}")

    while queue:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        route = _route(urlsplit(path).path)
        if route is None:
            continue
        if seen_per_route[route] >= PAGES_PER_ROUTE:
            continue
        seen_per_route[route] += 1
        response = client.get(path)
        requests += 1
        check("GET", path, response)
        if urlsplit(path).query == "":
            check("GET", path + JUNK_QUERY, client.get(path + JUNK_QUERY))
            requests += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _PageParser()
        parser.feed(response.content.decode("utf-8", "replace"))
        for form in parser.forms:
            action = _local(form["action"], path) if form["action"] else urlsplit(path).path
            if action is None:
                continue
            for values in ({}, None):
                data = dict(form["fields"])
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
        for href in parser.links:
            local = _local(href, path)
            if local and local not in visited:
                queue.append(local)
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
