"""Browser-test harness: the real ASGI app on a free port, Debian's chromium through the
playwright package (never a downloaded browser), and an axe-core check for WCAG 2.1 A/AA.

The server is daphne, the same ASGI server ``make run`` uses, running in a thread of the test
process. It therefore shares the test's settings, the in-memory channel layer, the cache and
``django.core.mail.outbox``, and reaches the test database like any other connection (the
SQLite test database is a file for this reason).
"""

import json
import os
import shutil
import threading

import pytest

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# WCAG 1.4.10 Reflow: content must fit 320 CSS px wide without scrolling in two directions.
REFLOW_VIEWPORT = {"width": 320, "height": 640}

# Runs in the page: whether the document scrolls sideways, and which elements stick out past
# the viewport's right edge. Elements inside a box that scrolls sideways on its own (a data
# table in ``.table-wrap``, which 1.4.10 allows) or that are clipped or invisible are not
# counted; of nested offenders only the innermost are named, since they are the cause.
_REFLOW_SCRIPT = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const scrolls = (el) => {
    const s = getComputedStyle(el);
    return ["auto", "scroll", "hidden", "clip"].includes(s.overflowX) && el !== root && el !== document.body;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll("*")) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    // Text that runs out of its own box counts too: the box's scroll width includes it.
    const right = scrolls(el) ? rect.right : Math.max(rect.right, rect.left + el.scrollWidth);
    if (right <= width + 1) continue;
    let inside = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up)) { inside = true; break; }
    }
    if (inside) continue;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.position === "fixed") continue;
    if (el.closest(".visually-hidden")) continue;
    offenders.push(el);
  }
  const innermost = offenders.filter((el) => !offenders.some((o) => o !== el && el.contains(o)));
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: width,
    offenders: innermost.slice(0, 10).map((el) => ({
      tag: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + [...el.classList].join(".") : ""),
      right: Math.round(scrolls(el) ? el.getBoundingClientRect().right
        : Math.max(el.getBoundingClientRect().right, el.getBoundingClientRect().left + el.scrollWidth)),
      text: (el.innerText || el.outerHTML || "").trim().slice(0, 80),
    })),
  };
}
"""


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    for path in CHROMIUM_PATHS:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


class AsgiServerThread(threading.Thread):
    """Daphne serving ``democracy.asgi.application`` on 127.0.0.1 and a free port."""

    def __init__(self):
        super().__init__(name="asgi-live-server", daemon=True)
        self.ready = threading.Event()
        self.port = None
        self.error = None

    def run(self):
        try:
            from daphne.server import Server

            from democracy.asgi import application

            self.server = Server(
                application=application,
                endpoints=["tcp:port=0:interface=127.0.0.1"],
                signal_handlers=False,
                ready_callable=self._on_ready,
                verbosity=0,
            )
            self.server.run()
        except Exception as exc:  # surfaced by the fixture, not swallowed
            self.error = exc
            self.ready.set()

    def _on_ready(self):
        self.port = self.server.listening_addresses[0][1]
        self.ready.set()

    def stop(self):
        from twisted.internet import reactor

        reactor.callFromThread(reactor.stop)
        self.join(timeout=10)


class LiveServer:
    def __init__(self, url: str):
        self.url = url

    def __str__(self):
        return self.url

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def _asgi_server_thread(django_db_setup, django_db_blocker):
    thread = AsgiServerThread()
    thread.start()
    thread.ready.wait(timeout=30)
    if thread.error is not None:
        raise thread.error
    if thread.port is None:
        raise RuntimeError("The ASGI test server did not start within 30 s.")
    yield thread
    thread.stop()


@pytest.fixture
def live_app(_asgi_server_thread, transactional_db):
    """URL builder for the running app: ``live_app("/meetings/")``.

    Uses ``transactional_db`` so that what the test writes is committed and visible to the
    server's own database connections.
    """
    return LiveServer(f"http://127.0.0.1:{_asgi_server_thread.port}")


@pytest.fixture(scope="session")
def _playwright_browser():
    path = chromium_path()
    if path is None:
        pytest.skip(
            "BROWSER TESTS SKIPPED: no chromium found (install Debian's 'chromium' package; "
            ".ci/run does this). These tests cover accessibility and keyboard use."
        )
    # Playwright's sync API keeps its own event loop; Django's ORM calls made from the test
    # between playwright calls are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture
def page(_playwright_browser, live_app):
    context = _playwright_browser.new_context(
        base_url=live_app.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    console_errors = []
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )
    page.console_errors = console_errors
    yield page
    context.close()


def axe_violations(page, *, context=None) -> list[dict]:
    """Run axe-core on the page as it is now; return the WCAG 2.1 A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    return results.response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
    return "\n".join(lines)


def reflow_problems(page) -> dict | None:
    """Lay the page out at 320 × 640 CSS px; return what overflows sideways, or ``None``.

    The viewport is put back afterwards, so a test can go on as before. A page that fits (its
    ``scrollWidth`` at most 1 px over ``clientWidth``) and has no element sticking out past the
    right edge outside a sideways-scrolling box passes.
    """
    original = page.viewport_size
    page.set_viewport_size(REFLOW_VIEWPORT)
    try:
        report = page.evaluate(_REFLOW_SCRIPT)
    finally:
        if original:
            page.set_viewport_size(original)
    if report["scrollWidth"] <= report["clientWidth"] + 1 and not report["offenders"]:
        return None
    return report


def format_reflow(report: dict) -> str:
    lines = [
        f"document is {report['scrollWidth']} px wide in a {report['clientWidth']} px viewport"
    ]
    for offender in report["offenders"]:
        lines.append(
            f"    <{offender['tag']}> right edge at {offender['right']} px: {offender['text']!r}"
        )
    return "\n".join(lines)


@pytest.fixture
def assert_reflows():
    """``assert_reflows(page)`` fails if the page does not reflow at 320 CSS px (WCAG 1.4.10)."""

    def check(page):
        report = reflow_problems(page)
        assert report is None, f"{page.url} does not reflow at 320 px (WCAG 1.4.10):\n" + (
            format_reflow(report)
        )

    return check


@pytest.fixture
def assert_accessible(assert_reflows):
    """``assert_accessible(page)`` fails with a readable report on any WCAG 2.1 A/AA violation.

    It also checks reflow at 320 px (``assert_reflows``); pass ``reflow=False`` to skip that,
    e.g. for an axe check limited to a ``context`` on a page checked whole elsewhere.
    """

    def check(page, *, context=None, reflow=True):
        violations = axe_violations(page, context=context)
        assert not violations, f"axe-core found WCAG 2.1 A/AA violations on {page.url}:\n" + (
            format_violations(violations)
        )
        if reflow:
            assert_reflows(page)

    return check


@pytest.fixture
def login_as(page, live_app):
    """``login_as(user)``: the browser ``page`` is signed in as ``user`` (a real session).

    Equivalent to ``client.force_login``; use it when the sign-in form is not what the test is
    about.
    """

    def login(user):
        browser_login(page, user, base_url=live_app.url)

    return login


def browser_login(page, user, *, base_url: str) -> None:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": base_url,
            }
        ]
    )


def choose_language(page, name: str) -> None:
    """Switch the page's language as a visitor does: open the header's language menu, then
    press the language's button (``name`` in its own language: "English", "Suomi", "العربيّة")."""
    switch = page.locator("details.language-switch").first
    if switch.get_attribute("open") is None:
        switch.locator("summary").click()
    url = page.url
    switch.get_by_role("button", name=name, exact=True).click()
    page.wait_for_url(url)
    page.wait_for_load_state()
