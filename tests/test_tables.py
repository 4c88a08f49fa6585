"""Reading CSV/XLSX tables: a row is never silently cut, and a hostile file is refused before
it costs memory or time."""

import time
import tracemalloc
import zipfile

import pytest
from conftest import write
from openpyxl import Workbook

from parindex.tables import (
    MAX_SHOWN,
    MAX_XLSX_UNPACKED_BYTES,
    RowProblem,
    TableError,
    first_problems,
    read_table,
)

COLUMNS = {"unit": ("đơn vị",), "criterion": ("tiêu chí",), "points": ("điểm",)}
REQUIRED = ("unit", "criterion")


def refused(path, **kwargs) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(TableError) as error:
        read_table(path, COLUMNS, REQUIRED, **kwargs)
    return [(p.row, p.column, str(p.message)) for p in error.value.problems]


def test_a_split_decimal_comma_is_an_error_not_a_truncated_row(tmp_path):
    path = write(tmp_path / "s.csv", "unit,criterion,points\nSYT,1.1,2\nBVDK,1.1,0,5\n")
    [(row, column, text)] = refused(path)
    assert (row, column) == (3, "D")
    assert "4 fields" in text and "header has 3" in text and '"0,5"' in text


def test_trailing_empty_fields_are_harmless(tmp_path):
    path = write(tmp_path / "s.csv", "unit,criterion,points\nA,1.1,2,\nB,1.1,1,, \n")
    rows = read_table(path, COLUMNS, REQUIRED)
    assert [(r.number, r.get("unit"), r.get("points")) for r in rows] == [
        (2, "A", "2"),
        (3, "B", "1"),
    ]


def test_semicolons_keep_the_decimal_comma(tmp_path):
    path = tmp_path / "s.csv"  # as Excel saves it: a BOM, semicolons, CRLF
    path.write_bytes("\ufeffunit;criterion;points\r\nBVDK;1.1;0,5\r\n".encode())
    [row] = read_table(path, COLUMNS, REQUIRED)
    assert row.get("points") == "0,5"


def test_rows_above_the_cap_are_refused_while_reading(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w") as out:
        out.write("unit,criterion,points\n")
        out.writelines("A,1.1,1\n" for _ in range(600_000))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        [(row, _column, text)] = refused(path, max_rows=5000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert row == 5002 and "5000" in text
    assert time.perf_counter() - start < 2
    assert peak < 20 * 2**20
    # Blank rows do not count.
    write(path, "unit,criterion,points\n" + "A,1.1,1\n,,\n" * 3)
    assert len(read_table(path, COLUMNS, REQUIRED, max_rows=3)) == 3


def _sheet_xml(rows: int):
    yield b'<?xml version="1.0" encoding="UTF-8"?>'
    yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    yield b"<sheetData>"
    yield (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>criterion</t></is></c></row>'
    )
    # Rows and cells without a reference ("r") are numbered in order, as the format allows.
    row = b'<row><c t="inlineStr"><is><t>A</t></is></c><c><v>1</v></c></row>'
    for start in range(0, rows, 10_000):
        yield row * min(10_000, rows - start)
    yield b"</sheetData></worksheet>"


def _workbook(path, rows: int):
    """A minimal XLSX, written as a zip by hand: what a hostile upload looks like."""
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships">'
            '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for chunk in _sheet_xml(rows):
                sheet.write(chunk)
    return path


def test_the_hand_made_workbook_is_a_real_workbook(tmp_path):
    rows = read_table(_workbook(tmp_path / "small.xlsx", 3), COLUMNS, REQUIRED)
    assert [(r.number, r.get("unit"), r.get("criterion")) for r in rows] == [
        (2, "A", 1),
        (3, "A", 1),
        (4, "A", 1),
    ]


@pytest.fixture(scope="session")
def million_rows(tmp_path_factory):
    return _workbook(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", 1_000_000)


def test_a_small_xlsx_that_unpacks_to_a_million_rows_is_refused_at_once(million_rows):
    assert million_rows.stat().st_size < 2**20
    tracemalloc.start()
    start = time.perf_counter()
    try:
        [(row, _column, text)] = refused(million_rows, max_rows=5000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 0.5
    assert peak < 5 * 2**20
    assert row is None and "unpacked" in text and str(MAX_XLSX_UNPACKED_BYTES // 2**20) in text


def test_an_xlsx_above_the_row_cap_stops_at_the_first_row_too_many(tmp_path):
    path = _workbook(tmp_path / "rows.xlsx", 20_000)
    tracemalloc.start()
    try:
        [(row, _column, text)] = refused(path, max_rows=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert row == 1002 and "1000" in text
    assert peak < 10 * 2**20


def test_xlsx_columns_without_a_header_are_left_alone(tmp_path):
    book = Workbook()
    book.active.append(["unit", "criterion", "points"])
    book.active.append(["A", "1.1", 2, "a note for people"])
    book.save(tmp_path / "s.xlsx")
    [row] = read_table(tmp_path / "s.xlsx", COLUMNS, REQUIRED)
    assert row.get("points") == 2


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", None, "file not found"),
        ("folder.csv", "dir", "is not a file"),
        ("empty.csv", b"", "empty"),
        ("empty.xlsx", b"", "not an Excel workbook"),
        ("garbage.csv", bytes(range(256)) * 8, "not UTF-8"),
        ("garbage.xlsx", bytes(range(256)) * 8, "not an Excel workbook"),
        ("latin1.csv", "unit,criterion\nB\xe9,1\n".encode("latin-1"), "not UTF-8"),
        ("late.csv", ("unit,criterion\n" + "A,1\n" * 5000 + "\xe9\n").encode("latin-1"), "UTF-8"),
        ("nul.csv", b"unit,criterion\nA\x00,1\n", None),
        ("long.csv", b"unit,criterion\n" + b"A" * 200_000 + b",1\n", "CSV"),
        ("scores.pdf", b"%PDF", "only .csv and .xlsx"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(tmp_path, name, content, expected):
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    if expected is None:  # readable after all: no crash is the point
        read_table(path, COLUMNS, REQUIRED)
        return
    [(_row, _column, text)] = refused(path)
    assert expected in text


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.xlsx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    [(_row, _column, text)] = refused(tmp_path / "x.xlsx")
    assert "Excel" in text


def test_a_file_too_large_is_refused_before_reading(tmp_path, monkeypatch):
    from parindex import tables

    monkeypatch.setattr(tables, "MAX_FILE_BYTES", 1000)
    path = write(tmp_path / "s.csv", "unit,criterion\n" + "A,1\n" * 1000)
    [(_row, _column, text)] = refused(path)
    assert "too large" in text


def test_only_the_first_problems_are_shown():
    problems = [RowProblem(n, "unit", "x") for n in range(2, 252)]
    shown, more = first_problems(problems)
    assert len(shown) == MAX_SHOWN == 100 and more == 150
    assert TableError(problems).shown() == (shown, more)
    assert first_problems(problems[:3]) == (problems[:3], 0)


def test_a_person_sees_at_most_the_first_problems():
    from parindex.commands import table_error_lines
    from parindex.domain.i18n import Message

    error = TableError([RowProblem(n, "unit", Message("unknown unit")) for n in range(2, 252)])
    lines = table_error_lines(error)
    assert len(lines) == 101
    assert lines[0] == "row 2, column “unit”: unknown unit"
    assert lines[-1] == "… and 150 more problem(s)"
