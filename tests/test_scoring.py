"""From entries to unit scores and published results (pure, no database)."""

from decimal import Decimal

from helpers import D, make_framework
from hypothesis import given
from hypothesis import strategies as st

from parindex.domain.framework import BONUS, PENALTY
from parindex.domain.scoring import (
    StageData,
    UnitInfo,
    compute_results,
    results_to_json,
    score_unit,
)

FIGURES = {
    "dossiers.postal": D(0),
    "dossiers.received": D(3105),
    "dossiers.on_time": D(3071),
    "dossiers.resolved": D(3080),
    "legal.done": D(1),
    "legal.planned": D(2),
    "reports.late": D(1),
}


def stages(**by_stage):
    return {stage: StageData(points=dict(p), values=dict(v)) for stage, (p, v) in by_stage.items()}


def test_a_unit_total_is_the_sum_of_its_parts():
    fw = make_framework()
    score = score_unit(
        fw, stages(self=({"1.1": D("1.5")}, FIGURES), final=({"XHH": D("8.25"), BONUS: D(1)}, {}))
    )
    # 1.1 1,5 + 1.2 0 + 1.3 2,991… + 2.1 1 + 2.2 1,75 + XHH 8,25 + bonus 1
    assert round(score.nodes["1"].score, 3) == D("4.491")
    assert score.nodes["2"].score == D("2.75")
    assert round(score.total, 3) == D("16.491")
    assert score.max == 20
    assert round(score.index_pct, 3) == D("82.456")  # from the exact total, not the rounded one
    assert score.band == "Tốt"


def test_the_appraised_score_prevails_even_when_lower():
    fw = make_framework()
    score = score_unit(
        fw,
        stages(
            self=({"1.1": D(2)}, FIGURES), appraisal=({"1.1": D("0.5")}, {"dossiers.postal": D(0)})
        ),
    )
    assert score.nodes["1.1"].score == D("0.5")
    assert score.leaves["1.1"].stage == "appraisal"
    assert score.leaves["1.3"].stage == "self"


def test_an_appraised_input_recomputes_with_the_other_inputs_of_earlier_stages():
    fw = make_framework()
    claimed = {**FIGURES, "dossiers.postal": D(709)}
    self_only = score_unit(fw, stages(self=({}, claimed)))
    assert self_only.nodes["1.2"].score == 1
    appraised = score_unit(
        fw, stages(self=({}, claimed), appraisal=({}, {"dossiers.postal": D(0)}))
    )
    assert appraised.nodes["1.2"].score == 0
    assert appraised.leaves["1.2"].stage == "appraisal"


def test_not_applicable_criteria_leave_the_maximum():
    fw = make_framework()
    figures = {**FIGURES, "legal.planned": D(0), "legal.done": D(0)}
    score = score_unit(fw, stages(self=({"1.1": D(2)}, figures), final=({"XHH": D(10)}, {})))
    assert score.nodes["2"].max == 2
    assert score.max == 18
    assert score.index_pct == score.total * 100 / 18


def test_bonus_and_penalty_are_capped_by_the_framework():
    fw = make_framework(bonus_max=1, penalty_max=2)
    score = score_unit(fw, stages(final=({BONUS: D(3), PENALTY: D(5)}, {})))
    assert (score.bonus, score.penalty) == (1, 2)


def test_unscored_criteria_count_as_zero_and_are_listed():
    fw = make_framework()
    score = score_unit(fw, stages(self=({"1.1": D(1)}, {})))
    assert "1.3" in score.unscored and "1.1" not in score.unscored
    assert score.total == 1


def test_an_inner_node_is_capped_at_its_max():
    fw = make_framework(
        nodes=[
            {
                "code": "1",
                "title": "A",
                "max": 1,
                "children": [
                    {"code": "1.1", "title": "a", "max": 1},
                    {"code": "1.2", "title": "b", "max": 1},
                ],
            }
        ]
    )
    score = score_unit(fw, stages(self=({"1.1": D(1), "1.2": D(1)}, {})))
    assert score.nodes["1"].score == 1


leaf_points = st.dictionaries(
    st.sampled_from(["1.1", "XHH"]), st.decimals(min_value=0, max_value=2, places=2)
)


@given(
    leaf_points,
    st.integers(0, 5000),
    st.integers(0, 5000),
    st.integers(0, 20),
    st.decimals(min_value=0, max_value=5, places=2),
    st.decimals(min_value=0, max_value=5, places=2),
)
def test_totals_always_equal_the_sum_of_the_areas(points, a, b, late, bonus, penalty):
    fw = make_framework()
    values = {
        "dossiers.on_time": D(min(a, b)),
        "dossiers.resolved": D(max(a, b)),
        "reports.late": D(late),
    }
    score = score_unit(
        fw, stages(self=(points, values), final=({BONUS: bonus, PENALTY: penalty}, {}))
    )
    areas = sum((score.nodes[n.code].score for n in fw.nodes), Decimal(0))
    assert score.total == areas + score.bonus - score.penalty
    for node in fw.walk():
        result = score.nodes[node.code]
        if not node.is_leaf:
            children = sum((score.nodes[c.code].score for c in node.children), Decimal(0))
            assert result.score == min(result.max, children)
        low, high = node.effective_rule.bounds(node.effective_max) if node.is_leaf else (None, None)
        if node.is_leaf and result.applicable and node.code in score.leaves:
            assert low <= result.score <= high


def _units(*codes, group="so"):
    return [UnitInfo(code, code, group) for code in codes]


def test_results_rank_within_peer_groups_with_explicit_ties():
    fw = make_framework()
    data = {
        code: stages(self=({"1.1": D(p)}, {}))
        for code, p in (("A", 2), ("B", 1), ("C", 1), ("D", "0.5"))
    }
    results = compute_results(fw, _units("A", "B", "C", "D"), data)
    doc = results_to_json(results)
    ranks = {u["unit"]: (u["rank"], u["tied"], u["rank_of"]) for u in doc["units"]}
    assert ranks == {"A": (1, False, 4), "B": (2, True, 4), "C": (2, True, 4), "D": (4, False, 4)}
    area = {u["unit"]: u["nodes"][0] for u in doc["units"]}
    assert (area["B"]["rank"], area["B"]["tied"]) == (2, True)


def test_dense_ranking_when_the_framework_says_so():
    fw = make_framework(ranking={"method": "dense"})
    data = {
        code: stages(self=({"1.1": D(p)}, {}))
        for code, p in (("A", 2), ("B", 1), ("C", 1), ("D", "0.5"))
    }
    doc = results_to_json(compute_results(fw, _units("A", "B", "C", "D"), data))
    assert [u["rank"] for u in doc["units"]] == [1, 2, 2, 3]


def test_ranks_compare_what_is_published():
    # 1,2345 and 1,2346 both publish as 1,235: they share the rank.
    fw = make_framework()
    data = {
        "A": stages(self=({"1.1": D("1.2345")}, {})),
        "B": stages(self=({"1.1": D("1.2346")}, {})),
    }
    doc = results_to_json(compute_results(fw, _units("A", "B"), data))
    assert all(u["tied"] and u["rank"] == 1 for u in doc["units"])


def test_units_without_a_group_are_not_ranked():
    fw = make_framework()
    doc = results_to_json(
        compute_results(fw, [UnitInfo("A", "A", None)], {"A": stages(self=({"1.1": D(1)}, {}))})
    )
    assert doc["units"][0]["rank"] is None


def test_the_json_shape_is_the_documented_one():
    fw = make_framework()
    last_year = make_framework(code="t-2023", year=2023)
    this_year = make_framework(previous="t-2023")
    previous = compute_results(
        last_year,
        _units("A", "B"),
        {"A": stages(self=({"1.1": D(1)}, {})), "B": stages(self=({"1.1": D(2)}, {}))},
    )
    results = compute_results(
        this_year,
        _units("A", "B"),
        {"A": stages(self=({"1.1": D(2)}, {})), "B": stages(self=({"1.1": D("0.25")}, {}))},
        previous,
    )
    doc = results_to_json(results)
    assert set(doc) == {"framework", "year", "units"}
    unit = doc["units"][0]
    assert set(unit) == {
        "unit",
        "name",
        "group",
        "total",
        "max",
        "index_pct",
        "band",
        "bonus",
        "penalty",
        "rank",
        "rank_of",
        "tied",
        "nodes",
        "previous",
    }
    assert unit["unit"] == "A" and unit["total"] == 2 and unit["max"] == 20
    assert unit["index_pct"] == 10 and unit["rank"] == 1
    assert unit["previous"] == {
        "framework": "t-2023",
        "total": 1,
        "rank": 2,
        "delta": 1,
        "change_pct_points": 5,
        "same_max": True,
    }
    node = unit["nodes"][0]
    assert {"code", "title", "score", "max", "rank", "rank_of"} <= set(node)
    assert node["previous"] == {
        "code": "1",
        "score": 1,
        "max": 6,
        "delta": 1,
        "change_pct_points": 16.67,
        "same_max": True,
    }
    assert fw.code == "t-2024"


def test_previous_nodes_match_by_code_or_by_previous_code():
    last_year = make_framework(code="t-2023", year=2023)
    data = make_framework().to_dict()
    data["previous"] = "t-2023"
    data["nodes"][0]["previous_code"] = "2"
    data["nodes"][1]["previous_code"] = "-"
    from parindex.domain.framework import load_framework

    this_year, _ = load_framework(data)
    previous = compute_results(last_year, _units("A"), {"A": stages(self=({"2.2": D(1)}, {}))})
    results = compute_results(
        this_year, _units("A"), {"A": stages(self=({"1.1": D(2)}, {}))}, previous
    )
    nodes = results_to_json(results)["units"][0]["nodes"]
    assert nodes[0]["previous"] == {
        "code": "2",
        "score": 1,
        "max": 4,
        "delta": 1,
        "change_pct_points": 8.33,
        "same_max": False,
    }
    assert nodes[1]["previous"] is None


def test_completion_counts_what_the_engine_can_score():
    from parindex.domain.scoring import Completion

    done = Completion(29, 30)
    assert (done.empty, done.pct) == (1, 96)  # rounded down: never 100 % with one left
    assert Completion(0, 0).pct == 100
    framework = make_framework()
    empty = score_unit(framework, {})
    assert empty.completion == Completion(0, len(framework.leaves()))
