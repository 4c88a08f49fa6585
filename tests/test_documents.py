"""The documents parindex drafts: read back with python-docx (and LibreOffice's PDF), every
figure against the engine's results, the Decree 30 layout, the checker finding nothing in
them, and a template with an unknown placeholder refused by name."""

import io
import re
import shutil
from datetime import date
from decimal import Decimal

import docx
import pytest
from plan_helpers import approved

from parindex.assessments.analysis import published
from parindex.assessments.errors import ActionRefused
from parindex.documents import layout
from parindex.documents.context import official_date
from parindex.documents.reading import docx_text
from parindex.documents.render import generate, render_docx
from parindex.domain import numbercheck
from parindex.domain.numbers import format_number
from parindex.units.models import Unit

pytestmark = pytest.mark.django_db
TODAY = date(2027, 3, 5)


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def text_of(data: bytes, tmp_path, name="d.docx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return docx_text(path)


def test_the_results_letter_carries_the_engines_figures(plan_demo, tmp_path):
    framework, syt = plan_demo["framework"], plan_demo["units"]["SYT"]
    data, name = generate("results-letter", framework, syt, today=TODAY)
    assert name == "results-letter-SYT-so-2022.docx"
    result = next(r for r in published(framework, syt).results.units if r.unit.code == "SYT")
    text = text_of(data, tmp_path)
    total = format_number(result.score.total)
    assert f"đạt {total}/100 điểm ({format_number(result.score.index_pct)}%)" in text
    assert f"xếp thứ {result.place.rank}/{result.place.of}" in text
    assert "Số:       /SYT-VP" in text and "Hòa Bình, ngày 05 tháng 3 năm 2027" in text
    assert "V/v quán triệt kết quả Chỉ số cải cách hành chính năm 2022" in text
    assert "Tiêu chí 2.1 (Xây dựng VBQPPL đúng tiến độ): mất 3 điểm" in text
    areas = open_docx(data).tables[1]
    rows = [[cell.text for cell in row.cells] for row in areas.rows[1:]]
    assert len(rows) == len(result.nodes)
    for row, node in zip(rows, result.nodes, strict=True):
        assert row[0] == node.code and row[1] == node.title
        assert row[2] == format_number(node.score) and row[3] == format_number(node.max)
        assert row[4] == f"{node.place.rank}/{node.place.of}"


def test_the_remediation_plan_lists_the_plans_items(plan_demo, tmp_path):
    plan = approved(plan_demo)
    data, _name = generate(
        "remediation-plan", plan_demo["framework"], plan_demo["units"]["SYT"], today=TODAY
    )
    document = open_docx(data)
    text = text_of(data, tmp_path)
    assert "KẾ HOẠCH" in text and "Số:       /KH-SYT" in text
    assert "các tiêu chí bị mất 18,721 điểm, trong đó:" in text
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows[1:]]
    items = list(plan.items.order_by("position"))
    assert [r[1] for r in rows] == [i.code for i in items]
    first = rows[0]
    assert first[2:] == ["Ban hành kế hoạch", "BVDK", "—", items[0].deadline.strftime("%d/%m/%Y")]
    assert text.rstrip().endswith("PHÓ GIÁM ĐỐC\ndave")  # the unit's leader signs


def test_documents_parindex_writes_pass_the_number_checker(plan_demo, tmp_path):
    """Every unit of the 2022 ranking: rising and falling, with and without bonus."""
    framework = plan_demo["framework"]
    approved(plan_demo)
    codes = [r.unit.code for r in published(framework, plan_demo["units"]["SYT"]).results.units]
    assert len(codes) == 21
    for code in codes:
        data, _name = generate("results-letter", framework, Unit.objects.get(code=code))
        findings = numbercheck.check(text_of(data, tmp_path))
        assert findings == [], (code, [(f.kind, f.sentence) for f in findings])
    data, _name = generate("remediation-plan", framework, plan_demo["units"]["SYT"])
    assert numbercheck.check(text_of(data, tmp_path)) == []


def test_the_decree_30_layout(plan_demo):
    data, _name = generate("results-letter", plan_demo["framework"], plan_demo["units"]["SYT"])
    document = open_docx(data)
    section = document.sections[0]
    sizes = ("page_width", "page_height", "top_margin", "bottom_margin")
    mm = [round(getattr(section, name).mm) for name in (*sizes, "left_margin", "right_margin")]
    assert mm == [210, 297, 20, 20, 30, 15]
    assert section.different_first_page_header_footer  # no number on page 1
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 14
    header = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in header[1]
    assert re.fullmatch(r"Số: +/SYT-VP\nV/v .+", header[2], re.S)
    assert header[0].startswith("UBND TỈNH HÒA BÌNH XANH") and "SỞ Y TẾ" in header[0]
    signature = [c.text for c in document.tables[-1].rows[0].cells]
    assert signature[0].startswith("Nơi nhận:\n- Như trên;")
    assert "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" in signature[1]


@pytest.mark.parametrize(
    "day, text",
    [
        (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (date(2021, 3, 15), "ngày 15 tháng 3 năm 2021"),
        (date(2024, 1, 31), "ngày 31 tháng 01 năm 2024"),
        (date(2024, 12, 9), "ngày 09 tháng 12 năm 2024"),
    ],
)
def test_the_official_date(day, text):
    assert official_date(day) == text


def test_a_template_with_an_unknown_placeholder_is_refused_by_name(plan_demo, tmp_path):
    document = layout.new_document()
    layout.body(document, "Tổng điểm {{ totl }} điểm, xếp thứ {{ rank }}/{{ ranked }}.")
    path = tmp_path / "sai.docx"
    document.save(path)
    with pytest.raises(ActionRefused, match="does not fill: totl"):
        render_docx("results-letter", {"rank": 1, "ranked": 2}, str(path))


def test_a_plan_document_needs_a_plan_and_results_need_publishing(plan_demo):
    with pytest.raises(ActionRefused, match="draft it first"):
        generate("remediation-plan", plan_demo["framework"], plan_demo["units"]["SYT"])
    with pytest.raises(ActionRefused, match="has no scores"):
        generate("results-letter", plan_demo["framework"], plan_demo["units"]["BVDK"])
    with pytest.raises(ActionRefused, match="unknown document"):
        generate("memo", plan_demo["framework"], plan_demo["units"]["SYT"])


def test_the_pdf_is_made_by_libreoffice_and_reads_the_same(plan_demo, tmp_path):
    assert shutil.which("soffice"), "LibreOffice is missing: scripts/test installs it"
    data, name = generate(
        "results-letter", plan_demo["framework"], plan_demo["units"]["SYT"], fmt="pdf"
    )
    assert name.endswith(".pdf") and data.startswith(b"%PDF")
    path = tmp_path / name
    path.write_bytes(data)
    from parindex.documents.reading import read_text

    text = read_text(path)
    assert "81,779/100 điểm" in text and numbercheck.check(text) == []
    # Times New Roman is drawn with a font of its metrics and every Vietnamese letter
    # (scripts/test installs fonts-liberation2), so lines break where Word breaks them (the
    # motto on one line) and the text reads back in order (above).
    from pypdf import PdfReader

    first = PdfReader(path).pages[0]
    fonts = {str(f["/BaseFont"]) for f in first["/Resources"]["/Font"].values()}
    assert any("LiberationSerif" in font for font in fonts), fonts
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n" in first.extract_text()


def test_the_cli_writes_the_document(plan_demo, tmp_path, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.chdir(tmp_path)
    out = StringIO()
    call_command(
        "document", "results-letter", "--unit", "SYT", "--framework", "so-2022", stdout=out
    )
    assert (tmp_path / "results-letter-SYT-so-2022.docx").exists()
    assert "results-letter-SYT-so-2022.docx" in out.getvalue()
    out = StringIO()
    call_command(
        "document",
        "results-letter",
        *("--unit", "SYT", "--framework", "so-2022", "--language", "en"),
        stdout=out,
    )
    assert "SOCIALIST" in text_of(
        (tmp_path / "results-letter-SYT-so-2022-en.docx").read_bytes(), tmp_path
    )
    args = ("--unit", "SYT", "--framework", "so-2022", "--format", "pdf", "-o", "kq.pdf")
    call_command("document", "results-letter", *args, stdout=out)
    assert (tmp_path / "kq.pdf").read_bytes().startswith(b"%PDF") and "kq.pdf" in out.getvalue()


def test_the_dashboard_offers_the_documents_to_the_units_people(client, plan_demo, tmp_path):
    client.force_login(plan_demo["people"]["dave"])
    page = client.get("/dashboard/so-2022/SYT/").content.decode()
    assert 'href="/documents/results-letter/so-2022/SYT/"' in page
    response = client.get("/documents/results-letter/so-2022/SYT/")
    assert response.status_code == 200
    assert 'filename="results-letter-SYT-so-2022.docx"' in response["Content-Disposition"]
    assert open_docx(response.content).tables  # a real document
    assert 'href="/documents/results-letter/so-2022/SYT/?language=en"' in page
    response = client.get("/documents/results-letter/so-2022/SYT/?language=en")
    assert 'filename="results-letter-SYT-so-2022-en.docx"' in response["Content-Disposition"]
    assert "SOCIALIST REPUBLIC" in text_of(response.content, tmp_path)
    response = client.get("/documents/results-letter/so-2022/SYT/?language=xx")
    assert 'filename="results-letter-SYT-so-2022.docx"' in response["Content-Disposition"]
    response = client.get("/documents/remediation-plan/so-2022/SYT/", follow=True)
    assert "chưa có kế hoạch khắc phục" in response.content.decode()
    for name in ("frank", "bob"):
        client.force_login(plan_demo["people"][name])
        assert client.get("/documents/results-letter/so-2022/SYT/").status_code == 404
    assert client.get("/documents/memo/so-2022/SYT/").status_code == 404


def test_the_annual_report_carries_the_registers_table(plan_demo, tmp_path):
    from parindex.frameworks.models import Framework
    from parindex.library.demo_registers import load_demo_registers
    from parindex.registers.indicators import compute

    load_demo_registers()
    syt = plan_demo["units"]["SYT"]
    framework = Framework.objects.get(code="so-2023")  # the year in progress: not published
    data, name = generate("annual-report", framework, syt, today=TODAY)
    assert name == "annual-report-SYT-so-2023.docx"
    text = text_of(data, tmp_path)
    table = compute([syt], date(2023, 1, 1), date(2023, 12, 31))[syt.pk].table_06a
    assert table and table["col3"] > 0
    n = {key: format_number(value, 0) for key, value in table.items()}
    assert f"Tổng số hồ sơ tiếp nhận là {n['col3']} hồ sơ, gồm {n['col4']} hồ sơ trực tuyến" in text
    assert f"Đã giải quyết {n['col7']} hồ sơ, trong đó trước hạn {n['col8']} hồ sơ" in text
    assert "Kết quả Chỉ số cải cách hành chính năm 2023 chưa được công bố." in text
    assert "Số:       /BC-SYT" in text and "BÁO CÁO" in text
    assert numbercheck.check(text) == []
    data, _name = generate("annual-report", plan_demo["framework"], syt)  # published: 2022
    text = text_of(data, tmp_path, "b.docx")
    assert "đạt 81,779/100 điểm" in text and numbercheck.check(text) == []


def test_the_annual_reports_one_stop_table_and_chart_are_the_registers(plan_demo):
    from parindex.frameworks.models import Framework
    from parindex.library.demo_registers import load_demo_registers
    from parindex.registers.indicators import compute

    load_demo_registers()
    syt = plan_demo["units"]["SYT"]
    framework = Framework.objects.get(code="so-2023")
    document = open_docx(generate("annual-report", framework, syt, today=TODAY)[0])
    figures = compute([syt], date(2023, 1, 1), date(2023, 12, 31))[syt.pk]
    table = figures.table_06a
    rows = [[c.text for c in r.cells] for r in document.tables[1].rows[1:]]
    shown = {key: format_number(value, 0) for key, value in table.items()}
    share = {
        key: format_number(table[key] * 100 / table["col7"], 2) + "%"
        for key in ("col8", "col9", "col10")
    }
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("I", shown["col3"], ""),
        ("1", shown["col4"], ""),
        ("2", shown["col5"], ""),
        ("3", shown["col6"], ""),
        ("II", shown["col7"], ""),
        ("1", shown["col8"], share["col8"]),
        ("2", shown["col9"], share["col9"]),
        ("3", shown["col10"], share["col10"]),
        ("III", shown["col11"], ""),
        ("1", shown["col12"], ""),
        ("2", shown["col13"], ""),
    ]
    assert rows[0][1] == "Số hồ sơ tiếp nhận" and rows[7][1] == "Quá hạn"
    assert len(document.inline_shapes) == 1  # the dossier chart
    others = [[c.text for c in r.cells] for r in document.tables[2].rows[1:]]
    expected = []
    for label, done, total in (
        ("Phản ánh, kiến nghị được xử lý đúng hạn", "feedback.on_time", "feedback.received"),
        ("Nhiệm vụ được giao hoàn thành đúng hạn", "directives.on_time", "directives.total"),
        ("Báo cáo được gửi đúng hạn", "reports.on_time", "reports.total"),
        ("Nhiệm vụ kế hoạch CCHC đã hoàn thành", "plan.tasks_done", "plan.tasks"),
    ):
        part, whole = figures.figures[done].value or 0, figures.figures[total].value
        if whole:
            pct = format_number(Decimal(part) * 100 / Decimal(whole), 2)
            expected.append([label, format_number(part, 0), format_number(whole, 0), f"{pct}%"])
    assert others == expected and len(expected) >= 3  # the demo has feedback, tasks, reports


@pytest.mark.parametrize(
    "kind", ["results-letter", "remediation-plan", "annual-report", "self-assessment"]
)
def test_every_kind_in_english(plan_demo, kind, tmp_path):
    """The English templates fill the same figures; the context's words are English too."""
    from parindex.frameworks.models import Framework
    from parindex.library.accounts import load_demo_accounts

    syt = plan_demo["units"]["SYT"]
    framework = plan_demo["framework"]
    if kind == "remediation-plan":
        approved(plan_demo)
    if kind == "self-assessment":
        load_demo_accounts()
        framework, syt = Framework.objects.get(code="so-2023"), Unit.objects.get(code="CDC")
    data, name = generate(kind, framework, syt, language="en", today=TODAY)
    assert name.endswith("-en.docx")
    text = text_of(data, tmp_path)
    assert "SOCIALIST REPUBLIC OF VIETNAM" in text and "Independence - Freedom" in text
    assert "Hòa Bình, 5 March 2027" in text and "Recipients:" in text
    assert "FOR THE DIRECTOR" in text and "No.:" in text
    for vietnamese in ("CỘNG HÒA", "Nơi nhận", "Số:", "KT. GIÁM ĐỐC", "Lưu: VT", "ngày 05"):
        assert vietnamese not in text
    if kind == "results-letter":
        result = next(r for r in published(framework, syt).results.units if r.unit.code == "SYT")
        total = format_number(result.score.total)
        assert f"scored {total}/100 points" in text
        assert f"ranked {result.place.rank}/{result.place.of}" in text
        change = result.change.points
        word = "up" if change > 0 else "down"
        assert f"{word} {format_number(abs(change))} points on 2021" in text
    with pytest.raises(ActionRefused, match="no templates in"):
        generate(kind, framework, syt, language="fr")


def test_the_english_appendix(plan_demo):
    import openpyxl

    from parindex.documents.render import appendix
    from parindex.frameworks.models import Framework
    from parindex.library.accounts import load_demo_accounts

    load_demo_accounts()
    framework = Framework.objects.get(code="so-2023")
    data, name = appendix("self-assessment", framework, Unit.objects.get(code="CDC"), "en")
    assert name == "self-assessment-CDC-so-2023-en-appendix.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[4]][:4] == ["Code", "Criterion", "Maximum", "Self score"]
    vi, _name = appendix("self-assessment", framework, Unit.objects.get(code="CDC"))
    sheet = openpyxl.load_workbook(io.BytesIO(vi)).active
    assert [c.value for c in sheet[4]][:2] == ["Mã", "Tiêu chí"]


def test_the_self_assessment_report_and_its_appendix(plan_demo, tmp_path):
    import openpyxl

    from parindex.assessments.models import CriterionNote
    from parindex.documents.context import self_assessment_rows
    from parindex.documents.render import appendix
    from parindex.frameworks.models import Framework
    from parindex.library.accounts import load_demo_accounts

    load_demo_accounts()  # the 2023 round: the CDC has scored and explained
    framework = Framework.objects.get(code="so-2023")
    cdc = Unit.objects.get(code="CDC")
    data, _name = generate("self-assessment", framework, cdc, today=TODAY)
    text = text_of(data, tmp_path)
    rows = self_assessment_rows(framework, cdc)
    assert f"Tổng điểm tự đánh giá: {format_number(rows['total'])}/100 điểm" in text
    for note in CriterionNote.objects.filter(assessment__unit=cdc, kind="explanation"):
        assert f"- Tiêu chí {note.code} (" in text and note.text in text
    assert numbercheck.check(text) == []
    areas = [[c.text for c in r.cells] for r in open_docx(data).tables[1].rows[1:]]
    assert [a[2] for a in areas] == [format_number(a["score"]) for a in rows["areas"]]
    sheet_bytes, sheet_name = appendix("self-assessment", framework, cdc)
    assert sheet_name == "self-assessment-CDC-so-2023-appendix.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(sheet_bytes)).active
    cells = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert len(cells) == len(framework.domain.leaves())
    assert cells["1.1"][3] == 1.5 and "08/KH-CDC" in cells["1.1"][4]
    assert appendix("results-letter", framework, cdc) is None
    with pytest.raises(ActionRefused, match="no self-assessment"):
        generate("self-assessment", framework, Unit.objects.get(code="SNV"))


def test_the_grid_links_the_self_assessment_report(client, plan_demo):
    from parindex.assessments.models import UnitAssessment
    from parindex.library.accounts import load_demo_accounts

    load_demo_accounts()
    cdc = UnitAssessment.objects.get(unit__code="CDC", framework__code="so-2023")
    client.force_login(plan_demo["people"]["erin"])
    page = client.get(f"/assessments/{cdc.pk}/").content.decode()
    assert 'href="/documents/self-assessment/so-2023/CDC/?format=xlsx"' in page
    response = client.get("/documents/self-assessment/so-2023/CDC/?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get("/documents/results-letter/so-2022/SYT/?format=xlsx").status_code == 404


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "kind", ["results-letter", "remediation-plan", "annual-report", "self-assessment"]
)
def test_the_shipped_templates_are_what_the_builder_makes(kind, language, tmp_path):
    """A change of `builtin.py` without `python -m parindex.documents.builtin` would ship a
    stale template: the shipped file reads the same placeholders as a fresh build, all of
    them filled by its kind."""
    from parindex.documents import builtin
    from parindex.documents.context import ALLOWED
    from parindex.documents.render import placeholders

    fresh = tmp_path / f"{kind}.docx"
    builtin.BUILDERS[kind](language).save(fresh)
    shipped = placeholders(str(builtin.path_of(kind, language)))
    assert shipped == placeholders(str(fresh))
    assert shipped <= ALLOWED[kind]
    assert docx_text(builtin.path_of(kind, language)) == docx_text(fresh)
    if language == "en":  # the same blocks as the Vietnamese, in other words
        assert shipped == placeholders(str(builtin.path_of(kind, "vi")))


def test_the_letters_changes_and_losses_are_the_engines(plan_demo, tmp_path):
    from parindex.assessments.analysis import loss_report

    framework, syt = plan_demo["framework"], plan_demo["units"]["SYT"]
    data = published(framework, syt)
    result = next(r for r in data.results.units if r.unit.code == "SYT")
    text = text_of(generate("results-letter", framework, syt)[0], tmp_path)
    change = result.change.points
    word = "tăng" if change > 0 else "giảm"
    assert f"{word} {format_number(abs(change))} điểm so với năm 2021" in text
    assert f"(xếp thứ {result.previous.place.rank}/{result.previous.place.of})" in text
    report = loss_report(data, None)
    lost = [i for i in report.items if i.kind == "criterion" and i.shown_lost > 0]
    lines = [line for line in text.splitlines() if line.startswith("- Tiêu chí ")]
    assert [line.split()[3] for line in lines] == [i.code for i in lost]
    for line, item in zip(lines, lost, strict=True):
        assert f"mất {format_number(item.shown_lost)} điểm" in line


def test_a_report_without_figures_says_so_and_draws_no_empty_table(plan_demo, tmp_path):
    snv = Unit.objects.get(code="SNV")  # keeps no register
    data, _name = generate("annual-report", plan_demo["framework"], snv, today=TODAY)
    document = open_docx(data)
    assert len(document.tables) == 2  # the header and the signature: no table without rows
    assert not document.inline_shapes  # nor a chart
    text = text_of(data, tmp_path)
    assert "Sổ theo dõi hồ sơ chưa có số liệu của năm 2022." in text
    assert "Các sổ theo dõi chưa có số liệu khác của năm 2022." in text
