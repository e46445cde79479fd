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
from django_ratelimit.core import get_usage

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

# Failed code attempts: per device (cookie), per address (a school shares one), per session.
FAIL_RATE_DEVICE = "10/10m"
FAIL_RATE_ADDRESS = "120/10m"
FAIL_RATE_SESSION = "60/10m"
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
    """The codes did not open a ballot. ``reason`` is one of the REASON_* values."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
    """A per-browser id (cookie) or, for a browser refusing cookies, the address."""
    return request.COOKIES.get(DEVICE_COOKIE) or f"addr:{client_address(request)}"


def new_device_id() -> str:
    return secrets.token_urlsafe(16)


def client_address(request) -> str:
    key = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    return (request.META.get(key) or "").split(",")[0].strip() or "unknown"


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def _limited(request, group: str, value: str, rate: str, *, increment: bool) -> bool:
    """Has the limit been reached? After N failures the next attempt is refused untried."""
    usage = get_usage(
        request, group=group, key=lambda _g, _r: _h(value), rate=rate, increment=increment
    )
    if not usage:
        return False
    return usage["count"] >= usage["limit"]


def is_blocked(request) -> bool:
    return _limited(
        request, "yv-fail-device", device_id(request), FAIL_RATE_DEVICE, increment=False
    ) or _limited(
        request, "yv-fail-address", client_address(request), FAIL_RATE_ADDRESS, increment=False
    )


def record_failure(request, *, session: VotingSession | None = None) -> None:
    device_over = _limited(
        request, "yv-fail-device", device_id(request), FAIL_RATE_DEVICE, increment=True
    )
    address_over = _limited(
        request, "yv-fail-address", client_address(request), FAIL_RATE_ADDRESS, increment=True
    )
    session_over = False
    if session is not None:
        session_over = _limited(
            request, "yv-fail-session", f"session:{session.pk}", FAIL_RATE_SESSION, increment=True
        )
    if device_over or address_over or session_over:
        where = "session" if session_over else "address" if address_over else "device"
        key = _h(f"{where}:{session.pk if session_over else device_id(request)}")
        # One whole sentence per case, so each is translated as a sentence.
        messages = {
            "session": _(
                "Many wrong voting codes were tried in one voting session. Look at the "
                "sessions that are open now."
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
        staff_alert_raise(
            role=Role.ELECTION_ADMIN,
            kind="youth_vote.failed_codes",
            message=messages[where],
            data={"where": where, "key": key},
            dedupe_key=f"youth_vote.failed_codes:{key}",
        )


def session_is_limited(request, session: VotingSession) -> bool:
    return _limited(
        request, "yv-fail-session", f"session:{session.pk}", FAIL_RATE_SESSION, increment=False
    )


def record_cast(request, *, roll_position: int | None = None) -> str | None:
    """Count a successful cast per device; flag an unusual burst, or votes coming in the
    order of the class list, to administrators. Returns the value of the device's
    ``ORDER_COOKIE`` for the response (``None``: leave it as it is)."""
    order = _check_roll_order(request, roll_position) if roll_position is not None else None
    bucket = int(timezone_now().timestamp()) // BURST_WINDOW_SECONDS
    key = f"yv:cast:{_h(device_id(request))}:{bucket}"
    cache.add(key, 0, BURST_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, BURST_WINDOW_SECONDS * 2)
        count = 1
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
            _pass_cipher().decrypt(
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
    return _pass_cipher().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


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
    if is_blocked(request):
        raise CodeRefused(REASON_LIMITED)
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
    if any(session_is_limited(request, s) for s in sessions):
        raise CodeRefused(REASON_LIMITED)
    session = next((s for s in sessions if codes.session_code_valid(s.secret, session_code)), None)
    if session is None:
        record_failure(request, session=sessions[0] if sessions else None)
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
    token = _pass_cipher().encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()
    return BallotPass(
        str(voter.pk), session.pk, voter.district_id, hashed, token, election.pk, position
    )


@functools.cache
def _pass_cipher() -> Fernet:
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
        payload = json.loads(_pass_cipher().decrypt((token or "").encode(), ttl=PASS_MAX_AGE))
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
    session_open, voted, status, opens_at, closes_at, frozen_at = row
    election = Election(
        pk=ballot_pass.election_id,
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        frozen_at=frozen_at,
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
    e.status, e.opens_at, e.closes_at, e.frozen_at
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
