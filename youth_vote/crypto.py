"""Exponential ElGamal ballots under the trustees' joint key (docs/voting-protocol.md).

The group is the prime-order subgroup of edwards25519 (order ``L``), used through libsodium's
``crypto_core_ed25519_*`` and ``crypto_scalarmult_ed25519_*_noclamp`` functions as PyNaCl
binds them (decision 84 says why not ristretto255). Every point that comes from outside is
checked with ``crypto_core_ed25519_is_valid_point`` (canonical, on the curve, in the prime-order
subgroup, not of small order) before it is used.

A ballot for a district with ``n`` candidates is ``n`` ciphertexts, one per candidate in the
configuration's order, each encrypting 1 (chosen) or 0; a blank ballot encrypts 0 everywhere.
Ciphertexts are added per candidate, and only the sums are ever decrypted: by any ``k`` of the
``n`` trustees, each with a Shamir share of the secret key and a Chaum–Pedersen proof that the
partial decryption used that share.
"""

import hashlib
import math
import secrets
from dataclasses import dataclass

from nacl import bindings as sodium

L = 2**252 + 27742317777372353535851937790883648493
POINT_BYTES = 32
CIPHERTEXT_BYTES = 2 * POINT_BYTES
IDENTITY = b"\x01" + bytes(31)
GROUP = "edwards25519-prime-order-subgroup"
PROTOCOL = "delta-youth-vote/1"
_ZERO = bytes(32)


class InvalidPoint(ValueError):
    pass


# --- Scalars and points ---------------------------------------------------------------------


def scalar(n: int) -> bytes:
    return (n % L).to_bytes(32, "little")


def scalar_int(data: bytes) -> int:
    return int.from_bytes(data, "little")


def scalar_random() -> bytes:
    """A uniformly random scalar (64 random bytes reduced modulo ``L``)."""
    return sodium.crypto_core_ed25519_scalar_reduce(secrets.token_bytes(64))


def base_mul(k: bytes) -> bytes:
    """``k·G``; the identity for ``k = 0``."""
    if k == _ZERO:
        return IDENTITY
    return sodium.crypto_scalarmult_ed25519_base_noclamp(k)


def mul(k: bytes, point: bytes) -> bytes:
    """``k·P`` for a checked point ``P``; the identity for ``k = 0`` or ``P`` the identity."""
    if k == _ZERO or point == IDENTITY:
        return IDENTITY
    return sodium.crypto_scalarmult_ed25519_noclamp(k, point)


def add(p: bytes, q: bytes) -> bytes:
    return sodium.crypto_core_ed25519_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    return sodium.crypto_core_ed25519_sub(p, q)


G = base_mul(scalar(1))


def point_check(data: bytes, *, identity_allowed: bool = False) -> bytes:
    """``data`` if it is a group element; raises ``InvalidPoint`` otherwise."""
    if not isinstance(data, bytes) or len(data) != POINT_BYTES:
        raise InvalidPoint("A group element is 32 bytes.")
    if identity_allowed and data == IDENTITY:
        return data
    if not sodium.crypto_core_ed25519_is_valid_point(data):
        raise InvalidPoint("Not an element of the prime-order group.")
    return data


def point_from_hex(text: str, *, identity_allowed: bool = False) -> bytes:
    try:
        data = bytes.fromhex(text)
    except (TypeError, ValueError) as exc:
        raise InvalidPoint("A group element is 64 hexadecimal digits.") from exc
    return point_check(data, identity_allowed=identity_allowed)


def challenge(*parts: bytes) -> bytes:
    """The Fiat–Shamir challenge: SHA-512 over length-prefixed parts, reduced modulo ``L``."""
    digest = hashlib.sha512()
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return sodium.crypto_core_ed25519_scalar_reduce(digest.digest())


# --- Keys: a dealer's Shamir sharing with Feldman commitments --------------------------------


@dataclass(frozen=True)
class TrusteeShare:
    index: int  # 1..n, the number printed on the trustee's sheet
    secret: bytes  # the share, a scalar


@dataclass(frozen=True)
class ElectionKey:
    public_key: bytes
    threshold: int
    commitments: list[bytes]  # Feldman: a_j·G for the polynomial's coefficients
    verification_keys: list[bytes]  # s_i·G for trustee i = 1..n

    def as_config(self) -> dict:
        return {
            "group": GROUP,
            "protocol": PROTOCOL,
            "public_key": self.public_key.hex(),
            "threshold": self.threshold,
            "trustees": len(self.verification_keys),
            "commitments": [c.hex() for c in self.commitments],
            "verification_keys": [v.hex() for v in self.verification_keys],
        }

    @classmethod
    def from_config(cls, config: dict) -> "ElectionKey":
        return cls(
            public_key=point_from_hex(config["public_key"]),
            threshold=int(config["threshold"]),
            commitments=[point_from_hex(c) for c in config["commitments"]],
            verification_keys=[point_from_hex(v) for v in config["verification_keys"]],
        )


def key_deal(*, trustees: int, threshold: int) -> tuple[ElectionKey, list[TrusteeShare]]:
    """A new election key split into ``trustees`` shares, any ``threshold`` of which decrypt.

    The secret key and the polynomial live only in this call; the caller hands each share to
    its trustee and keeps only the public ``ElectionKey``.
    """
    if not 1 <= threshold <= trustees:
        raise ValueError("The threshold must be between 1 and the number of trustees.")
    coefficients = [scalar_random() for _ in range(threshold)]
    shares = []
    for index in range(1, trustees + 1):
        x = scalar(index)
        value = _ZERO
        for coefficient in reversed(coefficients):  # Horner: f(x) = a0 + x(a1 + x(a2 …))
            value = sodium.crypto_core_ed25519_scalar_add(
                sodium.crypto_core_ed25519_scalar_mul(value, x), coefficient
            )
        shares.append(TrusteeShare(index=index, secret=value))
    key = ElectionKey(
        public_key=base_mul(coefficients[0]),
        threshold=threshold,
        commitments=[base_mul(c) for c in coefficients],
        verification_keys=[base_mul(s.secret) for s in shares],
    )
    return key, shares


def share_matches(key: ElectionKey, share: TrusteeShare) -> bool:
    if not 1 <= share.index <= len(key.verification_keys):
        return False
    return base_mul(share.secret) == key.verification_keys[share.index - 1]


# --- Ballots --------------------------------------------------------------------------------


def ballot_encrypt(public_key: bytes, *, options: int, chosen: int | None) -> bytes:
    """The ballot as ``options`` ciphertexts ``(r·G, m·G + r·PK)`` back to back.

    ``chosen`` is the 0-based position of the chosen candidate, or ``None`` for blank. Every
    option costs the same work whatever was chosen.
    """
    if chosen is not None and not 0 <= chosen < options:
        raise ValueError("The choice is not on this ballot.")
    messages = (IDENTITY, G)
    out = bytearray()
    for position in range(options):
        r = scalar_random()
        out += base_mul(r)
        out += add(messages[int(position == chosen)], mul(r, public_key))
    return bytes(out)


def ciphertexts_join(pairs: list[tuple[bytes, bytes]]) -> bytes:
    """The stored form of ``[(c1, c2), …]``: a ballot, or a running sum in a ballot's layout."""
    return b"".join(c1 + c2 for c1, c2 in pairs)


def ballot_split(data: bytes, options: int) -> list[tuple[bytes, bytes]]:
    """``[(c1, c2), …]`` of a stored ballot; raises ``InvalidPoint`` for a malformed one."""
    if len(data) != options * CIPHERTEXT_BYTES:
        raise InvalidPoint(f"A ballot with {options} options is {options * 64} bytes.")
    return [
        (
            point_check(data[i : i + POINT_BYTES]),
            point_check(data[i + POINT_BYTES : i + CIPHERTEXT_BYTES]),
        )
        for i in range(0, len(data), CIPHERTEXT_BYTES)
    ]


def ballots_sum(ballots, options: int) -> list[tuple[bytes, bytes]]:
    """The per-option sum of the stored ballots (bytes); the identity pair when none."""
    sums = [[IDENTITY, IDENTITY] for _ in range(options)]
    for data in ballots:
        if len(data) != options * CIPHERTEXT_BYTES:
            raise InvalidPoint(f"A ballot with {options} options is {options * 64} bytes.")
        for position in range(options):
            at = position * CIPHERTEXT_BYTES
            pair = sums[position]
            pair[0] = add(pair[0], data[at : at + POINT_BYTES])
            pair[1] = add(pair[1], data[at + POINT_BYTES : at + CIPHERTEXT_BYTES])
    return [(c1, c2) for c1, c2 in sums]


# --- Decryption of the sums -----------------------------------------------------------------


@dataclass(frozen=True)
class PartialDecryption:
    trustee: int
    share: bytes  # s_i·C1
    proof: tuple[bytes, bytes]  # (challenge, response) of the Chaum–Pedersen proof


def _proof_challenge(context: bytes, vk: bytes, c1: bytes, d: bytes, a: bytes, b: bytes) -> bytes:
    return challenge(f"{PROTOCOL}/decryption".encode(), context, vk, c1, d, a, b)


def partial_decrypt(share: TrusteeShare, c1: bytes, *, context: bytes) -> PartialDecryption:
    """``s_i·C1`` with a proof that ``log_G(s_i·G) = log_C1(s_i·C1)``."""
    d = mul(share.secret, c1)
    vk = base_mul(share.secret)
    w = scalar_random()
    c = _proof_challenge(context, vk, c1, d, base_mul(w), mul(w, c1))
    z = sodium.crypto_core_ed25519_scalar_add(
        w, sodium.crypto_core_ed25519_scalar_mul(c, share.secret)
    )
    return PartialDecryption(trustee=share.index, share=d, proof=(c, z))


def partial_valid(part: PartialDecryption, vk: bytes, c1: bytes, *, context: bytes) -> bool:
    c, z = part.proof
    if scalar_int(c) >= L or scalar_int(z) >= L:
        return False
    a = sub(base_mul(z), mul(c, vk))
    b = sub(mul(z, c1), mul(c, part.share))
    return _proof_challenge(context, vk, c1, part.share, a, b) == c


def lagrange_at_zero(indices: list[int]) -> dict[int, int]:
    """Each trustee's Lagrange coefficient for interpolating the shares at 0, modulo ``L``."""
    coefficients = {}
    for i in indices:
        numerator, denominator = 1, 1
        for j in indices:
            if j != i:
                numerator = numerator * j % L
                denominator = denominator * (j - i) % L
        coefficients[i] = numerator * pow(denominator, -1, L) % L
    return coefficients


def combine(c2: bytes, parts: list[PartialDecryption]) -> bytes:
    """``m·G = C2 − Σ λ_i·(s_i·C1)`` from ``threshold`` partial decryptions."""
    weights = lagrange_at_zero([p.trustee for p in parts])
    mask = IDENTITY
    for part in parts:
        mask = add(mask, mul(scalar(weights[part.trustee]), part.share))
    return sub(c2, mask)


def discrete_log(point: bytes, maximum: int) -> int:
    """``m`` in ``0..maximum`` with ``m·G = point`` (baby-step giant-step); ``ValueError`` if none."""
    step = max(1, math.isqrt(maximum) + 1)
    baby = {}
    current = IDENTITY
    for j in range(step):
        baby.setdefault(current, j)
        current = add(current, G)
    giant = base_mul(scalar(L - step))  # −step·G
    current = point
    for i in range(step + 1):
        j = baby.get(current)
        if j is not None and i * step + j <= maximum:
            return i * step + j
        current = add(current, giant)
    raise ValueError("The decrypted sum is not a count of ballots.")
