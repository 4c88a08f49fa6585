"""One score per data-driven criterion: computed from its figures; typed points are an
override, reported as such, and the gate takes one only with an explanation."""

from decimal import Decimal

import pytest
from helpers import assessment, framework_data, make_framework
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.assessments.access import access_for
from parindex.assessments.criteria import set_note, set_points, set_value, unsupported_criteria
from parindex.assessments.errors import ActionRefused
from parindex.assessments.models import ScoreEntry, UnitAssessment
from parindex.assessments.services import import_score_rows
from parindex.domain.rules import MISSING, NEEDS_POINTS, SCORED
from parindex.domain.scoring import STAGES, StageData, score_unit
from parindex.tables import Row, TableError

D = Decimal

# --- the engine --------------------------------------------------------------------------------


def test_typed_points_over_figures_are_an_override_with_what_the_figures_give():
    framework = make_framework()  # 1.3: 3 × on time ÷ resolved
    values = {"dossiers.on_time": D(90), "dossiers.resolved": D(100)}
    computed = score_unit(framework, {"self": StageData({}, values)}).leaves["1.3"]
    assert (computed.outcome.points, computed.override, computed.computed) == (
        D("2.7"),
        False,
        None,
    )
    typed = score_unit(framework, {"self": StageData({"1.3": D(3)}, values)})
    leaf = typed.leaves["1.3"]
    assert (leaf.outcome.points, leaf.override, leaf.computed.points) == (D(3), True, D("2.7"))
    assert typed.overrides == ["1.3"]
    # Typed before any figure: an override too, of figures not entered yet.
    early = score_unit(framework, {"self": StageData({"1.3": D(3)})}).leaves["1.3"]
    assert early.override and early.computed.status == MISSING
    # A manual criterion is never an override.
    manual = score_unit(framework, {"self": StageData({"1.1": D(2)})}).leaves["1.1"]
    assert not manual.override and manual.computed is None


def test_a_later_stage_prevails_with_its_own_figures_or_its_own_override():
    framework = make_framework()
    values = {"dossiers.on_time": D(90), "dossiers.resolved": D(100)}
    stages = {
        "self": StageData({"1.3": D(3)}, values),  # the unit overrides
        "appraisal": StageData({}, {"dossiers.on_time": D(80)}),  # the appraiser recounts
    }
    leaf = score_unit(framework, stages).leaves["1.3"]
    assert (leaf.stage, leaf.outcome.points, leaf.override) == ("appraisal", D("2.4"), False)
    stages["appraisal2"] = StageData({"1.3": D(1)})
    leaf = score_unit(framework, stages).leaves["1.3"]
    assert (leaf.stage, leaf.outcome.points, leaf.override) == ("appraisal2", D(1), True)
    assert leaf.computed.points == D("2.4")  # the figures as they stand at that stage


def _manual_when_empty():
    data = framework_data()
    data["nodes"][0]["children"][2]["rule"]["empty"] = "manual"  # 1.3: type the points
    return make_framework(**data)


def test_points_the_rule_asks_for_are_not_an_override():
    framework = _manual_when_empty()
    empty = {"dossiers.on_time": D(0), "dossiers.resolved": D(0)}
    leaf = score_unit(framework, {"self": StageData({}, empty)}).leaves["1.3"]
    assert leaf.outcome.status == NEEDS_POINTS
    leaf = score_unit(framework, {"self": StageData({"1.3": D(2)}, empty)}).leaves["1.3"]
    assert (leaf.outcome.points, leaf.override) == (D(2), False)


figures = st.none() | st.integers(0, 50).map(D)
typed_points = st.none() | st.sampled_from([D(0), D("0.5"), D("1.25"), D(3)])
stage_entries = st.tuples(typed_points, figures, figures)


@settings(max_examples=300, deadline=None)
@given(st.lists(stage_entries, min_size=len(STAGES), max_size=len(STAGES)))
def test_one_score_per_criterion_whatever_each_stage_holds(entries):
    """No override ⇒ the score is the rule's evaluation of the figures as they stand at the
    prevailing stage; override ⇒ the typed points, with that evaluation beside them."""
    framework = _manual_when_empty()
    rule, node_max = framework.node_map()["1.3"].effective_rule, D(3)
    stages, running, cumulative = {}, {}, {}
    for stage, (points, on_time, resolved) in zip(STAGES, entries, strict=True):
        values = {}
        if on_time is not None:
            values["dossiers.on_time"] = on_time
        if resolved is not None:
            values["dossiers.resolved"] = resolved
        stages[stage] = StageData({"1.3": points} if points is not None else {}, values)
        running = {**running, **values}
        cumulative[stage] = running
    leaf = score_unit(framework, stages).leaves["1.3"]
    prevailing = next((s for s in reversed(STAGES) if stages[s].points or stages[s].values), None)
    assert leaf.stage == prevailing
    if prevailing is None:
        assert leaf.outcome.status == MISSING and not leaf.override
        return
    evaluated = rule.evaluate(node_max, cumulative[prevailing])
    typed = stages[prevailing].points.get("1.3")
    if typed is None:
        assert not leaf.override and leaf.outcome == evaluated
    else:
        assert leaf.outcome.status == SCORED and leaf.outcome.points == typed
        assert leaf.override == (evaluated.status != NEEDS_POINTS)
        assert leaf.computed == (evaluated if leaf.override else None)


# --- the gate ----------------------------------------------------------------------------------


def test_an_override_without_an_explanation_is_refused_naming_the_criterion(people, round_):
    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    set_value(alice, "dossiers.received", "100", expected_version=None)
    set_value(alice, "dossiers.postal", "20", expected_version=None)  # 1.2 computes 1 point
    with pytest.raises(ActionRefused, match=r"1\.2 is computed from its figures \(1 of 1 points\)"):
        set_points(alice, "1.2", "0", expected_version=None)
    assert not ScoreEntry.objects.filter(key="1.2").exists()
    # With a reason it is taken, and shown as an override of what the figures give.
    set_points(alice, "1.2", "0", expected_version=None, reason="Sổ theo dõi chưa cập nhật")
    assert ScoreEntry.objects.get(key="1.2").points == 0


def test_the_criterions_explanation_explains_an_override(people, round_):
    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    with pytest.raises(ActionRefused, match=r"2\.2 is computed from its figures \(figures not"):
        set_points(alice, "2.2", "1.5", expected_version=None)
    set_note(alice, "2.2", "Hai báo cáo chậm do sự cố mạng", expected_version=None)
    set_points(alice, "2.2", "1.5", expected_version=None)
    assert ScoreEntry.objects.get(key="2.2").points == D("1.5")
    # Changing the override again needs no new reason: the explanation stands.
    entry = ScoreEntry.objects.get(key="2.2")
    set_points(alice, "2.2", "1.25", expected_version=entry.version)
    # The explanation supports the criterion at submission, like any other.
    assert "2.2" not in unsupported_criteria(a)


def test_an_appraisers_override_is_explained_by_the_appraisal_comment(people, round_):
    a = assessment(round_, "A")
    set_value(access_for(people["alice"], a), "reports.late", "0", expected_version=None)
    UnitAssessment.objects.filter(pk=a.pk).update(state="appraisal1")
    carol = access_for(people["carol"], assessment(round_, "A"))
    with pytest.raises(ActionRefused, match=r"2\.2 is computed from its figures \(2 of 2 points\)"):
        set_points(carol, "2.2", "2", expected_version=None)
    set_note(carol, "2.2", "Báo cáo đầy đủ theo hồ sơ lưu", expected_version=None)
    set_points(carol, "2.2", "2", expected_version=None)
    assert ScoreEntry.objects.get(key="2.2", stage="appraisal").points == 2


def test_typing_points_the_rule_asks_for_needs_no_explanation(people, syt):
    from parindex.frameworks.services import save_framework

    data = framework_data(code="m-2024")
    data["nodes"][0]["children"][2]["rule"]["empty"] = "manual"
    save_framework(make_framework(**data), publish=True)

    def load(rows, reason=""):
        return import_score_rows(
            [Row(n, r) for n, r in enumerate(rows, start=2)],
            "m-2024",
            "self",
            actor="x",
            reason=reason,
        )

    load(
        [
            {"unit": "A", "criterion": "dossiers.on_time", "value": "0"},
            {"unit": "A", "criterion": "dossiers.resolved", "value": "0"},
        ]
    )
    load([{"unit": "A", "criterion": "1.3", "points": "2"}])  # NEEDS_POINTS: not an override
    with pytest.raises(TableError, match=r"1\.2 is computed from its figures"):
        load([{"unit": "A", "criterion": "1.2", "points": "1"}])  # an override, unexplained
    load([{"unit": "A", "criterion": "1.2", "points": "1"}], reason="bien-ban.csv")
    assert ScoreEntry.objects.filter(key__in=["1.2", "1.3"]).count() == 2
