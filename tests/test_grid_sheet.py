"""The grid's Excel round trip: download, fill in offline, upload back (all or nothing).

The file is opened with a real reader (openpyxl) as a person's Excel would show it: the
Vietnamese headers, the figures with their titles and units, the area subtotals as formulas,
the dropdowns, the protected key columns; then filled in and uploaded back."""

import csv
import io
import os
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from helpers import act, assessment, framework_data, make_framework, round_dates
from openpyxl import Workbook, load_workbook

from parindex.assessments.access import access_for
from parindex.assessments.criteria import set_note, set_points, unsupported_criteria
from parindex.assessments.models import AuditEntry, CriterionNote, ScoreEntry
from parindex.assessments.sheets import (
    CODE,
    COUNTED,
    INPUT_KEY,
    NOTE,
    POINTS,
    TITLE,
    UNIT,
    VALUE,
    VERSION,
    import_grid_sheet,
)

pytestmark = pytest.mark.django_db

VIETNAMESE_HEADERS = [
    "Mã đơn vị",
    "Mã tiêu chí",
    "Tên tiêu chí",
    "Điểm tối đa",
    "Cách chấm",
    "Điểm tự chấm",
    "Điểm được tính",
    "Số liệu",
    "Giải trình",
    "Phiên bản",
    "Mã số liệu (kỹ thuật, không sửa)",
]


def download(client, people, name, round_, code="A"):
    client.force_login(people[name])
    response = client.get(reverse("web:sheet", args=[assessment(round_, code).pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload(client, book, round_, code="A", follow=True):
    buffer = io.BytesIO()
    book.save(buffer)
    return client.post(
        reverse("web:sheet", args=[assessment(round_, code).pk]),
        {"sheet": SimpleUploadedFile("diem.xlsx", buffer.getvalue())},
        follow=follow,
    )


def rows(book):
    """The header, and the rows by criterion code; figure rows by their input key (the
    technical column: their code column says "Số liệu 1", … for people)."""
    sheet = book.active
    header = [c.value for c in sheet[1]]
    found = {}
    for row in sheet.iter_rows(min_row=2):
        key = row[INPUT_KEY].value if len(row) > INPUT_KEY else None
        if key or row[CODE].value:
            found[key or row[CODE].value] = row
    return header, found


def test_alice_fills_the_sheet_offline_and_uploads_it(client, people, round_):
    book = download(client, people, "alice", round_)
    header, by_code = rows(book)
    assert header == VIETNAMESE_HEADERS
    assert "XHH" not in by_code  # survey criteria are not self-scored
    by_code["1.1"][POINTS].value = 1.75
    by_code["2.2"][POINTS].value = "1,5"  # computed from a figure: an override, explained
    by_code["2.2"][NOTE].value = "một báo cáo chậm"
    page = upload(client, book, round_).content.decode()
    assert "2 điểm mới" in page  # "2 new and 0 changed scores …"
    assert ScoreEntry.objects.get(key="1.1").points == Decimal("1.75")
    entry = ScoreEntry.objects.get(key="2.2")
    assert (entry.points, entry.source, entry.batch.name) == (Decimal("1.5"), "upload", "diem.xlsx")
    change = AuditEntry.objects.get(key="2.2", field="points")
    assert change.user.username == "alice" and change.reason == "một báo cáo chậm"
    # The explanation column is the criterion's explanation: it supports 2.2 at submission.
    note = CriterionNote.objects.get(code="2.2")
    assert (note.kind, note.text, note.updated_by) == (
        "explanation",
        "một báo cáo chậm",
        people["alice"],
    )
    assert AuditEntry.objects.get(key="2.2", field="explanation").source == "upload"
    assert unsupported_criteria(assessment(round_, "A")) == ["1.1"]
    again = download(client, people, "alice", round_)
    _, by_code = rows(again)
    assert by_code["1.1"][POINTS].value == 1.75
    assert by_code["2.2"][NOTE].value == "một báo cáo chậm"


def test_the_figures_have_rows_of_their_own_and_fill_the_computed_criteria(client, people, round_):
    book = download(client, people, "alice", round_)
    _, by_code = rows(book)
    received = by_code["dossiers.received"]
    assert received[TITLE].value == "dossiers.received"  # this framework gives no titles
    assert "1.2" in by_code["dossiers.received"][4].value and "1.2" in received[4].value
    received[VALUE].value = 100
    by_code["dossiers.postal"][VALUE].value = 20
    upload(client, book, round_)
    values = dict(ScoreEntry.objects.filter(value__isnull=False).values_list("key", "value"))
    assert values == {"dossiers.received": 100, "dossiers.postal": 20}
    assert set(ScoreEntry.objects.values_list("source", flat=True)) == {"upload"}
    _, by_code = rows(download(client, people, "alice", round_))
    assert by_code["dossiers.received"][VALUE].value == 100
    assert by_code["1.2"][POINTS].value is None  # nothing typed: computed, 1 point
    assert by_code["1.2"][COUNTED].value == 1  # as computed at download (see below)


def test_a_bad_sheet_is_refused_whole_with_row_and_column(client, people, round_):
    book = download(client, people, "alice", round_)
    _, by_code = rows(book)
    by_code["1.1"][POINTS].value = 1.75
    by_code["1.1"][NOTE].value = "Kế hoạch số 12/KH"
    by_code["1.2"][POINTS].value = 5  # above the max of 1
    by_code["2.2"][UNIT].value = "B"  # another unit's row
    by_code["2.2"][POINTS].value = 1
    page = upload(client, book, round_).content.decode()
    assert "không nhập dữ liệu nào" in page.lower()
    line = by_code["1.2"][0].row
    assert f"dòng {line}, cột “points”" in page.lower()
    assert "chỉ dành cho A" in page
    # All or nothing: neither the points nor the explanation of a good row.
    assert not ScoreEntry.objects.exists() and not CriterionNote.objects.exists()


def test_an_override_without_explanation_is_refused_and_names_the_criterion(client, people, round_):
    book = download(client, people, "alice", round_)
    _, by_code = rows(book)
    by_code["2.2"][POINTS].value = 1
    page = upload(client, book, round_).content.decode()
    assert "2.2 được tính từ số liệu" in page and "giải trình" in page
    assert not ScoreEntry.objects.exists()


def test_an_explanation_alone_is_written_and_a_blank_one_keeps_what_is_stored(
    client, people, round_
):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    set_note(
        access_for(people["alice"], a), "2.1", "Không có VBQPPL được giao", expected_version=None
    )
    book = download(client, people, "alice", round_)
    _, by_code = rows(book)
    by_code["1.1"][NOTE].value = "Kế hoạch số 12/KH-SYT ngày 05/01"
    by_code["2.1"][NOTE].value = None  # cleared in the sheet: the stored text stays
    upload(client, book, round_)
    notes = dict(CriterionNote.objects.values_list("code", "text"))
    assert notes == {"1.1": "Kế hoạch số 12/KH-SYT ngày 05/01", "2.1": "Không có VBQPPL được giao"}
    assert unsupported_criteria(a) == []


def test_area_rows_carry_formulas_and_are_ignored_on_upload(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal("1.5"), expected_version=None)
    book = download(client, people, "alice", round_)
    _, by_code = rows(book)
    area = by_code["1"]
    first, last = by_code["1.1"][0].row, by_code["1.3"][0].row
    assert area[COUNTED].value == f"=MIN(6,SUM(G{first},G{first + 1},G{last}))"
    area[POINTS].value = 99  # typed over an area: never read back
    upload(client, book, round_)
    assert not ScoreEntry.objects.filter(key="1").exists()
    # A reader that does not recalculate shows the values as they were computed.
    client.force_login(people["alice"])
    content = client.get(reverse("web:sheet", args=[a.pk])).content
    cached = load_workbook(io.BytesIO(content), data_only=True).active
    assert cached.cell(area[0].row, COUNTED + 1).value == 1.5
    total = [r for r in cached.iter_rows(values_only=True) if str(r[TITLE]).startswith("Tổng")]
    assert total[0][COUNTED] == 1.5  # the areas only: not the survey, bonus or penalty
    formula = load_workbook(io.BytesIO(content)).active
    assert formula.cell(cached.max_row, COUNTED + 1).value.startswith("=SUM(G")


def _bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_key_columns_are_protected_and_only_entries_are_unlocked(client, people, round_):
    book = download(client, people, "alice", round_)
    sheet = book.active
    assert sheet.protection.sheet and not sheet.protection.password
    _, by_code = rows(book)
    leaf, figure, area = by_code["1.1"], by_code["dossiers.received"], by_code["1"]
    assert [leaf[c].protection.locked for c in (POINTS, NOTE)] == [False, False]
    assert figure[VALUE].protection.locked is False
    for cell in (
        leaf[UNIT],
        leaf[CODE],
        leaf[VERSION],
        leaf[COUNTED],
        area[POINTS],
        figure[POINTS],
    ):
        assert cell.protection.locked is not False, cell.coordinate


def test_the_sheet_asks_for_the_appraisers_points_and_comments(client, people, round_):
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(0),
        expected_version=None,
    )
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    book = download(client, people, "carol", round_)
    header, by_code = rows(book)
    assert (header[POINTS], header[NOTE]) == ("Điểm thẩm định", "Ý kiến thẩm định")
    by_code["1.1"][POINTS].value = 0.5
    by_code["1.1"][NOTE].value = "Kế hoạch ban hành muộn"
    upload(client, book, round_)
    assert ScoreEntry.objects.get(key="1.1", stage="appraisal").points == Decimal("0.5")
    assert CriterionNote.objects.get(code="1.1").kind == "comment"


def test_bob_cannot_download_or_upload_alices_sheet(client, people, round_):
    client.force_login(people["bob"])
    url = reverse("web:sheet", args=[assessment(round_, "A").pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"sheet": SimpleUploadedFile("x.xlsx", b"x")}).status_code == 404


def test_a_leader_downloads_but_cannot_upload(client, people, round_):
    book = download(client, people, "dave", round_)
    page = upload(client, book, round_).content.decode()
    assert "không thể thay đổi" in page


def test_a_sheet_does_not_overwrite_what_changed_after_its_download(client, people, round_):
    book = download(client, people, "alice", round_)
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(1),
        expected_version=None,
        reason="on the page meanwhile",
    )
    _, by_code = rows(book)
    by_code["1.1"][POINTS].value = 2
    page = upload(client, book, round_).content.decode()
    assert "sau khi bạn mở" in page  # changed after this sheet was downloaded
    assert ScoreEntry.objects.get(key="1.1").points == 1


def test_a_sheet_downloaded_before_with_english_headers_is_still_read(people, round_):
    """Files already downloaded have `unit, criterion, title, max, rule, points, note,
    version`; their note column counts as the explanation too."""
    book = Workbook()
    sheet = book.active
    sheet.append(["unit", "criterion", "title", "max", "rule", "points", "note", "version"])
    sheet.append(["A", "1.1", "Kế hoạch", 2, "", 1.25, "Kế hoạch số 3", 0])
    sheet.append(["A", "1", "Chỉ đạo, điều hành", 6, "", None, None, None])
    report = import_grid_sheet(
        access_for(people["alice"], assessment(round_, "A")),
        SimpleUploadedFile("cu.xlsx", _bytes(book)),
    )
    assert (report.created, report.notes) == (1, 1)
    assert CriterionNote.objects.get(code="1.1").text == "Kế hoạch số 3"


# --- dropdowns, titles and units: a framework with every kind of entry ---------------------------


def _titled_framework():
    data = framework_data(
        code="dd-2024",
        inputs={
            "dossiers.received": {"title": "Số hồ sơ TTHC đã tiếp nhận", "unit": "hồ sơ"},
            "dossiers.postal": {"title": "Số hồ sơ qua bưu chính công ích", "unit": "hồ sơ"},
            "egov.email_share": {"title": "Tỷ lệ dùng thư điện tử công vụ", "unit": "%"},
        },
    )
    area = data["nodes"][1]
    area["max"] = 9
    area["children"] += [
        {
            "code": "2.3",
            "title": "Theo dõi thi hành pháp luật",
            "max": 2,
            "rule": {
                "type": "levels",
                "levels": [
                    {"label": "Thực hiện tốt, đầy đủ", "points": 2},
                    {"label": "Chưa đầy đủ", "points": 1},
                    {"label": "Không thực hiện", "points": 0},
                ],
            },
        },
        {"code": "2.4", "title": "Công khai tài chính", "max": 1, "rule": {"type": "pass_fail"}},
        {
            "code": "2.5",
            "title": "Thư điện tử công vụ",
            "max": 1,
            "rule": {"type": "ratio", "input": "egov.email_share", "empty": "zero"},
        },
    ]
    return make_framework(**data)


@pytest.fixture
def titled_round(people, syt):
    from parindex.assessments.actions import open_round
    from parindex.frameworks.services import save_framework

    framework, _ = save_framework(_titled_framework(), publish=True)
    return open_round(
        people["erin"],
        framework=framework,
        owner=syt["SYT"],
        title="CCHC 2024 (dropdowns)",
        dates=round_dates(),
        units=[syt["A"]],
    )


def _validation(sheet, cell):
    found = [v for v in sheet.data_validations.dataValidation if cell in v.sqref]
    assert len(found) == 1, cell
    return found[0]


def _list(book, validation):
    sheet_name, cells = validation.formula1.lstrip("=").split("!")
    first, last = cells.replace("$", "").split(":")
    lists = book[sheet_name.strip("'")]
    return [row[0].value for row in lists[first:last]]


def test_levels_and_pass_fail_get_dropdowns_and_figures_their_titles(client, people, titled_round):
    book = download(client, people, "alice", titled_round)
    sheet = book.active
    _, by_code = rows(book)
    assert by_code["dossiers.received"][TITLE].value == "Số hồ sơ TTHC đã tiếp nhận (hồ sơ)"
    assert by_code["egov.email_share"][VALUE].number_format == "0.##%"
    rule = by_code["1.2"][4].value
    assert "số hồ sơ qua bưu chính công ích / số hồ sơ TTHC đã tiếp nhận" in rule
    assert "dossiers." not in rule
    levels = _validation(sheet, by_code["2.3"][POINTS].coordinate)
    assert levels.type == "list"
    assert _list(book, levels) == ["Thực hiện tốt, đầy đủ", "Chưa đầy đủ", "Không thực hiện"]
    passed = _validation(sheet, by_code["2.4"][POINTS].coordinate)
    assert _list(book, passed) == ["Đạt", "Không đạt"]
    # The dropdowns' words sit on a hidden sheet, named in Vietnamese like the rest.
    assert book["danh-sach"].sheet_state == "hidden" and "lists" not in book.sheetnames
    manual = _validation(sheet, by_code["1.1"][POINTS].coordinate)
    assert manual.type == "custom" and "MOD(" in manual.formula1 and "<=2" in manual.formula1
    override = _validation(sheet, by_code["1.2"][POINTS].coordinate)
    assert (override.type, float(override.formula1), float(override.formula2)) == ("decimal", 0, 1)
    assert "ghi đè" in override.prompt
    count = _validation(sheet, by_code["dossiers.received"][VALUE].coordinate)
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    counted = by_code["2.3"][COUNTED].value
    assert counted.startswith(f'=IF({by_code["2.3"][POINTS].coordinate}="Thực hiện tốt, đầy đủ",2,')


def test_dropdown_words_are_read_back_as_points(client, people, titled_round):
    book = download(client, people, "alice", titled_round)
    _, by_code = rows(book)
    by_code["2.3"][POINTS].value = "Chưa đầy đủ"
    by_code["2.4"][POINTS].value = "Đạt"
    by_code["egov.email_share"][VALUE].value = 0.97
    upload(client, book, titled_round)
    points = dict(ScoreEntry.objects.filter(points__isnull=False).values_list("key", "points"))
    assert points == {"2.3": 1, "2.4": 1}
    assert ScoreEntry.objects.get(key="egov.email_share").value == Decimal("0.97")
    _, by_code = rows(download(client, people, "alice", titled_round))
    assert (by_code["2.3"][POINTS].value, by_code["2.4"][POINTS].value) == ("Chưa đầy đủ", "Đạt")


def test_the_grid_and_the_criterion_page_describe_rules_with_titles(client, people, titled_round):
    a = assessment(titled_round, "A")
    client.force_login(people["alice"])
    wanted = "tỷ lệ số hồ sơ qua bưu chính công ích / số hồ sơ TTHC đã tiếp nhận"
    grid = client.get(reverse("web:grid", args=[a.pk])).content.decode()
    page = client.get(reverse("web:criterion", args=[a.pk, "1.2"])).content.decode()
    for html in (grid, page):
        assert wanted in html
        assert "dossiers.postal / dossiers.received" not in html


# --- figure rows for people, computed scores as of the download, the round trip in LibreOffice ---


def test_figure_rows_read_naturally_and_keep_their_key_in_a_hidden_column(
    client, people, titled_round
):
    book = download(client, people, "alice", titled_round)
    sheet = book.active
    header, by_code = rows(book)
    assert header[INPUT_KEY] == "Mã số liệu (kỹ thuật, không sửa)"
    email = by_code["egov.email_share"]
    assert email[TITLE].value == "Tỷ lệ dùng thư điện tử công vụ (%)"
    assert "2.5" in email[4].value
    figures = [r for r in sheet.iter_rows(min_row=2) if r[INPUT_KEY].value]
    codes = [r[CODE].value for r in figures]
    assert codes == [f"Số liệu {n}" for n in range(1, len(figures) + 1)]
    # No machine key where people read: only the hidden, locked technical column holds them
    # (of the inputs the framework titles; an untitled input is shown by its name).
    keys = {"dossiers.received", "dossiers.postal", "egov.email_share"}
    assert keys <= {r[INPUT_KEY].value for r in figures}
    for row in sheet.iter_rows(min_row=2):
        visible = [str(c.value) for c in row[:INPUT_KEY] if c.value is not None]
        assert not any(key in text for key in keys for text in visible), row[0].row
    letter = email[INPUT_KEY].column_letter
    assert sheet.column_dimensions[letter].hidden
    assert email[INPUT_KEY].protection.locked is not False
    # The criteria rows leave the technical column empty.
    assert by_code["2.5"][INPUT_KEY].value is None


def test_computed_criteria_show_the_score_of_the_download_and_say_so(client, people, titled_round):
    a = assessment(titled_round, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal("1.5"), expected_version=None)
    book = download(client, people, "alice", titled_round)
    _, by_code = rows(book)
    computed = by_code["2.5"][COUNTED]
    # A number, not a formula that looks live but ignores the figures typed offline.
    assert computed.value == 0 and computed.data_type == "n"
    assert "Điểm tính từ số liệu khi tải về" in computed.comment.text
    assert "tải lên" in computed.comment.text
    assert "Điểm tính từ số liệu khi tải về: 0" in by_code["2.5"][4].value
    assert "Điểm tính từ số liệu khi tải về" in by_code["1.2"][4].value
    # Typed criteria keep their live formula; the subtotals still add every row up.
    assert by_code["1.1"][COUNTED].value.startswith("=IF(ISNUMBER(")
    assert by_code["2.3"][COUNTED].value.startswith("=IF(")
    assert by_code["1.1"][COUNTED].comment is None
    area = by_code["2"][COUNTED].value
    for code in ("2.1", "2.2", "2.3", "2.4", "2.5"):
        assert by_code[code][COUNTED].coordinate in area
    header_note = book.active.cell(1, COUNTED + 1).comment
    assert header_note is not None and "tải lên" in header_note.text


@pytest.mark.parametrize("language", ["en", "vi"])
def test_an_old_sheet_with_input_keys_in_the_code_column_still_uploads(people, round_, language):
    """Sheets downloaded before the technical column: the key sits in the code column."""
    book = Workbook()
    sheet = book.active
    if language == "en":
        old = "unit criterion title max rule points counted value note version"
        sheet.append(old.split())
    else:
        sheet.append(VIETNAMESE_HEADERS[:INPUT_KEY])
    sheet.append(
        ["A", "dossiers.received", "dossiers.received", None, "", None, None, 100, None, 0]
    )
    sheet.append(["A", "dossiers.postal", "dossiers.postal", None, "", None, None, 20, None, 0])
    sheet.append(["A", "1.1", "Kế hoạch", 2, "", 1.25, "=F4", None, "Kế hoạch số 3", 0])
    report = import_grid_sheet(
        access_for(people["alice"], assessment(round_, "A")),
        SimpleUploadedFile("cu.xlsx", _bytes(book)),
    )
    assert report.created == 3
    values = dict(ScoreEntry.objects.filter(value__isnull=False).values_list("key", "value"))
    assert values == {"dossiers.received": 100, "dossiers.postal": 20}
    assert ScoreEntry.objects.get(key="1.1").points == Decimal("1.25")


def _libreoffice_csv(content: bytes, folder) -> list[list[str]]:
    # scripts/test installs LibreOffice (Debian's libreoffice-calc-nogui): never skipped.
    assert shutil.which("soffice"), "LibreOffice is missing: scripts/test installs it"
    source = folder / "cham-diem.xlsx"
    source.write_bytes(content)
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # UTF-8
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(folder)},
    )
    with (folder / "cham-diem.csv").open(encoding="utf-8") as text:
        return list(csv.reader(text))


def _number_of(text: str) -> float:
    return float(text.replace(",", ".")) if text else 0.0


def test_libreoffice_recomputes_the_filled_sheet_and_it_uploads_back(
    client, people, round_, tmp_path
):
    book = download(client, people, "alice", round_)
    _, by_code = rows(book)
    by_code["1.1"][POINTS].value = 1.75
    by_code["dossiers.received"][VALUE].value = 100
    by_code["dossiers.postal"][VALUE].value = 20
    table = _libreoffice_csv(_bytes(book), tmp_path)
    assert table[0][: len(VIETNAMESE_HEADERS)] == VIETNAMESE_HEADERS
    by_row = {line[CODE]: line for line in table[1:] if line[CODE]}
    assert by_row["Số liệu 1"][INPUT_KEY] and not by_row["Số liệu 1"][CODE].count(".")
    # LibreOffice recalculates: the typed points count, the area adds its rows up (capped).
    assert _number_of(by_row["1.1"][COUNTED]) == 1.75
    leaves = sum(_number_of(by_row[c][COUNTED]) for c in ("1.1", "1.2", "1.3"))
    assert _number_of(by_row["1"][COUNTED]) == min(6, leaves)
    areas = _number_of(by_row["1"][COUNTED]) + _number_of(by_row["2"][COUNTED])
    total = next(line for line in table if line[TITLE].startswith("Tổng"))
    assert _number_of(total[COUNTED]) == pytest.approx(areas)
    # The same file uploads back: points and figures, found through the technical column.
    upload(client, book, round_)
    assert ScoreEntry.objects.get(key="1.1").points == Decimal("1.75")
    values = dict(ScoreEntry.objects.filter(value__isnull=False).values_list("key", "value"))
    assert values == {"dossiers.received": 100, "dossiers.postal": 20}
