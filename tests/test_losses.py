"""Loss analysis, what-if and priorities in the domain (pure): the sums are exact, a what-if
that changes nothing changes nothing, raising a score never lowers the rank, and priorities
only propose recoveries that add points."""

from decimal import Decimal

from helpers import D, framework_data
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.domain import losses
from parindex.domain.framework import BONUS, PENALTY, load_framework
from parindex.domain.numbers import quantize
from parindex.domain.scoring import (
    APPRAISAL,
    FINAL,
    SCORED,
    SELF,
    StageData,
    UnitInfo,
    compute_results,
    score_unit,
)
from parindex.domain.whatif import WhatIfError, what_if, with_points, with_settings


def framework():
    """The helpers' framework plus an area capped below its criteria's maxima (1,5 + 1,5 in
    a 2-point area) and a deduction scored below 0."""
    data = framework_data()
    data["nodes"].insert(
        2,
        {
            "code": "3",
            "title": "Cải cách TTHC",
            "max": 2,
            "children": [
                {"code": "3.1", "title": "Công bố", "max": 1.5},
                {"code": "3.2", "title": "Niêm yết", "max": 1.5},
                {
                    "code": "3.3",
                    "title": "Báo cáo trễ",
                    "max": 0,
                    "rule": {
                        "type": "deduction",
                        "input": "reports.overdue",
                        "per": 0.25,
                        "base": 0,
                        "floor": -1,
                    },
                },
            ],
        },
    )
    fw, problems = load_framework(data)
    assert fw is not None, [str(p) for p in problems.errors]
    return fw


FW = framework()
MANUAL = {"1.1": 2, "3.1": 1.5, "3.2": 1.5, "XHH": 10}


def close(a, b):
    """Equal but for the rounding of 28-digit arithmetic (ratios have endless decimals)."""
    return abs(a - b) < Decimal("1e-20")


def quarters(maximum):
    return st.integers(0, int(maximum * 4)).map(lambda q: Decimal(q) / 4)


@st.composite
def unit_stages(draw):
    points = {code: draw(quarters(top)) for code, top in MANUAL.items()}
    received = draw(st.integers(0, 300))
    resolved = draw(st.integers(0, 300))
    values = {
        "dossiers.received": D(received),
        "dossiers.postal": D(draw(st.integers(0, received))),
        "dossiers.resolved": D(resolved),
        "dossiers.on_time": D(draw(st.integers(0, resolved))),
        "reports.late": D(draw(st.integers(0, 10))),
        "reports.overdue": D(draw(st.integers(0, 6))),
    }
    stages = {SELF: StageData(points, values)}
    if draw(st.booleans()):  # an appraisal that cuts some points
        cut = {code: draw(quarters(float(points[code]))) for code in ("1.1", "3.1")}
        stages[APPRAISAL] = StageData(cut, {})
    stages[FINAL] = StageData(
        {BONUS: draw(quarters(5)), PENALTY: draw(quarters(5))},
        {},
    )
    return stages


peer_groups = st.lists(unit_stages(), min_size=1, max_size=6)


def results_of(group):
    units = [UnitInfo(f"U{i}", f"Đơn vị {i}", "so") for i in range(len(group))]
    stages = {f"U{i}": data for i, data in enumerate(group)}
    return compute_results(FW, units, stages), stages


@settings(max_examples=60, deadline=None)
@given(peer_groups)
def test_lost_points_add_up_to_the_maximum_minus_the_total(group):
    results, _stages = results_of(group)
    for result in results.units:
        report = losses.analyse(results, result.unit.code)
        score = result.score
        assert close(report.lost, score.max - (score.total - score.bonus + score.penalty))
        # As shown (3 decimals), the items add up to what the shown figures say.
        shown = [quantize(v) for v in (score.max, score.total, score.bonus, score.penalty)]
        assert report.shown_lost == shown[0] - shown[1] + shown[2] - shown[3]
        for item in report.items:
            assert abs(item.shown_lost - item.lost) <= Decimal("0.0015")
        for item in report.items:
            assert item.lost != 0
            if item.kind == losses.CRITERION_ITEM:
                assert 0 <= item.recoverable <= item.lost


def test_a_capped_area_carries_the_difference_as_a_cap_item():
    results, _stages = results_of(
        [{SELF: StageData({"1.1": D(2), "3.1": D(1), "3.2": D(0.5), "XHH": D(10)}, {})}]
    )
    report = losses.analyse(results, "U0")
    by_code = {item.code: item for item in report.items}
    # 3.1 and 3.2 lose 0,5 + 1 = 1,5 of their 3, but the area (max 2) loses 2 − 1,5 = 0,5.
    assert by_code["3.1"].lost == D(0.5) and by_code["3.2"].lost == 1
    assert by_code["3"].kind == losses.CAP_ITEM and by_code["3"].lost == -1
    # Recovering 3.2 alone fills the area: +0,5, not +1.
    assert by_code["3.2"].recoverable == D(0.5)


def test_a_deduction_below_zero_is_a_loss_and_the_stage_that_lost_points_is_named():
    results, _stages = results_of(
        [
            {
                SELF: StageData(
                    {"1.1": D(2), "3.1": D(1.5), "3.2": D(0.5), "XHH": D(10)},
                    {"reports.overdue": D(2)},
                ),
                APPRAISAL: StageData({"1.1": D(1.5)}, {}),
            }
        ]
    )
    self_points = {"1.1": D(2), "3.1": D(1.5), "3.2": D(0.5)}
    report = losses.analyse(results, "U0", self_points=self_points)
    by_code = {item.code: item for item in report.items}
    assert by_code["3.3"].score == D(-0.5) and by_code["3.3"].lost == D(0.5)
    assert by_code["1.1"].lost_by == losses.BY_APPRAISAL
    assert by_code["1.1"].lost_at_appraisal == D(0.5)
    assert by_code["3.2"].lost_by == losses.BY_SELF
    # Inputs bound to registers mark a criterion a data fix; 1.2 reads none here.
    assert not any(item.data_fix for item in report.items)


def settable_points(score):
    """Every leaf's current points, as a what-if would set them (scored or counted as 0)."""
    points = {}
    for leaf in FW.leaves():
        node = score.nodes[leaf.code]
        if node.applicable:
            points[leaf.code] = node.score
    return points


@settings(max_examples=60, deadline=None)
@given(peer_groups, st.data())
def test_a_what_if_of_the_current_values_changes_nothing(group, data):
    results, stages = results_of(group)
    unit = data.draw(st.sampled_from([r.unit.code for r in results.units]))
    before = next(r for r in results.units if r.unit.code == unit)
    points = {
        **settable_points(before.score),
        BONUS: before.score.bonus,
        PENALTY: before.score.penalty,
    }
    outcome = what_if(results, unit, stages[unit], points)
    after = outcome.after
    assert after.score.total == before.score.total
    assert after.score.band == before.score.band
    assert after.place == before.place
    assert [(n.score, n.place) for n in after.nodes] == [(n.score, n.place) for n in before.nodes]


@settings(max_examples=80, deadline=None)
@given(peer_groups, st.data())
def test_raising_one_score_never_lowers_the_rank(group, data):
    results, stages = results_of(group)
    unit = data.draw(st.sampled_from([r.unit.code for r in results.units]))
    before = next(r for r in results.units if r.unit.code == unit)
    code = data.draw(st.sampled_from(sorted(MANUAL)))
    current = before.score.nodes[code].score
    higher = data.draw(quarters(MANUAL[code]).filter(lambda p: p >= current))
    after = what_if(results, unit, stages[unit], {code: higher}).after
    assert after.score.total >= before.score.total
    assert after.place.rank <= before.place.rank


@settings(max_examples=60, deadline=None)
@given(peer_groups, st.data())
def test_the_fast_path_equals_the_engine(group, data):
    results, stages = results_of(group)
    unit = data.draw(st.sampled_from([r.unit.code for r in results.units]))
    before = next(r for r in results.units if r.unit.code == unit)
    applicable = sorted(settable_points(before.score))
    chosen = data.draw(st.lists(st.sampled_from(applicable), min_size=1, unique=True))
    points = {code: FW.node_map()[code].effective_max for code in chosen}
    fast = with_points(FW, before.score, points)
    full = score_unit(FW, with_settings(stages[unit], points, {}))
    assert fast.total == full.total and fast.band == full.band
    for code, node in full.nodes.items():
        assert (fast.nodes[code].score, fast.nodes[code].max) == (node.score, node.max)


@settings(max_examples=60, deadline=None)
@given(peer_groups, st.data())
def test_priorities_only_propose_recoveries_that_add_points(group, data):
    results, stages = results_of(group)
    unit = data.draw(st.sampled_from([r.unit.code for r in results.units]))
    target = data.draw(st.integers(1, len(group)))
    report = losses.analyse(results, unit, target_rank=target)
    chosen = report.target
    before = report.result
    for item in report.items:
        if item.kind == losses.CRITERION_ITEM:
            assert item.recoverable >= 0
            assert item.rank_if_recovered.rank <= before.place.rank
    # Each chosen recovery adds points given the ones chosen before it.
    score = before.score
    for code in chosen.codes:
        raised = with_points(FW, score, {code: FW.node_map()[code].effective_max})
        assert losses.gain(raised.total, score.total) > 0
        score = raised
    assert close(score.total, chosen.total)
    # The engine agrees with the proposal's total and rank.
    points = {code: FW.node_map()[code].effective_max for code in chosen.codes}
    after = what_if(results, unit, stages[unit], points).after
    assert close(after.score.total, chosen.total) and after.place == chosen.place
    if before.place.rank <= target:
        assert chosen.codes == () and chosen.reached
    if not chosen.reached:  # every recovery with a gain was taken
        leftover = [
            item for item in losses.analyse(results, unit).items if item.code not in chosen.codes
        ]
        for item in leftover:
            if item.kind == losses.CRITERION_ITEM:
                again = with_points(FW, score, {item.code: item.max})
                assert losses.gain(again.total, score.total) <= 0


def test_the_fewest_recoveries_reach_the_target_rank():
    group = [
        {SELF: StageData({"1.1": D(2), "3.1": D(1.5), "3.2": D(1.5), "XHH": D(9)}, {})},
        {SELF: StageData({"1.1": D(1), "3.1": D(0), "3.2": D(0), "XHH": D(6)}, {})},
        {SELF: StageData({"1.1": D(2), "3.1": D(1.5), "3.2": D(0.5), "XHH": D(8)}, {})},
    ]
    results, _stages = results_of(group)
    report = losses.analyse(results, "U1", target_rank=2)
    # U1: 1 + 0 + 6 against U2's 2 + 2 + 8 (the criteria without figures count 0 alike):
    # XHH (+4) first, then 1.3 (+3, no figures yet), not the capped area (+1,5) or 1.1 (+1).
    assert report.result.place.rank == 3
    assert report.target.reached and report.target.place.rank <= 2
    assert report.target.codes[0] == "XHH"
    assert report.target.codes == ("XHH", "1.3")
    assert report.target.gain == 7


def test_settings_of_unknown_or_inner_nodes_are_refused():
    results, stages = results_of([{SELF: StageData({"1.1": D(1)}, {})}])
    for points, values in (({"9.9": D(1)}, {}), ({"1": D(1)}, {}), ({}, {"nobody.reads": D(1)})):
        try:
            what_if(results, "U0", stages["U0"], points, values)
        except WhatIfError:
            continue
        raise AssertionError((points, values))


def test_an_input_set_recomputes_the_criteria_that_read_it():
    results, stages = results_of(
        [{SELF: StageData({"1.1": D(2)}, {"dossiers.received": D(100), "dossiers.postal": D(5)})}]
    )
    before = results.units[0]
    assert before.score.leaves["1.2"].outcome.status == SCORED
    assert before.score.nodes["1.2"].score == 0  # 5 % is below the 10 % threshold
    after = what_if(results, "U0", stages["U0"], values={"dossiers.postal": D(12)}).after
    assert after.score.nodes["1.2"].score == 1
    assert after.score.total == before.score.total + 1
