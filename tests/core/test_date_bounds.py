"""Every date a form or service accepts lies in democracy.core.dates' range (issue 13, item 3).

0001-01-01T00:00 in Europe/Stockholm is a year-0 timestamp in UTC: PostgreSQL stores it, psycopg
cannot read it back, and the election-admin pages answered 500 for everyone until the row was
fixed by hand. Run with DATABASE_URL set to check it on PostgreSQL too.
"""

from datetime import date, datetime, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from democracy.core.dates import EARLIEST, LATEST, validate_sensible_date
from democracy.core.roles import Role
from proposals.forms import InvalidateForm
from tests.youth_vote.factories import build_election
from youth_vote import services
from youth_vote.forms import CandidateForm, ElectionForm, ExtensionForm
from youth_vote.models import Election, Extension

pytestmark = pytest.mark.django_db


@pytest.fixture
def election_admin(make_user):
    return make_user(email="valadmin@example.org", roles=[Role.ELECTION_ADMIN], totp=True)


@pytest.fixture
def contact(make_user):
    return make_user(email="kontakt@example.org", roles=[Role.SCHOOL_CONTACT], totp=True)


EXTREMES = ["0001-01-01T00:00", "1899-12-31T23:59", "2101-01-01T00:00", "9999-12-31T23:59"]


def _dt(value):
    return value.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("extreme", EXTREMES)
def test_election_form_refuses_an_extreme_opening(client, election_admin, extreme):
    client.force_login(election_admin)
    response = client.post(
        "/youth-vote/admin/",
        {
            "name": "Ungdomsval",
            "opens_at": extreme,
            "closes_at": _dt(timezone.now() + timedelta(days=12)),
            "total_members": 10,
            "total_substitutes": 4,
            "trustees": 5,
            "trustee_threshold": 3,
        },
    )
    assert response.status_code in (200, 400)
    assert "1900-01-01" in response.content.decode()
    assert not Election.objects.exists()
    # The pages everyone uses still answer.
    assert client.get("/youth-vote/admin/").status_code == 200


def test_the_message_is_swedish_by_default_and_english_on_request():
    form = ElectionForm(data={"name": "x", "opens_at": "0001-01-01T00:00"})
    assert not form.is_valid()
    assert form.errors["opens_at"] == ["Ange ett datum mellan 1900-01-01 och 2100-12-31."]
    from django.utils import translation

    with translation.override("en"):
        form = ElectionForm(data={"name": "x", "opens_at": "0001-01-01T00:00"})
        assert not form.is_valid()
        assert form.errors["opens_at"] == ["Enter a date between 1900-01-01 and 2100-12-31."]


def test_an_extension_to_9999_is_refused(client, election_admin, contact):
    built = build_election(admin=election_admin, contact=contact)
    client.force_login(election_admin)
    base = f"/youth-vote/admin/{built.election.slug}/"
    client.post(base + "extend/", {"new_closes_at": "9999-12-31T23:59", "reason": "x"})
    assert not Extension.objects.exists()
    with pytest.raises(ValidationError) as raised:
        services.election_extend(
            election=built.election,
            actor=election_admin,
            new_closes_at=datetime(9999, 12, 31, tzinfo=timezone.get_current_timezone()),
            reason="x",
        )
    assert "new_closes_at" in raised.value.message_dict
    assert not Extension.objects.exists()
    assert client.get(base).status_code == 200
    assert client.get(f"/youth-vote/{built.election.slug}/").status_code == 200


def test_services_refuse_extreme_dates_from_any_caller(election_admin):
    stockholm = timezone.get_current_timezone()
    with pytest.raises(ValidationError) as raised:
        services.election_create(
            actor=election_admin,
            name="Ungdomsval",
            opens_at=datetime(1, 1, 1, tzinfo=stockholm),
            closes_at=timezone.now() + timedelta(days=3),
        )
    assert "opens_at" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.election_create(
            actor=election_admin,
            name="Ungdomsval",
            opens_at=timezone.now() + timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=3),
            term_end=date(9999, 12, 31),
        )
    assert "term_end" in raised.value.message_dict
    election = services.election_create(
        actor=election_admin,
        name="Ungdomsval",
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(ValidationError):
        services.election_update(election=election, actor=election_admin, term_start=date(1, 1, 1))
    assert Election.objects.get().term_start is None


@pytest.mark.parametrize(
    ("form_class", "field", "kwargs"),
    [
        (CandidateForm, "birth_date", "election"),
        (ExtensionForm, "new_closes_at", None),
        (InvalidateForm, "created_from", None),
        (InvalidateForm, "created_to", None),
    ],
)
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_every_date_field_of_every_form_is_bounded(
    form_class, field, kwargs, value, election_admin
):
    extra = {}
    if kwargs == "election":
        extra["election"] = services.election_create(
            actor=election_admin,
            name="Ungdomsval",
            opens_at=timezone.now() + timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=3),
        )
    bound = form_class(
        data={field: value if form_class is CandidateForm else value + "T12:00"}, **extra
    )
    bound.is_valid()
    assert field in bound.errors
    assert "1900-01-01" in " ".join(bound.errors[field])


def test_the_range_itself():
    validate_sensible_date(None)
    validate_sensible_date(EARLIEST)
    validate_sensible_date(LATEST)
    validate_sensible_date(datetime(2026, 6, 1, 12, tzinfo=timezone.get_current_timezone()))
    for outside in (EARLIEST - timedelta(days=1), LATEST + timedelta(days=1)):
        with pytest.raises(ValidationError):
            validate_sensible_date(outside)
    # Every date field Django builds carries it, the admin's too.
    assert validate_sensible_date in forms.DateField().validators
    assert validate_sensible_date in forms.DateTimeField().validators
