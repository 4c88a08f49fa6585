"""From entered points and inputs to a unit's scores, then to the published results.

Stages: self (tự chấm) → appraisal (thẩm định lần 1) → appraisal2 (lần 2) → final. For every
leaf the latest stage that has something for it prevails, even when lower than the self score.
"Something" is points typed for the leaf, or a value of one of its rule's inputs; inputs read
at a stage fall back to earlier stages for the values not given again.

One score per criterion: a leaf whose rule reads inputs is scored from them. Points typed for
it at the prevailing stage win over the figures (of that stage and earlier ones) and are an
*override*, reported with what the figures give (`LeafScore.override`, `.computed`) — except
where the rule itself asks for typed points (the `manual` empty policy on an empty
denominator). The score gate accepts an override only with an explanation.

Inner nodes sum their children, capped at their own max; not-applicable leaves drop out of the
points and of the maximum. Total = Σ top-level nodes + bonus − penalty (each capped); index % =
total ÷ applicable max × 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.domain.comparison import Change
from parindex.domain.framework import BONUS, PENALTY, Framework, Node
from parindex.domain.numbers import quantize
from parindex.domain.ranking import Place, rank
from parindex.domain.rules import MISSING, NEEDS_POINTS, NOT_APPLICABLE, SCORED, Outcome

SELF = "self"
APPRAISAL = "appraisal"
APPRAISAL2 = "appraisal2"
FINAL = "final"
STAGES = (SELF, APPRAISAL, APPRAISAL2, FINAL)  # later prevails

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass
class StageData:
    """What was entered for one unit at one stage."""

    points: dict[str, Decimal] = field(default_factory=dict)  # node code, BONUS, PENALTY
    values: dict[str, Decimal] = field(default_factory=dict)  # named inputs


@dataclass(frozen=True)
class LeafScore:
    """How a leaf is scored: `outcome` (points, not applicable, or what is missing) and the
    stage it comes from. `override`: typed points replace what the leaf's figures give;
    `computed` is then the rule's own outcome at that stage (scored, not applicable, or
    missing: no figures yet), for "1,5 instead of 1 (computed from the figures)"."""

    outcome: Outcome
    stage: str | None
    override: bool = False
    computed: Outcome | None = None


@dataclass(frozen=True)
class NodeScore:
    score: Decimal
    max: Decimal  # applicable max: not-applicable leaves are left out
    applicable: bool


@dataclass
class UnitScore:
    nodes: dict[str, NodeScore]
    leaves: dict[str, LeafScore]
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    max: Decimal
    index_pct: Decimal | None
    band: str | None

    @property
    def unscored(self) -> list[str]:
        return [
            code
            for code, leaf in self.leaves.items()
            if leaf.outcome.status in (MISSING, NEEDS_POINTS)
        ]

    @property
    def overrides(self) -> list[str]:
        """Criteria computed from figures whose typed points replace the computation."""
        return [code for code, leaf in self.leaves.items() if leaf.override]

    @property
    def completion(self) -> Completion:
        """How far the unit has got: the one definition of "filled" for every page. A leaf
        is filled when the engine can score it (typed points, or figures its rule reads);
        a not-applicable leaf counts as filled, since nothing more is expected of it."""
        return Completion(len(self.leaves) - len(self.unscored), len(self.leaves))


@dataclass(frozen=True)
class Completion:
    filled: int
    total: int

    @property
    def empty(self) -> int:
        return self.total - self.filled

    @property
    def pct(self) -> Decimal:
        """Whole percent, rounded down: 100 only when nothing is left."""
        if not self.total:
            return HUNDRED
        return Decimal(self.filled * 100 // self.total)


@dataclass(frozen=True)
class _Step:
    """A node with what scoring needs, worked out once per framework rather than per unit."""

    node: Node
    code: str
    max: Decimal
    rule: object  # the effective rule of a leaf
    names: tuple[str, ...]  # the inputs a leaf's rule reads
    children: tuple[_Step, ...]


def plan(framework: Framework) -> tuple[_Step, ...]:
    def step(node: Node) -> _Step:
        rule = node.effective_rule if node.is_leaf else None
        names = tuple(rule.inputs()) if rule is not None else ()
        return _Step(
            node,
            node.code,
            node.effective_max,
            rule,
            names,
            tuple(step(child) for child in node.children),
        )

    return tuple(step(node) for node in framework.nodes)


def _resolve(step: _Step, stages, cumulative) -> LeafScore:
    for stage in _REVERSED:
        data = stages.get(stage)
        if data is None:
            continue
        if step.code in data.points:
            typed = Outcome.scored(data.points[step.code])
            if not step.names:
                return LeafScore(typed, stage)
            computed = step.rule.evaluate(step.max, cumulative[stage])
            if computed.status == NEEDS_POINTS:  # the rule asks for these points
                return LeafScore(typed, stage)
            return LeafScore(typed, stage, override=True, computed=computed)
        if step.names and any(name in data.values for name in step.names):
            return LeafScore(step.rule.evaluate(step.max, cumulative[stage]), stage)
    return LeafScore(Outcome(MISSING, missing=step.names), None)


_REVERSED = tuple(reversed(STAGES))


def _latest(stages: Mapping[str, StageData], code: str) -> Decimal:
    for stage in _REVERSED:
        data = stages.get(stage)
        if data is not None and code in data.points:
            return data.points[code]
    return ZERO


def score_unit(
    framework: Framework, stages: Mapping[str, StageData], steps: tuple[_Step, ...] | None = None
) -> UnitScore:
    """One unit's scores. `steps` (from `plan`) saves re-deriving the tree for every unit."""
    steps = plan(framework) if steps is None else steps
    cumulative: dict[str, dict[str, Decimal]] = {}
    running: dict[str, Decimal] = {}
    for stage in STAGES:
        if stage in stages:
            running = {**running, **stages[stage].values}
        cumulative[stage] = running

    leaves: dict[str, LeafScore] = {}
    nodes: dict[str, NodeScore] = {}

    def visit(step: _Step) -> NodeScore:
        if not step.children:
            leaf = _resolve(step, stages, cumulative)
            leaves[step.code] = leaf
            status = leaf.outcome.status
            if status == SCORED:
                result = NodeScore(leaf.outcome.points, step.max, True)
            elif status == NOT_APPLICABLE:
                result = NodeScore(ZERO, ZERO, False)
            else:  # missing or waiting for typed points: counts as 0, reported as unscored
                result = NodeScore(ZERO, step.max, True)
        else:
            children = [visit(child) for child in step.children]
            dropped = ZERO
            applicable = False
            total = ZERO
            for child_step, child in zip(step.children, children, strict=True):
                total += child.score
                if child.applicable:
                    applicable = True
                else:
                    dropped += child_step.max
            ceiling = max(ZERO, step.max - dropped) if applicable else ZERO
            result = NodeScore(min(ceiling, total), ceiling, applicable)
        nodes[step.code] = result
        return result

    top = [visit(step) for step in steps]
    bonus = min(max(ZERO, _latest(stages, BONUS)), framework.bonus_max)
    penalty = min(max(ZERO, _latest(stages, PENALTY)), framework.penalty_max)
    total = sum((n.score for n in top), ZERO) + bonus - penalty
    maximum = sum((n.max for n in top), ZERO)
    index_pct = total * HUNDRED / maximum if maximum > 0 else None
    # A unit that entered nothing has no band: "Yếu" would be a verdict on an empty page.
    entered = any(data.points or data.values for data in stages.values())
    band = (
        framework.band_for(
            quantize(index_pct, framework.ranking.precision) if index_pct is not None else None
        )
        if entered
        else None
    )
    return UnitScore(nodes, leaves, bonus, penalty, total, maximum, index_pct, band)


def stage_data(rows) -> dict[str, StageData]:
    """Stored entries, as (stage, key, points, value) rows, by stage: the engine's input."""
    data: dict[str, StageData] = {}
    for stage, key, points, value in rows:
        holder = data.setdefault(stage, StageData())
        if points is not None:
            holder.points[key] = points
        else:
            holder.values[key] = value
    return data


def self_scored(score: UnitScore) -> dict[str, Decimal]:
    """The points each criterion gets from the self-assessment alone (`score` computed from
    the self stage): typed, or computed from the input figures the unit entered."""
    return {
        code: leaf.outcome.points
        for code, leaf in score.leaves.items()
        if leaf.stage == SELF and leaf.outcome.status == SCORED
    }


# --- results of a framework ------------------------------------------------------------------


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    group: str | None


@dataclass
class NodeResult:
    code: str
    title: str
    score: Decimal
    max: Decimal
    place: Place | None
    previous: NodeScore | None = None
    previous_code: str | None = None

    @property
    def change(self) -> Change | None:
        """Against last year's counterpart (`parindex.domain.comparison`), if any: between
        the figures as shown (3 decimals), so that the change is their difference."""
        if self.previous is None:
            return None
        last = self.previous
        return Change(*map(quantize, (last.score, last.max, self.score, self.max)))


@dataclass
class PreviousResult:
    framework: str
    total: Decimal
    max: Decimal
    index_pct: Decimal | None
    place: Place | None

    def delta(self, total: Decimal) -> Decimal:
        return total - self.total


@dataclass
class UnitResult:
    unit: UnitInfo
    score: UnitScore
    place: Place | None
    nodes: list[NodeResult]
    previous: PreviousResult | None = None

    @property
    def change(self) -> Change | None:
        """The total against last year's (`parindex.domain.comparison`), if any: between
        the figures as shown (3 decimals), so that the change is their difference."""
        if self.previous is None:
            return None
        last, now = self.previous, self.score
        return Change(*map(quantize, (last.total, last.max, now.total, now.max)))


@dataclass
class Results:
    framework: Framework
    units: list[UnitResult]
    previous_framework: Framework | None = None
    provisional: frozenset[str] = frozenset()  # units finalised but not yet published


def _ranking_keys(items: Mapping[str, tuple[Decimal, Decimal]], precision: int) -> dict:
    """Rank on the figure as published: the points when every unit has the same maximum,
    else the percentage of the maximum (not-applicable criteria make maxima differ)."""
    maxima = {maximum for _, maximum in items.values()}
    same_max = len(maxima) == 1
    keys: dict[str, Decimal | None] = {}
    for owner, (score, maximum) in items.items():
        if maximum <= 0:
            keys[owner] = None
        elif same_max:
            keys[owner] = quantize(score, precision)
        else:
            keys[owner] = quantize(score * HUNDRED / maximum, precision)
    return keys


def rank_group(
    framework: Framework, members: list[str], scores: Mapping[str, UnitScore]
) -> tuple[dict[str, Place], dict[tuple[str, str], Place]]:
    """The places of one peer group's `members` (unit codes): by total, and in each top-level
    node ((unit, node) → place). The what-if ranks one changed unit among its peers with it."""
    method, precision = framework.ranking.method, framework.ranking.precision
    totals = {code: (scores[code].total, scores[code].max) for code in members}
    places = rank(_ranking_keys(totals, precision), method)
    node_places: dict[tuple[str, str], Place] = {}
    for node in framework.nodes:
        figures = {
            code: (scores[code].nodes[node.code].score, scores[code].nodes[node.code].max)
            for code in members
        }
        for code, place in rank(_ranking_keys(figures, precision), method).items():
            node_places[(code, node.code)] = place
    return places, node_places


def unit_result(
    framework: Framework,
    unit: UnitInfo,
    score: UnitScore,
    place: Place | None,
    node_places: Mapping[tuple[str, str], Place],
    last: UnitResult | None,
    previous_framework: Framework | None,
) -> UnitResult:
    """One unit's result: its score, its places, and last year's figures (`last`, its
    result in `previous_framework`) matched by code."""
    node_results = []
    for node in framework.nodes:
        node_score = score.nodes[node.code]
        previous_code = node.previous_code or node.code
        earlier = None
        if last is not None and previous_code != "-":
            earlier = last.score.nodes.get(previous_code)
        node_results.append(
            NodeResult(
                node.code,
                node.title,
                node_score.score,
                node_score.max,
                node_places.get((unit.code, node.code)),
                earlier,
                previous_code if earlier else None,
            )
        )
    previous_result = None
    if last is not None and previous_framework is not None:
        previous_result = PreviousResult(
            previous_framework.code,
            last.score.total,
            last.score.max,
            last.score.index_pct,
            last.place,
        )
    return UnitResult(unit, score, place, node_results, previous_result)


def compute_results(
    framework: Framework,
    units: list[UnitInfo],
    stages_by_unit: Mapping[str, Mapping[str, StageData]],
    previous: Results | None = None,
) -> Results:
    """Scores, ranks within each peer group, and last year's figures for `units`.

    Units without a group are scored but not ranked: there is no one to rank them against.
    """
    steps = plan(framework)
    scores = {
        unit.code: score_unit(framework, stages_by_unit.get(unit.code, {}), steps) for unit in units
    }
    groups: dict[str, list[str]] = {}
    for unit in units:
        if unit.group:
            groups.setdefault(unit.group, []).append(unit.code)

    places: dict[str, Place] = {}
    node_places: dict[tuple[str, str], Place] = {}
    for members in groups.values():
        group_places, group_node_places = rank_group(framework, members, scores)
        places.update(group_places)
        node_places.update(group_node_places)

    previous_units = {r.unit.code: r for r in previous.units} if previous else {}
    previous_framework = previous.framework if previous else None
    results = [
        unit_result(
            framework,
            unit,
            scores[unit.code],
            places.get(unit.code),
            node_places,
            previous_units.get(unit.code),
            previous_framework,
        )
        for unit in units
    ]

    def order(result: UnitResult):
        rank_value = result.place.rank if result.place and result.place.rank else 10**9
        return (result.unit.group or "\uffff", rank_value, result.unit.code)

    results.sort(key=order)
    return Results(framework, results, previous_framework)


# --- the published JSON shape ----------------------------------------------------------------


def json_number(value: Decimal | None):
    """Rounded to 3 decimals as a JSON number; whole numbers without a fraction."""
    if value is None:
        return None
    rounded = quantize(value)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


def _change_json(change: Change) -> dict:
    """A change against last year as every page reads it (`comparison.Change`, between the
    figures as shown): `delta` in points, the difference of the rounded figures, so that
    `total − previous.total == delta`; `change_pct_points`, the change in percentage points
    of the maximum (2 decimals, None when a year has no maximum); `same_max`, whether the
    points compare (else the change is read in percentage points)."""
    pct = change.pct_points
    return {
        "delta": json_number(change.points),
        "change_pct_points": None if pct is None else json_number(quantize(pct, 2)),
        "same_max": change.same_max,
    }


def results_to_json(results: Results) -> dict:
    """Exactly the documented shape of `parindex results --json` (architecture: Results JSON),
    plus, per top-level node, `tied` and last year's `previous` score matched by code."""
    framework = results.framework
    units = []
    for result in results.units:
        score, place = result.score, result.place
        nodes = []
        for node in result.nodes:
            entry = {
                "code": node.code,
                "title": node.title,
                "score": json_number(node.score),
                "max": json_number(node.max),
                "rank": node.place.rank if node.place else None,
                "rank_of": node.place.of if node.place else None,
                "tied": node.place.tied if node.place else False,
            }
            if results.previous_framework is not None:
                entry["previous"] = (
                    None
                    if node.previous is None
                    else {
                        "code": node.previous_code,
                        "score": json_number(node.previous.score),
                        "max": json_number(node.previous.max),
                        **_change_json(node.change),
                    }
                )
            nodes.append(entry)
        previous = None
        if result.previous is not None:
            previous = {
                "framework": result.previous.framework,
                "total": json_number(result.previous.total),
                "rank": result.previous.place.rank if result.previous.place else None,
                **_change_json(result.change),
            }
        units.append(
            {
                "unit": result.unit.code,
                "name": result.unit.name,
                "group": result.unit.group,
                "total": json_number(score.total),
                "max": json_number(score.max),
                "index_pct": json_number(score.index_pct),
                "band": score.band,
                "bonus": json_number(score.bonus),
                "penalty": json_number(score.penalty),
                "rank": place.rank if place else None,
                "rank_of": place.of if place else None,
                "tied": place.tied if place else False,
                "nodes": nodes,
                "previous": previous,
            }
        )
    return {"framework": framework.code, "year": framework.year, "units": units}
