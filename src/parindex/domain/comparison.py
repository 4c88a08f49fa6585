"""Comparing a unit's results with last year and with its peers: the dashboards' arithmetic.

A change between two years is read in points only when both years have the same maximum.
When the maximum changed (a framework revised its areas: 8,25/11,5 in 2021, 5,25/8 in 2022),
the points measure different things ("−3" says the unit fell by a quarter of the area, while
it fell from 71,74% to 65,63% of it), so the change is read in percentage points of the
maximum (điểm %): −6,11. The raw points stay available beside it.

A peer group of one unit ranks nobody: "1/1" would read as a first place. `ranked` says whether
a place is worth showing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from parindex.domain.numbers import format_number
from parindex.domain.ranking import Place

if TYPE_CHECKING:  # scoring imports this module: the types only, at check time
    from parindex.domain.scoring import Results

HUNDRED = Decimal(100)
MINUS = "\u2212"  # the typographic minus: "−2,1", as in print


def share(score: Decimal, maximum: Decimal) -> Decimal | None:
    """`score` as a percentage of `maximum` (0–100), or None when there is no maximum (an
    area that does not apply)."""
    if maximum <= 0:
        return None
    return score * HUNDRED / maximum


@dataclass(frozen=True)
class Change:
    """From last year's `before`/`before_max` to this year's `after`/`after_max`."""

    before: Decimal
    before_max: Decimal
    after: Decimal
    after_max: Decimal

    @property
    def points(self) -> Decimal:
        return self.after - self.before

    @property
    def same_max(self) -> bool:
        return self.before_max == self.after_max

    @property
    def before_pct(self) -> Decimal | None:
        return share(self.before, self.before_max)

    @property
    def after_pct(self) -> Decimal | None:
        return share(self.after, self.after_max)

    @property
    def pct_points(self) -> Decimal | None:
        """The change in percentage points of the maximum, or None when a year has none."""
        before, after = self.before_pct, self.after_pct
        if before is None or after is None:
            return None
        return after - before

    @property
    def in_points(self) -> bool:
        """Whether the change is read in points (same maximum both years), else in
        percentage points of the maximum."""
        return self.same_max

    @property
    def headline(self) -> Decimal | None:
        """The change as it is read: points when the maximum is the same, else percentage
        points (None when a year has no maximum: nothing comparable)."""
        return self.points if self.same_max else self.pct_points

    @property
    def direction(self) -> int | None:
        """+1 better, −1 worse, 0 the same, None not comparable — decided exactly (by cross
        multiplication), not on rounded percentages."""
        if self.same_max:
            return _sign(self.points)
        if self.before_max <= 0 or self.after_max <= 0:
            return None
        return _sign(self.after * self.before_max - self.before * self.after_max)


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


def compare(before: Decimal, before_max: Decimal, after: Decimal, after_max: Decimal) -> Change:
    return Change(before, before_max, after, after_max)


def signed(value: Decimal | None, places: int = 3) -> str:
    """A change with its sign, the Vietnamese way: "+5,405", "−2,1", "0" ("" for None).
    Rounded first, so that a change too small to show reads "0", never "+0" or "−0"."""
    if value is None:
        return ""
    text = format_number(value, places)
    if text == "0" or text == "-0":
        return "0"
    return MINUS + text[1:] if text.startswith("-") else "+" + text


def ranked(place: Place | None) -> bool:
    """Whether a place is a real rank: there is one, among more than one unit."""
    return place is not None and place.rank is not None and place.of > 1


# --- the trend over the years ----------------------------------------------------------------


@dataclass(frozen=True)
class YearPoint:
    """One year of a unit's trend: its index and place, and its peer group's average."""

    framework: str  # the framework's code
    year: int
    index_pct: Decimal | None  # None: no result of the unit that year
    place: Place | None
    peer_average: Decimal | None  # None: no peer with an index that year
    peers: int  # the units of the group averaged (the unit itself included)


def peer_average(results: Results, group: str | None) -> tuple[Decimal | None, int]:
    """The mean index % of the group's units that have one (the unit itself included), and
    how many they are. A unit without a group has no peers."""
    if not group:
        return None, 0
    indices = [
        r.score.index_pct
        for r in results.units
        if r.unit.group == group and r.score.index_pct is not None
    ]
    if not indices:
        return None, 0
    return sum(indices, Decimal(0)) / len(indices), len(indices)


def trend(history: Sequence[Results], unit: str, group: str | None) -> list[YearPoint]:
    """The unit's index % and its peer group's average, year by year, oldest first.
    `history`: the results of a framework and of the frameworks before it (any order);
    `group`: the peer group to average (the unit's group today)."""
    points = []
    for results in history:
        mine = next((r for r in results.units if r.unit.code == unit), None)
        average, peers = peer_average(results, group)
        points.append(
            YearPoint(
                results.framework.code,
                results.framework.year,
                mine.score.index_pct if mine is not None else None,
                mine.place if mine is not None else None,
                average,
                peers,
            )
        )
    points.sort(key=lambda point: (point.year, point.framework))
    return points
