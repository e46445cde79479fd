"""Sharing seats between districts by child population: the largest remainder method.

The Hare quota is the total population divided by the number of seats. Each district first
gets the whole part of its population divided by the quota; the seats left over go, one each,
to the districts with the largest remainders. A tie between remainders goes to the district
with more children, then to the name that sorts first. Exact fractions are used throughout,
so the result never depends on floating-point rounding.
"""

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Share:
    key: str
    population: int
    exact: Fraction  # population / quota
    whole: int
    remainder: Fraction
    extra: int  # 1 if the district got a seat for its remainder

    @property
    def seats(self) -> int:
        return self.whole + self.extra


def largest_remainder(populations: dict[str, int], seats: int) -> dict[str, Share]:
    """Share ``seats`` between the keys of ``populations``; returns each key's share."""
    total = sum(populations.values())
    if seats <= 0 or total <= 0 or not populations:
        return {
            key: Share(key, pop, Fraction(0), 0, Fraction(0), 0)
            for key, pop in populations.items()
        }
    shares = {}
    for key, pop in populations.items():
        exact = Fraction(pop * seats, total)
        whole = exact.numerator // exact.denominator
        shares[key] = (pop, exact, whole, exact - whole)
    left = seats - sum(whole for _pop, _exact, whole, _rem in shares.values())
    order = sorted(shares, key=lambda k: (-shares[k][3], -shares[k][0], k))
    winners = set(order[:left])
    return {
        key: Share(key, pop, exact, whole, rem, 1 if key in winners else 0)
        for key, (pop, exact, whole, rem) in shares.items()
    }
