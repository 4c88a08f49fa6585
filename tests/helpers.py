"""Small builders for tests: frameworks in their file form, units, scores."""

from datetime import date, timedelta
from decimal import Decimal

from parindex.domain.framework import load_framework


def framework_data(**overrides):
    data = {
        "code": "t-2024",
        "title": "Bộ chỉ số thử",
        "year": 2024,
        "bonus_max": 5,
        "penalty_max": 5,
        "bands": [
            {"min": 90, "label": "Xuất sắc"},
            {"min": 80, "label": "Tốt"},
            {"min": 0, "label": "Yếu"},
        ],
        "nodes": [
            {
                "code": "1",
                "title": "Chỉ đạo, điều hành",
                "max": 6,
                "children": [
                    {
                        "code": "1.1",
                        "title": "Kế hoạch",
                        "max": 2,
                        "rule": {"type": "manual", "step": 0.25},
                    },
                    {
                        "code": "1.2",
                        "title": "Bưu chính",
                        "max": 1,
                        "rule": {
                            "type": "ratio_threshold",
                            "numerator": "dossiers.postal",
                            "denominator": "dossiers.received",
                            "threshold": 0.1,
                            "empty": "zero",
                        },
                    },
                    {
                        "code": "1.3",
                        "title": "Đúng hạn",
                        "max": 3,
                        "rule": {
                            "type": "ratio",
                            "numerator": "dossiers.on_time",
                            "denominator": "dossiers.resolved",
                            "empty": "full",
                        },
                    },
                ],
            },
            {
                "code": "2",
                "title": "Thể chế",
                "max": 4,
                "children": [
                    {
                        "code": "2.1",
                        "title": "VBQPPL",
                        "max": 2,
                        "rule": {
                            "type": "ratio",
                            "numerator": "legal.done",
                            "denominator": "legal.planned",
                            "empty": "not_applicable",
                        },
                    },
                    {
                        "code": "2.2",
                        "title": "Báo cáo",
                        "max": 2,
                        "rule": {
                            "type": "deduction",
                            "input": "reports.late",
                            "per": 0.25,
                            "base": 2,
                            "floor": 0,
                        },
                    },
                ],
            },
            {"code": "XHH", "title": "Điều tra xã hội học", "kind": "survey", "max": 10},
        ],
    }
    data.update(overrides)
    return data


def make_framework(**overrides):
    framework, problems = load_framework(framework_data(**overrides))
    assert framework is not None, [str(p) for p in problems.errors]
    return framework


def D(value) -> Decimal:
    return Decimal(str(value))


# --- the personas' round (fixtures in conftest.py) -----------------------------------------


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def round_dates():
    """Deadlines days to weeks ahead, so that pages and actions fall inside the windows."""
    from parindex.assessments.actions import RoundDates

    start = today()
    return RoundDates(
        self_due=start + timedelta(days=5),
        appraisal_due=start + timedelta(days=36),
        explanation_due=start + timedelta(days=49),
        appraisal2_due=start + timedelta(days=64),
    )


def assessment(round_, code):
    from parindex.assessments.models import UnitAssessment

    return UnitAssessment.objects.get(round=round_, unit__code=code)


def act(user, round_, code, action, **kwargs):
    """A workflow action on unit `code`, on a day inside every window of the round."""
    from parindex.assessments.actions import transition

    return transition(user, assessment(round_, code), action, today=today(), **kwargs)


def publish(people, round_, code="A"):
    """Walk unit `code` of the personas' round to published (alice, carol, erin act on A)."""
    for user, action in [
        ("alice", "submit"),
        ("carol", "start_appraisal"),
        ("carol", "finalize"),
        ("erin", "publish"),
    ]:
        act(people[user], round_, code, action)
