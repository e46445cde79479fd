"""The live signature count as ``make run`` serves it (issue 11): a browser has a proposal
open while other residents sign in their own browsers, and the number on the open page
changes within 2 s; the socket is still connected a minute later and still delivers.

The web server and the worker are separate processes here, each with its own memory, as they
are for every user: this is what the in-process browser tests cannot show (there the worker's
tasks run in-line in the web server's process).

Two configurations: the embedded default (SQLite, no Redis) always; PostgreSQL with Redis when
the run has ``DATABASE_URL`` and ``REDIS_URL`` (a database and a Redis index of its own).
"""

import os
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from democracy.accounts.demo import DEMO_DOMAIN, RESIDENT_PASSWORD
from tests.support.served import base_env, manage, served_delta

pytestmark = pytest.mark.browser

COUNT = "document.querySelector('[data-count-number]').textContent.replace(/\\D/g, '')"


def _embedded_env(tmp_path):
    return base_env(SQLITE_PATH=str(tmp_path / "delta.sqlite3"))


@pytest.fixture
def redis_env():
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not (database_url or "").startswith("postgres") or not redis_url:
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    import psycopg
    import redis

    name = f"delta_served_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(database_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    # A Redis index of its own, next to the run's (which its own tests may flush).
    redis_parts = urlsplit(redis_url)
    index = (int(redis_parts.path.strip("/") or 0) + 8) % 16
    own_redis = urlunsplit(redis_parts._replace(path=f"/{index}"))
    redis.Redis.from_url(own_redis).flushdb()
    try:
        yield base_env(DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")), REDIS_URL=own_redis)
    finally:
        redis.Redis.from_url(own_redis).flushdb()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _open_proposal_id(env) -> int:
    out = manage(
        env,
        "shell",
        "-c",
        "from proposals.models import Proposal; "
        "print(Proposal.objects.filter(status='published').order_by('pk').values_list('pk', flat=True).first())",
    )
    return int(out.strip().splitlines()[-1])


def _sign_as(browser, url: str, local: str) -> float:
    """A resident signs in through the login page and signs by clicking; returns the time the
    signing page came back (the signature is committed by then)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{url.split('/proposals/')[0]}/accounts/login/?next={urlsplit(url).path}")
        page.fill("input[name=login]", f"{local}@{DEMO_DOMAIN}")
        page.fill("input[name=password]", RESIDENT_PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url(url)
        with page.expect_navigation():
            page.click("form[action$='/sign/'] button[type=submit]")
        committed = time.monotonic()
        assert page.locator(".message--success").count() >= 1, page.content()[:2000]
        return committed
    finally:
        context.close()


def _watch_live_count(browser, base: str, proposal_id: int):
    url = f"{base}/proposals/{proposal_id}/"
    context = browser.new_context()
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.goto(url)
    page.wait_for_function("() => document.querySelector('[data-count-number]') !== null")
    deadline = time.monotonic() + 10
    while not sockets and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert sockets, "the proposal page opened no websocket"
    socket = sockets[0]
    closed = []
    socket.on("close", lambda _ws: closed.append(time.monotonic()))
    start = int(page.evaluate(COUNT))

    def expect_count(expected: int, committed: float) -> float:
        page.wait_for_function(f"() => {COUNT} === '{expected}'", timeout=2000)
        return time.monotonic() - committed

    try:
        first = expect_count(start + 1, _sign_as(browser, url, "anna.andersson"))
        page.wait_for_timeout(60_000)
        assert not closed, "the live socket closed within a minute"
        assert not socket.is_closed()
        second = expect_count(start + 2, _sign_as(browser, url, "bilal.hassan"))
        assert not closed
        print(f"live count: {first:.2f} s, then {second:.2f} s a minute later")  # noqa: T201
    finally:
        context.close()


def test_live_count_changes_in_the_embedded_default(_playwright_browser, tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the embedded default is served from SQLite; run in the SQLite suite")
    env = _embedded_env(tmp_path)
    with served_delta(env, log_path=tmp_path / "serve.log") as base:
        _watch_live_count(_playwright_browser, base, _open_proposal_id(env))


def test_live_count_changes_on_postgresql_and_redis(_playwright_browser, redis_env, tmp_path):
    with served_delta(redis_env, log_path=tmp_path / "serve.log") as base:
        _watch_live_count(_playwright_browser, base, _open_proposal_id(redis_env))
