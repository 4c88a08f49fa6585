"""`parindex units import`: a hierarchy and peer groups, all or nothing, idempotent."""

import pytest
from conftest import write
from openpyxl import Workbook

from parindex.tables import TableError
from parindex.units.models import PeerGroup, Unit
from parindex.units.services import import_units

pytestmark = pytest.mark.django_db

UNITS = """code,name,parent,group,group_name
SYT,Sở Y tế,,so-nganh,"Sở, ban, ngành"
SNV,Sở Nội vụ,,so-nganh,
BVDK,Bệnh viện Đa khoa tỉnh,SYT,don-vi-syt,Đơn vị thuộc Sở Y tế
"""


def test_it_imports_units_with_parents_and_groups(tmp_path):
    report = import_units(write(tmp_path / "units.csv", UNITS))
    assert (report.created, report.groups_created) == (3, 2)
    hospital = Unit.objects.get(code="BVDK")
    assert hospital.parent.code == "SYT" and hospital.group.code == "don-vi-syt"
    assert PeerGroup.objects.get(code="so-nganh").name == "Sở, ban, ngành"


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path / "units.csv", UNITS)
    import_units(path)
    report = import_units(path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_vietnamese_headers_semicolons_and_a_parent_listed_later(tmp_path):
    text = "mã;tên;đơn vị cha;nhóm\nBVDK;Bệnh viện;SYT;\nSYT;Sở Y tế;;so-nganh\n"
    import_units(write(tmp_path / "units.csv", text))
    assert Unit.objects.get(code="BVDK").parent.code == "SYT"


def test_xlsx_units(tmp_path):
    book = Workbook()
    book.active.append(["code", "name", "parent", "group"])
    book.active.append(["SYT", "Sở Y tế", None, "so-nganh"])
    book.active.append([101, "Đơn vị số", "SYT", None])  # a code typed as a number
    book.save(tmp_path / "units.xlsx")
    import_units(tmp_path / "units.xlsx")
    assert Unit.objects.get(code="101").parent.code == "SYT"


def test_a_bad_file_is_refused_whole_with_row_and_column(tmp_path):
    text = (
        "code,name,parent,group\nSYT,Sở Y tế,,so-nganh\nBV,,SYT,\nSYT,Trùng,,\n"
        "CDC,CDC,KHONGCO,\nX,X,,nhóm có dấu\n"
    )
    with pytest.raises(TableError) as refused:
        import_units(write(tmp_path / "units.csv", text))
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {(3, "name"), (4, "code"), (5, "parent"), (6, "group")}
    assert not Unit.objects.exists() and not PeerGroup.objects.exists()


def test_a_parent_loop_is_refused(tmp_path):
    text = "code,name,parent\nA,A,B\nB,B,A\n"
    with pytest.raises(TableError, match="loops"):
        import_units(write(tmp_path / "units.csv", text))


def test_a_missing_column_is_named(tmp_path):
    with pytest.raises(TableError) as refused:
        import_units(write(tmp_path / "units.csv", "code,parent\nA,\n"))
    assert refused.value.problems[0].column == "name"


@pytest.mark.parametrize(
    "code", ["TT/YT", "A[1]", "BV DK", "BVĐK", "-A", "A.", "A_", "x" * 51, "<b>", "A\\B", "A?b"]
)
def test_a_unit_code_outside_the_safe_pattern_is_refused(tmp_path, code):
    text = f'code,name\nSYT,Sở Y tế\n"{code}",Đơn vị\n'
    with pytest.raises(TableError) as refused:
        import_units(write(tmp_path / "units.csv", text))
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (3, "code")
    assert not Unit.objects.exists()


@pytest.mark.parametrize("code", ["A", "7", "SYT", "TTYT-A", "SYT.VP", "T_1", "a" * 50])
def test_safe_unit_codes_pass_the_import_and_the_model(tmp_path, code):
    import_units(write(tmp_path / "units.csv", f"code,name\n{code},Đơn vị\n"))
    Unit.objects.get(code=code).full_clean()


def test_the_model_refuses_an_unsafe_code():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        Unit(code="TT/YT", name="x").full_clean()
    assert "code" in refused.value.message_dict


def test_the_demo_units_pass(library):
    report = import_units(library / "demo-units.csv")
    assert report.created == Unit.objects.count() > 30
    for unit in Unit.objects.all():
        unit.full_clean()
