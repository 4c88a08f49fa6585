"""Ranking with an explicit tie rule.

competition ("1, 2, 2, 4", the default and the national practice): a unit's rank is one more
than the number of units strictly ahead of it. dense ("1, 2, 2, 3"): one more than the number of
distinct scores ahead. Units without a score (None) are not ranked. The result never depends on
the order of the input.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Place:
    rank: int | None
    of: int  # how many were ranked
    tied: bool


def rank(keys: Mapping[Hashable, Decimal | None], method: str = "competition") -> dict:
    """Place of each key's owner; a higher key is better."""
    scored = [value for value in keys.values() if value is not None]
    ordered = sorted(scored, reverse=True)
    distinct = sorted(set(scored), reverse=True)
    first_index = {}
    for index, value in enumerate(ordered):
        first_index.setdefault(value, index)
    dense_index = {value: index for index, value in enumerate(distinct)}
    counts: dict[Decimal, int] = {}
    for value in scored:
        counts[value] = counts.get(value, 0) + 1
    places = {}
    for owner, value in keys.items():
        if value is None:
            places[owner] = Place(None, len(scored), False)
            continue
        position = dense_index[value] if method == "dense" else first_index[value]
        places[owner] = Place(position + 1, len(scored), counts[value] > 1)
    return places
