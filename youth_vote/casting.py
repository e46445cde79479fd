"""Casting: a choice becomes an encrypted ballot, the voter is marked, both at once.

``ballot_cast`` (the booth) and ``manual_ballot_record`` (a paper ballot entered by a contact
person) check the choice against the frozen configuration, encrypt it under the trustees'
joint key (``youth_vote/crypto.py``) and store the participation mark, the ciphertext and a
tracker in one transaction; the unique voter of ``Participation`` refuses a second ballot.
The plaintext choice exists only in this call: no table, log, task or message receives it,
so the ballot row that can be lined up with its voter while voting runs (same ``xmin``,
neighbouring position) holds only a ciphertext. Casting is not audit-logged: a ballot is
anonymous, and logging it would tie it to a moment.
"""

import uuid
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils.timezone import now as timezone_now

from democracy.core.db import prepared_cursor
from democracy.core.services import audit_log
from youth_vote import codes, crypto
from youth_vote.models import Ballot, District, Election, Participation, Tracker, Voter


class AlreadyVoted(Exception):
    """The voter is already marked as voted; no second ballot was stored."""


class VotingClosed(Exception):
    """The election is not open for votes now."""


class InvalidChoice(Exception):
    """The choice is not a candidate on this voter's ballot."""


@dataclass(frozen=True)
class BallotLayout:
    """What a frozen election's ballots look like: the key and each district's options."""

    public_key: bytes
    options: dict[int, list[str]]  # district id -> candidate keys, in ciphertext order

    def position(self, district_id: int, choice: str) -> int | None:
        """The 0-based position of ``choice`` on the district's ballot; ``None`` for blank."""
        if choice == "blank":
            return None
        try:
            return self.options[district_id].index(str(choice).lower())
        except (KeyError, ValueError):
            raise InvalidChoice from None


# The layout is fixed by the freeze (``config`` with its key and candidates cannot change
# after it, and a new key changes the fingerprint), so it is read once per process and
# fingerprint instead of once per cast.
_layouts: dict[tuple[int, str], BallotLayout] = {}


def ballot_layout(election: Election) -> BallotLayout:
    key = (election.pk, election.fingerprint)
    layout = _layouts.get(key)
    if layout is None:
        # The booth's cast check loads only the election's window and fingerprint.
        config = (
            Election.objects.filter(pk=election.pk, fingerprint=election.fingerprint)
            .values_list("config", flat=True)
            .first()
        ) or {}
        if "encryption" not in config:
            raise VotingClosed
        slugs = dict(District.objects.filter(election_id=election.pk).values_list("slug", "pk"))
        options: dict[int, list[str]] = {pk: [] for pk in slugs.values()}
        for candidate in config["candidates"]:  # sorted by key in the configuration
            options[slugs[candidate["district"]]].append(candidate["key"])
        layout = BallotLayout(
            public_key=crypto.point_from_hex(config["encryption"]["public_key"]),
            options=options,
        )
        _layouts[key] = layout
    return layout


def _encrypt(election: Election, district_id: int, choice: str) -> bytes:
    layout = ballot_layout(election)
    position = layout.position(district_id, choice)
    return crypto.ballot_encrypt(
        layout.public_key, options=len(layout.options[district_id]), chosen=position
    )


def ballot_cast(*, election: Election, voter_id, district_id: int, choice: str) -> str:
    """Cast a ballot for a voter authenticated in a session; returns the tracker.

    Raises ``VotingClosed`` outside the window, ``InvalidChoice`` for a choice that is not on
    the voter's ballot (nothing is stored), ``AlreadyVoted`` for a second attempt.
    """
    if election.phase_at(timezone_now()) != Election.Phase.OPEN:
        raise VotingClosed
    ciphertext = _encrypt(election, district_id, choice)
    return _store_ballot(
        voter_id=voter_id, election=election, district_id=district_id, ciphertext=ciphertext
    )


def manual_ballot_record(*, voter: Voter, choice: str, actor) -> str:
    """Record a paper ballot for a student without a code, in the same count and exclusion.

    The audit entry says who recorded a manual ballot at which school; never for whom or
    what.
    """
    election = voter.election
    if election.phase_at(timezone_now()) != Election.Phase.OPEN:
        raise VotingClosed
    ciphertext = _encrypt(election, voter.district_id, choice)
    with transaction.atomic():
        tracker = _store_ballot(
            voter_id=voter.pk,
            election=election,
            district_id=voter.district_id,
            ciphertext=ciphertext,
        )
        audit_log(
            actor=actor,
            action="youth_vote.ballot.manual",
            target=voter.school_class.school,
        )
    return tracker


def _store_ballot(*, voter_id, election: Election, district_id: int, ciphertext: bytes) -> str:
    """Mark the voter and store the encrypted ballot and its tracker: all or nothing.

    The participation row goes first: its unique voter is what refuses a second ballot, in
    the database, whatever any earlier check said. No application-level "has voted?" check
    is needed for correctness. A tracker that collides with an existing one (about 1 in
    31^10 per pair) fails the whole write, which is then tried again with a new one.
    """
    write = _insert_cast_postgresql if connection.vendor == "postgresql" else _insert_cast_orm
    for _attempt in range(5):
        tracker = codes.tracker_generate()
        try:
            write(
                voter_id=voter_id,
                election_id=election.pk,
                district_id=district_id,
                ciphertext=ciphertext,
                tracker=tracker,
            )
            return tracker
        except IntegrityError as exc:
            if Participation.objects.filter(voter_id=voter_id).exists():
                raise AlreadyVoted from exc
            if not Tracker.objects.filter(election_id=election.pk, code=tracker).exists():
                raise
    raise RuntimeError("Could not draw a unique tracker.")


def _insert_cast_orm(*, voter_id, election_id, district_id, ciphertext, tracker) -> None:
    with transaction.atomic():
        Participation.objects.create(election_id=election_id, voter_id=voter_id)
        Ballot.objects.create(
            election_id=election_id, district_id=district_id, ciphertext=ciphertext
        )
        Tracker.objects.create(election_id=election_id, code=tracker)


# On PostgreSQL the three inserts are one statement (data-modifying CTEs): atomic by itself,
# one round trip instead of five (BEGIN, three INSERTs, COMMIT) on the busiest write.
_CAST_SQL = """
WITH participation AS (
    INSERT INTO {participation} (id, election_id, voter_id) VALUES (%s, %s, %s) RETURNING 1
), ballot AS (
    INSERT INTO {ballot} (id, election_id, district_id, ciphertext)
    VALUES (%s, %s, %s, %s) RETURNING 1
), tracker AS (
    INSERT INTO {tracker} (id, election_id, code) VALUES (%s, %s, %s) RETURNING 1
)
SELECT (SELECT count(*) FROM participation) + (SELECT count(*) FROM ballot)
     + (SELECT count(*) FROM tracker)
"""


def _insert_cast_postgresql(*, voter_id, election_id, district_id, ciphertext, tracker) -> None:
    quote = connection.ops.quote_name
    sql = _CAST_SQL.format(
        participation=quote(Participation._meta.db_table),
        ballot=quote(Ballot._meta.db_table),
        tracker=quote(Tracker._meta.db_table),
    )
    params = [
        uuid.uuid4(), election_id, uuid.UUID(str(voter_id)),
        uuid.uuid4(), election_id, district_id, ciphertext,
        uuid.uuid4(), election_id, tracker,
    ]  # fmt: skip
    # Inside an outer transaction (a manual ballot) a savepoint keeps a refused insert from
    # breaking it; in autocommit the statement is its own transaction.
    # Prepared once per connection (decision 67): PostgreSQL plans the three INSERTs once.
    if connection.in_atomic_block:
        with transaction.atomic(), prepared_cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.fetchone()[0]
    else:
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.fetchone()[0]
    if written != 3:  # pragma: no cover -- each INSERT writes one row or raises
        raise DatabaseError(f"A cast wrote {written} rows instead of 3.")
