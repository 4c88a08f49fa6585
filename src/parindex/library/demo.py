"""The demo province: 21 peer departments scored on two consecutive years (the year after,
in progress, is the demo round's: `library.accounts`).

Everything goes through the same services a CCHC officer uses (framework import, units import,
scores import), so the demo also exercises them. The scores are generated from a fixed seed:
running the demo again changes nothing.

The Sở Y tế's figures retell the source documents: 2.991 of 3 points for on-time dossiers,
a plan completed at 89,47 %, one late report, e-mail below 100 %, online dossiers below 30 %,
a late directive, and postal dossiers that the appraisal found unrecorded in the one-stop
software (0 of 1 point, though 709 were sent by post).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from parindex.assessments.models import Source
from parindex.assessments.services import import_score_rows
from parindex.domain.framework import BONUS, PENALTY, SURVEY, Framework, Node
from parindex.domain.rules import Levels, Manual, PassFail, Survey
from parindex.frameworks.services import import_framework
from parindex.library import DEMO_UNITS, FRAMEWORK_FILES, LIBRARY_DIR
from parindex.tables import Row
from parindex.units.models import Unit
from parindex.units.services import import_units

SEED = 2021
ACTOR = "demo"
PEER_GROUP = "so-nganh"
# The years with published results. The year after is in progress: its frameworks are
# imported, not scored, and the demo round (`library.accounts`) assesses it.
SCORED_FRAMEWORKS = ("so-2021", "so-2022")


@dataclass
class DemoReport:
    frameworks: list[tuple[str, str]] = field(default_factory=list)
    units_created: int = 0
    rows: int = 0
    changed: int = 0


def _step(value: Decimal, step: Decimal, low: Decimal, high: Decimal) -> Decimal:
    value = (value / step).to_integral_value(rounding=ROUND_DOWN) * step
    return max(low, min(high, value))


def _d(value: float, places: int = 4) -> Decimal:
    return Decimal(str(round(value, places)))


def _unit_inputs(rng: random.Random, strength: float) -> dict[str, Decimal]:
    """Consistent operational figures for one unit and year (numerators ≤ denominators)."""
    received = rng.randint(600, 5200)
    resolved = int(received * rng.uniform(0.96, 0.995))
    on_time = int(resolved * min(1.0, strength + rng.uniform(0.02, 0.12)))
    late = resolved - on_time
    tasks = rng.randint(14, 30)
    directives = rng.randint(8, 26)
    legal_planned = rng.choice([0, 0, 1, 2, 3])
    published = rng.randint(4, 40)
    feedback = rng.choice([0, rng.randint(1, 30)])
    training = rng.randint(5, 40)
    rotation = rng.choice([0, rng.randint(1, 8)])
    allocated = rng.choice([0, rng.randint(2_000, 150_000)])  # million VND
    values = {
        "dossiers.received": received,
        "dossiers.resolved": resolved,
        "dossiers.on_time": on_time,
        "dossiers.late": late,
        "dossiers.apologised": int(late * min(1.0, strength + rng.uniform(0, 0.3))),
        "dossiers.postal": int(received * rng.uniform(0.03, 0.2)),
        "dossiers.online": int(received * rng.uniform(0.15, 0.65)),
        "dossiers.digitised": int(received * rng.uniform(0.4, 0.95)),
        "plan.tasks": tasks,
        "plan.tasks_done": tasks - (0 if rng.random() < strength - 0.2 else rng.randint(1, 4)),
        "reports.late": rng.choice([0, 0, 0, 1, 2]),
        "directives.total": directives,
        "directives.on_time": directives - (0 if rng.random() < strength else 1),
        "legal.planned": legal_planned,
        "legal.drafted_on_time": max(0, legal_planned - rng.choice([0, 0, 1])),
        "procedures.published": published,
        "procedures.published_on_time": published - rng.choice([0, 0, 0, 1, 2]),
        "feedback.received": feedback,
        "feedback.on_time": feedback - (rng.randint(0, 2) if feedback > 2 else 0),
        "feedback.satisfied": int(feedback * rng.uniform(0.5, 1.0)),
        "training.planned": training,
        "training.done": int(training * rng.uniform(0.75, 1.0)),
        "rotation.planned": rotation,
        "rotation.done": rotation - (rng.choice([0, 0, 1]) if rotation else 0),
        "staff.disciplined": rng.choice([0, 0, 0, 0, 1, 2]),
        "investment.allocated": allocated,
        "investment.disbursed": int(allocated * rng.uniform(0.55, 1.0)),
    }
    result = {key: Decimal(value) for key, value in values.items()}
    result["egov.email_share"] = _d(rng.choice([1.0, 1.0, rng.uniform(0.9, 0.99)]))
    result["services.online_share"] = _d(rng.uniform(0.5, 1.0))
    result["services.used_share"] = _d(rng.uniform(0.3, 0.95))
    result["sipas.index"] = _d(rng.uniform(76, 93), 2)
    return result


# The Sở Y tế's own figures, from the source documents (see the module docstring).
SYT_FIGURES = {
    "dossiers.received": Decimal(3105),
    "dossiers.resolved": Decimal(3080),
    "dossiers.on_time": Decimal(3071),  # 3 × 3071 ÷ 3080 = 2,991
    "dossiers.late": Decimal(9),
    "dossiers.apologised": Decimal(9),
    "dossiers.postal": Decimal(709),  # self-assessed; the appraisal finds 0 recorded
    "dossiers.online": Decimal(812),  # 26,2 % < 30 %
    "plan.tasks": Decimal(19),
    "plan.tasks_done": Decimal(17),  # 89,47 %
    "reports.late": Decimal(1),
    "directives.total": Decimal(14),
    "directives.on_time": Decimal(13),
    "egov.email_share": Decimal("0.97"),
}


def _typed_points(node: Node, rng: random.Random, strength: float) -> Decimal:
    rule, top = node.effective_rule, node.effective_max
    if isinstance(rule, PassFail):
        return rule.passed(top) if rng.random() < strength + 0.08 else rule.fail_points
    if isinstance(rule, Levels):
        ordered = sorted(rule.levels, key=lambda level: level.points, reverse=True)
        index = 0 if rng.random() < strength else min(len(ordered) - 1, rng.randint(1, 2))
        return ordered[index].points
    if isinstance(rule, Survey | Manual):
        step = rule.step if isinstance(rule, Manual) and rule.step else Decimal("0.01")
        low = rule.min if isinstance(rule, Manual) else Decimal(0)
        share = min(1.0, max(0.0, strength + rng.uniform(-0.08, 0.1)))
        return _step(top * Decimal(str(share)), step, low, top)
    raise ValueError(node.code)


def _rows_for_year(framework: Framework, units: list[str], year_seed: int):
    """(self rows, appraisal rows, final rows) for every unit, as scores-file rows."""
    stages: dict[str, list[dict]] = {"self": [], "appraisal": [], "final": []}
    inputs = framework.inputs()
    for index, code in enumerate(units):
        rng = random.Random(f"{SEED}-{year_seed}-{code}")
        base = 0.62 + 0.33 * ((index * 7) % len(units)) / len(units)
        strength = min(0.97, base + (0.04 if year_seed % 2 == 0 else 0) + rng.uniform(-0.03, 0.03))
        if code == "SYT":
            strength = 0.93
        figures = _unit_inputs(rng, strength)
        if code == "SYT":
            figures.update(SYT_FIGURES)
        for leaf in framework.leaves():
            rule = leaf.effective_rule
            survey = leaf.effective_kind == SURVEY
            if rule.data_driven:
                stage = "final" if survey else "self"
                for name in rule.inputs():
                    if name == "survey.citizen_satisfied_share":
                        share = min(0.97, strength + rng.uniform(-0.06, 0.04))
                        stages[stage].append({"unit": code, "criterion": name, "value": _d(share)})
            else:
                points = _typed_points(leaf, rng, strength)
                stages["final" if survey else "self"].append(
                    {"unit": code, "criterion": leaf.code, "points": points}
                )
                # The appraisal lowers a self score here and there, as it does in life.
                if not survey and rng.random() < 0.12 and isinstance(rule, Manual):
                    lowered = _step(
                        points - Decimal("0.5"),
                        rule.step or Decimal("0.25"),
                        rule.min,
                        leaf.effective_max,
                    )
                    if lowered != points:
                        stages["appraisal"].append(
                            {
                                "unit": code,
                                "criterion": leaf.code,
                                "points": lowered,
                                "note": "Thiếu tài liệu kiểm chứng",
                            }
                        )
        for name in inputs:
            if name in figures:
                stages["self"].append({"unit": code, "criterion": name, "value": figures[name]})
        if code == "SYT":
            stages["appraisal"].append(
                {
                    "unit": code,
                    "criterion": "dossiers.postal",
                    "value": Decimal(0),
                    "note": "Phần mềm một cửa không ghi nhận hồ sơ gửi qua bưu chính",
                }
            )
        if rng.random() < 0.2 or code == "SYT":
            stages["final"].append(
                {"unit": code, "criterion": BONUS, "points": Decimal("0.5") * rng.randint(1, 3)}
            )
        if rng.random() < 0.1:
            stages["final"].append(
                {"unit": code, "criterion": PENALTY, "points": Decimal("0.5") * rng.randint(1, 2)}
            )
    return stages


@transaction.atomic
def load_demo() -> DemoReport:
    report = DemoReport()
    models = []
    for name in FRAMEWORK_FILES:
        framework, outcome, _warnings = import_framework(LIBRARY_DIR / name, publish=True)
        report.frameworks.append((framework.code, outcome))
        models.append(framework)
    report.units_created = import_units(DEMO_UNITS).created
    peers = list(
        Unit.objects.filter(group__code=PEER_GROUP).order_by("code").values_list("code", flat=True)
    )
    for framework in models:
        if framework.code not in SCORED_FRAMEWORKS:
            continue
        stages = _rows_for_year(framework.domain, peers, framework.year)
        for stage, items in stages.items():
            rows = [Row(number, item) for number, item in enumerate(items, start=2)]
            result = import_score_rows(
                rows,
                framework.code,
                stage,
                actor=ACTOR,
                reason="parindex demo",
                source=Source.SYSTEM,
            )
            report.rows += result.rows
            report.changed += result.created + result.updated
    return report
