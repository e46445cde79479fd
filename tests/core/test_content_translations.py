"""Municipal content in several languages with one mechanism (issue 15 item 4, decision 89):
the ``localized()`` helper and its Swedish fallback, the template filters that mark a fallback
``lang="sv"``, the staff forms' one input per configured language, a fifth language with no code
change, the proposal's own language, the API, the migration of the old English columns, and
bounded queries on a list page."""

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from democracy.core.models import EditorialText
from democracy.core.translations import all_translations, localized
from proposals.forms import ProposalForm, RejectionReasonForm
from proposals.models import Proposal
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

pytestmark = pytest.mark.django_db

FIFTH = [*settings.LANGUAGES, ("de", "German")]


def _render(source: str, **context) -> str:
    return Template("{% load delta %}" + source).render(Context(context))


def test_localized_gives_the_translation_or_the_swedish_text_with_its_language():
    made = TopicFactory(name="Trafik", translations={"en": {"name": "Traffic"}, "fi": {}})
    with translation.override("en"):
        assert localized(made, "name") == ("Traffic", "en")
        assert made.label == "Traffic"
    with translation.override("fi"):  # an empty entry is no translation
        assert localized(made, "name") == ("Trafik", "sv")
    with translation.override("ar"):
        assert localized(made, "name") == ("Trafik", "sv")
    with translation.override("sv"):
        assert localized(made, "name") == ("Trafik", "sv")
    assert localized(made, "name", "en-gb") == ("Traffic", "en")
    # A blank translation (only spaces) falls back as well.
    made.translations = {"en": {"name": "   "}}
    assert localized(made, "name", "en") == ("Trafik", "sv")
    assert all_translations(
        TopicFactory(name="Skola", translations={"ar": {"name": "مدرسة"}}), "name"
    ) == {
        "sv": "Skola",
        "ar": "مدرسة",
    }


def test_the_filters_mark_a_fallback_lang_sv_and_nothing_else():
    body = OrganizationFactory(
        description="Beslutar om skolan.", translations={"fi": {"description": "Päättää koulusta."}}
    )
    with translation.override("fi"):
        assert _render('{{ body|tr:"description" }}', body=body) == "Päättää koulusta."
    with translation.override("en"):
        assert (
            _render('{{ body|tr:"description" }}', body=body)
            == '<span lang="sv">Beslutar om skolan.</span>'
        )
    with translation.override("ar"):  # Swedish on a right-to-left page also reads left to right
        assert _render('{{ body|tr:"description" }}', body=body) == (
            '<span lang="sv" dir="ltr">Beslutar om skolan.</span>'
        )
        assert (
            _render('<option{{ body|tr_attrs:"description" }}>', body=body)
            == '<option lang="sv" dir="ltr">'
        )
    with translation.override("sv"):
        assert _render('{{ body|tr:"description" }}', body=body) == "Beslutar om skolan."
    # Escaped like any other text.
    body.description = "<script>x</script>"
    with translation.override("en"):
        assert "<script>" not in _render('{{ body|tr:"description" }}', body=body)


def test_a_proposal_is_marked_with_the_language_it_is_written_in(client, make_proposal):  # noqa: F811
    proposal = make_proposal(Proposal.Status.PUBLISHED, title="Mer lys i parken")
    Proposal.objects.filter(pk=proposal.pk).update(language="ar")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert '<h1 lang="ar" dir="rtl">Mer lys i parken</h1>' in page
    listing = client.get("/proposals/").content.decode()
    assert 'lang="ar" dir="rtl">Mer lys i parken</a>' in listing
    api = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert api["language"] == "ar"


def test_the_proposer_says_which_language_the_proposal_is_in(client, proposer, topic):  # noqa: F811
    client.force_login(proposer)
    with translation.override("fi"):
        assert ProposalForm().fields["language"].initial == "fi"
    form_page = client.get(reverse("proposals:proposal-create")).content.decode()
    assert '<option value="fi" lang="fi">Suomi</option>' in form_page
    response = client.post(
        reverse("proposals:proposal-create"),
        {
            "title": "Kirjasto auki sunnuntaisin",
            "summary": "",
            "body": "",
            "topic": topic.pk,
            "language": "fi",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="Kirjasto auki sunnuntaisin")
    assert proposal.language == "fi"
    # A language the site does not have is refused with a message, and nothing is saved.
    response = client.post(
        reverse("proposals:proposal-create"),
        {"title": "Något annat", "language": "xx"},
    )
    assert response.status_code == 400
    assert not Proposal.objects.filter(title="Något annat").exists()


def test_the_rejection_reason_form_has_one_input_per_language_and_keeps_the_others():
    form = RejectionReasonForm()
    names = list(form.fields)
    assert names[names.index("title") + 1 : names.index("title") + 4] == [
        "title__en",
        "title__fi",
        "title__ar",
    ]
    assert form.fields["title__ar"].widget.attrs["dir"] == "rtl"
    assert form.fields["title__ar"].widget.attrs["lang"] == "ar"
    assert not form.fields["title__en"].required
    # A language no longer configured keeps its text.
    from proposals.models import RejectionReason

    stored = RejectionReason.objects.create(
        code="x", title="Skäl", translations={"de": {"title": "Grund"}, "en": {"title": "Old"}}
    )
    form = RejectionReasonForm(
        {"code": "x", "title": "Skäl", "title__en": "", "title__fi": "Syy", "sort_order": 1},
        instance=stored,
    )
    assert form.is_valid(), form.errors
    form.save()
    stored.refresh_from_db()
    assert stored.translations == {"de": {"title": "Grund"}, "fi": {"title": "Syy"}}


def test_a_fifth_language_needs_only_the_setting(client, settings):
    settings.LANGUAGES = FIFTH
    made = TopicFactory(slug="skola", name="Skola")
    district = DistrictFactory(slug="centrum", name="Centrum")
    # The staff form grows an input for it …
    from django.contrib import admin

    from democracy.core.translations import translation_languages
    from proposals.admin import TopicAdmin

    assert "de" in dict(translation_languages())
    form = RejectionReasonForm()
    assert "title__de" in form.fields and "description__de" in form.fields
    model_admin = TopicAdmin(made.__class__, admin.site)
    fieldsets = model_admin.get_fieldsets(None, made)
    assert "name__de" in fieldsets[0][1]["fields"]
    # … what staff enter is stored and shown on the German page, with no migration.
    form = RejectionReasonForm(
        {"code": "y", "title": "Skäl", "title__de": "Grund", "sort_order": 1}
    )
    assert form.is_valid(), form.errors
    assert form.save().translations == {"de": {"title": "Grund"}}
    made.translations = {"de": {"name": "Schule"}}
    made.save()
    with translation.override("de"):
        assert made.label == "Schule"
        assert _render('{{ d|tr:"name" }}', d=district) == '<span lang="sv">Centrum</span>'
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get("/proposals/").content.decode()
    assert '<html lang="de"' in page
    assert ">Schule</option>" in page
    assert 'lang="sv">Centrum</option>' in page


def test_editable_texts_replace_delta_s_own_and_fall_back_to_swedish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    default = "Suggest something the municipality can do."
    assert default in client.get("/").content.decode()
    EditorialText.objects.create(
        key=EditorialText.Key.HUB_PROPOSALS,
        text="<p>Föreslå något för Norrvik.</p>",
        translations={"fi": {"text": "<p>Ehdota jotakin Norrvikille.</p>"}},
    )
    page = client.get("/").content.decode()
    assert default not in page
    assert '<div class="rich-text" lang="sv"><p>Föreslå något för Norrvik.</p></div>' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    assert (
        '<div class="rich-text"><p>Ehdota jotakin Norrvikille.</p></div>'
        in client.get("/").content.decode()
    )
    # The rules: the municipality's text replaces Delta's two sections; the reasons stay.
    assert "Vem kan skriva" not in client.get(reverse("proposals:rules")).content.decode()
    EditorialText.objects.create(key=EditorialText.Key.PROPOSAL_RULES, text="<h2>Våra regler</h2>")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    rules_page = client.get(reverse("proposals:rules")).content.decode()
    assert (
        "<h2>Våra regler</h2>" in rules_page and "Vem kan skriva och skriva under" not in rules_page
    )
    assert "Vad ett förslag inte får innehålla" in rules_page


def test_the_api_gives_the_request_language_and_every_translation(client, make_proposal):  # noqa: F811
    proposal = make_proposal(Proposal.Status.PUBLISHED)
    data = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert data["topic"] == "Trafik och gator"  # Swedish unless the language cookie says so
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert data["topic"] == "Traffic and streets"
    assert data["topic_translations"] == {"sv": "Trafik och gator", "en": "Traffic and streets"}
    assert data["language"] == "sv"
    body = OrganizationFactory(
        description="Om skolan", translations={"ar": {"description": "عن المدرسة"}}
    )
    found = client.get("/api/v1/organizations?page_size=200").json()
    items = found["items"] if isinstance(found, dict) else found
    row = next(item for item in items if item["slug"] == body.slug)
    assert row["description_translations"] == {"sv": "Om skolan", "ar": "عن المدرسة"}
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "topic_translations" in schema["ProposalSummaryOut"]["properties"]
    assert "description" in schema["ProposalSummaryOut"]["properties"]["language"]


def test_the_list_page_reads_translations_without_extra_queries(client, make_proposal):  # noqa: F811
    """Translations ride on the rows already read: 40 topics and districts cost what 2 do."""

    def queries_for_list():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
        client.get("/proposals/")  # warm the caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/proposals/")
        assert response.status_code == 200
        return len(captured)

    for n in range(2):
        TopicFactory(translations={"fi": {"name": f"Aihe {n}"}})
        DistrictFactory(translations={"fi": {"name": f"Alue {n}"}})
    for _ in range(2):
        make_proposal(Proposal.Status.PUBLISHED)
    few = queries_for_list()
    for n in range(2, 40):
        made = TopicFactory(translations={"fi": {"name": f"Aihe {n}"}})
        district = DistrictFactory(translations={"fi": {"name": f"Alue {n}"}})
        Proposal.objects.filter(pk=make_proposal(Proposal.Status.PUBLISHED).pk).update(
            topic=made, district=district
        )
    many = queries_for_list()
    assert many <= few, (few, many)
    assert many <= 15


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_english_columns_into_translations():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("proposals", "0002_reference_data_and_schedules")]
    after = [("proposals", "0003_translations")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Topic = old.get_model("proposals", "Topic")
    Topic.objects.create(name="Skola", name_en="School", slug="migrated-skola")
    # The data migration's reason, or (after an earlier transactional test flushed the
    # database) one made here with the old column.
    old_reason, _ = old.get_model("proposals", "RejectionReason").objects.get_or_create(
        code="not-municipal",
        defaults={
            "title": "Kommunen beslutar inte om frågan",
            "title_en": "Not something the municipality decides",
        },
    )
    assert old_reason.title_en
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    assert new.get_model("proposals", "Topic").objects.get(slug="migrated-skola").translations == {
        "en": {"name": "School"}
    }
    assert (
        new.get_model("proposals", "RejectionReason")
        .objects.get(code="not-municipal")
        .translations["en"]["title"]
        == old_reason.title_en
    )
    field_names = {f.name for f in new.get_model("proposals", "Topic")._meta.get_fields()}
    assert "name_en" not in field_names
    # Back to the newest state for the rest of the run.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_youth_vote_district_form_keeps_the_names_in_each_language():
    from youth_vote.forms import DistrictForm

    form = DistrictForm(
        {"name": "Centrum", "name__ar": "وسط المدينة", "child_population": 10},
        initial={"translations": {"fi": {"name": "Keskusta"}}},
    )
    assert form.is_valid(), form.errors
    # The inputs' own keys are gone, so the service gets **cleaned_data as it expects.
    assert set(form.cleaned_data) == {"name", "child_population", "translations"}
    assert form.cleaned_data["translations"] == {"ar": {"name": "وسط المدينة"}}


@pytest.fixture
def editor_client(client, make_user):
    from democracy.core.roles import Role

    client.force_login(make_user(roles=[Role.DIARY_EDITOR], is_staff=True, totp=True))
    return client


def _inline_management(prefix):
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_the_back_office_edits_a_body_description_in_every_language(editor_client):
    from democracy.core.models import AuditEntry
    from democracy.people.models import Organization

    body = OrganizationFactory(name="Kulturnämnden", slug="kn", description="Ansvarar för kultur.")
    url = reverse("admin:people_organization_change", args=[body.pk])
    form_page = editor_client.get(url).content.decode()
    for language in ("en", "fi", "ar"):
        assert f'name="description__{language}"' in form_page
    assert 'name="description__ar"' in form_page and 'dir="rtl"' in form_page
    data = {
        "name": body.name,
        "short_name": "",
        "slug": body.slug,
        "classification": body.classification,
        "description": "Ansvarar för kultur.",
        "description__en": "Responsible for culture.",
        "description__fi": "Vastaa kulttuurista.",
        "description__ar": "",
        "email": "",
        "registry_email": "",
        "registry_series": "",
        "color": "",
        "sort_order": 1,
        "popolo_id": "",
        **_inline_management("children"),
        **_inline_management("memberships"),
    }
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    body.refresh_from_db()
    assert body.translations == {
        "en": {"description": "Responsible for culture."},
        "fi": {"description": "Vastaa kulttuurista."},
    }
    entry = AuditEntry.objects.filter(action="people.organization.change").latest("seq")
    assert "description__fi" in entry.data["fields"]
    assert Organization.objects.get(pk=body.pk).description == "Ansvarar för kultur."


def test_the_back_office_writes_the_start_page_text_in_every_language(editor_client):
    response = editor_client.post(
        reverse("admin:core_editorialtext_add"),
        {
            "key": EditorialText.Key.HUB_MEETINGS,
            "text": "<p>Fullmäktige möts i Stadshuset.</p><script>alert(1)</script>",
            "text__en": "<p>The council meets in the City Hall.</p><script>x</script>",
            "text__fi": "",
            "text__ar": "<p>يجتمع المجلس في مبنى البلدية.</p>",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = EditorialText.objects.get(key=EditorialText.Key.HUB_MEETINGS)
    assert "<script>" not in row.text
    # Each language's input is cleaned by the one sanitiser, as the Swedish one is.
    assert row.translations["en"]["text"].startswith("<p>The council meets in the City Hall.</p>")
    assert "<script>" not in row.translations["en"]["text"]
    assert "fi" not in row.translations
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = editor_client.get("/").content.decode()
    assert "<p>يجتمع المجلس في مبنى البلدية.</p>" in page


def test_the_election_administrator_names_a_district_in_every_language(client, make_user):
    from datetime import timedelta

    from django.utils import timezone

    from democracy.core.roles import Role
    from youth_vote.models import District as ElectionDistrict
    from youth_vote.models import Election

    client.force_login(make_user(roles=[Role.ELECTION_ADMIN], totp=True))
    now = timezone.localtime()
    response = client.post(
        "/youth-vote/admin/",
        {
            "name": "Ungdomsval 2027",
            "opens_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=12)).strftime("%Y-%m-%dT%H:%M"),
            "total_members": 10,
            "total_substitutes": 4,
            "trustees": 5,
            "trustee_threshold": 3,
        },
    )
    assert response.status_code == 302
    base = f"/youth-vote/admin/{Election.objects.get().slug}/districts/"
    form_page = client.get(base).content.decode()
    assert 'name="name__fi"' in form_page and 'name="name__ar"' in form_page
    response = client.post(
        base, {"name": "Skärgården", "name__fi": "Saaristo", "child_population": 300}
    )
    assert response.status_code == 302
    district = ElectionDistrict.objects.get(name="Skärgården")
    assert district.translations == {"fi": {"name": "Saaristo"}}
    # The edit page shows what is stored, and a change keeps the rest of the district.
    edit = client.get(f"{base}{district.pk}/").content.decode()
    assert 'value="Saaristo"' in edit
    response = client.post(
        f"{base}{district.pk}/",
        {
            "name": "Skärgården",
            "name__fi": "Saaristo",
            "name__ar": "الأرخبيل",
            "child_population": 300,
        },
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.translations == {"fi": {"name": "Saaristo"}, "ar": {"name": "الأرخبيل"}}
    assert district.child_population == 300


def test_the_moderator_sees_which_language_a_proposal_is_in(client, make_proposal, make_user):  # noqa: F811
    from democracy.core.roles import Role

    proposal = make_proposal(Proposal.Status.SUBMITTED, title="Lisää valoa puistoon")
    Proposal.objects.filter(pk=proposal.pk).update(language="fi")
    client.force_login(make_user(roles=[Role.MODERATOR], totp=True))
    page = client.get(reverse("proposals:moderation-detail", args=[proposal.pk])).content.decode()
    assert '<span lang="fi">Suomi</span>' in page
    assert '<h1 lang="fi">Lisää valoa puistoon</h1>' in page
