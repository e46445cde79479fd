"""``manage.py import_popolo`` and the Popolo export read back in."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from democracy.core.models import AuditEntry
from democracy.people.models import ContactDetail, Membership, Organization, Person, Term
from tests.people.factories import ContactDetailFactory, OrganizationFactory, politician

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "everypolitician-small.json"


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_popolo", str(path), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        model.__name__: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items())) for row in model.objects.values()
        )
        for model in (Term, Organization, Person, Membership, ContactDetail)
    }


def test_import_everypolitician_shape_then_again_changes_nothing():
    first = run(FIXTURE)
    assert "Persons: 3 created, 0 updated, 0 unchanged, 0 skipped" in first
    assert "Organizations: 3 created" in first
    assert "Memberships: 3 created" in first
    assert "Terms: 1 created" in first
    # e-mail + phone (+ twitter link) per person; the fax is not a supported type.
    assert "Contact details: 6 created, 0 updated, 0 unchanged, 1 skipped" in first

    berit = Person.objects.get(popolo_id="person/0442629549320")
    assert (berit.given_name, berit.family_name) == ("Berit Anna", "Prov")
    assert berit.gender == "female"
    seat = berit.memberships.get()
    assert seat.organization.name == "Riksdagen"
    assert seat.organization.classification == Organization.Classification.LEGISLATURE
    assert seat.on_behalf_of.name == "Socialdemokraterna" and seat.on_behalf_of.is_party
    assert seat.term.name == "Mandatperioden 2014–2018" and str(seat.start_date) == "2014-09-14"
    # Imported contact details are not published without consent.
    assert ContactDetail.objects.count() == 6
    assert not ContactDetail.objects.published().exists()

    before, audit_count = snapshot(), AuditEntry.objects.count()
    second = run(FIXTURE)
    assert "Persons: 0 created, 0 updated, 3 unchanged" in second
    assert "Memberships: 0 created, 0 updated, 3 unchanged" in second
    assert "Nothing to change" in second
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_count


def test_changed_source_updates_rows(tmp_path):
    run(FIXTURE)
    data = json.loads(FIXTURE.read_text())
    data["persons"][0]["name"] = "Adam Ändrad"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    out = run(changed)
    assert "Persons: 0 created, 1 updated, 2 unchanged" in out
    assert Person.objects.get(popolo_id="person/0831039938224").family_name == "Ändrad"


def test_consent_source_publishes_imported_details():
    run(FIXTURE, "--consent-source", "Samtycke i förtroendemannaregistret")
    assert ContactDetail.objects.published().count() == 6


def test_dry_run_saves_nothing():
    out = run(FIXTURE, "--dry-run")
    assert "Persons: 3 created" in out and "Dry run" in out
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"people": []}', "is this a Popolo document"),
        ('{"persons": {"id": "x"}}', "'persons' must be a list"),
        ('{"persons": [{"name": "No Id"}]}', "has no id"),
        ('{"persons": [{"id": "p1"}]}', "has no name"),
        ('{"memberships": [{"person_id": "p1"}]}', "needs person_id and organization_id"),
        (
            '{"persons": [{"id": "p1", "name": "A B"}], "organizations": [{"id": "o", "name": "O", "founding_date": "yesterday"}]}',
            "is not a date",
        ),
    ],
)
def test_malformed_input_is_rejected_cleanly(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError) as error:
        run(path)
    assert message in str(error.value)
    assert "Nothing imported" in str(error.value)
    assert Person.objects.count() == 0 and Organization.objects.count() == 0


SEAT = {
    "persons": [{"id": "p1", "name": "Anna Berg"}],
    "organizations": [{"id": "o1", "name": "Kommunstyrelsen", "classification": "executive"}],
}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"persons": [{"id": "p1", "name": "   "}]}, "has no name"),
        ({"persons": [{"id": "p1", "name": "Anna Berg", "image": "not a link"}]}, "persons (p1)"),
        ({"persons": [{"id": "delta/person/Not A Slug!", "name": "Anna Berg"}]}, "persons (delta/"),
        (
            {
                "events": [
                    {
                        "id": "t1",
                        "classification": "legislative period",
                        "start_date": "2026-01-01",
                        "end_date": "2025-01-01",
                    }
                ]
            },
            "events (t1)",
        ),
        (
            {
                **SEAT,
                "memberships": [
                    {
                        "id": "m1",
                        "person_id": "p1",
                        "organization_id": "o1",
                        "start_date": "2026-01-01",
                        "end_date": "2025-01-01",
                    }
                ],
            },
            "memberships (m1)",
        ),
        (
            {
                **SEAT,
                "memberships": [
                    {"id": "m1", "person_id": "p1", "organization_id": "o1", "role": "member"},
                    {"id": "m2", "person_id": "p1", "organization_id": "o1", "role": "substitute"},
                ],
            },
            "memberships (m2)",
        ),
        (
            {
                **SEAT,
                "memberships": [
                    {
                        "id": "m1",
                        "person_id": "p1",
                        "organization_id": "o1",
                        "substitute_order": "first",
                    }
                ],
            },
            "substitute_order must be a whole number",
        ),
    ],
)
def test_values_the_database_refuses_are_a_clear_error_naming_the_row(tmp_path, document, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError) as error:
        run(path)
    assert message in str(error.value)
    assert "Nothing imported" in str(error.value)
    assert Person.objects.count() == 0 and Organization.objects.count() == 0


def test_a_person_with_one_name_is_imported(tmp_path):
    path = tmp_path / "mononym.json"
    path.write_text(json.dumps({"persons": [{"id": "p1", "name": "Sting"}]}))
    assert "Persons: 1 created" in run(path)
    assert Person.objects.get().name == "Sting"
    assert "Persons: 0 created, 0 updated, 1 unchanged" in run(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.json")


def test_unknown_references_are_skipped_and_reported(tmp_path):
    data = json.loads(FIXTURE.read_text())
    data["memberships"].append({"person_id": "person/unknown", "organization_id": "legislature"})
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(data))
    out = run(path)
    assert "Memberships: 3 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert "unknown person or organization" in out


def test_own_export_reads_back_without_changes(client, tmp_path):
    body = OrganizationFactory(name="Kommunstyrelsen")
    anna = politician(body=body)
    ContactDetailFactory(
        person=anna, publish=False, consent_given_at=None, value="privat@example.org"
    )
    exported = client.get("/api/v1/popolo.json").content
    before = snapshot()
    path = tmp_path / "roundtrip.json"
    path.write_bytes(exported)
    out = run(path)
    assert "0 created, 0 updated" in out.splitlines()[2]  # persons
    assert snapshot() == before


def test_export_imports_into_an_empty_database(client, tmp_path):
    body = OrganizationFactory(name="Kommunstyrelsen")
    politician(body=body)
    politician(body=body)
    exported = client.get("/api/v1/popolo.json").json()
    Membership.objects.all().delete()
    ContactDetail.objects.all().delete()
    Person.objects.all().delete()
    Organization.objects.all().delete()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    out = run(path)
    assert "Persons: 2 created" in out
    assert Person.objects.count() == 2
    assert Membership.objects.filter(organization__slug=body.slug).count() == 2
    assert client.get("/api/v1/popolo.json").json()["persons"] == [
        {k: v for k, v in p.items() if k != "contact_details" and k != "email"}
        | ({"contact_details": []} if "contact_details" in p else {})
        for p in exported["persons"]
    ]


REAL_FILE = Path("/work/shared/data/everypolitician-sweden-riksdag-popolo.json")


@pytest.mark.skipif(not REAL_FILE.exists(), reason=f"{REAL_FILE} (the real Riksdag file) is absent")
def test_real_riksdag_file_into_the_demo_municipality_links_its_parties(client):
    from democracy.people import demo

    demo.seed(lambda *a: None)
    parties_before = Organization.objects.filter(classification="party").count()
    run(REAL_FILE)
    assert Organization.objects.filter(classification="party").count() == parties_before == 8
    assert Organization.objects.get(popolo_id="FP").name == "Liberalerna"
    assert Organization.objects.get(popolo_id="M").name == "Moderaterna"
    riksdag = Organization.objects.get(popolo_id="legislature")
    assert riksdag.classification == Organization.Classification.LEGISLATURE
    assert Term.objects.get(popolo_id="term/2014").name == "Mandatperioden 2014–2018"
    imported = Person.objects.exclude(popolo_id="")
    assert imported.count() == 349
    assert not Membership.objects.filter(person__in=imported, on_behalf_of__isnull=True).exists()
    before = snapshot()
    assert "Nothing to change" in run(REAL_FILE)
    assert snapshot() == before
    page = client.get("/politicians/")
    assert page.status_code == 200
    assert page.content.decode().count('<option value="s"') == 1
    person = Membership.objects.filter(person__in=imported, on_behalf_of__popolo_id="FP")[0].person
    page = client.get(person.get_absolute_url())
    assert page.status_code == 200 and "Liberalerna" in page.content.decode()
    # The Riksdag is not listed among the municipality's bodies.
    assert "Riksdag" not in client.get("/bodies/").content.decode()
