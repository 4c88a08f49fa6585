"""What if: a unit's published result recomputed with some points or inputs changed (pure).

Nothing stored changes: the settings are laid over the unit's entries as the last word of the
cycle (the `final` stage), the unit is scored again by the one engine (`scoring.score_unit`)
and ranked again among its peers, whose published scores stay as they are.

- A criterion set to points prevails over everything entered for it, as a final score does.
- An input set to a value (`dossiers.postal_share`, `plan.tasks_done` …) is read by every
  criterion whose rule reads it, unless points were typed for that criterion at the final
  stage (a typed final score prevails over its figures, as it does in the engine).

`with_points` is the fast path of the priorities (raising criteria to their maximum, over and
over): it recomputes only the nodes above the changed criteria, and is held equal to the full
engine by a property test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from parindex.domain.framework import BONUS, PENALTY, Framework, Node
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import quantize
from parindex.domain.ranking import Place
from parindex.domain.scoring import (
    FINAL,
    HUNDRED,
    ZERO,
    NodeScore,
    Results,
    StageData,
    UnitResult,
    UnitScore,
    _ranking_keys,
    plan,
    rank,
    rank_group,
    score_unit,
    unit_result,
)


class WhatIfError(ValueError):
    """A setting the what-if cannot apply, in words for the user."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class WhatIf:
    """The published result (`before`) and the result with the settings (`after`)."""

    results: Results  # the published results the unit was taken from
    before: UnitResult
    after: UnitResult
    points: Mapping[str, Decimal]
    values: Mapping[str, Decimal]


@dataclass(frozen=True)
class Settable:
    """What a what-if may set, looked up once per framework: leaf criteria (plus BONUS and
    PENALTY) by code, and the named inputs the rules read, with their kinds."""

    leaves: frozenset[str]
    nodes: dict[str, Node]
    inputs: dict[str, str]

    @classmethod
    def of(cls, framework: Framework) -> Settable:
        leaves = frozenset(node.code for node in framework.leaves())
        return cls(leaves, framework.node_map(), framework.inputs())

    def refusal(self, key: str, *, value: bool) -> Message | None:
        """Why `key` cannot be set (as an input's value, or as points), or None."""
        if value:
            if key in self.inputs:
                return None
            return Message(
                N_("no criterion of the framework reads an input “%(name)s”"), {"name": key}
            )
        if key in (BONUS, PENALTY) or key in self.leaves:
            return None
        if key in self.nodes:
            return Message(
                N_("%(code)s sums its criteria: set the points of its criteria instead"),
                {"code": key},
            )
        return Message(
            N_("“%(code)s” is neither a criterion nor an input of the framework"), {"code": key}
        )


def check_settings(
    framework: Framework, points: Mapping[str, Decimal], values: Mapping[str, Decimal]
) -> None:
    """Refuses a setting of something that is not a criterion's points or a rule's input."""
    settable = Settable.of(framework)
    for keys, value in ((points, False), (values, True)):
        for key in keys:
            problem = settable.refusal(key, value=value)
            if problem is not None:
                raise WhatIfError(problem)


def peers(results: Results, unit: str) -> tuple[UnitResult, list[UnitResult]]:
    """The unit's published result and its peer group's (itself included)."""
    by_code = {result.unit.code: result for result in results.units}
    before = by_code.get(unit)
    if before is None:
        raise WhatIfError(Message(N_("%(unit)s has no published result"), {"unit": unit}))
    group = before.unit.group
    members = [r for r in results.units if group and r.unit.group == group] or [before]
    return before, members


def with_settings(
    stages: Mapping[str, StageData],
    points: Mapping[str, Decimal],
    values: Mapping[str, Decimal],
) -> dict[str, StageData]:
    """The unit's entries with the settings laid over them at the final stage."""
    final = stages.get(FINAL, StageData())
    laid = dict(stages)
    laid[FINAL] = StageData({**final.points, **points}, {**final.values, **values})
    return laid


def placed(
    results: Results, before: UnitResult, members: list[UnitResult], score: UnitScore
) -> UnitResult:
    """`before`'s unit with `score`, ranked among `members` (the others as published), with
    last year's figures as published."""
    framework = results.framework
    scores = {r.unit.code: r.score for r in members}
    scores[before.unit.code] = score
    if before.unit.group:
        places, node_places = rank_group(framework, list(scores), scores)
    else:  # not in a peer group: not ranked, as in the published results
        places, node_places = {}, {}
    after = unit_result(
        framework, before.unit, score, places.get(before.unit.code), node_places, None, None
    )
    nodes = [
        replace(node, previous=old.previous, previous_code=old.previous_code)
        for node, old in zip(after.nodes, before.nodes, strict=True)
    ]
    return replace(after, nodes=nodes, previous=before.previous)


def what_if(
    results: Results,
    unit: str,
    stages: Mapping[str, StageData],
    points: Mapping[str, Decimal] | None = None,
    values: Mapping[str, Decimal] | None = None,
    steps=None,
) -> WhatIf:
    """`unit`'s published result in `results`, and what it would be with `points` (criterion
    code, BONUS or PENALTY → points) and `values` (input name → value) set. `stages`: the
    unit's entries (what its published result was computed from). `steps`: `scoring.plan`
    of the framework, when the caller keeps it between calls."""
    points, values = dict(points or {}), dict(values or {})
    framework = results.framework
    check_settings(framework, points, values)
    before, members = peers(results, unit)
    if not points and not values:
        return WhatIf(results, before, before, points, values)
    steps = plan(framework) if steps is None else steps
    score = score_unit(framework, with_settings(stages, points, values), steps)
    return WhatIf(results, before, placed(results, before, members, score), points, values)


# --- the fast path: criteria raised, the tree recomputed above them only ----------------------


def with_points(framework: Framework, score: UnitScore, points: Mapping[str, Decimal]) -> UnitScore:
    """`score` with applicable leaf criteria given `points` (as typed final scores): the nodes
    above them are summed and capped again, the rest is reused. Equal to scoring the unit
    with those points set at the final stage (a property test holds them equal)."""
    nodes = dict(score.nodes)
    by_code = framework.node_map()
    touched: dict[str, tuple[int, Node]] = {}
    for code, value in points.items():
        if code in (BONUS, PENALTY):
            continue
        node = by_code[code]
        nodes[code] = NodeScore(value, nodes[code].max, True)
        ancestors = []
        parent = node.parent
        while parent is not None:
            ancestors.append(parent)
            parent = parent.parent
        for depth, ancestor in enumerate(reversed(ancestors)):
            touched[ancestor.code] = (depth, ancestor)
    # Deepest first, so that a node is summed after all its changed children.
    for _depth, node in sorted(touched.values(), key=lambda pair: -pair[0]):
        current = nodes[node.code]
        total = sum((nodes[child.code].score for child in node.children), ZERO)
        nodes[node.code] = NodeScore(min(current.max, total), current.max, current.applicable)
    bonus, penalty = score.bonus, score.penalty
    if BONUS in points:
        bonus = min(max(ZERO, points[BONUS]), framework.bonus_max)
    if PENALTY in points:
        penalty = min(max(ZERO, points[PENALTY]), framework.penalty_max)
    total = sum((nodes[node.code].score for node in framework.nodes), ZERO) + bonus - penalty
    index_pct = total * HUNDRED / score.max if score.max > 0 else None
    band = framework.band_for(
        quantize(index_pct, framework.ranking.precision) if index_pct is not None else None
    )
    return replace(
        score,
        nodes=nodes,
        bonus=bonus,
        penalty=penalty,
        total=total,
        index_pct=index_pct,
        band=band,
    )


def place_among(
    framework: Framework, members: list[UnitResult], unit: str, score: UnitScore
) -> Place | None:
    """The place `unit` would take among `members` with `score` (the total only)."""
    if len(members) == 1 and not members[0].unit.group:
        return None
    totals = {r.unit.code: (r.score.total, r.score.max) for r in members}
    totals[unit] = (score.total, score.max)
    keys = _ranking_keys(totals, framework.ranking.precision)
    return rank(keys, framework.ranking.method)[unit]
