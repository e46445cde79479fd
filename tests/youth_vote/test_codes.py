"""Voting codes: entropy, alphabet, keyed hashes only, class sheets and reissue."""

import math
import re

import pytest
from django.db import connection

from democracy.core.models import AuditEntry
from youth_vote import codes
from youth_vote.models import Voter

pytestmark = pytest.mark.django_db


def test_codes_have_at_least_60_bits_from_an_unambiguous_alphabet():
    assert codes.code_entropy_bits() >= 60
    assert len(codes.ALPHABET) == len(set(codes.ALPHABET))
    for confusable in "0O1IL":
        assert confusable not in codes.ALPHABET
    samples = {codes.code_generate() for _ in range(2000)}
    assert len(samples) == 2000
    for code in list(samples)[:50]:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]", code)
        assert codes.code_normalise(code.lower().replace("-", " ")) == code.replace("-", "")
    # Every symbol is used, roughly evenly (they come from secrets, not from the student).
    counts = {ch: 0 for ch in codes.ALPHABET}
    for code in samples:
        for ch in code.replace("-", ""):
            counts[ch] += 1
    expected = 2000 * codes.CODE_LENGTH / len(codes.ALPHABET)
    assert all(abs(n - expected) < 6 * math.sqrt(expected) for n in counts.values())


def test_codes_are_stored_only_as_keyed_hashes(built, settings):
    voter = Voter.objects.get(pk=next(iter(built.codes)))
    code = built.codes[voter.pk]
    plain = code.replace("-", "")
    assert voter.code_hash == codes.code_hash(election_id=built.election.pk, code=code)
    assert plain not in voter.code_hash
    # A dump of the whole database holds no code, with or without dashes.
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 -- table names from the schema
            dump = repr(cursor.fetchall())
            assert plain not in dump and code not in dump, table
    # The hash is keyed: without the key it cannot be recomputed.
    settings.YOUTH_VOTE_CODE_KEY = "another-key"
    assert codes.code_hash(election_id=built.election.pk, code=code) != voter.code_hash


def test_class_sheet_shows_codes_once_and_replaces_the_old_ones(built, client, contact, booth):
    school_class = built.classes[0]
    voters = built.voters(school_class)
    old_code = built.codes[voters[0].pk]
    client.force_login(contact)
    confirm = client.get(f"/youth-vote/classes/{school_class.pk}/codes/")
    assert confirm.status_code == 200 and "slutar fungera" in confirm.content.decode()
    sheet = client.post(f"/youth-vote/classes/{school_class.pk}/codes/")
    assert sheet.status_code == 200
    assert sheet["Cache-Control"] == "no-store"
    printed = re.findall(r"<code>([A-Z2-9-]{16})</code>", sheet.content.decode())
    assert len(printed) == len(voters)
    assert old_code not in printed
    client.logout()
    assert booth.enter(old_code, built.session_code(school_class)).status_code == 400
    assert booth.enter(printed[0], built.session_code(school_class)).status_code == 200
    entry = AuditEntry.objects.filter(action="youth_vote.codes.issue").last()
    assert entry.data == {"codes": len(voters)}
    assert not any(code.replace("-", "") in repr(entry.data) for code in printed)


def test_reissue_revokes_the_old_code_and_is_refused_after_voting(built, client, contact, booth):
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    old_code = built.codes[voter.pk]
    client.force_login(contact)
    page = client.post(
        f"/youth-vote/classes/{school_class.pk}/reissue/", {"voter": voter.pk, "reason": "Tappat lappen"}
    )
    assert page.status_code == 200
    new_code = re.search(r"<code>([A-Z2-9-]{16})</code>", page.content.decode()).group(1)
    assert new_code != old_code
    entry = AuditEntry.objects.get(action="youth_vote.codes.reissue")
    assert entry.reason == "Tappat lappen" and entry.target_label == str(school_class)
    client.logout()
    session_code = built.session_code(school_class)
    assert booth.enter(old_code, session_code).status_code == 400
    _choice, cast = booth.vote(new_code, session_code)
    assert cast.status_code == 303
    client.force_login(contact)
    refused = client.post(
        f"/youth-vote/classes/{school_class.pk}/reissue/", {"voter": voter.pk}, follow=True
    )
    assert "redan röstat" in refused.content.decode()
    assert Voter.objects.get(pk=voter.pk).code_hash == codes.code_hash(
        election_id=built.election.pk, code=new_code
    )


def test_a_pass_from_a_replaced_code_no_longer_casts(built, booth, contact):
    from youth_vote import services

    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    entered = booth.enter(built.codes[voter.pk], built.session_code(school_class))
    ballot_pass = booth.ballot_pass(entered)
    services.voter_code_reissue(voter=voter, actor=contact, reason="stulen")
    assert booth.cast(ballot_pass, "blank").status_code == 400
    from youth_vote.models import Ballot

    assert not Ballot.objects.exists()


def test_bad_student_ids_are_not_found_not_errors(built, client, contact):
    client.force_login(contact)
    school_class = built.classes[0]
    for value in ("x", "", "00000000-0000-0000-0000-000000000000"):
        assert client.post(f"/youth-vote/classes/{school_class.pk}/reissue/", {"voter": value}).status_code == 404
        assert client.get(f"/youth-vote/schools/{school_class.school.pk}/manual/", {"voter": value or "y"}).status_code == 404
