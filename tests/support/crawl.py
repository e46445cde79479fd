"""What the site crawls (tests/core/test_no_server_errors.py, tests/core/test_form_fuzzer.py)
read from a page: its links and its forms, and which local paths they lead to."""

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve

# Links that end the crawler's session or switch the language for the rest of the crawl.
SKIP_PATH_PARTS = ("logout", "/i18n/", "/language/", "delete", "/admin/logout")
SKIP_PREFIXES = ("/static/", "/media/", "/ws/")


class PageParser(HTMLParser):
    """Collects the links and the forms of one page.

    Each form is ``{"method", "action", "enctype", "fields", "kinds", "options"}``: ``fields``
    maps each named control to the value the page gives it (a select's first option, a
    checked box's value), ``kinds`` to what it is (``text``, ``number``, ``date``, ``select``,
    ``file`` …) and ``options`` a select's or radio group's values.
    """

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "enctype": attrs.get("enctype") or "",
                "fields": {},
                "kinds": {},
                "options": {},
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            kind = (attrs.get("type") or "text").lower() if tag == "input" else tag
            if not name or kind in ("submit", "reset", "image") or tag == "button":
                return
            fields, kinds = self._form["fields"], self._form["kinds"]
            kinds.setdefault(name, kind)
            if kind in ("radio", "checkbox"):
                self._form["options"].setdefault(name, []).append(attrs.get("value") or "on")
                if "checked" in attrs or kind == "radio":
                    fields.setdefault(name, attrs.get("value") or "on")
                return
            fields.setdefault(name, attrs.get("value") or "")
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select:
            options = self._form["options"].setdefault(self._select, [])
            options.append(attrs.get("value", ""))
            fields = self._form["fields"]
            if "selected" in attrs or (len(options) == 1 and options[0] == ""):
                fields[self._select] = attrs.get("value", "")
            elif fields[self._select] == "" and attrs.get("value"):
                fields[self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def route(path: str) -> str | None:
    """The URL pattern ``path`` resolves to, or None outside the site."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route or match.view_name


def local(href: str, base: str) -> str | None:
    """``href`` as a path on this site (relative to ``base``), or None if the crawl skips it."""
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


def form_action(form: dict, page: str) -> str | None:
    """Where ``form`` on ``page`` sends to, as a local path (None if the crawl skips it)."""
    return local(form["action"], page) if form["action"] else urlsplit(page).path


def pages(client, start: list[str], *, per_route: int):
    """Walk the site from ``start`` by its links, at most ``per_route`` pages per URL pattern,
    breadth first. Yields ``(path, response, parser)`` for every page asked for; ``parser`` is
    the page's ``PageParser``, or None when the answer is not an HTML page. Requests that fail
    are answered as the site would (``raise_request_exception`` off)."""
    client.raise_request_exception = False
    seen_per_route: Counter = Counter()
    visited: set[str] = set()
    queue = list(start)
    while queue:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        pattern = route(urlsplit(path).path)
        if pattern is None or seen_per_route[pattern] >= per_route:
            continue
        seen_per_route[pattern] += 1
        response = client.get(path)
        parser = None
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = PageParser()
            parser.feed(response.content.decode("utf-8", "replace"))
        yield path, response, parser
        for href in parser.links if parser else ():
            target = local(href, path)
            if target and target not in visited:
                queue.append(target)
