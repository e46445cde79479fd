"""Counting, results, verification, the diary, the purge, and the end-to-end scenario."""

import copy
import hashlib
import io
import json
import random
import re
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from democracy.core.models import AuditEntry
from democracy.core.services import audit_head
from democracy.people.models import Membership, Organization
from tests.youth_vote.conftest import Booth, vote_for
from tests.youth_vote.factories import build_election
from youth_vote import counting, crypto, services
from youth_vote.models import (
    Ballot,
    CandidateResult,
    Election,
    Participation,
    SchoolTurnout,
    Tracker,
    Voter,
    VotingSession,
)

pytestmark = pytest.mark.django_db
VECTORS = Path(__file__).parent / "vectors"


def _after_close(election):
    return time_machine.travel(election.closes_at.timestamp() + 60, tick=False)


def _verify(path) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("youth_vote_verify", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


@pytest.mark.parametrize("vector", sorted(VECTORS.glob("*.json")), ids=lambda p: p.stem)
def test_fixed_test_vectors_verify(vector, tmp_path):
    ok, text = _verify(vector)
    assert ok, text
    data = json.loads(vector.read_text())
    # Any change to a ballot, a sum, a decryption, a proof, a key, a result or the
    # configuration is caught.
    def other_ballot(d):  # one ballot replaced by a copy of another of its district
        alfa = [i for i, b in enumerate(d["ballots"]) if b[0] == "alfa"]
        d["ballots"][alfa[0]] = list(d["ballots"][alfa[1]])

    def partial(d):
        return d["decryption"]["districts"][0]["candidates"][0]["partials"][0]

    def flip(text):  # another valid group element or scalar, same length
        return text[:-2] + ("00" if text[-2:] != "00" else "01")

    for mutate in (
        other_ballot,
        lambda d: d["ballots"].pop(),
        lambda d: d["ballots"].append(list(d["ballots"][0])),
        lambda d: d["results"]["districts"][0]["candidates"][0].__setitem__("votes", 3),
        lambda d: d["decryption"]["districts"][0]["candidates"][0].__setitem__("votes", 1),
        lambda d: d["decryption"]["districts"][0]["candidates"][1]["sum"].reverse(),
        lambda d: partial(d).__setitem__("share", d["config"]["encryption"]["public_key"]),
        lambda d: partial(d)["proof"].__setitem__(1, flip(partial(d)["proof"][1])),
        lambda d: partial(d).__setitem__("trustee", 2),
        lambda d: d["config"]["encryption"]["verification_keys"].reverse(),
        lambda d: d.__setitem__("tie_seed", "ff" + d["tie_seed"][2:]),
        lambda d: d["config"]["districts"][0].__setitem__("members", 2),
        lambda d: d["trackers"].pop(),
    ):
        changed = copy.deepcopy(data)
        mutate(changed)
        path = tmp_path / "changed.json"
        path.write_text(json.dumps(changed))
        ok, text = _verify(path)
        assert not ok, mutate
    # The verifier also runs without Delta (the standard library and PyNaCl only).
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "youth_vote/verify.py", str(vector)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["ballots"].__setitem__(0, [d["ballots"][0][0], ["a", "list"]]),
        lambda d: d["ballots"].__setitem__(0, [d["ballots"][0][0], "zz" * 128]),
        lambda d: d.__setitem__("decryption", None),
        lambda d: d["config"]["encryption"].__setitem__("public_key", "00" * 32),
        lambda d: d.__setitem__("results", []),
        lambda d: d.__setitem__("config", None),
        lambda d: d.__setitem__("ballots", 7),
        lambda d: d["config"]["districts"][0].__setitem__("members", "many"),
        lambda d: d.__setitem__("tie_seed", None),
    ],
)
def test_a_malformed_export_fails_verification_cleanly(mutate, tmp_path):
    """Not shaped like an export: the verifier says so and exits 1, with no traceback."""
    vector = sorted(VECTORS.glob("*.json"))[0]
    data = json.loads(vector.read_text())
    mutate(data)
    path = tmp_path / "malformed.json"
    path.write_text(json.dumps(data))
    ok, text = _verify(path)
    assert not ok and "FAILED" in text


def test_ties_are_broken_by_the_recorded_seeded_lot(election_admin, contact, monkeypatch, tmp_path):
    built = build_election(
        admin=election_admin,
        contact=contact,
        districts=(("Norr", 100),),
        members=1,
        substitutes=1,
        candidates_per_district=3,
        students_per_class=4,
    )
    booth = Booth(__import__("django.test", fromlist=["Client"]).Client())
    school_class = built.classes[0]
    first, second, third = built.candidates[built.districts[0].pk]
    voters = built.voters(school_class)
    for voter, candidate in zip(voters, (first, second, first, second), strict=True):
        assert (
            vote_for(
                booth, built.codes[voter.pk], built.session_code(school_class), str(candidate.key)
            ).status_code
            == 303
        )
    seed = "abc123"
    monkeypatch.setattr(counting.secrets, "token_hex", lambda n: seed)
    sheets = built.sheets_file(tmp_path / "sheets.txt", numbers={2, 4, 5})
    with _after_close(built.election):
        call_command(
            "youth_vote_tally", built.election.slug, "--sheets", sheets, stdout=io.StringIO()
        )
    election = Election.objects.get()
    assert election.tie_seed == seed and election.status == "tallied"
    lot = {c: hashlib.sha256(f"{seed}:{c.key}".encode()).hexdigest() for c in (first, second)}
    winner, runner_up = sorted((first, second), key=lambda c: lot[c])
    results = {r.candidate_id: r for r in CandidateResult.objects.all()}
    assert results[winner.pk].outcome == "member" and results[winner.pk].rank == 1
    assert (
        results[runner_up.pk].outcome == "substitute"
        and results[runner_up.pk].substitute_order == 1
    )
    assert results[third.pk].outcome == "not_elected" and results[third.pk].votes == 0
    assert AuditEntry.objects.get(action="youth_vote.election.tally").data["tie_seed"] == seed
    # A second count is refused: the seed cannot be redrawn.
    with _after_close(election), pytest.raises(CommandError):
        call_command("youth_vote_tally", election.slug, "--sheets", sheets, stdout=io.StringIO())


def test_nothing_is_counted_before_close(built, client, election_admin, tmp_path):
    sheets = built.sheets_file(tmp_path / "sheets.txt")
    with pytest.raises(CommandError):
        call_command(
            "youth_vote_tally", built.election.slug, "--sheets", sheets, stdout=io.StringIO()
        )
    client.force_login(election_admin)
    client.post(f"/youth-vote/admin/{built.election.slug}/tally/", built.tally_form())
    assert not CandidateResult.objects.exists()
    assert Election.objects.get().status == "frozen"


def test_end_to_end_scenario(client, election_admin, contact, tmp_path, capsys):
    """Belenios-style scenario with a printed random seed: N students in M districts; some
    vote, some try twice, some lose codes and get new ones, a paper ballot is added; the
    published result equals the expected count and the independent verifier agrees."""
    seed = random.SystemRandom().randrange(2**32)
    print(f"youth-vote scenario seed: {seed}")
    rng = random.Random(seed)
    built = build_election(
        admin=election_admin,
        contact=contact,
        districts=(("Norr", 900), ("Mitt", 700), ("Syd", 400)),
        members=6,
        substitutes=3,
        candidates_per_district=3,
        classes_per_school=2,
        students_per_class=7,
        rng=rng,
    )
    election = built.election
    voters = list(Voter.objects.filter(election=election).select_related("school_class"))
    expected = {}  # (district id, candidate key or "blank") -> votes
    staff = __import__("django.test", fromlist=["Client"]).Client()
    staff.force_login(contact)
    voted = set()
    for voter in voters:
        roll = rng.random()
        if roll < 0.2:
            continue  # does not vote
        school_class = voter.school_class
        code = built.codes[voter.pk]
        if roll < 0.35:
            # Lost the code: the contact person prints a new one; the old one stops working.
            page = staff.post(
                f"/youth-vote/classes/{school_class.pk}/reissue/", {"voter": voter.pk}
            )
            new_code = re.search(r"<code>([A-Z2-9-]{16})</code>", page.content.decode()).group(1)
            assert (
                Booth(__import__("django.test", fromlist=["Client"]).Client())
                .enter(code, built.session_code(school_class))
                .status_code
                == 400
            )
            code = new_code
        options = [str(c.key) for c in built.candidates[voter.district_id]] + ["blank"]
        choice = rng.choice(options)
        booth = Booth(__import__("django.test", fromlist=["Client"]).Client())
        assert vote_for(booth, code, built.session_code(school_class), choice).status_code == 303
        expected[(voter.district_id, choice)] = expected.get((voter.district_id, choice), 0) + 1
        voted.add(voter.pk)
        if roll > 0.85:  # tries again
            assert booth.enter(code, built.session_code(school_class)).status_code == 409
    # A paper ballot for a student who has not voted.
    manual = next(v for v in voters if v.pk not in voted)
    paper_choice = str(built.candidates[manual.district_id][0].key)
    response = staff.post(
        f"/youth-vote/schools/{manual.school_class.school_id}/manual/",
        {"voter": manual.pk, "choice": paper_choice},
    )
    assert response.status_code == 302
    expected[(manual.district_id, paper_choice)] = (
        expected.get((manual.district_id, paper_choice), 0) + 1
    )
    voted.add(manual.pk)
    # … and the paper-ballot student cannot vote again, on paper or online.
    again = staff.post(
        f"/youth-vote/schools/{manual.school_class.school_id}/manual/",
        {"voter": manual.pk, "choice": "blank"},
        follow=True,
    )
    assert "redan röstat" in again.content.decode()
    assert (
        Ballot.objects.count()
        == len(voted)
        == Participation.objects.count()
        == Tracker.objects.count()
    )

    admin = __import__("django.test", fromlist=["Client"]).Client()
    admin.force_login(election_admin)
    with _after_close(election):
        assert admin.post(f"/youth-vote/admin/{election.slug}/tally/", built.tally_form()).status_code == 302
        assert (
            client.get(f"/youth-vote/{election.slug}/results/").status_code == 403
        )  # not yet published
        assert admin.post(f"/youth-vote/admin/{election.slug}/publish/").status_code == 302
        results_page = client.get(f"/youth-vote/{election.slug}/results/")
        export = client.get(f"/youth-vote/{election.slug}/export.json")
        trackers_page = client.get(f"/youth-vote/{election.slug}/trackers/")
    assert results_page.status_code == 200 and export.status_code == 200
    html = results_page.content.decode()
    assert "<svg" in html and "<title" in html
    data = export.json()
    # The published result equals the expected count.
    published = {d["district"]: d for d in data["results"]["districts"]}
    for district in built.districts:
        got = published[district.slug]
        assert got["blank"] == expected.get((district.pk, "blank"), 0)
        for row in got["candidates"]:
            assert row["votes"] == expected.get((district.pk, row["key"]), 0), (seed, row)
        assert got["ballots"] == sum(n for (d, _c), n in expected.items() if d == district.pk)
    assert len(data["ballots"]) == len(voted)
    assert data["fingerprint"] == election.fingerprint
    assert data["audit_head"]["hash"] == audit_head().hash
    # Trackers are listed and found; ballots carry no tracker.
    some_tracker = Tracker.objects.first().code
    assert (
        some_tracker in trackers_page.content.decode() or "Sida" in trackers_page.content.decode()
    )
    assert all(len(b) == 2 for b in data["ballots"])
    # Every published ballot is a ciphertext: one pair of group elements per candidate.
    for district, ciphertext in data["ballots"]:
        n = sum(1 for c in data["config"]["candidates"] if c["district"] == district)
        assert len(ciphertext) == 128 * n
    assert len(data["decryption"]["trustees"]) == election.trustee_threshold

    path = tmp_path / "export.json"
    path.write_text(export.content.decode())
    ok, text = _verify(path)
    assert ok, (seed, text)
    # Replace one ballot by a fresh encryption of another choice: the verifier fails.
    tampered = json.loads(path.read_text())
    district, _ciphertext = tampered["ballots"][0]
    options = [c["key"] for c in tampered["config"]["candidates"] if c["district"] == district]
    public_key = bytes.fromhex(tampered["config"]["encryption"]["public_key"])
    tampered["ballots"][0] = [
        district,
        crypto.ballot_encrypt(public_key, options=len(options), chosen=0).hex(),
    ]
    path.write_text(json.dumps(tampered))
    ok, text = _verify(path)
    assert not ok and "sum of the published ballots" in text, seed

    # Turnout per school only where at least 10 voted.
    turnout_part = html.split("Valdeltagande per skola</h2>")[1]
    for turnout in SchoolTurnout.objects.select_related("school"):
        assert (turnout.school.name in turnout_part) == (turnout.voted >= 10), seed

    # After certification: the roll and participation go, the count stays reproducible.
    with _after_close(election):
        call_command("youth_vote_purge", election.slug, "--yes", stdout=io.StringIO())
    assert not Voter.objects.filter(election=election).exists()
    assert not Participation.objects.exists() and not VotingSession.objects.exists()
    assert Ballot.objects.count() == len(voted)
    with _after_close(election):
        again = client.get(f"/youth-vote/{election.slug}/export.json").json()
    assert sorted(map(tuple, (tuple(b) for b in again["ballots"])), key=str) == sorted(
        map(tuple, (tuple(b) for b in data["ballots"])), key=str
    )
    path.write_text(json.dumps(again))
    assert _verify(path)[0]
    assert "youth_vote.election.purge" in AuditEntry.objects.values_list("action", flat=True)
    capsys.readouterr()


def test_results_page_hides_small_school_turnout_and_shows_charts(election_admin, contact, client):
    built = build_election(admin=election_admin, contact=contact, students_per_class=12)
    first_class = built.classes[0]
    booth = Booth(client)
    for voter in built.voters(first_class)[:11]:
        assert (
            booth.vote(built.codes[voter.pk], built.session_code(first_class))[1].status_code == 303
        )
    second_class = built.classes[1]
    voter = built.voters(second_class)[0]
    assert booth.vote(built.codes[voter.pk], built.session_code(second_class))[1].status_code == 303
    with _after_close(built.election):
        services.election_tally(
            election=built.election, actor=election_admin, shares=built.shares()
        )
        services.election_publish(election=Election.objects.get(), actor=election_admin)
        page = client.get(f"/youth-vote/{built.election.slug}/results/").content.decode()
    turnout_part = page.split("Valdeltagande per skola</h2>")[1]
    assert first_class.school.name in turnout_part
    assert second_class.school.name not in turnout_part
    assert "1 skola visas inte" in page
    assert page.count("<svg") == len(built.districts)


def test_elected_are_added_to_the_youth_council_in_one_action(election_admin, contact, client):
    council = Organization.objects.create(
        name="Ungdomsfullmäktige", slug="uf", classification="youth_council"
    )
    built = build_election(
        admin=election_admin, contact=contact, members=2, substitutes=1, candidates_per_district=3
    )
    booth = Booth(client)
    for school_class in built.classes:
        for voter in built.voters(school_class):
            assert (
                booth.vote(built.codes[voter.pk], built.session_code(school_class), pick=0)[
                    1
                ].status_code
                == 303
            )
    client.force_login(election_admin)
    slug = built.election.slug
    with _after_close(built.election):
        client.post(f"/youth-vote/admin/{slug}/tally/", built.tally_form())
        client.post(f"/youth-vote/admin/{slug}/publish/")
        client.post(f"/youth-vote/admin/{slug}/council/")
        client.post(f"/youth-vote/admin/{slug}/council/")  # a second press adds nothing
    elected = CandidateResult.objects.exclude(outcome="not_elected")
    memberships = Membership.objects.filter(organization=council)
    assert memberships.count() == elected.count() > 0
    assert memberships.filter(role="member").count() == elected.filter(outcome="member").count()
    subs = list(memberships.filter(role="substitute").order_by("substitute_order"))
    assert [m.substitute_order for m in subs] == list(range(1, len(subs) + 1))
    names = {m.person.name for m in memberships}
    assert names == {r.candidate.name for r in elected}
    assert all(m.start_date and m.end_date and m.start_date < m.end_date for m in memberships)


def test_purge_refused_before_publication(built):
    with pytest.raises(CommandError):
        call_command("youth_vote_purge", built.election.slug, "--yes", stdout=io.StringIO())
    assert Voter.objects.exists()
