"""The booth's guard rails: code checks, the signed ballot pass, rate limits and burst flags.

Nothing here stores a choice. The pass that carries a student from code entry to the cast is
signed and short-lived, and lives only in the form on the page: no server-side session.
Counters of failed and successful attempts live in the cache, apart from ballots, and hold
no identity (devices are keyed by a hash).
"""

import base64
import functools
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils.crypto import salted_hmac
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext as _

from democracy.core.db import prepared_cursor
from democracy.core.roles import Role
from democracy.core.services import staff_alert_raise
from youth_vote import codes
from youth_vote.models import Election, Participation, Voter, VotingSession

PASS_SALT = "youth_vote.booth.pass"  # noqa: S105 -- a key-derivation salt, not a secret
PASS_MAX_AGE = 20 * 60  # seconds from code entry to cast
SESSION_GRACE = timedelta(minutes=5)  # a student mid-ballot when the lesson's time runs out
DEVICE_COOKIE = "yv_device"
TRACKER_COOKIE = "yv_tracker"
ORDER_COOKIE = "yv_order"
TRACKER_COOKIE_SALT = "youth_vote.booth.tracker"

# Failed code attempts (issue 13). Nothing here lets one pupil lock out classmates: a device
# that fails often waits before its next try, a student's code that fails often with wrong
# class codes waits (that code only), and the counts per address (a school shares one) and
# per session only alert staff. The waits grow from WAIT_FIRST_SECONDS, doubling with each
# further failure, to WAIT_MAX_SECONDS; a right code after the wait works at once.
FREE_FAILURES_DEVICE = 10
FREE_FAILURES_CODE = 5  # a right student code with wrong class codes
FAIL_WINDOW_SECONDS = 600
WAIT_FIRST_SECONDS = 15
WAIT_MAX_SECONDS = 300
ALERT_FAILURES_ADDRESS = 120
ALERT_FAILURES_SESSION = 60
# New device ids handed out per address and window: a script that drops its cookie to start
# afresh gets no more than this many devices' free tries.
DEVICE_IDS_PER_ADDRESS = 300
DEVICE_SALT = "youth_vote.booth.device"
# Successful votes from one device in five minutes above which administrators are told.
BURST_VOTES_PER_DEVICE = 20
BURST_WINDOW_SECONDS = 300
# Votes in a row from one device in the order of the class list (the printed sheet's order),
# each within ORDER_GAP_SECONDS of the one before, at which administrators are told: one
# person going down the list with the codes (the Berkeley High pattern). Kept in the cache
# only, beside no ballot, and gone a minute after the last vote.
ORDER_STREAK = 5
ORDER_GAP_SECONDS = 60
ROLL_ORDER = ("family_name", "given_name", "student_ref")


class CodeRefused(Exception):
    """The codes did not open a ballot. ``reason`` is one of the REASON_* values; ``wait``
    the seconds until the next try is allowed (REASON_LIMITED)."""

    def __init__(self, reason: str, *, wait: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


REASON_WRONG = "wrong"
REASON_LIMITED = "limited"
REASON_VOTED = "voted"
REASON_CLOSED = "closed"


@dataclass(frozen=True)
class BallotPass:
    voter_id: str
    session_id: int
    district_id: int
    code_hash: str
    token: str
    election_id: int
    roll_position: int | None = None  # the student's place in the class list


@dataclass(frozen=True)
class PassCheck:
    """What the database says about a pass, read in one query at the confirm and cast steps."""

    election: Election
    session_open: bool
    voted: bool


def device_id(request) -> str:
    """The device's id: the one the booth issued it (a signed cookie), or, for a browser
    without one (refusing cookies, or sending one it made up), its address."""
    try:
        return "dev:" + signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=DEVICE_SALT)
    except signing.BadSignature:
        return f"addr:{client_address(request)}"


def has_device_id(request) -> bool:
    return device_id(request).startswith("dev:")


def new_device_id(request) -> str | None:
    """A signed id for a device that has none; ``None`` once the address has had
    ``DEVICE_IDS_PER_ADDRESS`` in the window (its devices then share the address's tries)."""
    issued = _incr(f"yv:device-ids:{_h(client_address(request))}", FAIL_WINDOW_SECONDS)
    if issued > DEVICE_IDS_PER_ADDRESS:
        return None
    return signing.dumps(secrets.token_urlsafe(16), salt=DEVICE_SALT)


def client_address(request) -> str:
    key = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    return (request.META.get(key) or "").split(",")[0].strip() or "unknown"


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def _incr(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (kept ``timeout`` seconds from its first count)."""
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def _count_failure(kind: str, value: str) -> int:
    """One more failure of ``kind`` for ``value``; returns the failures in the window."""
    key = f"yv:fail:{kind}:{_h(value)}"
    count = _incr(key, FAIL_WINDOW_SECONDS)
    cache.set(f"{key}:at", timezone_now().timestamp(), FAIL_WINDOW_SECONDS)
    return count


def _wait(kind: str, value: str, free: int) -> int:
    """Seconds until ``value`` may try again (0: now)."""
    key = f"yv:fail:{kind}:{_h(value)}"
    values = cache.get_many([key, f"{key}:at"])
    count, at = values.get(key) or 0, values.get(f"{key}:at")
    if count < free or at is None:
        return 0
    wait = min(WAIT_MAX_SECONDS, WAIT_FIRST_SECONDS * 2 ** (count - free))
    return max(0, int(at + wait - timezone_now().timestamp() + 0.999))


def device_wait(request) -> int:
    return _wait("device", device_id(request), FREE_FAILURES_DEVICE)


def code_wait(code_hash: str) -> int:
    return _wait("code", code_hash, FREE_FAILURES_CODE)


def code_unlock(code_hashes) -> None:
    """The contact person lets these students' codes try again at once."""
    keys = [f"yv:fail:code:{_h(value)}" for value in code_hashes]
    cache.delete_many(keys + [f"{key}:at" for key in keys])


def record_failure(request, *, session: VotingSession | None = None, code_hash=None) -> None:
    """Count a failed try for the device and the address, and, for a right student code with a
    wrong class code, for that code and the session; tell administrators once a count is high."""
    device = device_id(request)
    counts = {
        "device": (_count_failure("device", device), FREE_FAILURES_DEVICE, device),
        "address": (
            _count_failure("address", client_address(request)),
            ALERT_FAILURES_ADDRESS,
            client_address(request),
        ),
    }
    if code_hash:
        counts["code"] = (_count_failure("code", code_hash), FREE_FAILURES_CODE, code_hash)
    if session is not None:
        key = f"session:{session.pk}"
        counts["session"] = (_count_failure("session", key), ALERT_FAILURES_SESSION, key)
    # One whole sentence per case, so each is translated as a sentence.
    messages = {
        "session": _(
            "Many wrong class codes were tried in one voting session. Look at the sessions "
            "that are open now."
        ),
        "code": _(
            "A student's code was tried many times with a wrong class code. The code waits a "
            "few minutes; the contact person can let it try again at once."
        ),
        "address": _(
            "Many wrong voting codes were tried from one network address. Look at the "
            "sessions that are open now."
        ),
        "device": _(
            "Many wrong voting codes were tried from one device. Look at the sessions "
            "that are open now."
        ),
    }
    for where in ("session", "code", "address", "device"):
        if where in counts and counts[where][0] == counts[where][1]:
            key = _h(f"{where}:{counts[where][2]}")
            staff_alert_raise(
                role=Role.ELECTION_ADMIN,
                kind="youth_vote.failed_codes",
                message=messages[where],
                data={"where": where, "key": key},
                dedupe_key=f"youth_vote.failed_codes:{key}",
            )


def record_cast(request, *, roll_position: int | None = None) -> str | None:
    """Count a successful cast per device; flag an unusual burst, or votes coming in the
    order of the class list, to administrators. Returns the value of the device's
    ``ORDER_COOKIE`` for the response (``None``: leave it as it is)."""
    order = _check_roll_order(request, roll_position) if roll_position is not None else None
    bucket = int(timezone_now().timestamp()) // BURST_WINDOW_SECONDS
    count = _incr(f"yv:cast:{_h(device_id(request))}:{bucket}", BURST_WINDOW_SECONDS * 2)
    if count == BURST_VOTES_PER_DEVICE + 1:
        device = _h(device_id(request))
        staff_alert_raise(
            role=Role.ELECTION_ADMIN,
            kind="youth_vote.vote_burst",
            message=_("More than %(count)s votes were cast from one device within five minutes.")
            % {"count": BURST_VOTES_PER_DEVICE},
            data={"device": device, "votes": count},
            dedupe_key=f"youth_vote.vote_burst:{device}",
        )
    return order


def _check_roll_order(request, position: int) -> str:
    """Is this vote the next one down the class list after the device's last one?

    The last position and the streak stay on the device, encrypted (``ORDER_COOKIE``, for
    ``ORDER_GAP_SECONDS``): the server keeps nothing that says which student just voted on
    which device. A device that drops its cookies starts a new streak, as one that waits a
    minute does; the burst flag still counts its votes."""
    last = None
    try:
        last = json.loads(
            pass_cipher().decrypt(
                request.COOKIES.get(ORDER_COOKIE, "").encode(), ttl=ORDER_GAP_SECONDS
            )
        )
        if last.get("k") != "order":
            last = None
    except (InvalidToken, TypeError, ValueError, AttributeError):
        last = None
    streak = last["n"] + 1 if last is not None and position > last["r"] else 1
    if streak == ORDER_STREAK:
        device = _h(device_id(request))
        staff_alert_raise(
            role=Role.ELECTION_ADMIN,
            kind="youth_vote.roll_order",
            message=_(
                "%(count)s votes in a row from one device came in the order of the class "
                "list. Check that each student voted for themselves."
            )
            % {"count": ORDER_STREAK},
            data={"device": device, "votes": streak},
            dedupe_key=f"youth_vote.roll_order:{device}",
        )
    value = {"k": "order", "r": position, "n": streak}
    return pass_cipher().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def roll_position(voter: Voter) -> int:
    """The student's place in their class list, in the printed code sheet's order."""
    order = Voter.objects.filter(school_class_id=voter.school_class_id).order_by(*ROLL_ORDER)
    return list(order.values_list("pk", flat=True)).index(voter.pk)


def open_session_for(school_class_id: int, at) -> list[VotingSession]:
    return [
        s
        for s in VotingSession.objects.filter(
            school_class_id=school_class_id,
            starts_at__lte=at,
            ends_at__gt=at,
            ended_early_at__isnull=True,
        )
    ]


def check_codes(request, *, election: Election, code: str, session_code: str) -> BallotPass:
    """Open a ballot for the student whose code this is, in a session of their class."""
    if election.phase != Election.Phase.OPEN:
        raise CodeRefused(REASON_CLOSED)
    wait = device_wait(request)
    if wait:
        raise CodeRefused(REASON_LIMITED, wait=wait)
    hashed = codes.code_hash(election_id=election.pk, code=code)
    voter = (
        Voter.objects.filter(election=election, code_hash=hashed)
        .select_related("school_class")
        .first()
        if hashed
        else None
    )
    if voter is None:
        record_failure(request)
        raise CodeRefused(REASON_WRONG)
    now = timezone_now()
    sessions = open_session_for(voter.school_class_id, now)
    wait = code_wait(hashed)
    if wait:
        raise CodeRefused(REASON_LIMITED, wait=wait)
    session = next((s for s in sessions if codes.session_code_valid(s.secret, session_code)), None)
    if session is None:
        record_failure(request, session=sessions[0] if sessions else None, code_hash=hashed)
        raise CodeRefused(REASON_WRONG)
    if Participation.objects.filter(voter=voter).exists():
        raise CodeRefused(REASON_VOTED)
    position = roll_position(voter)
    payload = {
        "v": str(voter.pk),
        "s": session.pk,
        "d": voter.district_id,
        "h": hashed,
        "e": election.pk,
        "r": position,
    }
    token = pass_cipher().encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()
    return BallotPass(
        str(voter.pk), session.pk, voter.district_id, hashed, token, election.pk, position
    )


@functools.cache
def pass_cipher() -> Fernet:
    """Authenticated encryption for the ballot pass (AES-128-CBC with HMAC-SHA256, Fernet).

    The pass travels in the booth's pages and forms next to the choice. Signed only, it would
    show anyone who sees the form (or a proxy's log of it) the voter's id, roll position and
    code hash beside the candidate; encrypted, it shows nothing. The key is derived from
    ``SECRET_KEY``, so no new secret has to be managed.
    """
    key = salted_hmac(PASS_SALT, "fernet-key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def read_pass(token: str) -> BallotPass | None:
    """The pass in a form, if it is genuine and fresh; ``None`` otherwise."""
    try:
        payload = json.loads(pass_cipher().decrypt((token or "").encode(), ttl=PASS_MAX_AGE))
        return BallotPass(
            payload["v"],
            int(payload["s"]),
            int(payload["d"]),
            payload["h"],
            token,
            int(payload["e"]),
            int(payload["r"]) if payload.get("r") is not None else None,
        )
    except (InvalidToken, KeyError, TypeError, ValueError):
        return None


def pass_check(ballot_pass: BallotPass) -> PassCheck | None:
    """Check a pass against the database in one query; ``None`` if its code was replaced.

    Reads the voter by the code hash the pass was issued for (a reissued code makes the old
    pass useless), whether the pass's session is still open for the voter's class (with
    ``SESSION_GRACE`` for a student mid-ballot), whether the voter has voted, and the
    election's status and window, so the caller can refuse a cast outside it.
    """
    now = timezone_now()
    if connection.vendor == "postgresql":
        row = _pass_row_postgresql(ballot_pass, now)
    else:
        row = _pass_row_orm(ballot_pass, now)
    if row is None:
        return None
    session_open, voted, status, opens_at, closes_at, frozen_at, fingerprint = row
    election = Election(
        pk=ballot_pass.election_id,
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        frozen_at=frozen_at,
        fingerprint=fingerprint,
    )
    return PassCheck(election=election, session_open=bool(session_open), voted=bool(voted))


def _pass_row_orm(ballot_pass: BallotPass, now):
    session_open = VotingSession.objects.filter(
        pk=ballot_pass.session_id,
        school_class_id=OuterRef("school_class_id"),
        ended_early_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now - SESSION_GRACE,
    )
    return (
        Voter.objects.filter(
            pk=ballot_pass.voter_id,
            code_hash=ballot_pass.code_hash,
            election_id=ballot_pass.election_id,
            district_id=ballot_pass.district_id,
        )
        .annotate(
            session_open=Exists(session_open),
            voted=Exists(Participation.objects.filter(voter_id=OuterRef("pk"))),
        )
        .values_list(
            "session_open",
            "voted",
            "election__status",
            "election__opens_at",
            "election__closes_at",
            "election__frozen_at",
            "election__fingerprint",
        )
        .first()
    )


# The same query as ``_pass_row_orm``, written out once: on the cast path the ORM's query
# building costs more than the query itself.
_CAST_CHECK_SQL = """
SELECT
    EXISTS (
        SELECT 1 FROM {session} s
        WHERE s.id = %(session)s AND s.school_class_id = v.school_class_id
          AND s.ended_early_at IS NULL AND s.starts_at <= %(now)s AND s.ends_at > %(grace)s
    ),
    EXISTS (SELECT 1 FROM {participation} p WHERE p.voter_id = v.id),
    e.status, e.opens_at, e.closes_at, e.frozen_at, e.fingerprint
FROM {voter} v JOIN {election} e ON e.id = v.election_id
WHERE v.id = %(voter)s AND v.code_hash = %(hash)s AND v.election_id = %(election)s
  AND v.district_id = %(district)s
"""


def _pass_row_postgresql(ballot_pass: BallotPass, now):
    try:
        voter = uuid.UUID(ballot_pass.voter_id)
    except ValueError:
        return None
    quote = connection.ops.quote_name
    sql = _CAST_CHECK_SQL.format(
        session=quote(VotingSession._meta.db_table),
        participation=quote(Participation._meta.db_table),
        voter=quote(Voter._meta.db_table),
        election=quote(Election._meta.db_table),
    )
    with prepared_cursor() as cursor:  # planned once per connection (decision 67)
        cursor.execute(
            sql,
            {
                "session": ballot_pass.session_id,
                "now": now,
                "grace": now - SESSION_GRACE,
                "voter": voter,
                "hash": ballot_pass.code_hash,
                "election": ballot_pass.election_id,
                "district": ballot_pass.district_id,
            },
        )
        return cursor.fetchone()


def tracker_cookie_value(tracker: str) -> str:
    return signing.dumps(tracker, salt=TRACKER_COOKIE_SALT)


def tracker_from_cookie(value: str) -> str | None:
    try:
        return signing.loads(value or "", salt=TRACKER_COOKIE_SALT, max_age=600)
    except signing.BadSignature:
        return None
