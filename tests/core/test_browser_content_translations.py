"""Municipal content in Finnish and Arabic in Chromium (issue 15 item 4): a staff member enters
a rejection reason in every language through the staff form; the e-proposal list and a body's
page in Finnish and Arabic show the translated topic, district and description, mark what has
no translation lang="sv", and pass axe-core and the 320 px reflow check."""

import re

import pytest
from django.urls import reverse

from democracy.core.roles import Role
from proposals.models import Proposal, RejectionReason
from tests.people.factories import OrganizationFactory
from tests.proposals.conftest import (  # noqa: F401 (fixtures)
    _proposal_settings,
    committee,
    make_proposal,
    proposer,
    reason,
    topic,
)
from tests.proposals.factories import DistrictFactory, TopicFactory
from tests.proposals.test_browser import sign_in
from tests.support.browser import choose_language

pytestmark = pytest.mark.browser


def test_staff_enter_a_rejection_reason_in_every_language(page, live_app, make_user):
    moderator = make_user(email="moderator@example.org", roles=[Role.MODERATOR], totp=True)
    sign_in(page, live_app, moderator, totp=True)
    page.goto(live_app(reverse("proposals:moderation-reason-create")))
    page.get_by_label("Kod").fill("legal")
    page.get_by_label("Titel:", exact=True).fill("Pågående rättsprocess")
    texts = {
        "en": "Ongoing legal process",
        "fi": "Käynnissä oleva oikeudenkäynti",
        "ar": "قضية منظورة أمام المحكمة",
    }
    for language, text in texts.items():
        field = page.locator(f"#id_title__{language}")
        assert field.get_attribute("lang") == language
        label = page.locator(f'label[for="id_title__{language}"]').inner_text()
        assert re.match(r"Titel \(.+\)", label), label
        field.fill(text)
    assert page.locator("#id_title__ar").get_attribute("dir") == "rtl"
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(r"/reasons/$"))
    saved = RejectionReason.objects.get(code="legal")
    assert saved.translations == {lang: {"title": text} for lang, text in texts.items()}
    # The public rules page shows it in the visitor's language.
    page.goto(live_app(reverse("proposals:rules")))
    choose_language(page, "Suomi")
    assert page.get_by_text("Käynnissä oleva oikeudenkäynti").is_visible()


def test_finnish_and_arabic_pages_show_translations_and_mark_swedish(
    page,
    live_app,
    assert_accessible,
    make_proposal,  # noqa: F811
):
    made = TopicFactory(
        slug="gator",
        name="Gator och vägar",
        translations={"fi": {"name": "Kadut ja tiet"}, "ar": {"name": "الشوارع والطرق"}},
    )
    district = DistrictFactory(
        slug="stadskarnan",
        name="Stadskärnan",
        translations={"fi": {"name": "Keskusta"}, "ar": {"name": "وسط المدينة"}},
    )
    DistrictFactory(slug="skogsbacka", name="Skogsbacka")  # a proper name, not translated
    body = OrganizationFactory(
        slug="bun",
        name="Barn- och utbildningsnämnden",
        description="Ansvarar för förskola och skola.",
        translations={"fi": {"description": "Vastaa esikoulusta ja koulusta."}},
    )
    proposal = make_proposal(Proposal.Status.PUBLISHED, title="Säkrare skolvägar")
    Proposal.objects.filter(pk=proposal.pk).update(topic=made, district=district)
    page.goto(live_app("/"))
    for name, code, topic_text, district_text in [
        ("Suomi", "fi", "Kadut ja tiet", "Keskusta"),
        ("العربيّة", "ar", "الشوارع والطرق", "وسط المدينة"),
    ]:
        choose_language(page, name)
        page.goto(live_app("/proposals/"))
        assert page.locator("html").get_attribute("lang") == code
        item = page.locator(".proposal-list li, main li").filter(has_text="Säkrare skolvägar").first
        assert topic_text in item.inner_text() and district_text in item.inner_text()
        # The resident's title is in Swedish, and marked so.
        assert page.locator('a[lang="sv"]', has_text="Säkrare skolvägar").count() == 1
        options = page.locator("#filter-district option")
        assert options.filter(has_text=district_text).get_attribute("lang") is None
        assert options.filter(has_text="Skogsbacka").get_attribute("lang") == "sv"
        assert_accessible(page)
        page.goto(live_app(body.get_absolute_url()))
        lead = page.locator("p.lead")
        if code == "fi":
            assert lead.inner_text() == "Vastaa esikoulusta ja koulusta."
            assert lead.locator("[lang]").count() == 0
        else:  # no Arabic description: the Swedish one, marked Swedish and left to right
            marked = lead.locator('span[lang="sv"]')
            assert marked.inner_text() == "Ansvarar för förskola och skola."
            assert marked.get_attribute("dir") == "ltr"
        assert_accessible(page)
