"""Voting codes, session codes and trackers: how they are made, normalised and hashed.

Voting codes are 13 symbols from a 31-symbol alphabet without look-alikes (no 0/O, 1/I/L),
so about 64 bits of entropy from ``secrets``; they are never derived from anything about the
student. The database keeps only an HMAC-SHA256 of the code under a key that is not in the
database (``YOUTH_VOTE_CODE_KEY``, or one derived from ``SECRET_KEY``), so a copy of the
database yields no usable code.
"""

import hashlib
import hmac
import json
import math
import secrets

import pyotp
from django.conf import settings

from youth_vote import crypto

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: no 0 O 1 I L
CODE_LENGTH = 13
CODE_GROUP = 4
TRACKER_LENGTH = 10

# Session codes: six digits, a new one every minute; the one before and after are accepted,
# so a clock that is a little off on the classroom screen does not matter.
SESSION_CODE_INTERVAL = 60
SESSION_CODE_DIGITS = 6
SESSION_CODE_DRIFT = 1


def code_entropy_bits() -> float:
    return CODE_LENGTH * math.log2(len(ALPHABET))


def random_symbols(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def code_generate() -> str:
    """A new voting code, formatted in groups for printing: ``ABCD-EFGH-JKMN-P``."""
    return code_format(random_symbols(CODE_LENGTH))


def code_format(raw: str) -> str:
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))


def code_normalise(text: str) -> str | None:
    """The code's symbols in upper case, or ``None`` if it cannot be a voting code."""
    cleaned = "".join(ch for ch in (text or "").upper() if not ch.isspace() and ch != "-")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


# A trustee's key share (a scalar below 2**253) printed in the same alphabet: 52 symbols.
SHARE_LENGTH = 52


def share_format(secret: bytes) -> str:
    """A trustee's share for the key sheet: ``ABCD-EFGH-…`` (13 groups of 4)."""
    value = int.from_bytes(secret, "little")
    symbols = []
    for _ in range(SHARE_LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[digit])
    return code_format("".join(reversed(symbols)))


def share_parse(text: str) -> bytes | None:
    """The share typed from a key sheet, or ``None`` if it cannot be one."""
    cleaned = "".join(ch for ch in (text or "").upper() if not ch.isspace() and ch != "-")
    if len(cleaned) != SHARE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    value = 0
    for ch in cleaned:
        value = value * len(ALPHABET) + ALPHABET.index(ch)
    if value >= crypto.L:
        return None
    return value.to_bytes(32, "little")


def _code_key() -> bytes:
    configured = getattr(settings, "YOUTH_VOTE_CODE_KEY", "")
    if configured:
        return configured.encode()
    # HMAC as a key-derivation step: a key for this one purpose, derived from SECRET_KEY.
    return hmac.new(
        settings.SECRET_KEY.encode(), b"delta.youth_vote.voting-code-key", hashlib.sha256
    ).digest()


def code_hash(*, election_id: int, code: str) -> str | None:
    """The keyed hash stored for ``code`` in ``election_id``; ``None`` for a malformed code."""
    normalised = code_normalise(code)
    if normalised is None:
        return None
    message = f"{election_id}:{normalised}".encode()
    return hmac.new(_code_key(), message, hashlib.sha256).hexdigest()


def tracker_generate() -> str:
    """A random tracker (about 50 bits); unrelated to the voter, the code and the choice."""
    raw = random_symbols(TRACKER_LENGTH)
    return f"{raw[:5]}-{raw[5:]}"


def tracker_normalise(text: str) -> str:
    cleaned = "".join(ch for ch in (text or "").upper() if ch in ALPHABET)
    return f"{cleaned[:5]}-{cleaned[5:]}" if len(cleaned) == TRACKER_LENGTH else ""


def session_secret_generate() -> str:
    return pyotp.random_base32()


def session_totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=SESSION_CODE_DIGITS, interval=SESSION_CODE_INTERVAL)


def session_code_now(secret: str, *, for_time=None) -> str:
    totp = session_totp(secret)
    return totp.at(for_time) if for_time is not None else totp.now()


def session_code_valid(secret: str, code: str, *, for_time=None) -> bool:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != SESSION_CODE_DIGITS:
        return False
    return session_totp(secret).verify(code, for_time=for_time, valid_window=SESSION_CODE_DRIFT)


def canonical_json(value) -> bytes:
    """The one serialisation that fingerprints are computed over (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
