"""Candidates' photos are served as far as the candidate's review allows (issue 11): everyone
sees an approved candidate's photo in a public election; only election administrators see one
under review; nobody gets a replaced one. Behind nginx the file goes out by X-Accel-Redirect."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.youth_vote.factories import build_election
from youth_vote import services
from youth_vote.models import Candidate, Election

GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographed(election_admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MEDIA_INTERNAL_URL = ""
    built = build_election(admin=election_admin, freeze=False, issue_codes=False, open_sessions=False)
    district = built.districts[0]

    def make(status, name):
        candidate = services.candidate_create(
            election=built.election, district=district, actor=election_admin,
            given_name=name, family_name="Fotosson", grade=7,
            birth_date=built.candidates[district.pk][0].birth_date,
            photo=SimpleUploadedFile(f"{name}.gif", GIF, content_type="image/gif"),
            photo_alt="Ett porträtt",
        )
        if status != Candidate.Status.PENDING:
            services.candidate_transition(candidate=candidate, to=status, actor=election_admin, reason="Granskad")
        return candidate

    return built.election, make


def test_an_approved_photo_in_a_public_election_is_everyones(client, photographed):
    election, make = photographed
    candidate = make(Candidate.Status.APPROVED, "Godkand")
    url = candidate.photo.url
    assert client.get(url).status_code == 404  # the election is still a draft
    Election.objects.filter(pk=election.pk).update(status=Election.Status.FROZEN)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == GIF
    assert response["Cache-Control"] == "public, max-age=3600"


def test_a_photo_under_review_is_only_for_election_administrators(
    client, photographed, election_admin, resident
):
    election, make = photographed
    pending, rejected = make(Candidate.Status.PENDING, "Vantar"), make(Candidate.Status.REJECTED, "Nej")
    Election.objects.filter(pk=election.pk).update(status=Election.Status.FROZEN)
    for candidate in (pending, rejected):
        assert client.get(candidate.photo.url).status_code == 404
    client.force_login(resident)
    assert client.get(pending.photo.url).status_code == 404
    client.force_login(election_admin)
    for candidate in (pending, rejected):
        response = client.get(candidate.photo.url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_a_replaced_photo_is_nobodys(client, photographed, election_admin):
    election, make = photographed
    candidate = make(Candidate.Status.PENDING, "Byter")
    old_url = candidate.photo.url
    services.candidate_update(
        candidate=candidate, actor=election_admin, statement="Ny text",
        photo=SimpleUploadedFile("ny.gif", GIF, content_type="image/gif"), photo_alt="Ny bild",
    )
    client.force_login(election_admin)
    assert client.get(old_url).status_code == 404
    assert client.get(Candidate.objects.get(pk=candidate.pk).photo.url).status_code == 200
    assert client.get("/media/youth_vote/candidates/nothing-here.gif").status_code == 404


def test_behind_nginx_the_file_goes_out_by_x_accel_redirect(client, photographed, settings):
    election, make = photographed
    settings.MEDIA_INTERNAL_URL = "/internal-media/"
    candidate = make(Candidate.Status.APPROVED, "Nginx")
    Election.objects.filter(pk=election.pk).update(status=Election.Status.FROZEN)
    response = client.get(candidate.photo.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/internal-media/{candidate.photo.name}"
    assert response.content == b""
