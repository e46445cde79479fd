"""The site in each of its languages in Chromium (issue 15): the hub, an e-proposal, a meeting,
the booth and a staff page pass axe-core (WCAG 2.1 A/AA) and reflow at 320 px in Swedish,
English, Finnish and Arabic, and the Arabic pages are laid out right to left. Screenshots of the
Arabic pages (desktop and 320 px) are written to ``SCREENSHOT_DIR`` (default: a temporary
folder) to look at."""

import io
import os
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from democracy.core.roles import Role
from democracy.diary.models import Meeting
from proposals.models import Proposal
from tests.proposals.test_browser import sign_in
from tests.support.browser import choose_language

pytestmark = pytest.mark.browser

SCREENS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "delta-languages"
# Each language as the switch names it, and the page's direction.
LANGUAGES = [("sv", "Svenska", "ltr"), ("en", "English", "ltr"), ("fi", "Suomi", "ltr"),
             ("ar", "العربيّة", "rtl")]  # fmt: skip


def _pages():
    proposal = Proposal.objects.filter(status=Proposal.Status.PUBLISHED).first()
    meeting = Meeting.objects.order_by("start").first()
    return [
        ("hub", "/"),
        ("proposal", proposal.get_absolute_url()),
        ("meeting", meeting.get_absolute_url()),
        ("booth", reverse("youth_vote:booth")),
        ("staff", reverse("proposals:moderation-queue")),
    ]


def test_every_language_passes_axe_and_arabic_reads_right_to_left(
    page, live_app, assert_accessible, make_user
):
    call_command("seed_demo", stdout=io.StringIO())
    moderator = make_user(email="moderator@example.org", roles=[Role.MODERATOR], totp=True)
    sign_in(page, live_app, moderator, totp=True)
    pages = _pages()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.goto(live_app("/"))
    for code, name, direction in LANGUAGES:
        choose_language(page, name)  # as a visitor does, from the header
        for label, path in pages:
            page.goto(live_app(path))
            page.wait_for_load_state()
            html = page.locator("html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == (code, direction)
            assert_accessible(page)
            if code == "ar":
                # Laid out right to left: the municipality's name starts at the right edge.
                width = page.viewport_size["width"]
                logo = page.locator(".site-logo").bounding_box()
                assert logo["x"] + logo["width"] > width * 0.6, (label, logo)
                page.screenshot(path=str(SCREENS / f"ar-{label}.png"), full_page=True)
                size = page.viewport_size
                page.set_viewport_size({"width": 320, "height": 640})
                page.screenshot(path=str(SCREENS / f"ar-{label}-320.png"), full_page=True)
                page.set_viewport_size(size)
    assert page.console_errors == []
