"""Signed-in account pages in a real browser: axe-core WCAG 2.1 A/AA and keyboard use."""

import re

import pytest

from democracy.core.roles import Role
from democracy.core.services import staff_alert_raise

pytestmark = pytest.mark.browser

ACCOUNT_PATHS = [
    "/account/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
]


@pytest.mark.parametrize("path", ACCOUNT_PATHS)
def test_account_page_passes_axe(page, live_app, login_as, resident, assert_accessible, path):
    login_as(resident)
    page.goto(live_app(path))
    assert page.url.startswith(live_app(path)), page.url
    assert_accessible(page)


def test_data_export_downloads_a_file(page, live_app, login_as, resident):
    login_as(resident)
    page.goto(live_app("/account/"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner mina uppgifter").click()
    assert re.fullmatch(r"delta-my-data-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename)


def test_staff_alert_appears_live_over_the_websocket(page, live_app, login_as, make_user, assert_accessible):
    moderator = make_user(roles=[Role.MODERATOR], totp=True)
    login_as(moderator)
    page.goto(live_app("/staff/alerts/"))
    page.locator("#live-alerts[data-connected=true]").wait_for(state="attached")
    staff_alert_raise(role=Role.MODERATOR, kind="burst", message="Många underskrifter från en adress")
    page.get_by_text("Många underskrifter från en adress").wait_for(timeout=5000)
    assert page.get_by_role("link", name="Ladda om listan för att hantera de nya varningarna").is_visible()
    assert_accessible(page)
