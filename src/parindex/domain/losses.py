"""Where a unit lost its points, and which recoveries climb the ranking most (pure).

Loss analysis. Every leaf criterion below its maximum (a deduction scored below its 0 counts)
is an item: the points lost, the stage that lost them (the self-assessment, the appraisal, or
both; survey criteria are the survey's), last year's score for the same code, its area's rank
among the peers and the peers' best score on it. Lost points add up *exactly* to the maximum
minus the total before bonus and penalty:

    Σ lost = max − (total − bonus + penalty)

An area whose criteria's maxima add up to more than its own maximum (a cap the framework file
declares with a warning) loses less than its criteria together: a `cap` item carries the
difference (negative: points the cap absorbs), so that the sum stays exact.

Priorities. For each item the points it would add to the total if recovered in full
(`recoverable`: less than `lost` under a binding cap) and the rank that recovery alone would
give; and, for a target rank, the fewest recoveries that reach it, chosen greedily by the
largest gain (recomputed after each choice, since caps make gains interact; a choice that adds
nothing is never proposed). Criteria computed from register figures are marked `data_fix`: a
register that records what was done (the postal dossiers the software never recorded) may
recover them without new work.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal

from parindex.domain.framework import SURVEY, Node
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import DISPLAY_PLACES, quantize
from parindex.domain.ranking import Place
from parindex.domain.scoring import NOT_APPLICABLE, ZERO, Results, UnitResult, UnitScore
from parindex.domain.whatif import peers, place_among, with_points

# A gain is the difference of two totals, each summed at 28 significant digits: its last digits
# are rounding, not points. Gains are cut to 12 decimals (far below what is shown), so that
# rounding is never taken for a gain.
GAIN_PLACES = Decimal("1e-12")

CRITERION_ITEM = "criterion"
CAP_ITEM = "cap"

# Who lost the points of an item.
BY_SELF = "self"
BY_APPRAISAL = "appraisal"
BY_BOTH = "both"
BY_SURVEY = "survey"
BY_UNKNOWN = "unknown"  # recorded results: no self-assessment to compare with
LOST_BY_LABELS = {
    BY_SELF: N_("self-assessment"),
    BY_APPRAISAL: N_("appraisal"),
    BY_BOTH: N_("self-assessment and appraisal"),
    BY_SURVEY: N_("survey"),
    BY_UNKNOWN: N_("not known"),
}


@dataclass(frozen=True)
class Loss:
    code: str
    title: str
    area: str  # the top-level node's code
    area_title: str
    kind: str  # CRITERION_ITEM or CAP_ITEM
    score: Decimal
    max: Decimal
    lost: Decimal
    recoverable: Decimal  # what the total gains if the criterion gets its maximum
    lost_by: str
    self_score: Decimal | None = None
    lost_at_self: Decimal | None = None
    lost_at_appraisal: Decimal | None = None
    previous_code: str | None = None
    previous_score: Decimal | None = None
    previous_max: Decimal | None = None
    area_place: Place | None = None
    peers_best: Decimal | None = None
    rank_if_recovered: Place | None = None
    indicators: tuple[str, ...] = ()  # register indicators its inputs are bound to
    reason: str = ""
    # `lost` as shown (3 decimals), apportioned so that the shown items add up to the shown
    # maximum − total + bonus − penalty (largest remainders: a rounding never loses 0,001).
    shown_lost: Decimal | None = None

    @property
    def data_fix(self) -> bool:
        return bool(self.indicators)


@dataclass(frozen=True)
class Target:
    """The fewest recoveries that reach `rank` (or the best rank they can reach)."""

    rank: int
    codes: tuple[str, ...]
    gain: Decimal
    total: Decimal
    place: Place | None
    reached: bool


@dataclass
class LossReport:
    results: Results  # the published results the unit was taken from
    result: UnitResult
    items: list[Loss]
    target: Target | None = None
    members: list[UnitResult] = field(default_factory=list)

    @property
    def lost(self) -> Decimal:
        return sum((item.lost for item in self.items), ZERO)

    @property
    def shown_lost(self) -> Decimal:
        return sum((item.shown_lost for item in self.items), ZERO)

    @property
    def score(self) -> UnitScore:
        return self.result.score


def _area_of(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def _lost_by(node: Node, score: Decimal, maximum: Decimal, self_score: Decimal | None):
    if node.effective_kind == SURVEY:
        return BY_SURVEY, None, None
    if self_score is None:
        return BY_UNKNOWN, None, None
    at_self, at_appraisal = maximum - self_score, self_score - score
    if at_self > 0 and at_appraisal > 0:
        return BY_BOTH, at_self, at_appraisal
    if at_appraisal > 0:
        return BY_APPRAISAL, at_self, at_appraisal
    return BY_SELF, at_self, at_appraisal


def analyse(
    results: Results,
    unit: str,
    *,
    self_points: Mapping[str, Decimal] | None = None,
    previous: UnitScore | None = None,
    reasons: Mapping[str, str] | None = None,
    target_rank: int | None = None,
) -> LossReport:
    """The loss analysis of `unit`'s published result in `results`. `self_points`: the points
    of each criterion from the self-assessment alone (`scoring.self_scored`); `previous`: the
    unit's score last year (matched by each node's `previous_code`); `reasons`: the
    appraiser's reason per criterion; `target_rank`: also choose the recoveries to reach it."""
    framework = results.framework
    result, members = peers(results, unit)
    score = result.score
    self_points = self_points or {}
    reasons = reasons or {}
    bound = framework.bindings
    area_places = {node.code: node.place for node in result.nodes}
    others = [r for r in members if r.unit.code != unit]
    items: list[Loss] = []

    for node in framework.walk():
        here = score.nodes[node.code]
        if not here.applicable:
            continue
        area = _area_of(node)
        if node.is_leaf:
            leaf = score.leaves[node.code]
            if leaf.outcome.status == NOT_APPLICABLE:
                continue
            lost = here.max - here.score
            if lost == 0:
                continue
            raised = with_points(framework, score, {node.code: here.max})
            own = self_points.get(node.code)
            lost_by, at_self, at_appraisal = _lost_by(node, here.score, here.max, own)
            previous_code = node.previous_code or node.code
            earlier = None
            if previous is not None and previous_code != "-":
                earlier = previous.nodes.get(previous_code)
            best = [
                r.score.nodes[node.code].score
                for r in others
                if r.score.nodes[node.code].applicable
            ]
            names = node.effective_rule.inputs()
            items.append(
                Loss(
                    node.code,
                    node.title,
                    area.code,
                    area.title,
                    CRITERION_ITEM,
                    here.score,
                    here.max,
                    lost,
                    gain(raised.total, score.total),
                    lost_by,
                    own,
                    at_self,
                    at_appraisal,
                    previous_code if earlier is not None else None,
                    earlier.score if earlier is not None else None,
                    earlier.max if earlier is not None else None,
                    area_places.get(area.code),
                    max(best) if best else None,
                    place_among(framework, members, unit, raised),
                    tuple(sorted({bound[name] for name in names if name in bound})),
                    reasons.get(node.code, ""),
                )
            )
        else:
            children = [score.nodes[child.code] for child in node.children]
            children_lost = sum((c.max - c.score for c in children if c.applicable), ZERO)
            difference = (here.max - here.score) - children_lost
            if difference != 0:
                items.append(
                    Loss(
                        node.code,
                        node.title,
                        area.code,
                        area.title,
                        CAP_ITEM,
                        here.score,
                        here.max,
                        difference,
                        ZERO,
                        BY_UNKNOWN,
                        area_place=area_places.get(area.code),
                    )
                )
    items.sort(key=lambda item: (-item.recoverable, -item.lost, _code_key(item.code)))
    report = LossReport(results, result, _apportioned(items, score), members=members)
    if target_rank is not None:
        report.target = reach(results, report, target_rank)
    return report


def gain(after: Decimal, before: Decimal) -> Decimal:
    """What a total gains, cut to GAIN_PLACES: rounding noise is not a gain."""
    return (after - before).quantize(GAIN_PLACES, rounding=ROUND_DOWN)


def _apportioned(items: list[Loss], score: UnitScore) -> list[Loss]:
    """The items with `shown_lost`: each lost rounded to the places shown, then the few
    roundings furthest off moved by 0,001 so that the shown items add up to what the shown
    figures say was lost (max − total + bonus − penalty, each as shown)."""
    step = Decimal(1).scaleb(-DISPLAY_PLACES)
    shown = [quantize(item.lost) for item in items]
    wanted = (
        quantize(score.max)
        - quantize(score.total)
        + quantize(score.bonus)
        - quantize(score.penalty)
    )
    off = int((wanted - sum(shown, ZERO)) / step)
    if off and items:
        direction = 1 if off > 0 else -1
        # The items whose rounding went furthest the other way move first.
        order = sorted(
            range(len(items)),
            key=lambda i: -(items[i].lost - shown[i]) * direction,
        )
        for i in order[: abs(off)]:
            shown[i] += direction * step
    return [replace(item, shown_lost=value) for item, value in zip(items, shown, strict=True)]


def _code_key(code: str):
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split(".")]


def reach(results: Results, report: LossReport, target_rank: int) -> Target:
    """The fewest criteria to recover in full for `report`'s unit to rank `target_rank` or
    better: lazily greedy on the gain each adds to the total given those already chosen (a
    gain can only shrink as others are chosen, so a recomputed gain still at the top of the
    heap is the largest). Never proposes a recovery that adds nothing."""
    framework = results.framework
    unit = report.result.unit.code
    members = report.members
    current = report.score
    place = report.result.place

    def reached(place: Place | None) -> bool:
        return place is not None and place.rank is not None and place.rank <= target_rank

    chosen: list[str] = []
    raised: dict[str, Decimal] = {}
    heap = [
        (-item.recoverable, index, item.code, item.max)
        for index, item in enumerate(report.items)
        if item.kind == CRITERION_ITEM and item.recoverable > 0
    ]
    heapq.heapify(heap)
    while heap and not reached(place):
        _bound, index, code, maximum = heapq.heappop(heap)
        trial = with_points(framework, current, {code: maximum})
        added = gain(trial.total, current.total)
        if added <= 0:
            continue
        if heap and -heap[0][0] > added:  # another may now add more: look at it first
            heapq.heappush(heap, (-added, index, code, maximum))
            continue
        raised[code] = maximum
        chosen.append(code)
        current = trial
        place = place_among(framework, members, unit, current)
    return Target(
        target_rank,
        tuple(chosen),
        gain(current.total, report.score.total),
        current.total,
        place,
        reached(place),
    )
