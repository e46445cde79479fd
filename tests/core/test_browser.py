"""The foundation's pages in a real browser: axe-core WCAG 2.1 A/AA, keyboard, language."""

import re

import pytest
from django.core import mail

from democracy.core.roles import Role
from tests.conftest import PASSWORD, totp_now
from tests.support.browser import choose_language

pytestmark = pytest.mark.browser

PUBLIC_PATHS = [
    "/",
    "/accessibility/",
    "/privacy/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_page_passes_axe(page, live_app, assert_accessible, path):
    page.goto(live_app(path))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert_accessible(page)
    expected = ["404 (Not Found)"] if path == "/no-such-page/" else []
    assert [e for e in page.console_errors if not any(x in e for x in expected)] == []


def test_public_pages_pass_axe_in_english_too(page, live_app, assert_accessible):
    page.goto(live_app("/"))
    choose_language(page, "English")
    for path in PUBLIC_PATHS[:5]:
        page.goto(live_app(path))
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)


def test_language_switch_changes_text_and_html_lang(page, live_app):
    page.goto(live_app("/privacy/"))
    assert page.locator("h1").inner_text() == "Så hanterar vi dina personuppgifter"
    choose_language(page, "English")
    page.wait_for_url(live_app("/privacy/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "How we handle your personal data"
    choose_language(page, "Svenska")
    assert page.locator("html").get_attribute("lang") == "sv"


def test_skip_link_is_first_and_moves_focus_to_main(page, live_app):
    page.goto(live_app("/"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_signup_verify_and_sign_in_by_keyboard(page, live_app, assert_accessible):
    page.goto(live_app("/accounts/signup/"))
    page.get_by_label("E-post").fill("tangent@example.org")
    page.get_by_label("Lösenord:", exact=True).fill(PASSWORD)
    page.get_by_label("Lösenord (igen):").fill(PASSWORD)
    page.get_by_label("Lösenord (igen):").press("Enter")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert_accessible(page)
    link = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body
    ).group(1)
    page.goto(live_app(link))
    assert_accessible(page)
    page.get_by_role("button", name="Verifiera").press("Enter")
    page.wait_for_url(live_app("/account/"))
    assert page.locator("h1").inner_text() == "Mitt konto"
    assert_accessible(page)


def test_staff_member_signs_in_with_totp_and_reaches_staff_tools(
    page, live_app, make_user, assert_accessible
):
    user = make_user(roles=[Role.MODERATOR], totp=True)
    page.goto(live_app("/staff/"))
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    assert_accessible(page)
    page.get_by_label("Kod").fill(totp_now(user))
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(live_app("/staff/"))
    assert page.locator("h1").inner_text() == "Handläggarverktyg"
    assert_accessible(page)
    page.goto(live_app("/staff/alerts/"))
    assert_accessible(page)


def test_staff_member_without_totp_is_shown_the_setup_page(
    page, live_app, make_user, assert_accessible
):
    user = make_user(roles=[Role.MODERATOR], totp=False)
    page.goto(live_app("/accounts/login/"))
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(live_app("/staff/"))
    # allauth first asks for the password again, then shows the QR code and the secret.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    assert "tvåstegsverifiering" in page.locator(".messages").inner_text()
    assert_accessible(page)
    page.get_by_label("Lösenord:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Verifiera").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert page.get_by_role("img").count() == 1  # the QR code
    assert_accessible(page)


def test_reflow_check_names_what_overflows_and_allows_scrolling_tables(page, live_app):
    """The 320 px check itself: it fails on a long unbreakable word, names the element, and
    does not count a data table that scrolls inside its own ``.table-wrap`` (WCAG 1.4.10)."""
    from tests.support.browser import reflow_problems

    page.goto(live_app("/"))
    viewport = page.viewport_size
    page.evaluate(
        """() => {
          const main = document.querySelector('main .container');
          main.innerHTML = '<div class="table-wrap"><table><tr>'
            + '<td style="white-space:nowrap">' + 'x'.repeat(200) + '</td></tr></table></div>';
        }"""
    )
    assert reflow_problems(page) is None
    assert page.viewport_size == viewport
    page.evaluate(
        """() => {
          const p = document.createElement('p');
          p.id = 'too-wide';
          p.style.overflowWrap = 'normal';
          p.style.hyphens = 'manual';
          p.textContent = 'Samhällsbyggnadsnämndens'.repeat(3);
          document.querySelector('main .container').append(p);
        }"""
    )
    report = reflow_problems(page)
    assert report is not None
    assert report["scrollWidth"] > report["clientWidth"]
    assert [offender["tag"] for offender in report["offenders"]] == ["p#too-wide"]
