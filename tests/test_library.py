"""The built-in library and the demo province."""

from decimal import Decimal

import pytest

from parindex.assessments.models import AuditEntry, ScoreEntry
from parindex.assessments.results import framework_results
from parindex.domain.framework import SURVEY
from parindex.frameworks.models import Framework
from parindex.frameworks.services import validate_file
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


@pytest.mark.parametrize("name", ["so-2021.yaml", "so-2022.yaml"])
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
