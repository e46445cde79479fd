"""The ballot pass that travels with the choice in the booth's forms reveals nothing: it is
encrypted, so the voter's id, roll position and code hash cannot be read from a page or a
request log, and a changed or stale pass is refused."""

import base64
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from youth_vote import booth as booth_module
from youth_vote import codes

pytestmark = pytest.mark.django_db


def _readable(token: str) -> bytes:
    """Everything one could decode from the token without the key."""
    parts = [token] + re.split(r"[.:]", token)
    decoded = b""
    for part in parts:
        padded = part + "=" * (-len(part) % 4)
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                decoded += decode(padded)
            except ValueError:
                pass
    return decoded + token.encode()


def test_the_pass_in_the_ballot_page_shows_no_voter_data(built, booth):
    school_class = built.classes[0]
    voter = built.voters(school_class)[3]
    entered = booth.enter(built.codes[voter.pk], built.session_code(school_class))
    token = booth.ballot_pass(entered)
    seen = _readable(token)
    hashed = codes.code_hash(election_id=built.election.pk, code=built.codes[voter.pk])
    for secret in (str(voter.pk), voter.pk.hex, hashed):
        assert secret.encode() not in seen
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt=booth_module.PASS_SALT)
    ballot_pass = booth_module.read_pass(token)
    assert ballot_pass.voter_id == str(voter.pk) and ballot_pass.code_hash == hashed
    assert ballot_pass.roll_position == booth_module.roll_position(voter)


def test_a_changed_or_stale_pass_is_refused(built, booth):
    school_class = built.classes[0]
    voter = built.voters(school_class)[0]
    token = booth.ballot_pass(booth.enter(built.codes[voter.pk], built.session_code(school_class)))
    flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    assert booth_module.read_pass(flipped) is None
    assert booth_module.read_pass("") is None
    later = timezone.now() + timedelta(seconds=booth_module.PASS_MAX_AGE + 5)
    with time_machine.travel(later):
        assert booth_module.read_pass(token) is None
