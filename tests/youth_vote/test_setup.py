"""Election set-up by administrators through the staff pages, and the freeze."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from democracy.core.models import AuditEntry
from tests.youth_vote.factories import build_election, roll_csv
from youth_vote.apportion import largest_remainder
from youth_vote.models import Candidate, District, Election, Extension, School, Voter

pytestmark = pytest.mark.django_db


def _dt(value):
    return value.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")


def test_largest_remainder_matches_hand_computation():
    # Göteborg 2023 shape: 81 members over four districts.
    shares = largest_remainder(
        {"nordost": 19_000, "centrum": 17_100, "sydvast": 20_050, "hisingen": 24_900}, 81
    )
    assert {k: s.seats for k, s in shares.items()} == {
        "nordost": 19,
        "centrum": 17,
        "sydvast": 20,
        "hisingen": 25,
    }
    assert sum(s.seats for s in shares.values()) == 81
    # Remainders decide: 10 seats, populations 5/3/2 of 10.5 → quotas 4.76, 2.86, 1.90.
    shares = largest_remainder({"a": 500, "b": 300, "c": 250}, 10)
    assert [shares[k].whole for k in "abc"] == [4, 2, 2]
    assert [shares[k].seats for k in "abc"] == [5, 3, 2]
    assert largest_remainder({"a": 0}, 5)["a"].seats == 0


def test_administrator_sets_up_an_election_through_the_pages(client, election_admin, contact):
    client.force_login(election_admin)
    now = timezone.now()
    response = client.post(
        "/youth-vote/admin/",
        {
            "name": "Ungdomsval 2027",
            "opens_at": _dt(now + timedelta(days=2)),
            "closes_at": _dt(now + timedelta(days=12)),
            "total_members": 10,
            "total_substitutes": 4,
            "trustees": 5,
            "trustee_threshold": 3,
        },
    )
    assert response.status_code == 302
    election = Election.objects.get()
    assert election.slug == "ungdomsval-2027" and election.status == "draft"
    base = f"/youth-vote/admin/{election.slug}/"
    for name, population in (("Norr", 600), ("Syd", 300), ("Öster", 100)):
        assert (
            client.post(
                base + "districts/", {"name": name, "child_population": population}
            ).status_code
            == 302
        )
    assert list(
        District.objects.order_by("name").values_list("name", "seats_members", "seats_substitutes")
    ) == [
        ("Norr", 6, 3),
        ("Syd", 3, 1),
        ("Öster", 1, 0),  # equal remainders: more children first
    ]
    seats_page = client.get(f"/youth-vote/{election.slug}/seats/")
    assert seats_page.status_code == 404  # drafts are not public yet
    # A duplicate district name is a clear error, not a crash.
    dup = client.post(base + "districts/", {"name": "norr", "child_population": 5})
    assert dup.status_code == 400 and "finns redan" in dup.content.decode()

    north = District.objects.get(name="Norr")
    response = client.post(base + "schools/", {"name": "Norrskolan", "district": north.pk})
    school = School.objects.get()
    assert response["Location"] == f"{base}schools/{school.pk}/"
    bad = client.post(
        f"{base}schools/{school.pk}/", {"part": "contacts", "emails": "nobody@example.org"}
    )
    assert bad.status_code == 400 and "nobody@example.org" in bad.content.decode()
    # Not an address at all, however long (SQLite once refused the lookup: a server error).
    huge = client.post(
        f"{base}schools/{school.pk}/",
        {"part": "contacts", "emails": f"{contact.email}\n" + "x" * 70_000 + "\nnot@@here"},
    )
    assert huge.status_code == 400
    assert huge.content.decode().count("Fyll i en giltig e-postadress") == 2
    assert "x" * 59 + "…: Fyll i" in huge.content.decode()  # the message quotes a little
    assert not school.contacts.exists()
    client.post(f"{base}schools/{school.pk}/", {"part": "contacts", "emails": contact.email})
    assert list(school.contacts.all()) == [contact]

    # Candidates: eligibility is checked.
    too_young = client.post(
        base + "candidates/",
        {
            "given_name": "Liten",
            "family_name": "Kandidat",
            "district": north.pk,
            "grade": 5,
            "birth_date": f"{now.year - 11}-01-01",
        },
    )
    assert too_young.status_code == 400 and "årskurs 6" in too_young.content.decode()
    too_old = client.post(
        base + "candidates/",
        {
            "given_name": "Stor",
            "family_name": "Kandidat",
            "district": north.pk,
            "grade": 9,
            "birth_date": f"{now.year - 19}-01-01",
        },
    )
    assert too_old.status_code == 400
    for district in District.objects.all():
        ok = client.post(
            base + "candidates/",
            {
                "given_name": "Sam",
                "family_name": district.name,
                "district": district.pk,
                "grade": 7,
                "birth_date": f"{now.year - 13}-05-05",
                "statement": "<p>Hej <script>alert(1)</script></p>",
            },
        )
        assert ok.status_code == 302
    candidate = Candidate.objects.first()
    assert "<script>" not in candidate.statement
    assert candidate.status == "pending"

    # Freezing is refused while something is missing, with reasons.
    page = client.get(base)
    assert "väntar på granskning" in page.content.decode()
    client.post(base + "freeze/")
    assert Election.objects.get().status == "draft"

    for c in Candidate.objects.all():
        response = client.post(f"{base}candidates/{c.pk}/", {"part": "decision", "to": "approved"})
        assert response.status_code == 302
    reject = client.post(
        f"{base}candidates/{candidate.pk}/", {"part": "decision", "to": "rejected"}
    )
    assert reject.status_code == 400 and "skäl" in reject.content.decode()

    # The roll, with a report of rejected rows.
    rows = [
        ("1", "Ada", "A", "7A", 7, f"{now.year - 13}-02-02", "norr"),
        ("2", "Bo", "B", "7A", 7, f"{now.year - 13}-02-02", "Syd"),
        ("3", "Cy", "C", "4A", 4, f"{now.year - 10}-02-02", "norr"),
        ("4", "Di", "D", "7A", 7, "2013-13-40", "norr"),
        ("5", "Ed", "E", "7A", 7, f"{now.year - 13}-02-02", "Mars"),
        ("1", "Ada", "A", "7A", 7, f"{now.year - 13}-02-02", "norr"),
        ("6", "", "F", "7A", 7, f"{now.year - 13}-02-02", "norr"),
        ("7", "Gus", "G", "9B", 9, f"{now.year - 19}-02-02", "norr"),
    ]
    upload = io.BytesIO(roll_csv(rows).encode("utf-8"))
    upload.name = "roll.csv"
    response = client.post(base + "roll/", {"school": school.pk, "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 elever lades till" in html
    for reason in ("För ung", "inte ett datum", "Okänt område", "två gånger", "Tomt", "För gammal"):
        assert reason in html, reason
    assert Voter.objects.count() == 2

    response = client.post(base + "freeze/")
    election.refresh_from_db()
    assert election.status == "frozen", [m.message for m in response.wsgi_request._messages]
    assert len(election.fingerprint) == 64 and len(election.roll_hash) == 64
    fingerprint = election.fingerprint

    # After the freeze nothing in the configuration changes.
    client.post(base + "districts/", {"name": "Väster", "child_population": 50})
    client.post(
        f"{base}candidates/{candidate.pk}/", {"part": "decision", "to": "withdrawn", "reason": "x"}
    )
    upload = io.BytesIO(
        roll_csv([("9", "Ny", "N", "7A", 7, f"{now.year - 13}-02-02", "norr")]).encode()
    )
    upload.name = "roll.csv"
    client.post(base + "roll/", {"school": school.pk, "file": upload})
    client.post(
        base + "edit/",
        {
            "name": "Nytt namn",
            "opens_at": _dt(now),
            "closes_at": _dt(now + timedelta(days=1)),
            "total_members": 99,
            "total_substitutes": 1,
            "trustees": 5,
            "trustee_threshold": 3,
        },
    )
    election.refresh_from_db()
    assert District.objects.count() == 3 and Voter.objects.count() == 2
    assert Candidate.objects.get(pk=candidate.pk).status == "approved"
    assert election.name == "Ungdomsval 2027" and election.total_members == 10
    assert election.fingerprint == fingerprint
    from youth_vote.codes import canonical_json, sha256_hex
    from youth_vote.services import config_build

    # The fingerprint covers the configuration as it is now and the key made at the freeze.
    assert sha256_hex(canonical_json(election.config)) == fingerprint
    assert {**config_build(election), "encryption": election.config["encryption"]} == (
        election.config
    )

    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for action in (
        "youth_vote.election.create",
        "youth_vote.district.create",
        "youth_vote.school.create",
        "youth_vote.school.contacts",
        "youth_vote.candidate.create",
        "youth_vote.candidate.approved",
        "youth_vote.roll.import",
        "youth_vote.election.freeze",
    ):
        assert action in actions, action
    call_command("audit_verify", stdout=io.StringIO())


def test_extension_is_reasoned_logged_and_public(client, election_admin, contact):
    built = build_election(admin=election_admin, contact=contact)
    client.force_login(election_admin)
    base = f"/youth-vote/admin/{built.election.slug}/"
    new_close = built.election.closes_at + timedelta(days=1)
    no_reason = client.post(base + "extend/", {"new_closes_at": _dt(new_close), "reason": ""})
    assert no_reason.status_code == 302 and not Extension.objects.exists()
    earlier = client.post(
        base + "extend/",
        {"new_closes_at": _dt(built.election.closes_at - timedelta(hours=2)), "reason": "x"},
    )
    assert earlier.status_code == 302 and not Extension.objects.exists()
    client.post(
        base + "extend/",
        {"new_closes_at": _dt(new_close), "reason": "Avbrott i nätet onsdag förmiddag"},
    )
    election = Election.objects.get()
    assert Extension.objects.count() == 1
    assert election.closes_at.strftime("%Y%m%d%H%M") == new_close.strftime("%Y%m%d%H%M")
    assert election.original_closes_at != election.closes_at
    entry = AuditEntry.objects.get(action="youth_vote.election.extend")
    assert entry.reason == "Avbrott i nätet onsdag förmiddag"
    client.logout()
    public = client.get(f"/youth-vote/{election.slug}/").content.decode()
    assert "Avbrott i nätet onsdag förmiddag" in public
    assert "förlängd" in public
    # The fingerprint covers the frozen window, not the extension.
    assert election.config["election"]["closes_at"] == election.original_closes_at.isoformat()


def test_import_roll_command_reports_rejected_rows(tmp_path, election_admin):
    built = build_election(
        admin=election_admin, freeze=False, issue_codes=False, open_sessions=False
    )
    school = built.schools[0]
    now = timezone.now()
    path = tmp_path / "roll.csv"
    path.write_text(
        roll_csv(
            [
                ("x1", "Ola", "Ek", "8C", 8, f"{now.year - 14}-03-03", built.districts[0].slug),
                ("x2", "Pia", "Al", "8C", 3, f"{now.year - 9}-03-03", built.districts[0].slug),
            ]
        ).replace(",", ";"),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("youth_vote_import_roll", built.election.slug, school.slug, str(path), stdout=out)
    text = out.getvalue()
    assert "1 student(s) added" in text and "line 3" in text
    assert Voter.objects.filter(student_ref="x1").exists()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="saknar kolumnerna"):
        bad = tmp_path / "bad.csv"
        bad.write_text("name,age\nx,1\n")
        call_command(
            "youth_vote_import_roll",
            built.election.slug,
            school.slug,
            str(bad),
            stdout=io.StringIO(),
        )


def test_staff_pages_refuse_the_wrong_role(client, contact, election_admin, resident):
    built = build_election(admin=election_admin, contact=contact)
    slug = built.election.slug
    client.force_login(contact)
    assert client.get(f"/youth-vote/admin/{slug}/").status_code == 403
    assert client.post(f"/youth-vote/admin/{slug}/tally/").status_code == 403
    client.force_login(election_admin)
    assert client.get("/youth-vote/sessions/").status_code == 403
    school_class = built.classes[0]
    assert client.post(f"/youth-vote/classes/{school_class.pk}/codes/").status_code == 403
    client.force_login(resident)
    assert client.get(f"/youth-vote/admin/{slug}/").status_code == 403


def test_public_pages_show_seats_method_and_candidates(client, election_admin, contact):
    built = build_election(admin=election_admin, contact=contact)
    slug = built.election.slug
    seats = client.get(f"/youth-vote/{slug}/seats/").content.decode()
    assert "största rest" in seats.lower()
    for district in built.districts:
        assert district.name in seats
    candidates = client.get(f"/youth-vote/{slug}/candidates/").content.decode()
    for group in built.candidates.values():
        for candidate in group:
            assert candidate.name in candidates
    home = client.get("/youth-vote/")
    assert home.status_code == 200 and built.election.fingerprint in home.content.decode()
    for group in built.candidates.values():
        assert group[0].birth_date.isoformat() not in candidates


def test_roll_import_rejects_out_of_range_values_instead_of_failing(client, election_admin):
    """A year of 99999, a 70-character student id, a birth date in the future and names that
    are empty after cleaning are reported rows, not server errors; importing the same file
    twice adds nobody twice."""
    built = build_election(
        admin=election_admin, freeze=False, issue_codes=False, open_sessions=False
    )
    school = built.schools[0]
    district = built.districts[0].slug
    born = f"{timezone.now().year - 13}-03-03"
    rows = [
        ("ok1", "Ola", "Ek", "8C", 8, born, district),
        ("big", "Pia", "Al", "8C", 99999, born, district),
        ("r" * 70 + "1", "Ida", "Ås", "8C", 8, born, district),
        ("r" * 70 + "2", "Ida", "Ås", "8C", 8, born, district),
        ("future", "Bo", "Ek", "8C", 8, f"{timezone.now().year + 1}-01-01", district),
        ("empty", "<b></b>", "Ek", "8C", 8, born, district),
    ]
    client.force_login(election_admin)
    for attempt in range(2):
        upload = io.BytesIO(roll_csv(rows).encode())
        upload.name = "roll.csv"
        response = client.post(
            f"/youth-vote/admin/{built.election.slug}/roll/", {"school": school.pk, "file": upload}
        )
        assert response.status_code == 200
        report = response.context["report"]
        assert report.accepted == (1 if attempt == 0 else 0)
        assert [line for line, _reason in report.rejected] == (
            [3, 4, 5, 6, 7] if attempt == 0 else [2, 3, 4, 5, 6, 7]
        )
    assert list(
        Voter.objects.filter(school_class__school=school, school_class__name="8C").values_list(
            "student_ref", flat=True
        )
    ) == ["ok1"]


def test_moderator_removes_a_photo_with_a_reason_and_a_nul_in_it_is_refused(
    client, election_admin, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from youth_vote import services

    settings.MEDIA_ROOT = str(tmp_path)
    built = build_election(
        admin=election_admin, freeze=False, issue_codes=False, open_sessions=False
    )
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    candidate = services.candidate_create(
        election=built.election,
        district=built.districts[0],
        actor=election_admin,
        given_name="Foto",
        family_name="Grafsson",
        grade=7,
        birth_date=built.candidates[built.districts[0].pk][0].birth_date,
        photo=SimpleUploadedFile("p.gif", gif, content_type="image/gif"),
        photo_alt="Ett porträtt",
    )
    client.force_login(election_admin)
    url = f"/youth-vote/admin/{built.election.slug}/candidates/{candidate.pk}/"
    refused = client.post(url, {"part": "remove_photo", "reason": "Olämplig\x00bild"})
    assert refused.status_code == 400
    candidate.refresh_from_db()
    assert candidate.photo
    removed = client.post(url, {"part": "remove_photo", "reason": "Olämplig bild"})
    assert removed.status_code == 302
    candidate.refresh_from_db()
    assert not candidate.photo and not candidate.photo_alt
    entry = AuditEntry.objects.filter(action="youth_vote.candidate.photo_remove").get()
    assert entry.reason == "Olämplig bild"


def test_ages_count_from_the_local_first_day_of_voting(client, election_admin):
    """Voting opens at midnight in Sweden (23:00 the day before in UTC): a student who turns
    18 that day may neither stand nor vote."""
    from zoneinfo import ZoneInfo

    from youth_vote import services

    opens = timezone.datetime(2027, 11, 8, 0, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    election = services.election_create(
        actor=election_admin,
        name="Midnattsval",
        opens_at=opens,
        closes_at=opens + timedelta(days=10),
    )
    district = services.district_create(
        election=election, actor=election_admin, name="Norr", child_population=10
    )
    school = services.school_create(
        election=election, district=district, actor=election_admin, name="Skolan"
    )
    client.force_login(election_admin)
    response = client.post(
        f"/youth-vote/admin/{election.slug}/candidates/",
        {
            "given_name": "Arton",
            "family_name": "Idag",
            "district": district.pk,
            "grade": 9,
            "birth_date": "2009-11-08",
        },
    )
    assert response.status_code == 400 and not Candidate.objects.exists()
    report = services.roll_import(
        election=election,
        school=school,
        data=roll_csv(
            [
                ("a", "Arton", "Idag", "9A", 9, "2009-11-08", "norr"),
                ("b", "Sjutton", "Imorgon", "9A", 9, "2009-11-09", "norr"),
            ]
        ),
        actor=election_admin,
    )
    assert report.accepted == 1 and [line for line, _r in report.rejected] == [2]
