"""Criteria scored from the registers (issue 8, item 5): a framework binds named inputs to
register indicators; the registers' figures enter through the one score gate with the
provenance "register" and a batch, until the assessment is submitted; a person's value is
never clobbered, and overriding the registers needs an explanation; no data is "missing",
never a silent 0."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from helpers import framework_data, make_framework, round_dates

from parindex.assessments.access import access_for
from parindex.assessments.actions import open_round
from parindex.assessments.criteria import set_note, set_value
from parindex.assessments.errors import ActionRefused
from parindex.assessments.models import AuditEntry, ImportBatch, ScoreEntry, UnitAssessment
from parindex.domain.framework import load_framework
from parindex.domain.rules import MISSING
from parindex.domain.scoring import score_unit, stage_data
from parindex.frameworks.fileformats import write_framework_file
from parindex.frameworks.services import save_framework, validate_file
from parindex.library import FRAMEWORK_FILES, LIBRARY_DIR
from parindex.registers import bindings
from parindex.registers.computed import ComputedValue
from parindex.registers.models import Dossier, RegisterImport
from parindex.registers.signals import changed

D = Decimal

TITLES = {
    "dossiers.received": ("Số hồ sơ tiếp nhận", "hồ sơ"),
    "dossiers.postal": ("Số hồ sơ qua bưu chính", "hồ sơ"),
    "dossiers.resolved": ("Số hồ sơ đã giải quyết", "hồ sơ"),
    "dossiers.on_time": ("Số hồ sơ đúng hạn", "hồ sơ"),
    "reports.late": ("Số báo cáo trễ hạn", "báo cáo"),
}
# The helpers' framework with its dossier and report inputs bound to the same-named indicators.
BOUND = {
    name: {"title": title, "unit": unit, "indicator": name}
    for name, (title, unit) in TITLES.items()
}
REGISTER_INPUTS = ("dossiers", "feedback", "directives", "reports.late", "plan")


def bound_framework():
    return make_framework(inputs=BOUND)


def add_dossiers(unit, n, *, postal=0, year=2024, first=0):
    """`n` dossiers received in `year`, resolved and returned ahead of their due date, the
    first `postal` of them sent by post."""
    zone = timezone.get_current_timezone()
    rows = []
    for i in range(first, first + n):
        received = datetime(year, 3, 1, 8, tzinfo=zone) + timedelta(hours=i % 2000)
        due, ended = received + timedelta(days=10), received + timedelta(days=3)
        rows.append(
            Dossier(
                unit=unit,
                year=year,
                code=f"{unit.code}-{year}-{i:06d}",
                procedure_code="1.001",
                channel=3 if i - first < postal else 1,
                status=10,
                received_at=received,
                received_on=timezone.localdate(received),
                due_at=due,
                due_on=timezone.localdate(due),
                finished_at=ended,
                returned_at=ended,
                ended_at=ended,
                ended_on=timezone.localdate(ended),
                return_method=1,
            )
        )
    Dossier.objects.bulk_create(rows, batch_size=1000)


@pytest.fixture
def bound_round(people, syt, django_capture_on_commit_callbacks):
    """A round of a framework that binds its dossier and report inputs, for SYT, A and B
    (opened after A's dossiers are in the register)."""
    add_dossiers(syt["A"], 40, postal=6)
    framework, _ = save_framework(bound_framework(), publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        round_ = open_round(
            people["erin"],
            framework=framework,
            owner=syt["SYT"],
            title="CCHC 2024",
            dates=round_dates(),
            units=[syt["SYT"], syt["A"], syt["B"]],
            appraisers={syt["A"].pk: [people["carol"]]},
        )
    return round_


def entries(code, stage="self"):
    return {
        e.key: e
        for e in ScoreEntry.objects.filter(unit__code=code, stage=stage).select_related("batch")
    }


def a_of(round_, code="A"):
    return UnitAssessment.objects.get(round=round_, unit__code=code)


# --- the framework file --------------------------------------------------------------------


def test_an_unknown_indicator_is_refused_with_the_inputs_path():
    inputs = {**BOUND, "dossiers.postal": {"title": "Bưu chính", "indicator": "dossiers.postals"}}
    framework, problems = load_framework(framework_data(inputs=inputs))
    assert framework is None
    [problem] = problems.errors
    assert problem.path == "inputs › dossiers.postal › indicator"
    assert "“dossiers.postals” is not an indicator" in str(problem.message)
    assert "dossiers.postal" in str(problem.message.params["close"])
    inputs["dossiers.postal"]["indicator"] = "nothing.like.it"
    _, problems = load_framework(framework_data(inputs=inputs))
    assert "one of dossiers." in str(problems.errors[0].message)


def test_a_count_input_cannot_bind_a_share():
    inputs = {
        **BOUND,
        "dossiers.postal": {"title": "Bưu chính", "indicator": "dossiers.postal_share"},
    }
    framework, problems = load_framework(framework_data(inputs=inputs))
    assert framework is None
    assert [p.path for p in problems.errors] == ["inputs › dossiers.postal › indicator"]
    assert "is a ratio (0–1), but the rules read dossiers.postal as a count" in str(
        problems.errors[0].message
    )


def test_bindings_survive_yaml_and_xlsx(tmp_path):
    framework = bound_framework()
    assert framework.bindings == {name: item["indicator"] for name, item in BOUND.items()}
    assert framework.inputs_info["dossiers.postal"].indicator == "dossiers.postal"
    for name in ("f.yaml", "f.xlsx"):
        write_framework_file(framework, tmp_path / name)
        again, _ = validate_file(tmp_path / name)
        assert again == framework
        assert again.bindings == framework.bindings


@pytest.mark.parametrize("name", FRAMEWORK_FILES)
def test_the_library_binds_every_register_input(name):
    framework, _ = validate_file(LIBRARY_DIR / name)
    register_backed = {n for n in framework.inputs() if n.startswith(REGISTER_INPUTS)}
    assert register_backed and set(framework.bindings) == register_backed
    assert all(framework.bindings[n] == n for n in register_backed)  # same names


# --- refreshing ----------------------------------------------------------------------------


def test_a_new_round_starts_with_the_registers_figures_in_one_batch(bound_round):
    a = entries("A")
    assert (a["dossiers.received"].value, a["dossiers.postal"].value) == (40, 6)
    assert {e.source for e in a.values()} == {"register"}
    [batch] = ImportBatch.objects.all()
    assert (batch.source, batch.actor, batch.stage) == ("register", "registers", "self")
    assert {e.batch_id for e in a.values()} == {batch.pk}
    assert set(AuditEntry.objects.filter(unit__code="A").values_list("source", flat=True)) == {
        "register"
    }
    # What the indicators give, and only what is bound (reports: no data, nothing written).
    from parindex.registers.indicators import compute

    unit = bound_round.assessments.get(unit__code="A").unit
    start, end = bindings.period(bound_round.framework.domain)
    figures = compute([unit], start, end)[unit.pk].figures
    for name in ("dossiers.resolved", "dossiers.on_time"):
        assert a[name].value == figures[name].value
    assert "reports.late" not in a
    # Units without dossiers get nothing: their criteria are missing, not 0.
    assert entries("B") == {}
    stored = ComputedValue.objects.get(unit__code="A", key="dossiers.postal")
    assert (stored.value, stored.indicator, stored.start.isoformat()) == (
        6,
        "dossiers.postal",
        "2024-01-01",
    )


def test_refreshing_again_changes_nothing(bound_round):
    audit, batches = AuditEntry.objects.count(), ImportBatch.objects.count()
    versions = {k: e.version for k, e in entries("A").items()}
    report = bindings.refresh()
    assert (report.written, report.cleared, report.batches) == (0, 0, [])
    assert report.unchanged == 4 and report.assessments == 3
    assert (AuditEntry.objects.count(), ImportBatch.objects.count()) == (audit, batches)
    assert {k: e.version for k, e in entries("A").items()} == versions


def test_a_register_change_refreshes_drafts_and_a_submission_freezes(
    bound_round, syt, django_capture_on_commit_callbacks
):
    # B is submitted (its values freeze); A and SYT are still drafts.
    UnitAssessment.objects.filter(round=bound_round, unit__code="B").update(state="submitted")
    add_dossiers(syt["A"], 10, postal=10, first=1000)
    add_dossiers(syt["B"], 5)
    upload = RegisterImport.objects.create(kind="dossiers", name="hoso-2024.xlsx", actor="alice")
    with django_capture_on_commit_callbacks(execute=True):
        changed("dossiers", {syt["A"].pk, syt["B"].pk}, batch=upload)
    a = entries("A")
    assert (a["dossiers.received"].value, a["dossiers.postal"].value) == (50, 16)
    assert a["dossiers.received"].version == 2
    assert entries("B") == {}  # submitted: nothing written after the submission
    batch = ImportBatch.objects.first()  # named after the register import
    assert batch.name == f"registers: hoso-2024.xlsx (#{upload.pk})"
    assert batch.updated == 4 and a["dossiers.postal"].batch_id == batch.pk
    assert ComputedValue.objects.get(unit__code="A", key="dossiers.postal").batch == upload


def test_dossiers_of_another_year_do_not_count(bound_round, syt):
    add_dossiers(syt["A"], 7, postal=7, year=2023, first=5000)
    bindings.refresh(unit_ids=[syt["A"].pk])
    assert entries("A")["dossiers.received"].value == 40


def test_no_data_is_missing_never_zero(bound_round, syt):
    framework = bound_round.framework.domain
    score = score_unit(framework, stage_data(_rows("B")))
    assert score.leaves["1.2"].outcome.status == MISSING  # B has no dossiers
    assert score.leaves["2.2"].outcome.status == MISSING  # nobody has a reports register
    # The data disappear: the registers' values go with them.
    Dossier.objects.filter(unit=syt["A"]).delete()
    report = bindings.refresh(unit_ids=[syt["A"].pk])
    assert report.cleared == 4 and entries("A") == {}
    assert ComputedValue.objects.get(unit__code="A", key="dossiers.received").value is None
    score = score_unit(framework, stage_data(_rows("A")))
    assert score.leaves["1.2"].outcome.status == MISSING


def _rows(code):
    return ScoreEntry.objects.filter(unit__code=code).values_list("stage", "key", "points", "value")


# --- people's values -----------------------------------------------------------------------


def test_a_persons_value_is_kept_and_only_the_computed_figure_follows(bound_round, people, syt):
    alice = access_for(people["alice"], a_of(bound_round))
    postal = entries("A")["dossiers.postal"]
    set_value(alice, "dossiers.postal", "9", expected_version=postal.version, reason="Sổ bưu điện")
    add_dossiers(syt["A"], 4, postal=4, first=2000)
    report = bindings.refresh(unit_ids=[syt["A"].pk])
    a = entries("A")
    assert (a["dossiers.postal"].value, a["dossiers.postal"].source) == (9, "typed")
    assert a["dossiers.postal"].note == "Sổ bưu điện"  # the reason stays with the override
    assert a["dossiers.received"].value == 44  # the registers' other figures follow
    assert report.kept == 1
    assert ComputedValue.objects.get(unit__code="A", key="dossiers.postal").value == 10


def test_overriding_the_registers_needs_an_explanation(bound_round, people):
    alice = access_for(people["alice"], a_of(bound_round))
    postal = entries("A")["dossiers.postal"]
    with pytest.raises(ActionRefused, match=r"computed from the registers \(6\)"):
        set_value(alice, "dossiers.postal", "9", expected_version=postal.version)
    assert entries("A")["dossiers.postal"].value == 6
    # Typing what the registers give is no override.
    set_value(alice, "dossiers.postal", "6", expected_version=postal.version)
    assert entries("A")["dossiers.postal"].source == "register"
    # The criterion's explanation explains it, as for typed points over a computed criterion.
    set_note(alice, "1.2", "Sổ bưu điện ghi thêm 3 hồ sơ", expected_version=None)
    set_value(alice, "dossiers.postal", "9", expected_version=postal.version)
    assert entries("A")["dossiers.postal"].value == 9
    # An input the registers have no figure for takes any value.
    set_value(alice, "reports.late", "2", expected_version=None)
    assert entries("A")["reports.late"].value == 2


def test_clearing_an_override_gives_the_registers_back(bound_round, people, syt):
    alice = access_for(people["alice"], a_of(bound_round))
    postal = entries("A")["dossiers.postal"]
    set_value(alice, "dossiers.postal", "9", expected_version=postal.version, reason="x")
    set_value(alice, "dossiers.postal", "", expected_version=postal.version + 1)
    bindings.refresh(unit_ids=[syt["A"].pk])
    assert (entries("A")["dossiers.postal"].value, entries("A")["dossiers.postal"].source) == (
        6,
        "register",
    )


# --- what the grid says -------------------------------------------------------------------


def test_the_explanation_is_the_numbers_in_vietnamese_format():
    framework = bound_framework()
    node = framework.node_map()["1.2"]
    values = {"dossiers.received": D(2279), "dossiers.postal": D(250)}
    [part] = bindings.explanation(framework, node, values)
    assert part.render() == "2.279 dossiers, 250 by post = 10,97 %"
    assert bindings.explanation(framework, node, {"dossiers.received": D(2279)}) == []
    assert bindings.missing(framework, node, {}) == [
        ("dossiers.postal", "Số hồ sơ qua bưu chính"),
        ("dossiers.received", "Số hồ sơ tiếp nhận"),
    ]
    [late] = bindings.explanation(framework, framework.node_map()["2.2"], {"reports.late": D(3)})
    assert late.render() == "3 reports late"
    [empty] = bindings.explanation(
        framework, node, {"dossiers.received": D(0), "dossiers.postal": D(0)}
    )
    assert empty.render() == "0 dossiers, 0 by post"
