"""Issue 14, step 1: a ballot that can be lined up with its voter while voting runs says nothing.

The participation mark and the ballot are written together, so on PostgreSQL they carry the
same ``xmin`` and lie at matching ``ctid`` positions, and on SQLite their rowids line up. These
tests run exactly those joins after students voted through the booth, show that the link is
really there, and that what it links a voter to is a ciphertext nobody can open without the
trustees' key sheets, which the database never holds.
"""

import random
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection

from democracy.core.models import AuditEntry
from tests.youth_vote.conftest import vote_randomly
from tests.youth_vote.factories import build_election
from youth_vote import casting, codes, crypto
from youth_vote.models import Ballot, Election, Participation

pytestmark = pytest.mark.django_db


def _cast_scenario(election_admin, contact, rng):
    built = build_election(
        admin=election_admin,
        contact=contact,
        districts=(("Norr", 600), ("Syd", 400)),
        members=4,
        substitutes=2,
        candidates_per_district=3,
        students_per_class=6,
        rng=rng,
    )
    voted = vote_randomly(built, built.voters(), rng)
    # voter id -> candidate key or "blank"
    return built, {str(pk): choice for pk, (_district, choice) in voted.items()}


def _linked_rows():
    """``[(voter id, ciphertext)]`` by the links a database reader has while voting runs."""
    participation = connection.ops.quote_name(Participation._meta.db_table)
    ballot = connection.ops.quote_name(Ballot._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT p.voter_id, b.ciphertext FROM {ballot} b "  # noqa: S608
                f"JOIN {participation} p ON p.xmin = b.xmin"
            )
            by_xmin = cursor.fetchall()
            cursor.execute(f"SELECT voter_id FROM {participation} ORDER BY ctid")  # noqa: S608
            voters = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT ciphertext FROM {ballot} ORDER BY ctid")  # noqa: S608
            by_ctid = list(zip(voters, [row[0] for row in cursor.fetchall()], strict=True))
            return {"xmin": by_xmin, "ctid": by_ctid}
        cursor.execute(
            f"SELECT p.voter_id, b.ciphertext FROM {ballot} b "  # noqa: S608
            f"JOIN {participation} p ON p.rowid = b.rowid"
        )
        return {"rowid": cursor.fetchall()}


def _open(built, voter_district, ciphertext, shares) -> list[int | None]:
    """Each option of a ballot decrypted with ``shares``: 0, 1, or None (not a 0/1 at all)."""
    options = casting.ballot_layout(built.election).options[voter_district]
    opened = []
    for c1, c2 in crypto.ballot_split(bytes(ciphertext), len(options)):
        parts = [crypto.partial_decrypt(s, c1, context=b"attack") for s in shares]
        try:
            opened.append(crypto.discrete_log(crypto.combine(c2, parts), 1))
        except ValueError:
            opened.append(None)
    return opened


def test_the_voter_ballot_joins_reveal_no_choice(election_admin, contact):
    seed = random.SystemRandom().randrange(2**32)
    print(f"encrypted-ballot scenario seed: {seed}")
    built, chosen = _cast_scenario(election_admin, contact, random.Random(seed))
    districts = {str(v.pk): v.district_id for v in built.voters()}
    shares = built.shares()
    threshold = built.election.trustee_threshold

    # The ballot table has no column a choice could be read from, except the ciphertext.
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), Ballot._meta.db_table
        )
    }
    assert columns == {"id", "election_id", "district_id", "ciphertext", "summed"}

    for variant, rows in _linked_rows().items():
        # The link is real: every voter is joined to exactly one ballot of their district.
        assert len(rows) == len(chosen), variant
        rows = [(str(uuid.UUID(str(voter))), ciphertext) for voter, ciphertext in rows]
        assert {voter for voter, _c in rows} == set(chosen), variant
        ciphertexts = [bytes(c) for _v, c in rows]
        assert len(set(ciphertexts)) == len(ciphertexts)  # randomised: equal votes differ
        for voter, ciphertext in rows:
            # Without the key, nothing: k − 1 key sheets open no option to a 0 or a 1.
            assert _open(built, districts[voter], ciphertext, shares[: threshold - 1]) == [
                None
            ] * len(casting.ballot_layout(built.election).options[districts[voter]]), seed
            # With the trustees' k sheets (which the database never holds) the same row
            # opens to exactly that student's choice: the join linked the right ballot, and
            # only the key stands between a database reader and the choice.
            opened = _open(built, districts[voter], ciphertext, shares[:threshold])
            options = casting.ballot_layout(built.election).options[districts[voter]]
            expected = [int(key == chosen[voter]) for key in options]
            assert opened == expected, (seed, variant)


def test_the_database_holds_no_key_share_and_no_secret_key(election_admin, contact):
    built, _chosen = _cast_scenario(election_admin, contact, random.Random(7))
    secrets_ = set()
    for sheet in built.sheets:
        share = codes.share_parse(sheet.code)
        secrets_ |= {sheet.code, sheet.code.replace("-", ""), share.hex()}
    # The secret key itself, rebuilt from the shares for this check only.
    weights = crypto.lagrange_at_zero([1, 2, 3])
    secret = (
        sum(weights[s.index] * crypto.scalar_int(s.secret) for s in built.shares()[:3]) % crypto.L
    )
    assert (
        crypto.base_mul(crypto.scalar(secret)) == casting.ballot_layout(built.election).public_key
    )
    secrets_.add(crypto.scalar(secret).hex())
    dump = []
    for model in apps.get_models():
        for row in model.objects.all().values_list():
            for value in row:
                dump.append(value.hex() if isinstance(value, bytes | memoryview) else str(value))
    text = "\n".join(dump).upper()
    for secret_text in secrets_:
        assert secret_text.upper() not in text


def _after_close(election):
    import time_machine

    return time_machine.travel(election.closes_at.timestamp() + 60, tick=False)


def test_the_count_page_refuses_wrong_and_too_few_key_sheets_and_keeps_what_was_typed(
    election_admin, contact, client
):
    built, _chosen = _cast_scenario(election_admin, contact, random.Random(3))
    slug = built.election.slug
    client.force_login(election_admin)
    sheets = {s.number: s.code for s in built.sheets}
    with _after_close(built.election):
        page = client.get(f"/youth-vote/admin/{slug}/tally/")
        assert page.status_code == 200 and 'name="sheet_5"' in page.content.decode()
        too_few = client.post(f"/youth-vote/admin/{slug}/tally/", {"sheet_1": sheets[1]})
        assert too_few.status_code == 200
        assert "Skriv in koderna från 3 nyckelblad" in too_few.content.decode()
        assert sheets[1] in too_few.content.decode()  # nothing typed is lost
        swapped = client.post(
            f"/youth-vote/admin/{slug}/tally/",
            {"sheet_1": sheets[1], "sheet_2": sheets[3], "sheet_3": "not a code"},
        )
        html = swapped.content.decode()
        assert "Koden hör inte till nyckelblad 2" in html
        assert "Det här är ingen nyckelkod" in html
        assert Election.objects.get(pk=built.election.pk).status == "frozen"
        counted = client.post(
            f"/youth-vote/admin/{slug}/tally/",
            {"sheet_2": sheets[2], "sheet_4": sheets[4], "sheet_5": sheets[5]},
        )
        assert counted.status_code == 302
    election = Election.objects.get(pk=built.election.pk)
    assert election.status == "tallied" and election.decryption["trustees"] == [2, 4, 5]


def test_lost_key_sheets_are_replaced_until_voting_opens(election_admin, contact, client):
    built = build_election(
        admin=election_admin, contact=contact, open_now=False, open_sessions=False
    )
    election = built.election
    old = built.shares()
    client.force_login(election_admin)
    refused = client.post(f"/youth-vote/admin/{election.slug}/keys/")  # not confirmed
    assert refused.status_code == 302
    assert Election.objects.get(pk=election.pk).fingerprint == election.fingerprint
    page = client.post(f"/youth-vote/admin/{election.slug}/keys/", {"confirm": "yes"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    new_codes = re.findall(r"<code>([A-Z2-9-]{64})</code>", page.content.decode())
    assert len(new_codes) == election.trustees
    renewed = Election.objects.get(pk=election.pk)
    assert renewed.fingerprint != election.fingerprint
    key = crypto.ElectionKey.from_config(renewed.config["encryption"])
    assert not any(crypto.share_matches(key, s) for s in old)
    assert all(
        crypto.share_matches(key, crypto.TrusteeShare(n, codes.share_parse(code)))
        for n, code in enumerate(new_codes, start=1)
    )
    assert AuditEntry.objects.filter(action="youth_vote.election.rekey").count() == 1
    # Once voting has opened the key cannot change.
    import time_machine

    with time_machine.travel(renewed.opens_at.timestamp() + 60, tick=False):
        client.post(f"/youth-vote/admin/{election.slug}/keys/", {"confirm": "yes"})
    assert Election.objects.get(pk=election.pk).fingerprint == renewed.fingerprint


def test_the_election_form_refuses_a_threshold_above_the_trustees(election_admin, client):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(election_admin)
    now = timezone.localtime()
    response = client.post(
        "/youth-vote/admin/",
        {
            "name": "Ungdomsval 2028",
            "opens_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "total_members": 10,
            "total_substitutes": 4,
            "trustees": 3,
            "trustee_threshold": 4,
        },
    )
    assert response.status_code == 400
    assert "Välj mellan 2 och 9 nyckelväktare" in response.content.decode()
    assert not Election.objects.exists()
