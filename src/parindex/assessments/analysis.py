"""Loss analysis, what-if and priorities of one unit's published result: the read side of the
domain's `losses` and `whatif`, shared by `parindex losses`, `parindex what-if` and the pages.

Only published results are analysed (what a results page shows); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from parindex.assessments.models import AuditEntry, CriterionNote, ScoreEntry, UnitAssessment
from parindex.assessments.results import results_history
from parindex.assessments.scores import ValueRefused, read_input_value, read_points
from parindex.domain import losses, workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.scoring import (
    APPRAISAL,
    APPRAISAL2,
    FINAL,
    SELF,
    Results,
    StageData,
    json_number,
    results_to_json,
    score_unit,
    self_scored,
    stage_data,
)
from parindex.domain.whatif import Settable, WhatIf, what_if
from parindex.frameworks.models import Framework
from parindex.units.models import Unit


class AnalysisError(ValueError):
    """Why a unit's result cannot be analysed, in words for the user."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Published:
    """A unit's published result and what it was computed from."""

    framework: Framework
    unit: Unit
    results: Results
    previous: Results | None
    stages: dict[str, StageData]


def published(framework: Framework, unit: Unit) -> Published:
    """`unit`'s published result in `framework`, or AnalysisError saying why there is none."""
    history = results_history(framework, years=2)
    results = history[0]
    if not any(result.unit.code == unit.code for result in results.units):
        pending = UnitAssessment.objects.filter(framework=framework, unit=unit).first()
        if pending is not None and pending.state != workflow.PUBLISHED:
            raise AnalysisError(
                Message(
                    N_("the results of %(unit)s in %(code)s are not published yet (%(state)s)"),
                    {
                        "unit": unit.code,
                        "code": framework.code,
                        "state": Message(workflow.STATE_LABELS[pending.state]),
                    },
                )
            )
        raise AnalysisError(
            Message(
                N_("unit “%(unit)s” has no scores in %(code)s"),
                {"unit": unit.code, "code": framework.code},
            )
        )
    stages = stage_data(
        ScoreEntry.objects.filter(framework=framework, unit=unit).values_list(
            "stage", "key", "points", "value"
        )
    )
    previous = history[1] if len(history) > 1 else None
    return Published(framework, unit, results, previous, stages)


# --- the loss analysis -------------------------------------------------------------------------


def _reasons(framework: Framework, unit: Unit) -> dict[str, str]:
    """The appraiser's reason per criterion: the last round's comment, else the reason a
    person gave when an appraisal stage changed the criterion's points (the audit trail; an
    import's "reason" is its file name, not an appraiser's word)."""
    reasons: dict[str, str] = {}
    changes = (
        AuditEntry.objects.filter(
            framework=framework,
            unit=unit,
            stage__in=(APPRAISAL, APPRAISAL2, FINAL),
            field="points",
            user__isnull=False,
        )
        .exclude(reason="")
        .order_by("at", "id")
        .values_list("key", "reason")
    )
    for key, reason in changes:
        reasons[key] = reason
    notes = (
        CriterionNote.objects.filter(
            assessment__framework=framework,
            assessment__unit=unit,
            kind__in=(CriterionNote.Kind.COMMENT, CriterionNote.Kind.COMMENT2),
        )
        .exclude(text="")
        .values_list("code", "kind", "text")
    )
    # The second round's comment prevails over the first's.
    for code, _kind, text in sorted(notes, key=lambda row: row[1] == CriterionNote.Kind.COMMENT2):
        reasons[code] = text
    return reasons


def loss_report(data: Published, target_rank: int | None = None) -> losses.LossReport:
    framework = data.results.framework
    self_points = {}
    if SELF in data.stages:
        self_points = self_scored(score_unit(framework, {SELF: data.stages[SELF]}))
    previous = None
    if data.previous is not None:
        earlier = next((r for r in data.previous.units if r.unit.code == data.unit.code), None)
        previous = earlier.score if earlier is not None else None
    return losses.analyse(
        data.results,
        data.unit.code,
        self_points=self_points,
        previous=previous,
        reasons=_reasons(data.framework, data.unit),
        target_rank=target_rank,
    )


def _place_json(place) -> dict:
    return {
        "rank": place.rank if place else None,
        "rank_of": place.of if place else None,
        "tied": place.tied if place else False,
    }


def loss_json(report: losses.LossReport) -> dict:
    """The documented shape of `parindex losses --json` (docs/improvement.md)."""
    result, score = report.result, report.score
    items = []
    for item in report.items:
        items.append(
            {
                "code": item.code,
                "title": item.title,
                "kind": item.kind,
                "area": item.area,
                "area_title": item.area_title,
                "score": json_number(item.score),
                "max": json_number(item.max),
                "lost": json_number(item.shown_lost),
                "recoverable": json_number(item.recoverable),
                "lost_by": item.lost_by,
                "self_score": json_number(item.self_score),
                "lost_at_self": json_number(item.lost_at_self),
                "lost_at_appraisal": json_number(item.lost_at_appraisal),
                "reason": item.reason,
                "previous": None
                if item.previous_code is None
                else {
                    "code": item.previous_code,
                    "score": json_number(item.previous_score),
                    "max": json_number(item.previous_max),
                },
                "area_rank": _place_json(item.area_place),
                "peers_best": json_number(item.peers_best),
                "rank_if_recovered": _place_json(item.rank_if_recovered),
                "data_fix": item.data_fix,
                "indicators": list(item.indicators),
            }
        )
    document = {
        "unit": result.unit.code,
        "name": result.unit.name,
        "framework": report.results.framework.code,
        "total": json_number(score.total),
        "max": json_number(score.max),
        "lost": json_number(report.shown_lost),
        "bonus": json_number(score.bonus),
        "penalty": json_number(score.penalty),
        **_place_json(result.place),
        "items": items,
    }
    if report.target is not None:
        target = report.target
        document["target"] = {
            "rank": target.rank,
            "reached": target.reached,
            "codes": list(target.codes),
            "gain": json_number(target.gain),
            "total": json_number(target.total),
            "place": _place_json(target.place),
        }
    return document


# --- what-if -------------------------------------------------------------------------------------


def read_settings(
    framework, points: Mapping[str, str], values: Mapping[str, str]
) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Message]]:
    """The raw settings (as typed) read and checked as the score gate checks them: points
    against each criterion's rule, inputs against their kinds. Returns the points, the
    values, and a problem per key that could not be read."""
    settable = Settable.of(framework)
    read_p: dict[str, Decimal] = {}
    read_v: dict[str, Decimal] = {}
    problems: dict[str, Message] = {}
    for key, raw in points.items():
        if raw is None or str(raw).strip() == "":
            continue
        problem = settable.refusal(key, value=False)
        try:
            if problem is None:
                read_p[key] = read_points(key, raw, framework, settable.nodes)
        except ValueRefused as exc:
            problem = exc.message
        if problem is not None:
            problems[key] = problem
    for key, raw in values.items():
        if raw is None or str(raw).strip() == "":
            continue
        problem = settable.refusal(key, value=True)
        try:
            if problem is None:
                read_v[key] = read_input_value(key, settable.inputs[key], raw)
        except ValueRefused as exc:
            problem = exc.message
        if problem is not None:
            problems[key] = problem
    return read_p, read_v, problems


def run_what_if(
    data: Published, points: Mapping[str, Decimal], values: Mapping[str, Decimal]
) -> WhatIf:
    return what_if(data.results, data.unit.code, data.stages, points, values)


def what_if_json(outcome: WhatIf) -> dict:
    """One unit of `parindex results --json`, plus `before` (the published unit) and the
    settings applied."""
    published = outcome.results

    def unit_json(result):
        shown = Results(published.framework, [result], published.previous_framework)
        return results_to_json(shown)["units"][0]

    after = unit_json(outcome.after)
    before = unit_json(outcome.before)
    after["before"] = before
    after["set"] = {
        **{key: json_number(value) for key, value in outcome.points.items()},
        **{key: json_number(value) for key, value in outcome.values.items()},
    }
    return after
