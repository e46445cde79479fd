"""The group, the key sharing, the ballots and the decryption proofs (docs/voting-protocol.md).

The fixed vectors are the ones printed in the protocol document, so an independent
implementation can be checked against them.
"""

import itertools

import pytest

from youth_vote import codes, crypto

# docs/voting-protocol.md, "Test vectors".
G_HEX = "5866666666666666666666666666666666666666666666666666666666666666"
TWO_G_HEX = "c9a3f86aae465f0e56513864510f3997561fa2c9e85ea21dc2292309f3cd6022"
CHALLENGE_HEX = "645e283fc9fdd7130c010158164d1998f77802573566a888ecfedc54dbcd4006"
FIVE_G_HEX = "edc876d6831fd2105d0b4389ca2e283166469289146e2ce06faefe98b22548df"
THIRTY_SIX_G_HEX = "66e7c4c6d6d8a16eb5a5839f4821a19c921626926091a1d53147b00a71de847b"
CODE_OF_123456789 = "2222-2222-2222-2222-2222-2222-2222-2222-2222-2222-2222-226B-Q524"


def test_fixed_vectors_of_the_protocol_document():
    assert crypto.G.hex() == G_HEX
    assert crypto.add(crypto.G, crypto.G).hex() == TWO_G_HEX
    assert crypto.challenge(b"delta", b"").hex() == CHALLENGE_HEX
    # Enc(m = 1, r = 5) under PK = 7·G is (5·G, 1·G + 5·7·G) = (5·G, 36·G).
    pk = crypto.base_mul(crypto.scalar(7))
    c1 = crypto.base_mul(crypto.scalar(5))
    c2 = crypto.add(crypto.G, crypto.mul(crypto.scalar(5), pk))
    assert (c1.hex(), c2.hex()) == (FIVE_G_HEX, THIRTY_SIX_G_HEX)
    assert codes.share_format(crypto.scalar(123456789)) == CODE_OF_123456789
    assert codes.share_parse(CODE_OF_123456789) == crypto.scalar(123456789)


def test_any_threshold_of_the_trustees_decrypts_the_sums_and_fewer_cannot():
    key, shares = crypto.key_deal(trustees=5, threshold=3)
    assert all(crypto.share_matches(key, s) for s in shares)
    choices = [0, 2, None, 2, 1, 2, None, 0]
    ballots = [crypto.ballot_encrypt(key.public_key, options=3, chosen=c) for c in choices]
    assert len(set(ballots)) == len(ballots)
    sums = crypto.ballots_sum(ballots, 3)
    expected = [choices.count(position) for position in range(3)]
    for subset in itertools.combinations(shares, 3):
        for position, (c1, c2) in enumerate(sums):
            parts = [crypto.partial_decrypt(s, c1, context=b"ctx") for s in subset]
            for part in parts:
                vk = key.verification_keys[part.trustee - 1]
                assert crypto.partial_valid(part, vk, c1, context=b"ctx")
            assert (
                crypto.discrete_log(crypto.combine(c2, parts), len(ballots)) == expected[position]
            )
    for subset in itertools.combinations(shares, 2):
        c1, c2 = sums[2]
        parts = [crypto.partial_decrypt(s, c1, context=b"ctx") for s in subset]
        with pytest.raises(ValueError):
            crypto.discrete_log(crypto.combine(c2, parts), len(ballots))


def test_a_decryption_proof_holds_only_for_its_share_sum_and_context():
    key, shares = crypto.key_deal(trustees=3, threshold=2)
    ballots = [crypto.ballot_encrypt(key.public_key, options=1, chosen=0) for _ in range(3)]
    ((c1, _c2),) = crypto.ballots_sum(ballots, 1)
    part = crypto.partial_decrypt(shares[0], c1, context=b"fingerprint:d:c")
    vk = key.verification_keys
    assert crypto.partial_valid(part, vk[0], c1, context=b"fingerprint:d:c")
    assert not crypto.partial_valid(part, vk[0], c1, context=b"fingerprint:d:other")
    assert not crypto.partial_valid(part, vk[1], c1, context=b"fingerprint:d:c")
    other_c1 = crypto.ballot_split(ballots[0], 1)[0][0]
    assert not crypto.partial_valid(part, vk[0], other_c1, context=b"fingerprint:d:c")
    forged = crypto.PartialDecryption(part.trustee, crypto.add(part.share, crypto.G), part.proof)
    assert not crypto.partial_valid(forged, vk[0], c1, context=b"fingerprint:d:c")
    # A share typed from another sheet is refused before it is used.
    assert not crypto.share_matches(key, crypto.TrusteeShare(2, shares[0].secret))


def test_points_from_outside_are_checked():
    key, _shares = crypto.key_deal(trustees=2, threshold=2)
    ballot = crypto.ballot_encrypt(key.public_key, options=2, chosen=1)
    with pytest.raises(crypto.InvalidPoint):
        crypto.ballot_split(ballot[:-1], 2)
    small_order = bytes(32)  # (0, -1)-ish encodings and the identity are not group elements
    for bad in (small_order, crypto.IDENTITY, b"\xff" * 32):
        with pytest.raises(crypto.InvalidPoint):
            crypto.point_check(bad)
    with pytest.raises(crypto.InvalidPoint):
        crypto.point_from_hex("zz" * 32)
    assert crypto.point_check(crypto.IDENTITY, identity_allowed=True) == crypto.IDENTITY


def test_share_codes_are_typed_forgivingly_and_refused_when_not_a_share():
    _key, shares = crypto.key_deal(trustees=1, threshold=1)
    code = codes.share_format(shares[0].secret)
    assert len(code.replace("-", "")) == codes.SHARE_LENGTH
    assert codes.share_parse(code.lower().replace("-", " ")) == shares[0].secret
    assert codes.share_parse(code[:-1]) is None
    assert codes.share_parse(code.replace(code[0], "0", 1)) is None  # not in the alphabet
    assert codes.share_parse("Z" * codes.SHARE_LENGTH) is None  # above the group order


def test_the_key_needs_at_least_two_trustees_of_at_most_nine():
    from youth_vote.counting import trustee_problems

    assert trustee_problems(5, 3) == [] and trustee_problems(2, 2) == []
    assert trustee_problems(5, 1) and trustee_problems(3, 4) and trustee_problems(10, 3)
