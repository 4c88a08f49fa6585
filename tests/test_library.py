"""The built-in library and the demo province."""

from decimal import Decimal

import pytest

from parindex.assessments.models import AuditEntry, ScoreEntry
from parindex.assessments.results import framework_results
from parindex.domain.framework import SURVEY
from parindex.frameworks.models import Framework
from parindex.frameworks.services import validate_file
from parindex.library import FRAMEWORK_FILES
from parindex.library.demo import load_demo
from parindex.units.models import Unit


def test_the_2020_structure_has_its_eight_areas_and_survey(library):
    framework, problems = validate_file(library / "so-2021.yaml")
    assert framework is not None and not problems.errors
    maxima = [(n.code, n.effective_max) for n in framework.nodes]
    assert maxima == [
        ("1", Decimal("11.5")),
        ("2", 7),
        ("3", 5),
        ("4", 4),
        ("5", Decimal("11.5")),
        ("6", Decimal("6.5")),
        ("7", 11),
        ("8", Decimal("8.5")),
        ("XHH", 35),
    ]
    assert (framework.bonus_max, framework.penalty_max, framework.max) == (5, 5, 100)
    assert not problems.warnings  # every area adds up


def test_the_2022_structure_has_a_survey_of_32(library):
    framework, problems = validate_file(library / "so-2022.yaml")
    assert framework is not None and not problems.errors and not problems.warnings
    survey = [n for n in framework.nodes if n.effective_kind == SURVEY]
    assert [n.effective_max for n in survey] == [32]
    assert framework.max == 100 and framework.previous == "so-2021"
    assert len([n for n in framework.nodes if n.effective_kind != SURVEY]) == 8


def test_the_2023_set_carries_the_2022_structure_over_code_for_code(library):
    framework, problems = validate_file(library / "so-2023.yaml")
    assert framework is not None and not problems.errors and not problems.warnings
    assert (framework.code, framework.year, framework.previous) == ("so-2023", 2023, "so-2022")
    earlier, _ = validate_file(library / "so-2022.yaml")
    # Same codes, maxima and rules: every area and criterion compares with last year's.
    assert [(n.code, n.effective_max, n.rule) for n in framework.walk()] == [
        (n.code, n.effective_max, n.rule) for n in earlier.walk()
    ]
    assert all(n.previous_code is None for n in framework.walk())
    assert "so-2023.yaml" in FRAMEWORK_FILES


@pytest.mark.parametrize("name", FRAMEWORK_FILES)
def test_every_input_of_the_library_has_a_title_and_rules_read_as_sentences(library, name):
    from django.utils import translation

    from parindex.messages import render

    framework, problems = validate_file(library / name)
    assert not problems.warnings  # and every titled input is read by some rule
    assert set(framework.declared_inputs) == set(framework.inputs())
    for info in framework.inputs_info.values():
        assert info.title != info.name and info.unit, info
    with translation.override("vi"):
        for leaf in framework.leaves():
            text = render(leaf.describe())
            assert not any(name in text for name in framework.inputs()), (leaf.code, text)


@pytest.mark.parametrize("name", FRAMEWORK_FILES)
def test_library_sets_use_every_kind_of_data_rule(library, name):
    framework, _ = validate_file(library / name)
    types = {leaf.effective_rule.TYPE for leaf in framework.leaves()}
    assert {
        "manual",
        "pass_fail",
        "levels",
        "ratio",
        "ratio_target",
        "ratio_threshold",
        "bands",
        "deduction",
        "composite",
        "external_index",
        "survey",
    } <= types
    assert any(leaf.template for leaf in framework.walk())


@pytest.mark.django_db
def test_the_demo_loads_twice_without_changing_anything():
    first = load_demo()
    assert first.rows > 1500 and first.changed == first.rows
    entries, changes = ScoreEntry.objects.count(), AuditEntry.objects.count()
    again = load_demo()
    assert again.changed == 0 and again.units_created == 0
    assert (ScoreEntry.objects.count(), AuditEntry.objects.count()) == (entries, changes)
    assert all(f.is_published for f in Framework.objects.all())


@pytest.mark.django_db
def test_the_demo_tells_the_story_of_the_source_documents():
    load_demo()
    results = framework_results(Framework.objects.get(code="so-2021"))
    syt = next(r for r in results.units if r.unit.code == "SYT")
    nodes = syt.score.nodes
    assert round(nodes["8.2"].score, 3) == Decimal("2.991")  # on-time and early
    assert nodes["8.3"].score == 0  # postal dossiers not recorded by the software
    assert syt.score.leaves["8.3"].stage == "appraisal"
    assert nodes["1.2"].score == Decimal("1.5")  # plan 89,47 % → −0,5
    assert nodes["1.3"].score == Decimal("0.75")  # one late report → −0,25
    assert nodes["7.2"].score == Decimal("0.75")  # e-mail below 100 % → −0,25
    assert nodes["7.3"].score == Decimal("1.3")  # online below 30 % → −0,7
    assert nodes["1.6"].score == 0  # a directive late → 0 of 2
    assert (syt.place.rank, syt.place.of) == (3, 21)
    assert Unit.objects.filter(group__code="so-nganh").count() == 21

    later = framework_results(Framework.objects.get(code="so-2022"))
    assert all(r.previous is not None for r in later.units)
    area8 = next(n for n in later.units[0].nodes if n.code == "8")
    assert area8.previous is None  # the new impact area has no counterpart


# --- the demo round: every role's first hour ---------------------------------------------------


def _demo():
    from parindex.library.accounts import load_demo_accounts

    load_demo()
    return load_demo_accounts()


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _counts():
    from django.contrib.auth import get_user_model

    from parindex.assessments.models import CriterionNote, Round, WorkflowEvent
    from parindex.units.models import Membership

    return (
        ScoreEntry.objects.count(),
        AuditEntry.objects.count(),
        CriterionNote.objects.count(),
        WorkflowEvent.objects.count(),
        Round.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_round_gives_every_role_work_on_logging_in():
    from parindex.assessments.access import access_for
    from parindex.assessments.models import Round
    from parindex.library.accounts import DEMO_ACCOUNTS, DEMO_ROUND
    from parindex.units.people import full_name

    assert _demo() == len(DEMO_ACCOUNTS)
    round_ = Round.objects.get(title=DEMO_ROUND)
    assert (round_.framework.code, round_.owner.code) == ("so-2023", "SYT")
    assessments = {a.unit.code: a for a in round_.assessments.select_related("unit")}
    assert sorted(assessments) == ["BVDK", "CDC", "SYT", "TTYT-A", "TTYT-B"]
    # The Sở's office submitted its own self-assessment: the leader approves it right away.
    syt = assessments["SYT"]
    assert (syt.state, syt.approved_at) == ("submitted", None)
    assert full_name(_user("canbo.syt")) == "Vũ Thị Lan"
    assert access_for(_user("canbo.syt"), syt).roles == {"staff"}
    assert access_for(_user("lanhdao"), syt).actions == ["approve"]
    assert access_for(_user("chuyenvien"), syt).actions == []  # waits for the approval
    # The CDC submitted: the appraiser starts; the hospital has started scoring.
    cdc, hospital = assessments["CDC"], assessments["BVDK"]
    assert cdc.state == "submitted"
    assert access_for(_user("thamdinh"), cdc).actions == ["start_appraisal"]
    assert set(hospital.appraisers.values_list("username", flat=True)) == {"thamdinh"}
    assert hospital.state == "draft"
    assert access_for(_user("canbo.bvdk"), hospital).part == "self"
    assert ScoreEntry.objects.filter(framework=round_.framework, unit=hospital.unit).count() == 4
    # The results of the year in progress are not recorded beside the round's.
    assert (
        not ScoreEntry.objects.filter(framework__code="so-2023", unit__group__code="so-nganh")
        .exclude(unit__code="SYT")
        .exists()
    )


@pytest.mark.django_db
def test_the_demo_round_is_made_once():
    _demo()
    before = _counts()
    assert _demo() == 0
    assert _counts() == before


@pytest.mark.django_db
def test_a_database_with_the_older_demo_round_keeps_it_and_gains_the_new_one(people):
    """An older demo loaded its round on so-2022 for four units of the Sở: it stays as it was,
    and the demo adds the new round beside it."""
    from helpers import round_dates

    from parindex.assessments.actions import open_round
    from parindex.assessments.models import Round
    from parindex.library.accounts import DEMO_ROUND
    from parindex.units.models import Membership

    load_demo()
    officer = people["erin"]
    Membership.objects.create(user=officer, unit=Unit.objects.get(code="SYT"), role="officer")
    old = open_round(
        officer,
        framework=Framework.objects.get(code="so-2022"),
        owner=Unit.objects.get(code="SYT"),
        title="Tự đánh giá CCHC năm 2022 — đơn vị thuộc Sở Y tế (dữ liệu mẫu)",
        dates=round_dates(),
        units=list(Unit.objects.filter(code__in=["BVDK", "CDC", "TTYT-A", "TTYT-B"])),
    )
    _demo()
    assert Round.objects.filter(pk=old.pk, framework__code="so-2022").exists()
    assert old.assessments.count() == 4
    assert Round.objects.get(title=DEMO_ROUND).assessments.count() == 5
