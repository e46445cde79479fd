"""Rich text written by staff or brought in by an import is cleaned by the one sanitiser
(``democracy.core.sanitize.clean_html``) on the way in, not only when a page shows it: the API
and the Popolo export hand the stored text out as it is (issue 13).

A politician's "about" and a document's text are shown as HTML. Before, the back office
stored them exactly as typed and ``import_popolo`` as found in the file, so
``/api/v1/persons`` answered with ``<script>`` and ``onerror=`` for any site that shows it.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from democracy.core.roles import Role
from democracy.diary.models import Document
from democracy.people import services
from democracy.people.models import Person
from tests.diary.factories import CaseFactory
from tests.people.factories import OrganizationFactory, politician

pytestmark = pytest.mark.django_db

RAW = (
    '<p>Uppvuxen i <a href="https://example.org/">Norrvik</a>.</p>'
    "<script>alert(1)</script><img src=x onerror=alert(2)>"
    '<a href="javascript:alert(3)">länk</a>'
)


def assert_clean(value: str):
    assert "<p>Uppvuxen i" in value and "Norrvik</a>" in value
    for bad in ("<script", "onerror", "javascript:", "<img"):
        assert bad not in value, value


@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user(roles=[Role.DIARY_EDITOR], is_staff=True, totp=True))
    return client


def empty_inlines(client, url) -> dict:
    data = {}
    for inline in client.get(url).context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_a_biography_typed_in_the_back_office_is_stored_and_served_cleaned(editor_client):
    url = reverse("admin:people_person_add")
    data = {
        "given_name": "Ada", "family_name": "Exempel", "sort_name": "Exempel, Ada",
        "slug": "ada-exempel", "biography": RAW, **empty_inlines(editor_client, url),
    }  # fmt: skip
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get(slug="ada-exempel")
    assert_clean(person.biography)

    # What the API hands out is what was stored.
    body = OrganizationFactory()
    services.membership_create(person=person, organization=body, actor=None)
    api = editor_client.get("/api/v1/persons").json()
    (row,) = [item for item in api["items"] if item["slug"] == "ada-exempel"]
    assert_clean(row["biography"])


def test_a_document_text_typed_in_the_back_office_is_stored_cleaned(editor_client):
    case = CaseFactory()
    url = reverse("admin:diary_document_add")
    data = {
        "kind": "decision_basis", "title": "Tjänsteskrivelse", "case": case.pk, "text": RAW,
        "public": "on", "meeting": "", "agenda_item": "", "minutes_version": "",
        "published_on": "", "registry_document_id": "", "withheld_ground": "",
    }  # fmt: skip
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_clean(Document.objects.get().text)


def test_the_person_services_clean_a_biography():
    person = services.person_create(
        given_name="Bo", family_name="Exempel", biography=RAW, actor=None
    )
    assert_clean(Person.objects.get(pk=person.pk).biography)
    services.person_update(person=person, biography=RAW + "<p>Mer.</p>", actor=None)
    person.refresh_from_db()
    assert_clean(person.biography)
    assert person.biography.endswith("<p>Mer.</p>")


def test_an_imported_biography_is_cleaned_and_a_second_import_changes_nothing(tmp_path):
    politician(body=OrganizationFactory())  # an unrelated person stays as they were
    document = {
        "persons": [{"id": "person/1", "name": "Cilla Exempel", "biography": RAW}],
        "organizations": [], "memberships": [],
    }  # fmt: skip
    path = tmp_path / "popolo.json"
    path.write_text(json.dumps(document))
    call_command("import_popolo", str(path), stdout=io.StringIO())
    assert_clean(Person.objects.get(popolo_id="person/1").biography)
    out = io.StringIO()
    call_command("import_popolo", str(path), stdout=out)
    assert "Persons: 0 created, 0 updated, 1 unchanged" in out.getvalue(), out.getvalue()
