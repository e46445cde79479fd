"""Sign-language films in Chromium (issue 15 item 6): a web editor uploads a film, its captions
and its text on the staff page as a person does (a bad film first: a clear message, and what
was typed is kept), publishes it, and /teckensprak/ then shows the player with Swedish
captions and the text, passing axe and the 320 px reflow check in Swedish and in Arabic (right
to left); the header's "Teckenspråk" link works by keyboard."""

import os
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from democracy.core.models import SignLanguageVideo
from democracy.core.roles import Role
from tests.core.test_sign_language import TEXT, VTT, webm_bytes
from tests.proposals.test_browser import sign_in
from tests.support.browser import choose_language

pytestmark = pytest.mark.browser

SCREENS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "delta-sign-language"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _file(name, mime, data):
    return {
        "name": name,
        "mimeType": mime,
        "buffer": data if isinstance(data, bytes) else data.encode(),
    }


def test_an_editor_uploads_and_publishes_a_film_that_residents_can_watch(
    page, live_app, assert_accessible, make_user
):
    editor = make_user(email="webbredaktor@example.org", roles=[Role.DIARY_EDITOR], totp=True)
    sign_in(page, live_app, editor, totp=True)
    page.goto(live_app(reverse("core:staff-home")))
    page.get_by_role("link", name="Teckenspråksfilmer").click()
    page.wait_for_url(live_app(reverse("core:staff-sign-language")))
    assert_accessible(page)
    page.get_by_role("link", name="Ladda upp en film: Så kan du påverka").click()

    # A file that is not a film: refused with a reason, the text and the choice kept.
    page.get_by_label("Film på svenskt teckenspråk").set_input_files(
        _file("film.webm", "video/webm", b"GIF89a\x01\x00\x01\x00 not a film")
    )
    page.get_by_label("Textning på svenska (WebVTT)").set_input_files(
        _file("text.vtt", "text/vtt", VTT)
    )
    page.get_by_label("Det filmen säger, som text").fill(TEXT)
    page.get_by_label("Publicerad: visa filmen på sidan om teckenspråk").check()
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Filen är inte en film i formatet WebM eller MP4" in alert.inner_text()
    assert page.get_by_label("Det filmen säger, som text").input_value() == TEXT
    assert page.get_by_label("Publicerad: visa filmen på sidan om teckenspråk").is_checked()
    assert page.get_by_label("Film på svenskt teckenspråk").get_attribute("aria-invalid") == "true"
    assert not SignLanguageVideo.objects.exists()
    assert_accessible(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "staff-error.png"), full_page=True)

    # The right files: saved and published.
    page.get_by_label("Film på svenskt teckenspråk").set_input_files(
        _file("film.webm", "video/webm", webm_bytes(b"\x00" * 256))
    )
    page.get_by_label("Textning på svenska (WebVTT)").set_input_files(
        _file("text.vtt", "text/vtt", VTT)
    )
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(live_app(reverse("core:staff-sign-language")))
    assert "visas på sidan om teckenspråk" in page.get_by_role("status").inner_text()
    row = SignLanguageVideo.objects.get(topic=SignLanguageVideo.Topic.INFLUENCE)
    assert row.is_published

    # The public page, as a resident in Swedish and in Arabic.
    page.context.clear_cookies()
    for language, direction in (("Svenska", "ltr"), ("العربيّة", "rtl")):
        page.goto(live_app(reverse("core:sign-language")))
        choose_language(page, language)
        assert page.locator("html").get_attribute("dir") == direction
        section = page.locator("#topic-influence")
        video = section.locator("video[controls]")
        assert video.count() == 1
        track = video.locator("track")
        assert track.get_attribute("kind") == "captions"
        assert track.get_attribute("srclang") == "sv"
        assert track.get_attribute("default") is not None
        assert video.locator("source").get_attribute("type") == "video/webm"
        text = section.locator(".sign-language__text")
        assert text.is_visible() and text.get_attribute("lang") == "sv"
        assert "Du kan skriva ett e-förslag." in text.inner_text()
        # The other topics say there is no film yet and link their text pages.
        youth = page.locator("#topic-youth-election")
        assert youth.locator("video").count() == 0
        assert youth.locator(f'a[href="{reverse("youth_vote:easy-read")}"]').count() == 1
        assert_accessible(page)
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"page-{direction}.png"), full_page=True)
        size = page.viewport_size
        page.set_viewport_size({"width": 320, "height": 640})
        page.screenshot(path=str(SCREENS / f"page-{direction}-320.png"), full_page=True)
        page.set_viewport_size(size)
    captions = page.request.get(live_app(row.captions.url))
    assert captions.status == 200 and captions.headers["content-type"] == "text/vtt; charset=utf-8"
    assert page.request.get(live_app(row.video.url)).headers["content-type"] == "video/webm"

    # The topic page links its film.
    page.goto(live_app(reverse("core:easy-read-influence")))
    page.locator(".sign-language-link a").click()
    page.wait_for_url(live_app(reverse("core:sign-language") + "#topic-influence"))


def test_the_header_link_works_by_keyboard(page, live_app, assert_accessible):
    page.goto(live_app("/"))
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Teckenspråk":
            break
    else:
        pytest.fail("Tab never reached the header's Teckenspråk link")
    page.keyboard.press("Enter")
    page.wait_for_url(live_app(reverse("core:sign-language")))
    assert page.locator("h1").inner_text() == "Svenskt teckenspråk"
    assert page.get_by_text("Det finns ingen film på teckenspråk om det här ännu").count() == 3
    assert_accessible(page)
    assert page.console_errors == []
