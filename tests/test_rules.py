"""The rule engine: every rule type on the examples of the source documents, and properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parindex.domain.problems import Problems
from parindex.domain.rules import MISSING, NEEDS_POINTS, NOT_APPLICABLE, SCORED, parse_rule

D = Decimal


def rule(data):
    problems = Problems()
    parsed = parse_rule(data, "x", problems)
    assert parsed is not None, [str(p) for p in problems.items]
    return parsed


def points(data, node_max, **values):
    outcome = rule(data).evaluate(
        D(node_max), {k.replace("__", "."): D(str(v)) for k, v in values.items()}
    )
    assert outcome.status == SCORED, outcome
    return outcome.points


def test_manual_points_respect_step_and_range():
    manual = rule({"type": "manual", "step": 0.25})
    assert manual.check_points(D("1.75"), D(2)) is None
    assert "multiple" in str(manual.check_points(D("1.3"), D(2)))
    assert "outside" in str(manual.check_points(D("2.25"), D(2)))
    assert "outside" in str(manual.check_points(D("-0.25"), D(2)))


def test_pass_fail_accepts_only_its_two_values():
    pf = rule({"type": "pass_fail", "fail_points": -0.5})
    assert pf.check_points(D(1), D(1)) is None
    assert pf.check_points(D("-0.5"), D(1)) is None
    assert pf.check_points(D("0.5"), D(1)) is not None
    flagged = rule({"type": "pass_fail", "input": "plan.issued"})
    assert flagged.evaluate(D(1), {"plan.issued": D(1)}).points == 1
    assert flagged.evaluate(D(1), {"plan.issued": D(0)}).points == 0


def test_levels_accept_only_named_levels():
    levels = rule(
        {
            "type": "levels",
            "levels": [{"label": "Tốt", "points": 2.5}, {"label": "Đầy đủ", "points": 2}],
        }
    )
    assert levels.check_points(D(2), D("2.5")) is None
    assert "Tốt 2,5" in str(levels.check_points(D(1), D("2.5")))


def test_on_time_dossiers_give_2_991_of_3():
    # 3 × 3071 ÷ 3080 = 2,991 (rounded for display only)
    score = points(
        {"type": "ratio", "numerator": "d.on_time", "denominator": "d.resolved", "empty": "full"},
        3,
        d__on_time=3071,
        d__resolved=3080,
    )
    assert round(score, 3) == D("2.991")


def test_postal_share_threshold():
    postal = {
        "type": "ratio_threshold",
        "numerator": "d.postal",
        "denominator": "d.received",
        "threshold": 0.1,
        "empty": "zero",
    }
    assert points(postal, 1, d__postal=311, d__received=3105) == 1
    assert points(postal, 1, d__postal=0, d__received=3105) == 0  # 709 sent, none recorded


def test_online_share_below_30_percent_costs_0_7():
    online = {
        "type": "ratio_threshold",
        "input": "d.online_share",
        "threshold": 0.3,
        "pass_points": 0,
        "fail_points": -0.7,
        "empty": "zero",
    }
    assert points(online, 0, d__online_share="0.26") == D("-0.7")
    assert points(online, 0, d__online_share="0.3") == 0


def test_ratio_capped_at_a_target():
    capped = {"type": "ratio_target", "input": "x.share", "target": 0.8, "empty": "zero"}
    assert points(capped, 2, x__share="0.4") == 1
    assert points(capped, 2, x__share="0.9") == 2


def test_plan_completion_bands():
    bands = {
        "type": "bands",
        "numerator": "plan.done",
        "denominator": "plan.tasks",
        "bands": [{"min": 1, "points": 2}, {"min": 0.85, "points": 1.5}, {"min": 0.7, "points": 1}],
        "empty": "manual",
    }
    assert points(bands, 2, plan__done=17, plan__tasks=19) == D("1.5")  # 89,47 % → −0,5
    assert points(bands, 2, plan__done=19, plan__tasks=19) == 2
    assert points(bands, 2, plan__done=10, plan__tasks=19) == 0


def test_negative_bands():
    bands = {
        "type": "bands",
        "input": "x.rate",
        "bands": [{"min": 0.9, "points": 0}, {"min": 0, "points": -0.5}],
    }
    assert points(bands, 0, x__rate="0.8947") == D("-0.5")


def test_linear_between_two_thresholds_both_ways():
    up = {"type": "linear", "input": "x.rate", "lo": 0.5, "hi": 1}
    assert points(up, 2, x__rate="0.75") == 1
    assert points(up, 2, x__rate="0.2") == 0
    down = {"type": "linear", "input": "x.days_late", "lo": 10, "hi": 0}
    assert points(down, 1, x__days_late=0) == 1
    assert points(down, 1, x__days_late=5) == D("0.5")


def test_one_late_report_costs_a_quarter_point_down_to_the_floor():
    late = {"type": "deduction", "input": "reports.late", "per": 0.25, "base": 0, "floor": -1}
    assert points(late, 0, reports__late=1) == D("-0.25")
    assert points(late, 0, reports__late=9) == -1


def test_external_index_scaled():
    sipas = {"type": "external_index", "input": "sipas.index", "scale": 100, "target": 90}
    assert points(sipas, D("1.5"), sipas__index=90) == D("1.5")
    assert points(sipas, 3, sipas__index=45) == D("1.5")


def test_composite_766_online_services():
    # min(2, 2·A/0,8) + 4·B + min(6, 6·C/0,5)
    composite = {
        "type": "composite",
        "parts": [
            {
                "max": 2,
                "rule": {"type": "ratio_target", "input": "s.a", "target": 0.8, "empty": "zero"},
            },
            {"max": 4, "rule": {"type": "ratio", "input": "s.b", "empty": "zero"}},
            {
                "max": 6,
                "rule": {"type": "ratio_target", "input": "s.c", "target": 0.5, "empty": "zero"},
            },
        ],
    }
    assert points(composite, 12, s__a="0.4", s__b="0.5", s__c="0.25") == D(1 + 2 + 3)
    weighted = {
        "type": "composite",
        "mode": "weighted",
        "parts": [
            {"max": 1, "weight": 2, "rule": {"type": "ratio", "input": "s.a", "empty": "zero"}},
            {"max": 1, "weight": 1, "rule": {"type": "ratio", "input": "s.b", "empty": "zero"}},
        ],
    }
    assert points(weighted, 2, s__a="0.5", s__b=1) == 2  # 2·0,5 + 1 = 2, capped at 2


def test_survey_points_from_a_share():
    assert points({"type": "survey", "input": "survey.share"}, 20, survey__share="0.85") == 17


@pytest.mark.parametrize(
    ("policy", "status", "expected"),
    [
        ("zero", SCORED, D(0)),
        ("full", SCORED, D(3)),
        ("not_applicable", NOT_APPLICABLE, None),
        ("manual", NEEDS_POINTS, None),
    ],
)
def test_every_empty_denominator_policy(policy, status, expected):
    r = rule({"type": "ratio", "numerator": "a.n", "denominator": "a.d", "empty": policy})
    outcome = r.evaluate(D(3), {"a.n": D(0), "a.d": D(0)})
    assert outcome.status == status
    assert outcome.points == expected


def test_missing_inputs_are_reported_by_name():
    r = rule({"type": "ratio", "numerator": "a.n", "denominator": "a.d", "empty": "zero"})
    outcome = r.evaluate(D(3), {"a.n": D(1)})
    assert outcome.status == MISSING
    assert outcome.missing == ("a.d",)


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ({"type": "nope"}, "rule.type", "unknown rule type"),
        ({"type": "ratio", "input": "a.b"}, "rule.empty", "required"),
        (
            {"type": "ratio", "input": "Not A Name", "empty": "zero"},
            "rule.input",
            "not an input name",
        ),
        (
            {"type": "ratio_threshold", "input": "a.b", "threshold": 2, "empty": "zero"},
            "rule.threshold",
            "between",
        ),
        ({"type": "manual", "step": "abc"}, "rule.step", "malformed number"),
        ({"type": "manual", "colour": "red"}, "rule.colour", "unknown parameter"),
        (
            {"type": "deduction", "input": "a.b", "per": 0.25, "base": 0, "floor": 0},
            "rule.floor",
            "below base",
        ),
        ({"type": "ratio", "numerator": "a.n", "empty": "zero"}, "rule.denominator", "go together"),
        (
            {"type": "composite", "parts": [{"max": 1, "rule": {"type": "manual"}}]},
            "parts[1]",
            "inputs",
        ),
        ({"type": "linear", "input": "a.b", "lo": 1, "hi": 1}, "rule.hi", "differ"),
    ],
)
def test_bad_parameters_are_reported_with_their_path(data, path, reason):
    problems = Problems()
    assert parse_rule(data, "1 › 1.1", problems) is None
    assert any(path in p.path and reason in str(p.message) for p in problems.errors), [
        str(p) for p in problems.items
    ]


# --- properties --------------------------------------------------------------------------------

shares = st.decimals(min_value=0, max_value=1, places=4)
maxima = st.decimals(min_value=0, max_value=20, places=2)
counts = st.integers(min_value=0, max_value=10_000)

RATIO_RULES = [
    {"type": "ratio", "input": "x.v", "empty": "zero"},
    {"type": "ratio_target", "input": "x.v", "target": 0.8, "empty": "zero"},
    {
        "type": "ratio_threshold",
        "input": "x.v",
        "threshold": 0.3,
        "fail_points": -0.7,
        "empty": "zero",
    },
    {
        "type": "bands",
        "input": "x.v",
        "bands": [
            {"min": 0.9, "points": 1},
            {"min": 0.5, "points": 0.5},
            {"min": 0, "points": -0.5},
        ],
    },
    {"type": "linear", "input": "x.v", "lo": 0.2, "hi": 0.9},
    {"type": "external_index", "input": "x.v", "scale": 1},
    {"type": "survey", "input": "x.v"},
]


@given(
    st.sampled_from(RATIO_RULES), shares, shares, st.decimals(min_value=1, max_value=20, places=2)
)
def test_scores_stay_in_bounds_and_grow_with_the_ratio(data, a, b, node_max):
    r = rule(data)
    low, high = r.bounds(node_max)
    lo_ratio, hi_ratio = sorted((a, b))
    first = r.evaluate(node_max, {"x.v": lo_ratio}).points
    second = r.evaluate(node_max, {"x.v": hi_ratio}).points
    assert low <= first <= high and low <= second <= high
    assert first <= second


@given(counts, counts, st.decimals(min_value="0.01", max_value=1, places=2))
def test_deductions_never_pass_the_floor_and_fall_with_the_count(a, b, per):
    r = rule({"type": "deduction", "input": "x.n", "per": per, "base": 1, "floor": -1})
    fewer, more = sorted((a, b))
    first = r.evaluate(D(1), {"x.n": D(fewer)}).points
    second = r.evaluate(D(1), {"x.n": D(more)}).points
    assert -1 <= second <= first <= 1


@given(counts, counts, maxima)
def test_a_ratio_of_counts_never_exceeds_the_max(numerator, denominator, node_max):
    r = rule({"type": "ratio", "numerator": "x.n", "denominator": "x.d", "empty": "full"})
    outcome = r.evaluate(node_max, {"x.n": D(numerator), "x.d": D(denominator)})
    assert D(0) <= outcome.points <= node_max


@given(shares, shares, shares)
def test_composite_stays_within_its_cap(a, b, c):
    r = rule(
        {
            "type": "composite",
            "parts": [
                {
                    "max": 2,
                    "rule": {
                        "type": "ratio_target",
                        "input": "s.a",
                        "target": 0.8,
                        "empty": "zero",
                    },
                },
                {"max": 4, "rule": {"type": "ratio", "input": "s.b", "empty": "zero"}},
                {
                    "max": 6,
                    "rule": {
                        "type": "ratio_target",
                        "input": "s.c",
                        "target": 0.5,
                        "empty": "zero",
                    },
                },
            ],
        }
    )
    score = r.evaluate(D(10), {"s.a": a, "s.b": b, "s.c": c}).points
    assert D(0) <= score <= D(10)


@given(st.sampled_from(RATIO_RULES))
def test_rules_round_trip_through_their_file_form(data):
    r = rule(data)
    assert rule(r.to_dict()) == r


# --- descriptions name the inputs by their titles ----------------------------------------------

TITLES = {
    "dossiers.on_time": "Số hồ sơ giải quyết đúng hạn",
    "dossiers.resolved": "Số hồ sơ đã giải quyết",
    "reports.late": "Số báo cáo nộp trễ hạn",
    "sipas.index": "SIPAS của Sở",
    "plan.tasks_done": "Số nhiệm vụ đã hoàn thành",
    "plan.tasks": "Số nhiệm vụ trong kế hoạch",
}


def described(data, node_max, language="vi"):
    from django.utils import translation

    from parindex.messages import render

    with translation.override(language):
        return render(rule(data).describe(D(node_max), lambda name: TITLES.get(name, name)))


def test_a_ratio_reads_as_a_sentence_with_titles_not_keys():
    data = {
        "type": "ratio",
        "numerator": "dossiers.on_time",
        "denominator": "dossiers.resolved",
        "empty": "full",
    }
    text = described(data, 3)
    assert text == "3 × tỷ lệ số hồ sơ giải quyết đúng hạn / số hồ sơ đã giải quyết"
    assert "dossiers" not in text
    # Without titles (a rule on its own), the names.
    assert "dossiers.on_time" in str(rule(data).describe(D(3)))


@pytest.mark.parametrize(
    ("data", "node_max", "expected"),
    [
        (
            {"type": "deduction", "input": "reports.late", "per": 0.25, "base": 1, "floor": 0},
            1,
            "1 − 0,25 × số báo cáo nộp trễ hạn, không thấp hơn 0",
        ),
        (  # an acronym keeps its capitals
            {"type": "external_index", "input": "sipas.index", "target": 90},
            5,
            "5 × SIPAS của Sở ÷ 90, tối đa 5",
        ),
        (
            {
                "type": "bands",
                "numerator": "plan.tasks_done",
                "denominator": "plan.tasks",
                "bands": [{"min": 1, "points": 2}, {"min": 0.85, "points": 1.5}],
                "empty": "manual",
            },
            2,
            "theo tỷ lệ số nhiệm vụ đã hoàn thành / số nhiệm vụ trong kế hoạch: "
            "≥ 100% → 2; ≥ 85% → 1,5; thấp hơn: 0",
        ),
        (
            {"type": "pass_fail", "input": "reports.late"},
            1,
            "đạt (số báo cáo nộp trễ hạn): 1; không đạt: 0",
        ),
    ],
)
def test_every_data_rule_names_its_inputs_by_title(data, node_max, expected):
    assert described(data, node_max) == expected


def test_a_weighted_composite_shows_its_weights():
    data = {
        "type": "composite",
        "mode": "weighted",
        "parts": [
            {
                "max": 2,
                "weight": 0.5,
                "rule": {"type": "ratio", "input": "a.share", "empty": "zero"},
            },
            {
                "max": 4,
                "weight": 0.5,
                "rule": {"type": "ratio", "input": "b.share", "empty": "zero"},
            },
        ],
    }
    assert described(data, 3, "en") == (
        "weighted sum of parts, at most 3: 0,5 × (2 × a.share) + 0,5 × (4 × b.share)"
    )
