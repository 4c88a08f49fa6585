"""Reading register files: CSV (BOM, comma, semicolon, tab) and XLSX (Excel-typed cells) into
text columns with canonical names and spreadsheet row numbers, then typed parsing with every
bad cell reported (row, column, value, reason). No database."""

from __future__ import annotations

import datetime as dt
import zipfile

import polars as pl
import pytest

from parindex.registers.reading import (
    Column,
    normalise,
    parse,
    problem_value,
    read_table,
)
from parindex.tables import TableError

UTC = dt.UTC

COLUMNS = (
    Column("ma_ho_so", ("Mã hồ sơ", "Số biên nhận"), "text", required=True, max_length=10),
    Column("ngay_tiep_nhan", ("Ngày tiếp nhận",), "datetime", required=True),
    Column("ngay", ("Ngày",), "date"),
    Column("thoi_han", ("Thời hạn",), "decimal", minimum=0, maximum=10_000),
    Column("so_lan", ("Số lần",), "int", minimum=0, maximum=100),
    Column("so_hoa", ("Số hóa",), "bool"),
    Column("kenh", ("Kênh",), "enum", choices={"1": 1, "trực tuyến": 2, "2": 2, "online": 2}),
)


def write(path, text, bom=False):
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def problems_of(error):
    return [(p.row, p.column, str(p.message)) for p in error.problems]


def test_headers_match_without_case_diacritics_or_punctuation():
    assert normalise("Ngày hẹn trả (kết quả)") == "ngay hen tra ket qua"
    assert normalise("MÃ HỒ SƠ") == normalise("ma_ho_so") == "ma ho so"
    assert normalise("Số hoá") == normalise("Số hóa")


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_separators_and_bom(tmp_path, separator, bom):
    lines = [
        ["SỐ BIÊN NHẬN", "Chủ hồ sơ", "ngay_tiep_nhan", "Thời hạn"],
        ["H1", "Nguyễn Văn A", "15/01/2025 08:30", '"0,5"' if separator == "," else "0,5"],
        ["H2", "Trần B", "2025-01-16", "1.234,5" if separator != "," else '"1.234,5"'],
    ]
    path = write(tmp_path / "r.csv", "\n".join(separator.join(x) for x in lines) + "\n", bom)
    frame = read_table(path, COLUMNS)
    assert frame["_row"].to_list() == [2, 3]
    assert frame["ma_ho_so"].to_list() == ["H1", "H2"]
    assert frame["thoi_han"].to_list() == ["0,5", "1.234,5"]  # text: never guessed
    assert "Chủ hồ sơ" not in frame.columns and "chu_ho_so" not in frame.columns
    typed, problems = parse(frame, COLUMNS)
    assert problems == []
    assert typed["thoi_han"].to_list() == [0.5, 1234.5]


def test_every_date_spelling(tmp_path):
    spellings = {
        "15/01/2025": dt.datetime(2025, 1, 15, 0, 0),
        "5/1/2025 7:05": dt.datetime(2025, 1, 5, 7, 5),
        "15/01/2025 08:30:15": dt.datetime(2025, 1, 15, 8, 30, 15),
        "2025-01-15": dt.datetime(2025, 1, 15),
        "2025-01-15T08:30": dt.datetime(2025, 1, 15, 8, 30),
        "2025-01-15T08:30:15": dt.datetime(2025, 1, 15, 8, 30, 15),
        "2025-01-15 08:30:15.250": dt.datetime(2025, 1, 15, 8, 30, 15, 250000),
        "20250115083015": dt.datetime(2025, 1, 15, 8, 30, 15),
        "2025-01-15T01:30:15Z": dt.datetime(2025, 1, 15, 8, 30, 15),
        "2025-01-15T08:30:15+07:00": dt.datetime(2025, 1, 15, 8, 30, 15),
    }
    rows = "\n".join(f"H{i};{text}" for i, text in enumerate(spellings))
    path = write(tmp_path / "d.csv", "Mã hồ sơ;Ngày tiếp nhận\n" + rows + "\n")
    typed, problems = parse(read_table(path, COLUMNS), COLUMNS)
    assert problems == []
    local = [dt.timedelta(hours=7) + value for value in typed["ngay_tiep_nhan"].to_list()]
    assert [value.replace(tzinfo=None) for value in local] == list(spellings.values())
    # Instants are UTC: 08:30 in Hà Nội is 01:30 UTC.
    assert typed["ngay_tiep_nhan"][2] == dt.datetime(2025, 1, 15, 1, 30, 15, tzinfo=UTC)


def test_bad_cells_name_row_column_value_and_reason(tmp_path):
    text = (
        "Mã hồ sơ;Ngày tiếp nhận;Thời hạn;Số lần;Số hóa;Kênh;Ngày\n"
        "H1;31/02/2025;abc;-1;maybe;9;2025-13-01\n"
        "H2;15/01/1850;1e5;1.5;có;online;01/02/2025\n"
        "TOO-LONG-CODE;;20000;3.000;x;Trực Tuyến;\n"
    )
    typed, problems = parse(read_table(write(tmp_path / "b.csv", text), COLUMNS), COLUMNS)
    found = {(p.row, p.column): problem_value(p) for p in problems}
    assert found == {
        (2, "ngay_tiep_nhan"): "31/02/2025",
        (2, "thoi_han"): "abc",
        (2, "so_lan"): "-1",
        (2, "so_hoa"): "maybe",
        (2, "kenh"): "9",
        (2, "ngay"): "2025-13-01",
        (3, "ngay_tiep_nhan"): "15/01/1850",
        (3, "thoi_han"): "1e5",
        (3, "so_lan"): "1.5",
        (4, "ma_ho_so"): "TOO-LONG-CODE",
        (4, "ngay_tiep_nhan"): None,  # required and empty
        (4, "thoi_han"): "20000",
        (4, "so_lan"): "3.000",  # three thousand: over the maximum
    }
    messages = {(p.row, p.column): str(p.message) for p in problems}
    assert "not a date" in messages[(2, "ngay_tiep_nhan")]
    assert "between 0 and 10000" in messages[(4, "thoi_han")]
    assert "at most 10 characters" in messages[(4, "ma_ho_so")]
    assert "a value is required" in messages[(4, "ngay_tiep_nhan")]
    # Good cells of the same rows are typed; bad ones are null.
    assert typed["so_hoa"].to_list() == [None, True, True]
    assert typed["kenh"].to_list() == [None, 2, 2]
    assert typed["ngay"].to_list() == [None, dt.date(2025, 2, 1), None]


def test_booleans_and_words():
    column = Column("b", (), "bool")
    values = ["có", "Không", "x", "X", "1", "0", "true", "FALSE", "đã", "chưa", "1.0"]
    frame = pl.DataFrame({"_row": range(2, 2 + len(values)), "b": values})
    typed, problems = parse(frame, [column])
    assert problems == []
    expected = [True, False, True, True, True, False, True, False, True, False, True]
    assert typed["b"].to_list() == expected


def test_xlsx_typed_cells_and_title_rows(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["A1"] = "SỔ THEO DÕI HỒ SƠ"  # a title row above the header
    sheet.append([])
    sheet.append(["Mã hồ sơ", "Ngày tiếp nhận", "Ngày", "Thời hạn", "Số lần", "Số hóa", "Kênh"])
    sheet.append(["H1", dt.datetime(2025, 3, 4, 9, 15), dt.date(2025, 3, 5), 0.5, 2, True, 2])
    sheet.append(["H2", "04/03/2025 10:00", "05/03/2025", "1,5", "3", "x", "trực tuyến"])
    sheet.append([None] * 7)
    sheet.append([12345, dt.datetime(2025, 3, 6), None, 15, None, False, 1])
    path = tmp_path / "r.xlsx"
    book.save(path)
    frame = read_table(path, COLUMNS)
    assert frame["_row"].to_list() == [4, 5, 7]
    typed, problems = parse(frame, COLUMNS)
    assert problems == []
    assert typed["ma_ho_so"].to_list() == ["H1", "H2", "12345"]
    assert typed["ngay_tiep_nhan"].to_list() == [
        dt.datetime(2025, 3, 4, 2, 15, tzinfo=UTC),
        dt.datetime(2025, 3, 4, 3, 0, tzinfo=UTC),
        dt.datetime(2025, 3, 5, 17, 0, tzinfo=UTC),
    ]
    assert typed["ngay"].to_list() == [dt.date(2025, 3, 5), dt.date(2025, 3, 5), None]
    assert typed["thoi_han"].to_list() == [0.5, 1.5, 15.0]
    assert typed["so_hoa"].to_list() == [True, True, False]
    assert typed["kenh"].to_list() == [2, 2, 1]


def test_file_level_problems(tmp_path):
    with pytest.raises(TableError) as missing:
        read_table(write(tmp_path / "m.csv", "Số hóa,Kênh\nx,1\n"), COLUMNS)
    assert {p.column for p in missing.value.problems} == {"ma_ho_so", "ngay_tiep_nhan"}
    assert "Số biên nhận" in str(missing.value.problems[0].message)

    with pytest.raises(TableError) as twice:
        read_table(
            write(tmp_path / "t.csv", "Mã hồ sơ,Số biên nhận,Ngày tiếp nhận\n1,2,3\n"), COLUMNS
        )
    assert "appears twice" in problems_of(twice.value)[0][2]

    with pytest.raises(TableError) as shifted:
        read_table(write(tmp_path / "s.csv", "Mã hồ sơ,Ngày tiếp nhận\nH1,0,5\n"), COLUMNS)
    assert problems_of(shifted.value)[0][:2] == (2, "C")

    (tmp_path / "latin.csv").write_bytes(b"M\xe3 h\xf4 s\xf5,Ng\xe0y\nH1,1/1/2025\n")
    with pytest.raises(TableError, match="UTF-8"):
        read_table(tmp_path / "latin.csv", COLUMNS)

    with pytest.raises(TableError, match=r"only \.csv and \.xlsx"):
        read_table(write(tmp_path / "x.json", "{}"), COLUMNS)
    with pytest.raises(TableError, match="not found"):
        read_table(tmp_path / "none.csv", COLUMNS)
    with pytest.raises(TableError, match="not an Excel workbook"):
        read_table(write(tmp_path / "fake.xlsx", "not a zip"), COLUMNS)


def test_caps_are_checked_before_parsing(tmp_path):
    path = write(tmp_path / "c.csv", "Mã hồ sơ,Ngày tiếp nhận\n" + "H,1/1/2025\n" * 20)
    with pytest.raises(TableError, match="too large"):
        read_table(path, COLUMNS, max_bytes=100)
    with pytest.raises(TableError, match="more than 10 rows") as rows:
        read_table(path, COLUMNS, max_rows=10)
    assert rows.value.problems[0].row == 12
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 2_000_000)
    with pytest.raises(TableError, match="once unpacked"):
        read_table(bomb, COLUMNS, max_unpacked=1_000_000)


@pytest.mark.parametrize(
    "first, last",
    [
        (dt.datetime(2024, 12, 31, 18), dt.datetime(2026, 1, 1, 6, 30)),  # +07:00 throughout
        (dt.datetime(1975, 6, 1), dt.datetime(1975, 7, 1)),  # Sài Gòn moved to +07:00 13/06/1975
        (dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31)),  # too long a span to probe
    ],
)
def test_local_time_by_arithmetic_is_the_time_zone_database(first, last):
    """The fixed-offset shortcut gives exactly what the time-zone database gives, and the
    database is still asked where the offset changed within the span."""
    from parindex.registers.reading import ZONE, local_date, local_to_utc, utc_to_local

    naive = pl.datetime_range(first, last, "7h13m", time_unit="us", eager=True).append(
        pl.Series([None], dtype=pl.Datetime("us"))
    )
    expected = naive.dt.replace_time_zone(
        ZONE, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")
    utc = local_to_utc(naive)
    assert utc.dtype == pl.Datetime("us", "UTC")
    assert utc.equals(expected, check_names=False)
    assert utc_to_local(utc).equals(
        expected.dt.convert_time_zone(ZONE).dt.replace_time_zone(None), check_names=False
    )
    assert local_date(utc).equals(expected.dt.convert_time_zone(ZONE).dt.date(), check_names=False)
