import re

import pytest

from democracy.core.roles import Role
from tests.youth_vote.factories import build_election


@pytest.fixture
def election_admin(make_user):
    return make_user(email="valadmin@example.org", roles=[Role.ELECTION_ADMIN], totp=True)


@pytest.fixture
def contact(make_user):
    return make_user(email="kontakt@example.org", roles=[Role.SCHOOL_CONTACT], totp=True)


@pytest.fixture
def built(election_admin, contact):
    return build_election(admin=election_admin, contact=contact)


PASS_RE = re.compile(r'name="ballot_pass" value="([^"]+)"')
CHOICE_RE = re.compile(r'name="choice" id="choice-\d+" value="([^"]+)"')


class Booth:
    """Drives the booth through HTTP like a student would."""

    def __init__(self, client):
        self.client = client

    def enter(self, code, session_code):
        if "yv_device" not in self.client.cookies:
            self.client.get("/youth-vote/vote/")  # a browser loads the form before sending it
        return self.client.post("/youth-vote/vote/", {"code": code, "session_code": session_code})

    @staticmethod
    def ballot_pass(response) -> str:
        return PASS_RE.search(response.content.decode()).group(1)

    @staticmethod
    def choices(response) -> list[str]:
        return CHOICE_RE.findall(response.content.decode())

    def confirm(self, ballot_pass, choice):
        return self.client.post(
            "/youth-vote/vote/confirm/", {"ballot_pass": ballot_pass, "choice": choice}
        )

    def cast(self, ballot_pass, choice):
        return self.client.post(
            "/youth-vote/vote/cast/", {"ballot_pass": ballot_pass, "choice": choice}
        )

    def vote(self, code, session_code, pick=0):
        """Enter, choose (an index into the shown candidates, or "blank"), confirm, cast."""
        entered = self.enter(code, session_code)
        assert entered.status_code == 200, entered.content.decode()[:2000]
        ballot_pass = self.ballot_pass(entered)
        choice = "blank" if pick == "blank" else self.choices(entered)[pick]
        confirmed = self.confirm(ballot_pass, choice)
        assert confirmed.status_code == 200
        return choice, self.cast(ballot_pass, choice)


@pytest.fixture
def booth(client):
    return Booth(client)


def vote_randomly(built, voters, rng) -> dict:
    """Each voter votes through the whole booth, on a fresh device, for a candidate of their
    district or blank, drawn with ``rng``. Returns ``{voter pk: (district pk, choice)}``."""
    from django.test import Client

    chosen = {}
    for voter in voters:
        options = [str(c.key) for c in built.candidates[voter.district_id]] + ["blank"]
        choice = rng.choice(options)
        cast = vote_for(
            Booth(Client()), built.codes[voter.pk], built.session_code(voter.school_class), choice
        )
        assert cast.status_code == 303
        chosen[voter.pk] = (voter.district_id, choice)
    return chosen


def vote_for(booth, code, session_code, key):
    """Vote for a given candidate key (or "blank") through the whole booth."""
    entered = booth.enter(code, session_code)
    assert entered.status_code == 200, entered.status_code
    ballot_pass = booth.ballot_pass(entered)
    assert booth.confirm(ballot_pass, key).status_code == 200
    return booth.cast(ballot_pass, key)
