"""`parindex scores import`: by stage, all or nothing, idempotent, audited."""

from decimal import Decimal

import pytest
from conftest import write
from helpers import make_framework
from openpyxl import Workbook

from parindex.assessments.models import AuditEntry, ScoreEntry
from parindex.assessments.services import import_scores
from parindex.frameworks.services import save_framework
from parindex.tables import TableError
from parindex.units.models import PeerGroup, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup():
    save_framework(make_framework(), publish=True)
    group = PeerGroup.objects.create(code="so", name="Sở")
    for code in ("SYT", "SNV"):
        Unit.objects.create(code=code, name=code, group=group)


def scores(tmp_path, text, stage="self", name="scores.csv"):
    return import_scores(write(tmp_path / name, text), "t-2024", stage, actor="erin")


GOOD = """unit,criterion,points,value,note
SYT,1.1,"1,75",,
SYT,dossiers.postal,,709,
SYT,dossiers.received,,3.105,
SNV,1.1,2,,Có kế hoạch
SYT,BONUS,1,,Sáng kiến
"""


def test_it_imports_points_and_named_values(tmp_path):
    report = scores(tmp_path, GOOD)
    assert (report.rows, report.created) == (5, 5)
    entry = ScoreEntry.objects.get(unit__code="SYT", key="1.1")
    assert entry.points == Decimal("1.75") and entry.value is None and entry.updated_by == "erin"
    assert ScoreEntry.objects.get(unit__code="SYT", key="dossiers.received").value == 3105


def test_the_same_file_twice_changes_nothing(tmp_path):
    scores(tmp_path, GOOD)
    changes = AuditEntry.objects.count()
    report = scores(tmp_path, GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert AuditEntry.objects.count() == changes


def test_every_change_is_audited_with_who_when_old_new_why(tmp_path):
    scores(tmp_path, GOOD)
    scores(tmp_path, "unit,criterion,points,note\nSYT,1.1,1,Thiếu tài liệu kiểm chứng\n")
    change = AuditEntry.objects.filter(unit__code="SYT", key="1.1").first()
    assert (change.old, change.new) == (Decimal("1.75"), Decimal(1))
    assert change.actor == "erin" and change.reason == "Thiếu tài liệu kiểm chứng"
    assert change.at is not None
    first = AuditEntry.objects.filter(unit__code="SYT", key="1.1").last()
    assert first.old is None and first.reason == "scores.csv"


def test_stages_are_kept_apart(tmp_path):
    scores(tmp_path, "unit,criterion,points\nSYT,1.1,2\n")
    scores(tmp_path, "unit,criterion,points\nSYT,1.1,0.5\n", stage="appraisal")
    assert sorted(ScoreEntry.objects.values_list("stage", "points")) == [
        ("appraisal", Decimal("0.5")),
        ("self", Decimal(2)),
    ]


BAD = """unit,criterion,points,value
SYT,1.1,2.5,
SYT,9.9,1,
KHONGCO,1.1,1,
SYT,2.2,hai,
SNV,1,1,
SNV,1.1,"1,3",
SNV,XHH,5,
SNV,dossiers.postal,12,
SNV,dossiers.received,,"1,5"
SNV,BONUS,6,
SYT,1.2,1,
SYT,1.2,1,
SNV,legal.done,,5
SNV,legal.planned,,2
"""


def test_a_bad_file_is_refused_whole_with_every_row_column_and_reason(tmp_path):
    with pytest.raises(TableError) as refused:
        scores(tmp_path, BAD)
    found = {(p.row, p.column): str(p.message) for p in refused.value.problems}
    assert "outside 0 … 2" in found[(2, "points")]  # above the max
    assert "neither a criterion" in found[(3, "criterion")]
    assert "does not exist" in found[(4, "unit")]
    assert "not a number" in found[(5, "points")]
    assert "area or group" in found[(6, "criterion")]
    assert "multiple of the step" in found[(7, "points")]
    assert "not self-scored" in found[(8, "criterion")]
    assert "value column" in found[(9, "points")]
    assert "whole number" in found[(10, "value")]
    assert "above the cap of 5" in found[(11, "points")]
    assert "already appears on row 12" in found[(13, "criterion")]
    assert "greater than legal.planned" in found[(14, "value")]
    assert not ScoreEntry.objects.exists() and not AuditEntry.objects.exists()


def test_a_refused_file_leaves_earlier_scores_untouched(tmp_path):
    scores(tmp_path, GOOD)
    before = list(ScoreEntry.objects.order_by("id").values_list("key", "points", "value"))
    with pytest.raises(TableError):
        scores(tmp_path, "unit,criterion,points\nSYT,1.1,1\nSYT,1.1,2\n")
    assert list(ScoreEntry.objects.order_by("id").values_list("key", "points", "value")) == before


def test_survey_points_are_accepted_after_self_assessment(tmp_path):
    report = scores(tmp_path, 'unit,criterion,points\nSYT,XHH,"8,5"\n', stage="final")
    assert report.created == 1


def test_percentages_for_shares(tmp_path):
    save_framework(
        make_framework(
            code="p-2024",
            nodes=[
                {
                    "code": "1",
                    "title": "A",
                    "max": 1,
                    "rule": {"type": "ratio", "input": "x.share", "empty": "zero"},
                }
            ],
        )
    )
    with pytest.raises(TableError, match="between 0 and 1"):
        import_scores(
            write(
                tmp_path / "s.csv", 'unit,criterion,value\nSYT,x.share,"12,5%"\nSNV,x.share,1.5\n'
            ),
            "p-2024",
            "self",
            actor="erin",
        )
    import_scores(
        write(tmp_path / "s.csv", 'unit,criterion,value\nSYT,x.share,"12,5%"\n'),
        "p-2024",
        "self",
        actor="erin",
    )
    assert ScoreEntry.objects.get(key="x.share").value == Decimal("0.125")


def test_xlsx_scores_with_vietnamese_headers(tmp_path):
    book = Workbook()
    book.active.append(["Đơn vị", "Tiêu chí", "Tên tiêu chí (bỏ qua)", "Điểm", "Giá trị"])
    book.active.append(["SYT", "1.1", "Kế hoạch", 1.5, None])
    book.active.append(["SYT", "dossiers.on_time", "Đúng hạn", None, 3071])
    book.save(tmp_path / "scores.xlsx")
    report = import_scores(tmp_path / "scores.xlsx", "t-2024", "self", actor="erin")
    assert report.created == 2


def test_unknown_framework_or_missing_columns(tmp_path):
    with pytest.raises(TableError, match="does not exist"):
        import_scores(
            write(tmp_path / "s.csv", "unit,criterion,points\nSYT,1.1,1\n"),
            "nope",
            "self",
            actor="erin",
        )
    with pytest.raises(TableError) as refused:
        import_scores(
            write(tmp_path / "s.csv", "unit,points\nSYT,1\n"), "t-2024", "self", actor="erin"
        )
    assert refused.value.problems[0].column == "criterion"


def test_survey_inputs_are_not_self_scored(tmp_path):
    save_framework(
        make_framework(
            code="s-2024",
            nodes=[
                {
                    "code": "XHH",
                    "title": "XHH",
                    "kind": "survey",
                    "max": 10,
                    "rule": {"type": "survey", "input": "survey.share"},
                }
            ],
        )
    )
    with pytest.raises(TableError, match="not self-scored"):
        import_scores(
            write(tmp_path / "s.csv", "unit,criterion,value\nSYT,survey.share,0.8\n"),
            "s-2024",
            "self",
            actor="erin",
        )
    import_scores(
        write(tmp_path / "s.csv", "unit,criterion,value\nSYT,survey.share,0.8\n"),
        "s-2024",
        "final",
        actor="erin",
    )
    assert ScoreEntry.objects.get(key="survey.share").value == Decimal("0.8")
