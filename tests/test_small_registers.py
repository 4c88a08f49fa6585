"""The four small registers' import: formats in CSV and XLSX with Vietnamese headers, errors
with row and column, all or nothing, idempotent, skip-invalid, and who may import."""

from datetime import date

import polars as pl
import pytest

from parindex.registers.imports import RegisterRefused, import_register
from parindex.registers.models import DirectiveTask, Feedback, PlanTask, RequiredReport

FEEDBACK = (
    "Mã PAKN,Ngày tiếp nhận,Hạn xử lý,Ngày xử lý,Hài lòng,Nội dung\n"
    "P1,03/03/2025,24/03/2025,10/03/2025,có,Thời gian giải quyết\n"
    "P2,05/03/2025,26/03/2025,,,\n"
)
DIRECTIVES = (
    "Mã nhiệm vụ,Số văn bản,Ngày văn bản,Cơ quan giao,Nội dung nhiệm vụ,Hạn hoàn thành,"
    "Ngày hoàn thành,Trạng thái\n"
    "NV1,120/UBND-VX,02/01/2025,UBND tỉnh,Báo cáo,31/03/2025,30/03/2025,đã hoàn thành\n"
    "NV2,120/UBND-VX,02/01/2025,UBND tỉnh,Tham mưu,30/06/2025,,\n"
)
REPORTS = (
    "Loại báo cáo,Kỳ báo cáo,Hạn gửi,Ngày gửi\n"
    "Báo cáo CCHC quý,Quý I/2025,15/03/2025,14/03/2025\n"
    "Báo cáo CCHC quý,Quý II/2025,15/06/2025,\n"
)
PLAN = (
    "Năm,STT,Nội dung,Hạn hoàn thành,Ngày hoàn thành,Trạng thái\n"
    "2025,1,Ban hành kế hoạch,31/03/2025,20/03/2025,đã hoàn thành\n"
    "2025,2,Tuyên truyền,30/06/2025,,\n"
)
CASES = [
    ("feedback", FEEDBACK, Feedback),
    ("directives", DIRECTIVES, DirectiveTask),
    ("reports", REPORTS, RequiredReport),
    ("plan-tasks", PLAN, PlanTask),
]


def as_xlsx(text: str, path):
    lines = [line.split(",") for line in text.strip().splitlines()]
    pl.DataFrame(lines[1:], schema=lines[0], orient="row").write_excel(path)
    return path


@pytest.mark.parametrize(("kind", "text", "model"), CASES)
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_import_twice_changes_nothing_the_second_time(syt, tmp_path, kind, text, model, suffix):
    path = tmp_path / f"r.{suffix}"
    if suffix == "csv":
        path.write_text(text, encoding="utf-8")
    else:
        as_xlsx(text, path)
    first = import_register(kind, path, unit="A")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = import_register(kind, path, unit="A")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert model.objects.filter(unit=syt["A"]).count() == 2
    assert first.batch.state == "done"


def test_values_land_in_their_fields(syt, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(DIRECTIVES, encoding="utf-8")
    import_register("directives", path, unit="A")
    done = DirectiveTask.objects.get(code="NV1")
    assert (done.state, done.completed_on, done.deadline) == (
        "done",
        date(2025, 3, 30),
        date(2025, 3, 31),
    )
    assert DirectiveTask.objects.get(code="NV2").state == "open"
    path.write_text(DIRECTIVES.replace(",,\n", ",15/06/2025,\n"), encoding="utf-8")
    report = import_register("directives", path, unit="A")
    assert (report.updated, report.unchanged) == (1, 1)
    assert DirectiveTask.objects.get(code="NV2").state == "done"


def test_a_bad_file_writes_nothing_and_names_rows(syt, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Mã PAKN,Ngày tiếp nhận,Ngày xử lý\nP1,03/03/2025,10/03/2025\n"
        "P2,03/03/2025,01/03/2025\nP1,04/03/2025,\nP3,32/03/2025,\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterRefused) as refused:
        import_register("feedback", path, unit="A")
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {(3, "ngay_xu_ly"), (4, "ma_pakn"), (5, "ngay_tiep_nhan")}
    assert not Feedback.objects.exists()
    report = import_register("feedback", path, unit="A", skip_invalid=True)
    assert (report.created, report.rejected) == (1, 3)
    rejected = report.rejected_path.read_text(encoding="utf-8-sig")
    assert "handled before it was received" in rejected and "01/03/2025" in rejected


def test_the_unit_per_row(syt, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "Mã đơn vị,Loại báo cáo,Kỳ báo cáo,Hạn gửi\nA,Quý,I/2025,15/03/2025\n"
        "CDC B,Quý,I/2025,15/03/2025\nNOPE,Quý,I/2025,15/03/2025\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterRefused) as refused:
        import_register("reports", path)
    assert [(p.row, p.column) for p in refused.value.problems] == [(4, "ma_don_vi")]
    report = import_register("reports", path, skip_invalid=True)
    assert report.created == 2 and report.unit_ids == {syt["A"].pk, syt["B"].pk}


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("alice", True), ("erin", True), ("bob", False), ("dave", False), ("carol", False)],
)
def test_who_may_import(syt, people, tmp_path, name, allowed):
    # alice: staff of A; erin: officer of the Sở above A; bob: staff of B; dave: leader (reads);
    # carol: no role.
    path = tmp_path / "p.csv"
    path.write_text(PLAN, encoding="utf-8")
    if allowed:
        assert import_register("plan-tasks", path, unit="A", user=people[name]).created == 2
    else:
        with pytest.raises(RegisterRefused):
            import_register("plan-tasks", path, unit="A", user=people[name])
        assert not PlanTask.objects.exists()
