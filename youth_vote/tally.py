"""Ranking per district, from the decrypted sums (``youth_vote/counting.py``).

Ranking rule (also written in the export, and implemented again, separately, in
``youth_vote/verify.py``): candidates are ordered by votes, most first; candidates with the
same number of votes are ordered by their lot, ``sha256("<seed>:<candidate key>")`` in hex,
smallest first, where the seed is drawn from ``secrets`` at the count and published. Places
1..members become members and the next places substitutes, in that order; a candidate
without a single vote is not elected.
"""

import hashlib
from dataclasses import dataclass, field

from youth_vote.models import Candidate, CandidateResult, District

LOT_RULE = (
    "Most votes first; equal votes are ordered by sha256('<tie_seed>:<candidate key>') as "
    "lowercase hex, smallest first. Places 1..members are members, the next places "
    "substitutes; a candidate with no votes is not elected."
)


def lot(seed: str, candidate_key: str) -> str:
    return hashlib.sha256(f"{seed}:{candidate_key}".encode()).hexdigest()


@dataclass
class RankedCandidate:
    candidate: Candidate
    votes: int
    lot: str
    rank: int = 0
    outcome: str = CandidateResult.Outcome.NOT_ELECTED
    substitute_order: int | None = None


@dataclass
class DistrictCount:
    district: District
    ballots: int = 0
    blank: int = 0
    ranked: list[RankedCandidate] = field(default_factory=list)


def rank_district(*, district: District, candidates, counts: dict, seed: str) -> DistrictCount:
    result = DistrictCount(district=district)
    result.blank = counts.get((district.pk, None), 0)
    ranked = [
        RankedCandidate(c, counts.get((district.pk, c.pk), 0), lot(seed, str(c.key)))
        for c in candidates
    ]
    ranked.sort(key=lambda r: (-r.votes, r.lot))
    members, substitutes = district.seats_members, district.seats_substitutes
    for place, entry in enumerate(ranked, start=1):
        entry.rank = place
        if entry.votes == 0:
            continue
        if place <= members:
            entry.outcome = CandidateResult.Outcome.MEMBER
        elif place <= members + substitutes:
            entry.outcome = CandidateResult.Outcome.SUBSTITUTE
            entry.substitute_order = place - members
    result.ranked = ranked
    result.ballots = result.blank + sum(r.votes for r in ranked)
    return result
