"""Served-code integrity (voting.md requirement 23): the booth's files match the release
manifest, pages carry its hashes as SRI, and a changed file is detected."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from youth_vote import integrity


def test_committed_manifest_matches_the_source_files(capsys):
    call_command("youth_vote_booth_manifest")
    assert "match the release manifest" in capsys.readouterr().out


def test_a_changed_source_file_is_detected(monkeypatch):
    changed = {"files": dict(integrity.compute_manifest()["files"], **{"youth_vote/booth.js": "sha384-changed"})}
    monkeypatch.setattr(integrity, "compute_manifest", lambda: changed)
    with pytest.raises(CommandError, match="do NOT match"):
        call_command("youth_vote_booth_manifest")


@pytest.mark.django_db
def test_booth_page_loads_its_files_with_the_committed_hashes(client):
    html = client.get("/youth-vote/vote/").content.decode()
    expected = integrity.release_manifest()["files"]
    found = dict(re.findall(r'(?:src|href)="/static/([^"]+)"[^>]*integrity="([^"]+)"', html))
    assert found["youth_vote/booth.js"] == expected["youth_vote/booth.js"]
    assert found["youth_vote/booth.css"] == expected["youth_vote/booth.css"]


@pytest.mark.django_db
def test_published_manifest_is_the_release_manifest(client):
    published = client.get("/youth-vote/vote/manifest.json").json()["files"]
    assert {entry["integrity"] for entry in published} == set(integrity.release_manifest()["files"].values())


def test_files_served_by_the_running_site_match(live_app, capsys):
    call_command("youth_vote_booth_manifest", check_url=live_app.url)
    assert "match the release manifest" in capsys.readouterr().out


def test_a_file_served_differently_is_detected(live_app, monkeypatch):
    """Simulate a server whose booth.js was altered: its bytes no longer hash to the release."""
    real = integrity.release_manifest()
    altered = {"files": dict(real["files"], **{"youth_vote/booth.js": integrity.digest(b"alert(1)")})}
    monkeypatch.setattr(integrity, "release_manifest", lambda: altered)
    with pytest.raises(CommandError, match="do NOT match"):
        call_command("youth_vote_booth_manifest", check_url=live_app.url)
